package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.Bidirectional;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GELU;
import dev.kiln.nn.Identity;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LocalResponseNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Module;
import dev.kiln.nn.Parametrize;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.Quantization;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Softplus;
import dev.kiln.zoo.Zoo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link OnnxExport} writes around the converted graph, and how it refuses what it cannot export. */
class OnnxExportTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(14);
    }

    private static GraphProto graph(Module model, int[] shape, OnnxExportOptions options) {
        return OnnxExport.toProto(model, shape, options).graph();
    }

    @Test
    void initializersAreNamedByTheStateDictAndHoldTheWeights() {
        Module model = Zoo.lenet(10);

        List<TensorProto> inits = graph(model, new int[] {1, 1, 28, 28}, OnnxExportOptions.defaults()).initializers();

        Set<String> names = inits.stream().map(TensorProto::name).collect(Collectors.toSet());
        assertEquals(model.namedParameters().keySet(), names);
        TensorProto firstWeight = inits.stream().filter(t -> t.name().equals("0.weight")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {20, 1, 5, 5}, firstWeight.dims());
        assertArrayEquals(model.getParameter("0.weight").toFloatArray(), firstWeight.floats());
    }

    @Test
    void theBatchAxisIsSymbolicByDefault() {
        GraphProto g = graph(new Sequential(new Linear(4, 2)), new int[] {3, 4}, OnnxExportOptions.defaults());

        assertEquals(List.of(TensorShapeProto.Dimension.symbolic("batch"), TensorShapeProto.Dimension.of(4)),
                g.inputs().get(0).type().shape().dims());
        assertEquals(List.of(TensorShapeProto.Dimension.symbolic("batch"), TensorShapeProto.Dimension.of(2)),
                g.outputs().get(0).type().shape().dims());
    }

    @Test
    void aFixedBatchKeepsTheExampleShape() {
        OnnxExportOptions fixed = OnnxExportOptions.defaults().withDynamicBatch(false);

        GraphProto g = graph(new Sequential(new Linear(4, 2)), new int[] {3, 4}, fixed);

        assertEquals(TensorShapeProto.of(3, 4), g.inputs().get(0).type().shape());
        assertEquals(TensorShapeProto.of(3, 2), g.outputs().get(0).type().shape());
    }

    @Test
    void namedAxesAreSymbolicAndNoOthers() {
        OnnxExportOptions axes = OnnxExportOptions.defaults().withDynamicAxes(Map.of(0, "time", 1, "batch"),
                Map.of(1, "batch"));

        GraphProto g = graph(new Sequential(new Linear(4, 2)), new int[] {3, 3, 4}, axes);

        assertEquals(List.of(TensorShapeProto.Dimension.symbolic("time"), TensorShapeProto.Dimension.symbolic("batch"),
                TensorShapeProto.Dimension.of(4)), g.inputs().get(0).type().shape().dims());
        assertEquals(List.of(TensorShapeProto.Dimension.of(3), TensorShapeProto.Dimension.symbolic("batch"),
                TensorShapeProto.Dimension.of(2)), g.outputs().get(0).type().shape().dims());
    }

    @Test
    void aNamedAxisPastTheRankIsRefused() {
        OnnxExportOptions axes = OnnxExportOptions.defaults().withDynamicAxes(Map.of(2, "batch"), Map.of());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph(new Sequential(new Linear(4, 2)), new int[] {3, 4}, axes));

        assertEquals("ONNX export: dynamic input axis 2 ('batch') is past the input's rank 2 ([3, 4])", e.getMessage());
    }

    @Test
    void anOutputAxisNamedAsAnInputAxisOfAnotherSizeIsRefused() {
        OnnxExportOptions axes = OnnxExportOptions.defaults().withDynamicAxes(Map.of(0, "batch"), Map.of(1, "batch"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph(new Sequential(new Linear(4, 2)), new int[] {3, 4}, axes));

        assertEquals("ONNX export: output axis 1 is named 'batch' as an input axis of size 3, but has size 2 (output"
                + " [3, 2])", e.getMessage());
    }

    @Test
    void twoInputAxesOfOneNameAndDifferentSizesAreRefused() {
        OnnxExportOptions axes = OnnxExportOptions.defaults().withDynamicAxes(Map.of(0, "n", 1, "n"), Map.of());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph(new Sequential(new Linear(4, 2)), new int[] {3, 5, 4}, axes));

        assertEquals("ONNX export: input axes 0 and 1 are both named 'n' but have sizes 3 and 5 (input [3, 5, 4])",
                e.getMessage());
    }

    @Test
    void aModuleRunOnTwoShapesIsRefusedByNameWhereItsConverterReadsTheShapes() {
        LocalResponseNorm norm = new LocalResponseNorm(2);
        Module model = new Sequential(norm, Conv2d.builder(4, 6, 1).build(), norm);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph(model, new int[] {1, 4, 3, 3}, OnnxExportOptions.defaults()));

        assertEquals("ONNX export: LocalResponseNorm at '0' ran on inputs [1, 4, 3, 3] and [1, 6, 3, 3] in the trial"
                + " forward pass, and its converter reads one input shape", e.getMessage());
    }

    @Test
    void aModuleRunOnTwoShapesExportsWhereItsConverterReadsNone() throws Exception {
        ReLU relu = new ReLU();
        OrtCheck.exportAndCompare(new Sequential(relu, new Linear(4, 6), relu), dir, 4);
    }

    @Test
    void aDynamicBatchBesideNamedAxesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OnnxExportOptions(17, true, Map.of(1, "time"), Map.of(), "input", "output", DType.F32,
                        Map.of()));

        assertEquals("ONNX export: a dynamic batch names its axes itself; got also input axes {1=time} and output"
                + " axes {}", e.getMessage());
    }

    @Test
    void theModelDeclaresOpset17AndKiln() {
        ModelProto model = OnnxExport.toProto(new Sequential(new ReLU()), new int[] {1, 2},
                OnnxExportOptions.defaults());

        assertEquals(List.of(new OperatorSetIdProto("", 17)), model.opsetImports());
        assertEquals(8, model.irVersion());
        assertEquals("kiln", model.producerName());
    }

    @Test
    void anF64ModelIsWrittenInF32() {
        Module model = new Sequential(new Linear(4, 2)).to(DType.F64);

        List<TensorProto> inits = graph(model, new int[] {1, 4}, OnnxExportOptions.defaults()).initializers();

        assertEquals(TensorProto.FLOAT, inits.get(0).dataType());
        float[] expected = model.getParameter("0.weight").toFloatArray();
        assertArrayEquals(expected, inits.get(0).floats());
    }

    @Test
    @Tag("onnxruntime")
    void laterOpsetsRunTheSameGraph() throws Exception {
        Module model = new Sequential(Conv2d.builder(2, 3, 3).padding(1).build(), new BatchNorm2d(3), new GELU(),
                new AvgPool2d(3, 2, 1, true, true), new Flatten(), new LayerNorm(27), new Softplus(2, 3));
        OnnxExportLayersTest.perturbBatchNorms(model);
        for (int opset : new int[] {18, 21}) {
            Path file = dir.resolve("opset" + opset + ".onnx");

            OnnxExport.export(model, new int[] {3, 2, 5, 5}, file, OnnxExportOptions.defaults().withOpset(opset));

            assertEquals(opset, ModelProto.parse(file).opsetImports().get(0).version());
            OrtCheck.compare(model, file, new int[] {3, 2, 5, 5}, "input");
        }
    }

    @Test
    void anOpsetBelow17IsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExportOptions.defaults().withOpset(13));

        assertEquals("ONNX export: opset must be from 17 to 23, got 13", e.getMessage());
    }

    @Test
    void eachOpsetIsStampedWithTheIrVersionOfItsOnnxRelease() {
        long[] expected = {8, 8, 9, 9, 10, 10, 11};
        for (int opset = 17; opset <= 23; opset++) {
            ModelProto model = OnnxExport.toProto(new Sequential(new ReLU()), new int[] {1, 2},
                    OnnxExportOptions.defaults().withOpset(opset));

            assertEquals(expected[opset - 17], model.irVersion(), "opset " + opset);
        }
    }

    @Test
    void anOpsetPastTheLastKnownReleaseIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExportOptions.defaults().withOpset(24));

        assertEquals("ONNX export: opset must be from 17 to 23, got 24", e.getMessage());
    }

    @Test
    void aModuleWithoutConverterIsNamedWithItsPath() {
        Module model = new Sequential(new Linear(4, 4), new Sequential(new ReLU(), new Halving()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(model, new int[] {2, 4}, dir.resolve("m.onnx")));

        assertTrue(e.getMessage().startsWith("ONNX export: no converter for Halving at '1.1'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("m.onnx")));
    }

    @Test
    @Tag("onnxruntime")
    void aConverterGivenInTheOptionsExportsAModuleKilnDoesNot() throws Exception {
        Module model = new Sequential(new Linear(4, 4), new Halving());
        OnnxExportOptions options = OnnxExportOptions.defaults().withConverter(Halving.class,
                (m, x, g) -> g.node("Mul", List.of(x, g.scalar(0.5f))));
        Path file = dir.resolve("halving.onnx");

        OnnxExport.export(model, new int[] {3, 4}, file, options);

        OrtCheck.compare(model, file, new int[] {3, 4}, "input");
    }

    @Test
    void circularPaddingIsRefusedByName() {
        Module model = new Sequential(Conv2d.builder(2, 2, 3).padding(1).paddingMode(PaddingMode.CIRCULAR).build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.toProto(model, new int[] {1, 2, 4, 4}, OnnxExportOptions.defaults()));

        assertTrue(e.getMessage().endsWith("at '0' pads in mode CIRCULAR; only ZEROS, REFLECT and REPLICATE are "
                + "supported"), e.getMessage());
    }

    /** A parametrized convolution prints over lines (ParametrizedConv2d): the message names it on one. */
    @Test
    void circularPaddingOfAParametrizedConvolutionIsRefusedNamingItOnOneLine() {
        Conv2d conv = Parametrize.registerParametrization(
                Conv2d.builder(2, 2, 3).padding(1).paddingMode(PaddingMode.CIRCULAR).build(), "weight", new Identity());
        Module model = new Sequential(conv);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.toProto(model, new int[] {1, 2, 4, 4}, OnnxExportOptions.defaults()));

        assertEquals("ONNX export: Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1),"
                + " padding_mode=circular) at '0' pads in mode CIRCULAR; only ZEROS, REFLECT and REPLICATE are"
                + " supported", e.getMessage());
    }

    @Test
    void aSubclassOfAKnownLayerNeedsItsOwnConverter() {
        Module model = new Sequential(new Linear(4, 4) {
        });

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.toProto(model, new int[] {2, 4}, OnnxExportOptions.defaults()));

        assertTrue(e.getMessage().startsWith("ONNX export: no converter for dev.kiln.onnx.OnnxExportTest$1 at '0'"),
                e.getMessage());
    }

    @Test
    void anInputShapeTheModelCannotTakeFailsWithTheModelsOwnError() {
        Module model = new Sequential(new Linear(4, 2));
        IllegalArgumentException own = assertThrows(IllegalArgumentException.class,
                () -> model.call(Tensor.zeros(3, 5)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(model, new int[] {3, 5}, dir.resolve("m.onnx")));

        assertEquals(own.getMessage(), e.getMessage());
        assertFalse(Files.exists(dir.resolve("m.onnx")));
    }

    @Test
    void theTrainingModeOfEveryModuleIsRestored() throws IOException {
        Dropout dropout = new Dropout(0.5);
        Module model = new Sequential(new Linear(4, 4), dropout);
        model.train();
        dropout.eval();

        OnnxExport.export(model, new int[] {2, 4}, dir.resolve("m.onnx"));

        assertTrue(model.isTraining());
        assertFalse(dropout.isTraining());
    }

    @Test
    void theFileReplacesAnOldOneAndNoTemporaryFileStays() throws IOException {
        Path file = dir.resolve("m.onnx");
        Files.writeString(file, "old");
        Module model = new Sequential(new Linear(4, 2));

        OnnxExport.export(model, new int[] {1, 4}, file);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        OnnxExport.toProto(model, new int[] {1, 4}, OnnxExportOptions.defaults()).write(expected);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    @Tag("onnxruntime")
    void inputAndOutputNamesAreThoseGiven() throws Exception {
        Module model = new Sequential(new Linear(4, 2), new ReLU());
        Path file = dir.resolve("named.onnx");

        OnnxExport.export(model, new int[] {3, 4}, file, OnnxExportOptions.defaults().withNames("pixels", "logits"));

        GraphProto g = ModelProto.parse(file).graph();
        assertEquals("pixels", g.inputs().get(0).name());
        assertEquals("logits", g.outputs().get(0).name());
        OrtCheck.compare(model, file, new int[] {3, 4}, "pixels");
    }

    @Test
    @Tag("onnxruntime")
    void aModelThatPassesItsInputOnStillHasAnOutput() throws Exception {
        Path file = dir.resolve("identity.onnx");

        OnnxExport.export(new Sequential(new Dropout(0.1)), new int[] {2, 3}, file);

        OrtCheck.compare(new Sequential(new Dropout(0.1)), file, new int[] {2, 3}, "input");
    }

    /**
     * PyTorch's tiny_cnn.onnx read and written again by Kiln's proto types gives, in ONNX Runtime, the output that
     * PyTorch printed for the pattern input (onnx_fixture.py).
     */
    @Test
    @Tag("onnxruntime")
    void pyTorchsFileWrittenAgainRunsToPyTorchsOutput() throws Exception {
        Path file = dir.resolve("again.onnx");
        try (var out = Files.newOutputStream(file)) {
            PyTorchOnnxFileTest.tinyCnn().write(out);
        }
        double[] pattern = PyTorchParity.pattern(32, 7);
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) {
            x[i] = (float) pattern[i];
        }

        OrtCheck.OrtRun run = OrtCheck.run(file, "input",
                env -> OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, 1, 4, 4}));

        OrtCheck.assertClose(new float[] {0.2883014976978302f, 0.5847249031066895f, 0.12697359919548035f,
                0.18446706235408783f, 0.5911994576454163f, 0.22433353960514069f}, run.values(), "tiny_cnn");
    }

    /** A module of the tests' own, for which Kiln ships no converter: x / 2. */
    static final class Halving extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.mul(0.5);
        }
    }

    /**
     * quantizeDynamic replaces a Bidirectional wrapper's LSTMs by int8 layers, which have no ONNX form: the wrapper's
     * converter refuses them by type and path, where it read their (absent) float weights.
     */
    @Test
    void aBidirectionalWrapperOfInt8LayersIsRefusedNamingTheLayer() {
        Module wrapper = new Bidirectional(LSTM.builder(3, 4).build(), LSTM.builder(3, 4).build(),
                Bidirectional.Merge.CONCAT);
        try (Module quantised = Quantization.quantizeDynamic(wrapper)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExport.toProto(new Sequential(quantised), new int[] {5, 2, 3},
                            OnnxExportOptions.defaults()));
            assertTrue(e.getMessage().startsWith("ONNX export: no converter for DynamicQuantizedLSTM at '0.forward'"),
                    e.getMessage());
        }
    }
}
