package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizedBasicBlock;
import dev.kiln.nn.QuantizedConv2d;
import dev.kiln.nn.QuantizedLinear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.StaticQuantization;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import dev.kiln.zoo.ResNet;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statically quantised models exported in QDQ form and run in ONNX Runtime, whose optimiser fuses them into int8
 * kernels: the outputs lie within one step of the last layer's output grid of Kiln's, and most are equal (ORT
 * requantises with the product of the scales, Kiln with the F32 bias added to the rescaled sum).
 */
@Tag("onnxruntime")
class QuantizedOnnxExportTest {
    @TempDir
    Path dir;

    private static Sequential smallNet() {
        return new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(), new AvgPool2d(2),
                new Conv2d(3, 4, 3), new Flatten(), new Linear(16, 2));
    }

    /** {@code model} prepared, calibrated on three batches of the pattern input, and converted. */
    private static Sequential quantised(Module model, int... shape) {
        Module prepared = StaticQuantization.prepare(model);
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            for (int batch = 0; batch < 3; batch++) {
                prepared.forward(Tensor.fromArray(input(shape, batch), shape));
            }
        }
        return (Sequential) StaticQuantization.convert(prepared);
    }

    /** The pattern input of {@link OrtCheck}, shifted by {@code seed}, so that calibration and test inputs differ. */
    private static float[] input(int[] shape, int seed) {
        float[] x = OrtCheck.input(shape);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] * Math.cos(0.37 * seed + 0.011 * i));
        }
        return x;
    }

    @Test
    void smallConvNetRunsInOrtWithinOneOutputStep() throws Exception {
        Engine.seed(3);
        int[] shape = {4, 1, 8, 8};
        Sequential model = quantised(smallNet(), shape);
        assertWithinOneStep(model, ((QuantizedLinear) model.get(5)).outputGrid().scale(), shape);
        model.close();
    }

    @Test
    void lenetRunsInOrtAsInt8KernelsWithinOneOutputStep() throws Exception {
        Engine.seed(5);
        int[] shape = {8, 1, 28, 28};
        Sequential model = quantised(Zoo.lenet(10), shape);
        Set<String> fused = assertWithinOneStep(model,
                ((QuantizedLinear) model.get(model.size() - 1)).outputGrid().scale(), shape);
        assertTrue(fused.contains("QLinearConv"), "ORT's optimised graph: " + fused);
        assertTrue(!fused.contains("Conv"), "no F32 convolution is left: " + fused);
        model.close();
    }

    @Test
    void linearsOn3dInputRunInOrtWithinOneOutputStep() throws Exception {
        Engine.seed(6);
        int[] shape = {2, 4, 6};
        Sequential model = quantised(new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3)), shape);
        assertWithinOneStep(model, ((QuantizedLinear) model.get(2)).outputGrid().scale(), shape);
        model.close();
    }

    /** Two blocks, the second with a shortcut convolution, first in the model: the first rounds its input. */
    @Test
    void basicBlocksRunInOrtWithinOneOutputStep() throws Exception {
        Engine.seed(8);
        int[] shape = {2, 2, 6, 6};
        Sequential model = new Sequential(new BasicBlock(2), new BasicBlock(2, 3, 2));
        model.eval();
        Sequential q = quantised(model, shape);
        Set<String> fused = assertWithinOneStep(q, ((QuantizedBasicBlock) q.get(1)).outputGrid().scale(), shape);
        assertTrue(!fused.contains("Conv"), "no F32 convolution is left: " + fused);
        q.close();
    }

    /**
     * A statically quantised ResNet-18 exports whole (stem, max pooling, eight blocks, pooling and fc): every output
     * within one step of Kiln's, at least half equal.
     */
    @Test
    void resnet18RunsInOrtAsInt8KernelsWithinOneOutputStep() throws Exception {
        Engine.seed(9);
        int[] shape = {2, 3, 32, 32};
        ResNet model = ResNet.resnet18(3, 10);
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            for (int batch = 0; batch < 3; batch++) {
                prepared.forward(Tensor.fromArray(input(shape, batch), shape));
            }
        }
        Module q = StaticQuantization.convert(prepared);
        // Twenty requantisations, each of which may round a value one step apart in ORT's int8 kernels.
        Set<String> fused = assertWithinOneStep(q, ((QuantizedLinear) q.getSubmodule("fc")).outputGrid().scale(),
                shape, 0.5);
        assertTrue(fused.contains("QLinearConv") && !fused.contains("Conv"), "ORT's optimised graph: " + fused);
        q.close();
    }

    /**
     * An AdaptiveAvgPool2d, GlobalAvgPool2d or AvgPool2d after a quantised convolution pools onto the convolution's
     * output grid in Kiln's converted model, as 1.13's quantized pooling; exported, it is requantised onto that grid
     * too, so ORT's outputs are grid values (by even windows, by windows of unequal sizes, to 1 x 1, by padded
     * windows) within one step of Kiln's.
     */
    @Test
    void anAveragePoolingAfterAQuantisedLayerExportsOntoThatLayersGrid() throws Exception {
        Engine.seed(10);
        for (Module pool : new Module[] {new AdaptiveAvgPool2d(3, 7), new AdaptiveAvgPool2d(4, 5),
            new GlobalAvgPool2d(), new AvgPool2d(3, 2, 1)}) {
            int[] shape = {2, 1, 6, 7};
            Sequential model = quantised(new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(),
                    pool), shape);
            Uint8Grid grid = ((QuantizedConv2d) model.get(0)).outputGrid();
            assertWithinOneStep(model, grid.scale(), shape, 0.5);
            float[] ort = runOrt(dir.resolve("quantised.onnx"), dir.resolve("optimised.onnx"), input(shape, 7), shape);
            for (int i = 0; i < ort.length; i++) {
                float steps = ort[i] / grid.scale() + grid.zeroPoint();
                assertEquals(Math.rint(steps), steps, 1e-3, "output " + i + " of " + pool + " off the grid: "
                        + ort[i]);
            }
            model.close();
        }
    }

    /**
     * A converted model's average pooling on a grid exports 1.13's rounding itself: ORT's outputs of the exported
     * pooling equal Kiln's exactly, ties included, after a quantised layer (channels-last rounding; adaptive windows
     * of equal and unequal sizes, 1 x 1, padded and ceil-mode windows with and without the padding counted, an
     * unbatched input) and before the first one (the QuantStub's grid, raw input values, contiguous rounding on three
     * channels, channels-last on one); Kiln's import of the file gives them too.
     */
    @Test
    void anAveragePoolingOnAGridExportsItsRoundingExactly() throws Exception {
        Engine.seed(10);
        int[] shape = {2, 1, 6, 7};
        for (Module pool : new Module[] {new AdaptiveAvgPool2d(3, 7), new AdaptiveAvgPool2d(4, 5),
            new AdaptiveAvgPool2d(2, 1), new GlobalAvgPool2d(), new AvgPool2d(2), new AvgPool2d(3, 2, 1),
            new AvgPool2d(3, 2, 1, true, false), new AvgPool2d(2, 2, 1, true, true)}) {
            Sequential model = quantised(new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(), pool),
                    shape);
            float[] y = layerOutput(model, 0, shape);
            assertExportedAsKiln(model.get(2), y, new int[] {2, 3, 6, 7});
            if (!(pool instanceof GlobalAvgPool2d)) {
                assertExportedAsKiln(model.get(2), Arrays.copyOf(y, 3 * 6 * 7), new int[] {3, 6, 7});
            }
            model.close();
        }
        for (int channels : new int[] {3, 1}) {
            int[] stub = {2, channels, 6, 8};
            for (Module pool : new Module[] {new AvgPool2d(2), new AvgPool2d(3, 2, 1, true, false),
                new AdaptiveAvgPool2d(3, 2), new GlobalAvgPool2d()}) {
                Sequential model = quantised(new Sequential(pool, Conv2d.builder(channels, 2, 1).build()), stub);
                assertExportedAsKiln(model.get(0), input(stub, 5), stub);
                model.close();
            }
        }
    }

    /**
     * An exported global average pooling on a grid with symbolic batch and plane axes averages each input's own plane:
     * ORT at another batch and plane size than the trial's gives Kiln's values there, not sums divided by the trial
     * plane's size.
     */
    @Test
    void aGlobalPoolingOnAGridWithSymbolicPlaneAxesDividesByTheInputsPlane() throws Exception {
        Engine.seed(10);
        Sequential model = quantised(new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(),
                new GlobalAvgPool2d()), 2, 1, 6, 7);
        int[] other = {3, 3, 9, 8};
        float[] y = layerOutput(model, 0, new int[] {3, 1, 9, 8});
        Path file = dir.resolve("global.onnx");
        OnnxExport.export(model.get(2), new int[] {2, 3, 6, 7}, file, OnnxExportOptions.defaults()
                .withDynamicAxes(Map.of(0, "batch", 2, "height", 3, "width"), Map.of(0, "batch")));
        float[] expected;
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            expected = model.get(2).call(Tensor.fromArray(y, other)).toFloatArray();
        }
        assertArrayEquals(expected, runOrt(file, dir.resolve("optimised.onnx"), y, other));
        model.close();
    }

    @Test
    void aWindowedPoolingOnAGridWithSymbolicPlaneAxesIsRefusedNamingThem() {
        Engine.seed(10);
        Sequential model = quantised(new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(),
                new AvgPool2d(2), new Flatten(), new Linear(27, 4)), 2, 1, 6, 7);
        OnnxExportOptions planes = OnnxExportOptions.defaults()
                .withDynamicAxes(Map.of(0, "batch", 2, "height", 3, "width"), Map.of(0, "batch"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(model.get(2), new int[] {2, 3, 6, 7}, dir.resolve("windows.onnx"), planes));
        assertTrue(e.getMessage().contains("{2=height, 3=width}") && e.getMessage().contains("[2, 3, 6, 7]"),
                e.getMessage());
        model.close();
    }

    /** The output of {@code model}'s first {@code index + 1} modules on the pattern input of seed 7. */
    private static float[] layerOutput(Sequential model, int index, int[] shape) {
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            Tensor y = Tensor.fromArray(input(shape, 7), shape);
            for (int i = 0; i <= index; i++) {
                y = model.get(i).forward(y);
            }
            return y.toFloatArray();
        }
    }

    /** {@code pooling} exported alone and run in ORT on {@code x} gives Kiln's values exactly. */
    private void assertExportedAsKiln(Module pooling, float[] x, int[] shape) throws IOException, OrtException {
        Path file = dir.resolve("pooling.onnx");
        OnnxExport.export(pooling, shape, file);
        float[] expected;
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            expected = pooling.call(Tensor.fromArray(x, shape)).toFloatArray();
        }
        assertArrayEquals(expected, runOrt(file, dir.resolve("optimised.onnx"), x, shape), pooling + " on "
                + Arrays.toString(shape));
        try (OnnxModule imported = OnnxImport.load(file); Scope s = Scope.open(); var g = Autograd.noGrad()) {
            assertArrayEquals(expected, imported.forward(Tensor.fromArray(x, shape)).toFloatArray(), "imported "
                    + pooling + " on " + Arrays.toString(shape));
        }
    }

    /**
     * Exports {@code model}, runs it in ORT on a fresh input and checks each output within one step of {@code step}
     * of Kiln's, at least 3/4 equal; returns the op types of ORT's optimised graph.
     */
    private Set<String> assertWithinOneStep(Module model, float step, int[] shape) throws IOException, OrtException {
        return assertWithinOneStep(model, step, shape, 0.75);
    }

    /**
     * {@link #assertWithinOneStep(Module, float, int[])} with at least {@code equalFraction} of the outputs equal: a
     * deep net requantises many times, and a step's difference where ORT and Kiln round apart carries to the output.
     */
    private Set<String> assertWithinOneStep(Module model, float step, int[] shape, double equalFraction)
            throws IOException, OrtException {
        Path file = dir.resolve("quantised.onnx");
        Path optimised = dir.resolve("optimised.onnx");
        OnnxExport.export(model, shape, file);
        float[] x = input(shape, 7);
        float[] expected;
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            expected = model.call(Tensor.fromArray(x, shape)).toFloatArray();
        }
        float[] actual = runOrt(file, optimised, x, shape);
        assertEquals(expected.length, actual.length);
        int equal = 0;
        for (int i = 0; i < expected.length; i++) {
            double steps = Math.abs(expected[i] - actual[i]) / step;
            assertTrue(steps <= 1.001, "element " + i + ": Kiln " + expected[i] + ", ORT " + actual[i] + " ("
                    + steps + " steps of " + step + ")");
            equal += steps < 1e-3 ? 1 : 0;
        }
        assertTrue(equal >= equalFraction * expected.length, equal + " of " + expected.length + " outputs equal");
        Set<String> ops = new HashSet<>();
        ModelProto.parse(optimised).graph().nodes().forEach(n -> ops.add(n.opType()));
        return ops;
    }

    private static float[] runOrt(Path file, Path optimised, float[] x, int[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setOptimizedModelFilePath(optimised.toString());
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                         Arrays.stream(shape).asLongStream().toArray());
                 OrtSession.Result result = session.run(Map.of("input", in))) {
                FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                return v;
            }
        }
    }
}
