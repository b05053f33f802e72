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
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One-node graphs whose forms torch does not export, held to ONNX Runtime's outputs: the graph runs in ORT and in
 * Kiln's import on the same input, |ort - kiln| <= 1e-5 (1 + |ort|) and the same shape.
 */
@Tag("onnxruntime")
class OnnxImportOneNodeOrtTest {
    private static final double TOLERANCE = 1e-5;

    /** The input 2 sin(0.7 k + 0.3) + 0.1 k, of both signs and without ties. */
    private static float[] input(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (2 * Math.sin(0.7 * k + 0.3) + 0.1 * k);
        }
        return v;
    }

    private static float[] weights(int n, double phase) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (0.5 * Math.sin(0.9 * k + phase));
        }
        return v;
    }

    static void assertAgrees(ModelProto proto, int... shape) throws IOException, OrtException {
        assertAgrees(proto, proto, shape);
    }

    /**
     * {@code imported} in Kiln against {@code reference} in ORT: for a form ORT does not run, its definition in forms
     * ORT runs.
     */
    static void assertAgrees(ModelProto reference, ModelProto imported, int... shape)
            throws IOException, OrtException {
        float[] x = input(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        reference.write(bytes);
        float[] expected;
        long[] expectedShape;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                     Arrays.stream(shape).asLongStream().toArray());
             OrtSession.Result result = session.run(Map.of("x", in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer b = out.getFloatBuffer();
            expected = new float[b.remaining()];
            b.get(expected);
            expectedShape = out.getInfo().getShape();
        }
        try (OnnxModule model = OnnxImport.load(imported); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(x, shape));
            assertArrayEquals(expectedShape, Arrays.stream(y.shape().dims()).asLongStream().toArray(), "shape");
            float[] actual = y.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], TOLERANCE * (1 + Math.abs(expected[i])), "element " + i);
            }
        }
    }

    private static ModelProto pool(String op, int length, AttributeProto... attributes) {
        return OnnxGraphs.model(18, List.of(OnnxGraphs.node(op, List.of("x"), "y", attributes)), List.of(),
                List.of(OnnxGraphs.value("x", 1, 2, length)), List.of(OnnxGraphs.value("y")));
    }

    @Test
    void maxPoolInCeilModeDropsAWindowThatStartsInTheUnevenEndPadding() throws Exception {
        assertAgrees(pool("MaxPool", 4, AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("pads", 0, 1), AttributeProto.ofInt("ceil_mode", 1)), 1, 2, 4);
    }

    @Test
    void maxPoolInCeilModeDropsAWindowThatStartsInPaddingBeyondHalfTheKernel() throws Exception {
        assertAgrees(pool("MaxPool", 4, AttributeProto.ofInts("kernel_shape", 3), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("pads", 2, 2), AttributeProto.ofInt("ceil_mode", 1)), 1, 2, 4);
    }

    @Test
    void averagePoolInCeilModeDropsAWindowThatStartsInTheUnevenEndPadding() throws Exception {
        assertAgrees(pool("AveragePool", 7, AttributeProto.ofInts("kernel_shape", 3),
                AttributeProto.ofInts("strides", 3), AttributeProto.ofInts("pads", 2, 1),
                AttributeProto.ofInt("ceil_mode", 1)), 1, 2, 7);
    }

    @Test
    void averagePoolCountingPadsInCeilModeDropsAWindowThatStartsInTheUnevenEndPadding() throws Exception {
        assertAgrees(pool("AveragePool", 5, AttributeProto.ofInts("kernel_shape", 3),
                AttributeProto.ofInts("strides", 2), AttributeProto.ofInts("pads", 1, 2),
                AttributeProto.ofInt("ceil_mode", 1), AttributeProto.ofInt("count_include_pad", 1)), 1, 2, 5);
    }

    @Test
    void maxPool2dInCeilModeDropsTheWindowsThatStartInTheUnevenEndPadding() throws Exception {
        ModelProto proto = OnnxGraphs.model(18, List.of(OnnxGraphs.node("MaxPool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2, 3), AttributeProto.ofInts("strides", 2, 3),
                AttributeProto.ofInts("pads", 0, 2, 1, 1), AttributeProto.ofInt("ceil_mode", 1))), List.of(),
                List.of(OnnxGraphs.value("x", 1, 1, 4, 7)), List.of(OnnxGraphs.value("y")));
        assertAgrees(proto, 1, 1, 4, 7);
    }

    @Test
    void lpPoolWithDilationsSumsTheDilatedWindows() throws Exception {
        assertAgrees(pool("LpPool", 7, AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("dilations", 2),
                AttributeProto.ofInt("p", 2)), 1, 2, 7);
    }

    @Test
    void lpPoolWithDilationsStridesAndUnevenPadsSumsTheDilatedWindows() throws Exception {
        assertAgrees(pool("LpPool", 7, AttributeProto.ofInts("kernel_shape", 3), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("dilations", 2), AttributeProto.ofInts("pads", 1, 2),
                AttributeProto.ofInt("p", 3)), 1, 2, 7);
    }

    @Test
    void lpPoolInCeilModeDropsAWindowThatStartsInTheUnevenEndPadding() throws Exception {
        assertAgrees(pool("LpPool", 4, AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("pads", 0, 1), AttributeProto.ofInt("ceil_mode", 1),
                AttributeProto.ofInt("p", 1)), 1, 2, 4);
    }

    @Test
    void lpPoolInCeilModeWithDilationsSumsTheWindowsThatRunPastTheEnd() throws Exception {
        assertAgrees(pool("LpPool", 7, AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("dilations", 2), AttributeProto.ofInt("ceil_mode", 1),
                AttributeProto.ofInt("p", 2)), 1, 2, 7);
    }

    /**
     * A GRU or LSTM of hidden size 2 over x [3 steps, 3 sequences, 2] with sequence_lens {3, 0, 2} and an initial
     * state, whose graph output is the node's output {@code output} (1 Y_h, 2 Y_c).
     */
    private static ModelProto recurrentWithAnEmptySequence(String op, String direction, int output) {
        int gates = op.equals("GRU") ? 3 : 4;
        List<TensorProto> initializers = List.of(
                TensorProto.ofFloats("W", new long[] {1, gates * 2, 2}, weights(gates * 4, 0.3)),
                TensorProto.ofFloats("R", new long[] {1, gates * 2, 2}, weights(gates * 4, 0.7)),
                TensorProto.ofFloats("B", new long[] {1, gates * 4}, weights(gates * 4, 1.1)),
                TensorProto.ofInts("lens", new long[] {3}, 3, 0, 2),
                TensorProto.ofFloats("h0", new long[] {1, 3, 2}, weights(6, 1.9)),
                TensorProto.ofFloats("c0", new long[] {1, 3, 2}, weights(6, 2.3)));
        List<String> inputs = op.equals("GRU") ? List.of("x", "W", "R", "B", "lens", "h0")
                : List.of("x", "W", "R", "B", "lens", "h0", "c0");
        List<String> outputs = output == 1 ? List.of("all", "y") : List.of("all", "last", "y");
        List<AttributeProto> attributes = new ArrayList<>(List.of(AttributeProto.ofInt("hidden_size", 2),
                AttributeProto.ofString("direction", direction)));
        if (op.equals("GRU")) {
            attributes.add(AttributeProto.ofInt("linear_before_reset", 1));
        }
        NodeProto node = new NodeProto(inputs, outputs, "rnn", op, "", attributes);
        return OnnxGraphs.model(17, List.of(node), initializers, List.of(OnnxGraphs.value("x", 3, 3, 2)),
                List.of(OnnxGraphs.value("y")));
    }

    @Test
    void gruEndsASequenceOfLengthZeroWithAZeroHiddenState() throws Exception {
        assertAgrees(recurrentWithAnEmptySequence("GRU", "forward", 1), 3, 3, 2);
    }

    @Test
    void reverseGruEndsASequenceOfLengthZeroWithAZeroHiddenState() throws Exception {
        assertAgrees(recurrentWithAnEmptySequence("GRU", "reverse", 1), 3, 3, 2);
    }

    @Test
    void lstmEndsASequenceOfLengthZeroWithAZeroCellState() throws Exception {
        assertAgrees(recurrentWithAnEmptySequence("LSTM", "forward", 2), 3, 3, 2);
    }

    /** {@code op(x < 0.5, mask)} of x [2, 3] and a BOOL initializer mask [2, 3], cast to FLOAT. */
    private static ModelProto comparedWithABoolInitializer(String op) {
        TensorProto mask = new TensorProto("mask", TensorProto.BOOL, new long[] {2, 3}, new byte[] {1, 0, 1, 0, 0, 1});
        TensorProto half = TensorProto.ofFloats("half", new long[] {}, 0.5f);
        List<NodeProto> nodes = List.of(OnnxGraphs.node("Less", List.of("x", "half"), "below"),
                OnnxGraphs.node(op, List.of("below", "mask"), "compared"),
                OnnxGraphs.node("Cast", List.of("compared"), "y", AttributeProto.ofInt("to", TensorProto.FLOAT)));
        return OnnxGraphs.model(17, nodes, List.of(mask, half), List.of(OnnxGraphs.value("x", 2, 3)),
                List.of(OnnxGraphs.value("y")));
    }

    @Test
    void equalComparesAComparisonsMaskWithABoolInitializer() throws Exception {
        assertAgrees(comparedWithABoolInitializer("Equal"), 2, 3);
    }
}
