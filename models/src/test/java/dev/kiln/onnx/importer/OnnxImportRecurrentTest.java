package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Bidirectional;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.RNN;
import dev.kiln.nn.Recurrent;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportOptions;
import dev.kiln.onnx.TensorProto;
import dev.kiln.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX's RNN, LSTM and GRU nodes: Kiln's own export of its recurrent layers imported back, a node's outputs read
 * alone, and what the import refuses. PyTorch's exports are held to its numbers by {@link OnnxImportPyTorchParityTest}
 * (fixtures lstm, gru, rnn) and {@link OnnxImportGradCheckTest}.
 */
class OnnxImportRecurrentTest {
    private static final int INPUT = 3;
    private static final int HIDDEN = 4;
    private static final int STEPS = 5;

    static Stream<String> layers() {
        return Stream.of("rnn tanh", "rnn relu", "lstm", "gru", "lstm wrapper", "gru wrapper without biases");
    }

    /** The wrappers export their backward layer as "reverse" nodes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void kilnsExportOfARecurrentLayerImportsToTheSameOutputs(String name) {
        Engine.seed(5);
        try (Scope s = Scope.open(); Module layer = layer(name);
             OnnxModule imported = OnnxImport.load(OnnxExport.toProto(layer, new int[] {1, STEPS, INPUT},
                     OnnxExportOptions.defaults()))) {
            layer.eval();
            for (int batch : new int[] {3, 1}) {
                Tensor x = PyTorchParity.values(7, batch, STEPS, INPUT).to(DType.F32);

                OnnxImportPyTorchParityTest.assertClose(name + " batch " + batch, layer.forward(x).toDoubleArray(),
                        imported.forward(x).toDoubleArray());
            }
        }
    }

    private static Module layer(String name) {
        return switch (name) {
            case "rnn tanh" -> RNN.builder(INPUT, HIDDEN).layers(2).bidirectional(true).batchFirst(true).build();
            case "rnn relu" -> RNN.builder(INPUT, HIDDEN).nonlinearity("relu").batchFirst(true).build();
            case "lstm" -> LSTM.builder(INPUT, HIDDEN).layers(2).bidirectional(true).batchFirst(true).build();
            case "gru" -> GRU.builder(INPUT, HIDDEN).bidirectional(true).batchFirst(true).build();
            case "lstm wrapper" -> new Bidirectional(lstm(true), lstm(true), Bidirectional.Merge.CONCAT);
            case "gru wrapper without biases" -> new Bidirectional(gru(), gru(), Bidirectional.Merge.SUM);
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Recurrent lstm(boolean bias) {
        return LSTM.builder(INPUT, HIDDEN).layers(2).batchFirst(true).bias(bias).build();
    }

    private static Recurrent gru() {
        return GRU.builder(INPUT, HIDDEN).batchFirst(true).bias(false).build();
    }

    @Test
    void theFinalStatesAreTheLastStepsOfEachDirection() {
        try (Scope s = Scope.open(); OnnxModule lstm = OnnxImport.load(lstmNode(List.of("y", "h", "c"),
                "bidirectional"))) {
            Tensor x = PyTorchParity.values(7, STEPS, 2, INPUT).to(DType.F32);

            List<Tensor> out = lstm.forwardAll(x);

            Tensor y = out.get(0);
            assertArrayEquals(new int[] {STEPS, 2, 2, HIDDEN}, y.shape().dims());
            assertArrayEquals(new int[] {2, 2, HIDDEN}, out.get(1).shape().dims());
            assertArrayEquals(y.narrow(0, STEPS - 1, 1).narrow(1, 0, 1).reshape(2, HIDDEN).toFloatArray(),
                    out.get(1).narrow(0, 0, 1).reshape(2, HIDDEN).toFloatArray());
            assertArrayEquals(y.narrow(0, 0, 1).narrow(1, 1, 1).reshape(2, HIDDEN).toFloatArray(),
                    out.get(1).narrow(0, 1, 1).reshape(2, HIDDEN).toFloatArray());
        }
    }

    /** Y left out (an empty name): Y_h and Y_c alone, as with Y, also without gradients. */
    @Test
    void theFinalStatesAloneAreWhatTheyAreBesideY() {
        try (Scope s = Scope.open(); OnnxModule all3 = OnnxImport.load(lstmNode(List.of("y", "h", "c"), "reverse"));
             OnnxModule statesOnly = OnnxImport.load(lstmNode(List.of("", "h", "c"), "reverse"))) {
            Tensor x = PyTorchParity.values(7, STEPS, 2, INPUT).to(DType.F32);
            List<Tensor> all = all3.forwardAll(x);
            try (Autograd.Guard off = Autograd.noGrad()) {
                List<Tensor> states = statesOnly.forwardAll(x);

                assertArrayEquals(all.get(1).toFloatArray(), states.get(0).toFloatArray());
                assertArrayEquals(all.get(2).toFloatArray(), states.get(1).toFloatArray());
            }
        }
    }

    @Test
    void activationAlphasBeyondWhatTheActivationsTakeAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(
                recurrentNode("GRU", 3, List.of("x", "w", "r"), AttributeProto.ofFloats("activation_alpha", 0.1f))));

        assertEquals("ONNX import: GRU node 'rec': activation_alpha [0.1] holds 1 value(s); the activations "
                + "[Sigmoid, Tanh] take 0", e.getMessage());
    }

    @Test
    void anActivationWithoutTheValuesOnnxGivesNoDefaultIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(
                recurrentNode("RNN", 1, List.of("x", "w", "r"),
                        AttributeProto.ofStrings("activations", List.of("ScaledTanh")))));

        assertEquals("ONNX import: RNN node 'rec': activations [ScaledTanh]: ScaledTanh needs an activation_alpha, "
                + "which ONNX gives no default", e.getMessage());
    }

    @Test
    void sequenceLengthsOtherThanOnePerSequenceAreRefusedNamingThem() {
        try (Scope s = Scope.open(); OnnxModule rnn = OnnxImport.load(
                recurrentNode("RNN", 1, List.of("x", "w", "r", "", "x")))) {

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rnn.forwardAll(Tensor.zeros(STEPS, 2, INPUT)));

            assertTrue(e.getMessage().contains("RNN: sequence_lens [0, 0, 0"), e.getMessage());
            assertTrue(e.getMessage().contains("must hold 2 lengths (one per sequence of X [" + STEPS + ", 2, " + INPUT
                    + "]), each 0 to " + STEPS), e.getMessage());
        }
    }

    @Test
    void anActivationOnnxDoesNotListIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(
                recurrentNode("RNN", 1, List.of("x", "w", "r"),
                        AttributeProto.ofStrings("activations", List.of("Gelu")))));

        assertEquals("ONNX import: RNN node 'rec': activations [Gelu]: Gelu is none of ONNX's recurrent activations "
                + "Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, "
                + "Softplus", e.getMessage());
    }

    @Test
    void aLayoutOtherThanZeroOrOneIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(
                recurrentNode("LSTM", 4, List.of("x", "w", "r"), AttributeProto.ofInt("layout", 2))));

        assertEquals("ONNX import: LSTM node 'rec': layout 2; ONNX's are 0 (X [seq, batch, input]) and 1 (X [batch, "
                + "seq, input])", e.getMessage());
    }

    @Test
    void weightsOfAnotherHiddenSizeAreRefusedNamingTheShapes() {
        try (Scope s = Scope.open(); OnnxModule gru = OnnxImport.load(recurrentNode("GRU", 4, List.of("x", "w", "r"),
                AttributeProto.ofInt("linear_before_reset", 1)))) {

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gru.forwardAll(Tensor.zeros(STEPS, 2, INPUT)));

            assertTrue(e.getMessage().contains("GRU: W must have shape [1, 12, 3], got [1, 16, 3]"), e.getMessage());
        }
    }

    /** An LSTM node of {@code direction} with biases and the given output names, on pattern weights. */
    private static ModelProto lstmNode(List<String> outputs, String direction) {
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        List<TensorProto> weights = List.of(
                floats("w", 9, dirs, 4 * HIDDEN, INPUT),
                floats("r", 10, dirs, 4 * HIDDEN, HIDDEN),
                floats("b", 11, dirs, 8 * HIDDEN));
        NodeProto node = new NodeProto(List.of("x", "w", "r", "b"), outputs, "rec", "LSTM", "",
                List.of(AttributeProto.ofInt("hidden_size", HIDDEN), AttributeProto.ofString("direction", direction)));
        List<ValueInfoProto> named = new ArrayList<>();
        outputs.stream().filter(o -> !o.isEmpty()).forEach(o -> named.add(OnnxGraphs.value(o)));
        return OnnxGraphs.model(17, List.of(node), weights, List.of(OnnxGraphs.value("x", STEPS, -1, INPUT)), named);
    }

    /** A forward {@code op} node of hidden size {@link #HIDDEN} whose W and R hold {@code gates} blocks. */
    /** ONNX's ThresholdedRelu is x where x &gt; alpha, else 0: a value equal to alpha (default 1) gives 0. */
    @Test
    void thresholdedReluZeroesAValueEqualToAlpha() {
        NodeProto node = new NodeProto(List.of("x", "w", "r"), List.of("y"), "rec", "RNN", "",
                List.of(AttributeProto.ofInt("hidden_size", 1),
                        AttributeProto.ofStrings("activations", List.of("ThresholdedRelu"))));
        ModelProto model = OnnxGraphs.model(17, List.of(node),
                List.of(TensorProto.ofFloats("w", new long[] {1, 1, 1}, 1f),
                        TensorProto.ofFloats("r", new long[] {1, 1, 1}, 0f)),
                List.of(OnnxGraphs.value("x", 3, 1, 1)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule imported = OnnxImport.load(model); Scope s = Scope.open()) {
            float[] y = imported.forward(Tensor.fromArray(new float[] {1f, 2f, 0.5f}, 3, 1, 1)).toFloatArray();

            assertArrayEquals(new float[] {0f, 2f, 0f}, y);
        }
    }

    private static ModelProto recurrentNode(String op, int gates, List<String> inputs, AttributeProto... more) {
        List<AttributeProto> attributes = new ArrayList<>(List.of(AttributeProto.ofInt("hidden_size", HIDDEN)));
        attributes.addAll(List.of(more));
        NodeProto node = new NodeProto(inputs, List.of("y"), "rec", op, "", attributes);
        return OnnxGraphs.model(17, List.of(node),
                List.of(floats("w", 9, 1, gates * HIDDEN, INPUT), floats("r", 10, 1, gates * HIDDEN, HIDDEN)),
                List.of(OnnxGraphs.value("x", STEPS, -1, INPUT)), List.of(OnnxGraphs.value("y")));
    }

    private static TensorProto floats(String name, int seed, int... dims) {
        int n = 1;
        long[] shape = new long[dims.length];
        for (int k = 0; k < dims.length; k++) {
            n *= dims[k];
            shape[k] = dims[k];
        }
        double[] values = PyTorchParity.pattern(n, seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) values[i];
        }
        return TensorProto.ofFloats(name, shape, f);
    }
}
