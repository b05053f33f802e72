package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.OnnxTestFiles;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import dev.kiln.onnx.TensorShapeProto;
import dev.kiln.onnx.TypeProto;
import dev.kiln.onnx.ValueInfoProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * QuantizeLinear and DequantizeLinear graphs held to ONNX Runtime: per tensor and per axis, UINT8 and INT8 zero
 * points, saturation and ties; the quantised values (ORT's bytes, Kiln's integer-valued F32) equal, dequantised ones
 * within 1e-6 (1 + |ort|).
 */
@Tag("onnxruntime")
class OnnxImportQuantizationOrtTest {
    private static final double TOLERANCE = 1e-6;

    /** 2 sin(0.7 k + 0.3) + 0.4 k (saturating at the ends) with exact halves of 0.25 at every fifth element. */
    private static float[] input(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = k % 5 == 0 ? 0.125f * (k - 9) : (float) (2 * Math.sin(0.7 * k + 0.3) + 0.4 * k - 4);
        }
        return v;
    }

    private static ValueInfoProto typed(String name, int type, int... dims) {
        return new ValueInfoProto(name, new TypeProto(type, new TensorShapeProto(Arrays.stream(dims)
                .mapToObj(d -> TensorShapeProto.Dimension.of(d)).toList())));
    }

    private static TensorProto bytes(String name, int type, long[] dims, int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return new TensorProto(name, type, dims, b);
    }

    private static ModelProto model(long opset, List<NodeProto> nodes, List<TensorProto> initializers, int outType,
                                    int... shape) {
        return OnnxGraphs.model(opset, nodes, initializers, List.of(typed("x", TensorProto.FLOAT, shape)),
                List.of(typed("y", outType, shape)));
    }

    @Test
    void quantizePerTensorToUint8SaturatesAndRoundsHalvesToEven() throws Exception {
        ModelProto m = model(19, List.of(OnnxGraphs.node("QuantizeLinear", List.of("x", "s", "zp"), "y")),
                List.of(TensorProto.ofFloats("s", new long[0], 0.25f),
                        bytes("zp", TensorProto.UINT8, new long[0], 128)), TensorProto.UINT8, 2, 3, 10);
        assertAgrees(m, true, 2, 3, 10);
    }

    @Test
    void quantizeWithoutZeroPointIsUint8() throws Exception {
        ModelProto m = model(13, List.of(OnnxGraphs.node("QuantizeLinear", List.of("x", "s"), "y")),
                List.of(TensorProto.ofFloats("s", new long[0], 0.05f)), TensorProto.UINT8, 4, 6);
        assertAgrees(m, true, 4, 6);
    }

    @Test
    void quantizePerAxisToInt8() throws Exception {
        ModelProto m = model(17, List.of(OnnxGraphs.node("QuantizeLinear", List.of("x", "s", "zp"), "y",
                        AttributeProto.ofInt("axis", 1))),
                List.of(TensorProto.ofFloats("s", new long[] {3}, 0.03f, 0.25f, 0.07f),
                        bytes("zp", TensorProto.INT8, new long[] {3}, -3, 0, 5)), TensorProto.INT8, 2, 3, 4);
        assertAgrees(m, true, 2, 3, 4);
    }

    @Test
    void quantizeThenDequantizeRoundTripsOnTheGridAtOpset21() throws Exception {
        ModelProto m = model(21, List.of(
                        OnnxGraphs.node("QuantizeLinear", List.of("x", "s", "zp"), "q", AttributeProto.ofInt("axis", 0)),
                        OnnxGraphs.node("DequantizeLinear", List.of("q", "s", "zp"), "y",
                                AttributeProto.ofInt("axis", 0))),
                List.of(TensorProto.ofFloats("s", new long[] {3}, 0.04f, 0.125f, 0.02f),
                        bytes("zp", TensorProto.INT8, new long[] {3}, 10, 0, -20)), TensorProto.FLOAT, 3, 8);
        assertAgrees(m, false, 3, 8);
    }

    @Test
    void dequantizePerAxisInt8InitializerAsAWeight() throws Exception {
        ModelProto m = model(17, List.of(
                        OnnxGraphs.node("DequantizeLinear", List.of("w", "s", "zp"), "wf",
                                AttributeProto.ofInt("axis", 0)),
                        OnnxGraphs.node("Add", List.of("x", "wf"), "y")),
                List.of(bytes("w", TensorProto.INT8, new long[] {3, 2}, -128, 127, 5, -7, 0, 99),
                        TensorProto.ofFloats("s", new long[] {3}, 0.5f, 0.01f, 3f),
                        bytes("zp", TensorProto.INT8, new long[] {3}, 0, 1, -2)), TensorProto.FLOAT, 3, 2);
        assertAgrees(m, false, 3, 2);
    }

    @Test
    void dequantizeUint8PerTensor() throws Exception {
        ModelProto m = model(19, List.of(
                        OnnxGraphs.node("DequantizeLinear", List.of("w", "s", "zp"), "wf"),
                        OnnxGraphs.node("Mul", List.of("x", "wf"), "y")),
                List.of(bytes("w", TensorProto.UINT8, new long[] {2, 3}, 0, 255, 17, 128, 200, 3),
                        TensorProto.ofFloats("s", new long[0], 0.0123f),
                        bytes("zp", TensorProto.UINT8, new long[0], 131)), TensorProto.FLOAT, 2, 3);
        assertAgrees(m, false, 2, 3);
    }

    @Test
    void torchQdqModelAgreesWithOrtsInt8KernelsWithinOneOutputStep() throws Exception {
        ModelProto m = ModelProto.parse(OnnxTestFiles.resource("torch_qdq_net.onnx"));
        int[] shape = OnnxImportQdqFixtures.INPUT_SHAPE;
        float[] x = input(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        float[] expected;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(OnnxTestFiles.resource("torch_qdq_net.onnx").toString(),
                new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                     Arrays.stream(shape).asLongStream().toArray());
             OrtSession.Result result = session.run(Map.of("input", in))) {
            expected = floats((OnnxTensor) result.get(0));
        }
        try (OnnxModule model = OnnxImport.load(m); Scope s = Scope.open()) {
            float[] actual = model.forward(Tensor.fromArray(x, shape)).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1.001 * OnnxImportQdqFixtures.OUTPUT_SCALE, "element " + i);
            }
        }
    }

    /** Runs {@code m} in ORT and in Kiln's import; a quantised output is compared exactly, a float one closely. */
    private static void assertAgrees(ModelProto m, boolean quantised, int... shape) throws IOException, OrtException {
        float[] x = input(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.write(bytes);
        float[] expected;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                     Arrays.stream(shape).asLongStream().toArray());
             OrtSession.Result result = session.run(Map.of("x", in))) {
            expected = quantised ? integers((OnnxTensor) result.get(0)) : floats((OnnxTensor) result.get(0));
        }
        try (OnnxModule model = OnnxImport.load(m); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(x, shape));
            assertArrayEquals(shape, y.shape().dims(), "shape");
            float[] actual = y.toFloatArray();
            if (quantised) {
                assertArrayEquals(expected, actual, "quantised values of input " + Arrays.toString(x));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], TOLERANCE * (1 + Math.abs(expected[i])), "element " + i);
            }
        }
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    /** ORT's UINT8 or INT8 output as the integers it holds. */
    private static float[] integers(OnnxTensor t) {
        ByteBuffer b = t.getByteBuffer();
        boolean unsigned = t.getInfo().type == ai.onnxruntime.OnnxJavaType.UINT8;
        float[] v = new float[b.remaining()];
        for (int i = 0; i < v.length; i++) {
            byte q = b.get();
            v[i] = unsigned ? Byte.toUnsignedInt(q) : q;
        }
        return v;
    }
}
