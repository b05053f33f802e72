package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.QuantizedLinear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.StaticQuantization;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportOptions;
import dev.kiln.onnx.TensorProto;
import dev.kiln.zoo.Zoo;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Statically quantised models through Kiln's QDQ export and back through the import, within one output step of the
 * quantised model (the export's QuantizeLinear divides by the scale where Kiln multiplies by its reciprocal); and the
 * refusals of quantisation forms Kiln does not run, naming the node.
 */
class OnnxImportQuantizationTest {

    private static Sequential quantised(Module model, int... shape) {
        Module prepared = StaticQuantization.prepare(model);
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            for (int seed = 1; seed <= 3; seed++) {
                prepared.forward(PyTorchParity.values(seed, shape).mul(3).to(DType.F32));
            }
        }
        return (Sequential) StaticQuantization.convert(prepared);
    }

    @Test
    void quantisedLenetRoundTripsWithinOneOutputStep() {
        Engine.seed(5);
        Sequential model = quantised(Zoo.lenet(10), 4, 1, 28, 28);
        assertRoundTrips(model, OnnxExportOptions.defaults(), 4, 1, 28, 28);
        model.close();
    }

    @Test
    void quantisedLinearsOn3dInputRoundTripAtOpset21() {
        Engine.seed(6);
        Sequential model = quantised(new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3)), 2, 4, 6);
        assertRoundTrips(model, OnnxExportOptions.defaults().withOpset(21), 2, 4, 6);
        model.close();
    }

    private static void assertRoundTrips(Sequential model, OnnxExportOptions options, int... shape) {
        float step = ((QuantizedLinear) model.get(model.size() - 1)).outputGrid().scale();
        ModelProto proto = OnnxExport.toProto(model, shape, options);
        try (OnnxModule imported = OnnxImport.load(proto); Scope s = Scope.open(); var g = Autograd.noGrad()) {
            Tensor x = PyTorchParity.values(9, shape).mul(3).to(DType.F32);
            float[] expected = model.call(x).toFloatArray();
            float[] actual = imported.forward(x).toFloatArray();
            int equal = 0;
            for (int i = 0; i < expected.length; i++) {
                double steps = Math.abs(expected[i] - actual[i]) / step;
                assertTrue(steps <= 1.001, "element " + i + ": quantised " + expected[i] + ", imported " + actual[i]);
                equal += steps < 1e-3 ? 1 : 0;
            }
            assertTrue(equal >= 0.75 * expected.length, equal + " of " + expected.length + " equal");
        }
    }

    @Test
    void torchQuantisedModelExportedInQdqFormRunsWithinOneOutputStepOfPyTorch() {
        int[] shape = OnnxImportQdqFixtures.INPUT_SHAPE;
        double[] p = PyTorchParity.pattern(Arrays.stream(shape).reduce(1, (a, b) -> a * b), 7);
        float[] x = new float[p.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 * (float) p[i];
        }
        try (OnnxModule imported = OnnxImportPyTorchParityTest.loadFixture("torch_qdq_net.onnx");
             Scope s = Scope.open(); var g = Autograd.noGrad()) {
            float[] actual = imported.forward(Tensor.fromArray(x, shape)).toFloatArray();
            float[] expected = OnnxImportQdqFixtures.OUTPUT;
            for (int i = 0; i < expected.length; i++) {
                assertTrue(Math.abs(expected[i] - actual[i]) <= 1.001 * OnnxImportQdqFixtures.OUTPUT_SCALE,
                        "element " + i + ": PyTorch " + expected[i] + ", imported " + actual[i]);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64ThroughQuantizeAndDequantize() {
        TensorProto zp = new TensorProto("zp", TensorProto.UINT8, new long[0], new byte[] {(byte) 120});
        TensorProto channelZp = new TensorProto("czp", TensorProto.INT8, new long[] {3}, new byte[] {-4, 0, 9});
        ModelProto m = OnnxGraphs.model(17, List.of(
                        OnnxGraphs.node("QuantizeLinear", List.of("x", "s", "zp"), "q"),
                        OnnxGraphs.node("DequantizeLinear", List.of("q", "s", "zp"), "a"),
                        OnnxGraphs.node("DequantizeLinear", List.of("x", "cs", "czp"), "b"),
                        OnnxGraphs.node("Add", List.of("a", "b"), "y")),
                List.of(TensorProto.ofFloats("s", new long[0], 0.07f), zp,
                        TensorProto.ofFloats("cs", new long[] {3}, 0.5f, 1.5f, 0.25f), channelZp),
                List.of(OnnxGraphs.value("x", 2, 3, 4)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(m); Scope s = Scope.open()) {
            OnnxImportPyTorchParityTest.assertGradientsMatchFiniteDifferences("QDQ", model,
                    PyTorchParity.values(7, 2, 3, 4));
        }
    }

    private static TensorProto scale() {
        return TensorProto.ofFloats("s", new long[0], 0.1f);
    }

    private static ModelProto quantize(long opset, List<String> inputs, List<TensorProto> initializers,
                                       AttributeProto... attributes) {
        NodeProto node = OnnxGraphs.node("QuantizeLinear", inputs, "y", attributes);
        return OnnxGraphs.model(opset, List.of(node), initializers, List.of(OnnxGraphs.value("x", 2, 3)),
                List.of(OnnxGraphs.value("y")));
    }

    private static void assertRefused(ModelProto m, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(m));
        assertTrue(e.getMessage().contains("QuantizeLinear node 'QuantizeLinear_node'")
                || e.getMessage().contains("DequantizeLinear node 'DequantizeLinear_node'"), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
    }

    @Test
    void refusesAZeroPointOfAnotherTypeThanUint8OrInt8() {
        TensorProto zp = new TensorProto("zp", TensorProto.INT16, new long[0], new byte[2]);
        assertRefused(quantize(17, List.of("x", "s", "zp"), List.of(scale(), zp)), "ONNX data type 5", "UINT8");
    }

    @Test
    void refusesBlockQuantisationAtOpset21() {
        TensorProto zp = new TensorProto("zp", TensorProto.UINT8, new long[0], new byte[1]);
        assertRefused(quantize(21, List.of("x", "s", "zp"), List.of(scale(), zp),
                AttributeProto.ofInt("block_size", 2)), "block_size 2");
    }

    @Test
    void refusesAComputedZeroPointWhoseTypeIsUnknownAtLoad() {
        NodeProto node = OnnxGraphs.node("QuantizeLinear", List.of("x", "s", "x"), "y");
        ModelProto m = OnnxGraphs.model(17, List.of(node), List.of(scale()), List.of(OnnxGraphs.value("x", 2, 3)),
                List.of(OnnxGraphs.value("y")));
        assertRefused(m, "computed");
    }

    @Test
    void refusesAnOutputTypeOtherThanUint8OrInt8() {
        assertRefused(quantize(21, List.of("x", "s"), List.of(scale()),
                AttributeProto.ofInt("output_dtype", TensorProto.UINT16)), "ONNX data type 4");
    }

    @Test
    void refusesPerAxisScalesOfTheWrongLength() {
        NodeProto node = OnnxGraphs.node("DequantizeLinear", List.of("x", "s"), "y", AttributeProto.ofInt("axis", 1));
        ModelProto m = OnnxGraphs.model(17, List.of(node), List.of(TensorProto.ofFloats("s", new long[] {2}, 1, 2)),
                List.of(OnnxGraphs.value("x", 2, 3)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule imported = OnnxImport.load(m); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> imported.forward(Tensor.zeros(2, 3)));
            assertTrue(e.getMessage().contains("DequantizeLinear node 'DequantizeLinear_node'")
                    && e.getMessage().contains("it needs 3"), e.getMessage());
        }
    }

    @Test
    void dequantizesAnInt32BiasWithoutZeroPoint() {
        NodeProto node = OnnxGraphs.node("DequantizeLinear", List.of("b", "s"), "bf");
        NodeProto add = OnnxGraphs.node("Add", List.of("x", "bf"), "y");
        TensorProto bias = TensorProto.ofInts("b", new long[] {3}, -70000, 0, 123456);
        ModelProto m = OnnxGraphs.model(17, List.of(node, add), List.of(bias, TensorProto.ofFloats("s", new long[0],
                0.001f)), List.of(OnnxGraphs.value("x", 1, 3)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule imported = OnnxImport.load(m); Scope s = Scope.open()) {
            assertArrayEquals(new float[] {-70000 * 0.001f, 0, 123456 * 0.001f},
                    imported.forward(Tensor.zeros(1, 3)).toFloatArray(), 1e-6f);
        }
    }
}
