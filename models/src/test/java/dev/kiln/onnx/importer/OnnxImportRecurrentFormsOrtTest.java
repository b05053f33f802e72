package dev.kiln.onnx.importer;

import static dev.kiln.onnx.importer.OnnxImportOneNodeOrtTest.assertAgrees;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recurrent forms torch's export does not write: LSTM's peepholes P and layout 1 (batch-first X, Y, Y_h, Y_c and
 * initial states), GRU's and RNN's layout 1, on one-node graphs held to ONNX Runtime's outputs as
 * {@link OnnxImportOneNodeOrtTest} holds them (layout 1, which ORT does not run, to ORT's outputs of its definition:
 * the layout-0 node between Transposes); GRU's linear_before_reset 0, LSTM's input_forget, clip and the activations
 * other than the defaults (with activation_alpha and activation_beta) likewise; the gradients of the new forms
 * against finite differences.
 */
@Tag("onnxruntime")
class OnnxImportRecurrentFormsOrtTest {
    private static final int HIDDEN = 2;
    private static final int INPUT = 3;

    private static float[] weights(int n, double phase) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (0.5 * Math.sin(0.9 * k + phase));
        }
        return v;
    }

    /**
     * The form of one recurrent node: which of its inputs it has, which output the graph gives, and its attributes
     * beyond hidden_size, direction and layout (a GRU's linear_before_reset 1 unless they give it).
     */
    private record Form(String op, String direction, boolean batchFirst, boolean peepholes, boolean lengths,
            boolean initial, int output, List<AttributeProto> extra) {
        Form(String op, String direction, boolean batchFirst, boolean peepholes, boolean lengths, boolean initial,
                int output) {
            this(op, direction, batchFirst, peepholes, lengths, initial, output, List.of());
        }
    }

    /**
     * The node of {@code form} over x [3 steps, 2 sequences, 3] (or [2, 3, 3] batch-first), hidden size 2, its graph
     * output the node's output {@code form.output()} (0 Y, 1 Y_h, 2 Y_c). {@code asLayoutZero}: a batch-first form
     * as ONNX defines layout 1, a layout-0 node between Transposes of X, the initial states and the output (ONNX
     * Runtime runs layout 0 alone).
     */
    private static ModelProto graph(Form form, long opset, boolean asLayoutZero) {
        int gates = switch (form.op()) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        int dirs = form.direction().equals("bidirectional") ? 2 : 1;
        long[] state = form.batchFirst() ? new long[] {2, dirs, HIDDEN} : new long[] {dirs, 2, HIDDEN};
        List<TensorProto> initializers = new ArrayList<>(List.of(
                TensorProto.ofFloats("W", new long[] {dirs, gates * HIDDEN, INPUT},
                        weights(dirs * gates * HIDDEN * INPUT, 0.3)),
                TensorProto.ofFloats("R", new long[] {dirs, gates * HIDDEN, HIDDEN},
                        weights(dirs * gates * HIDDEN * HIDDEN, 0.7)),
                TensorProto.ofFloats("B", new long[] {dirs, 2 * gates * HIDDEN},
                        weights(dirs * 2 * gates * HIDDEN, 1.1)),
                TensorProto.ofInts("lens", new long[] {2}, 3, 2),
                TensorProto.ofFloats("h0", state, weights(dirs * 2 * HIDDEN, 1.9)),
                TensorProto.ofFloats("c0", state, weights(dirs * 2 * HIDDEN, 2.3)),
                TensorProto.ofFloats("P", new long[] {dirs, 3 * HIDDEN}, weights(dirs * 3 * HIDDEN, 2.9))));
        boolean wrapped = asLayoutZero && form.batchFirst();
        String prefix = wrapped ? "t_" : "";
        List<String> inputs = new ArrayList<>(List.of(prefix + "x", "W", "R", "B", form.lengths() ? "lens" : "",
                form.initial() ? prefix + "h0" : ""));
        if (form.op().equals("LSTM")) {
            inputs.add(form.initial() ? prefix + "c0" : "");
            inputs.add(form.peepholes() ? "P" : "");
        }
        List<String> outputs = new ArrayList<>(List.of("", "", ""));
        outputs.set(form.output(), wrapped ? "t_y" : "y");
        outputs = outputs.subList(0, form.op().equals("LSTM") ? 3 : 2);
        List<AttributeProto> attributes = new ArrayList<>(List.of(AttributeProto.ofInt("hidden_size", HIDDEN),
                AttributeProto.ofString("direction", form.direction()),
                AttributeProto.ofInt("layout", form.batchFirst() && !wrapped ? 1 : 0)));
        attributes.addAll(form.extra());
        if (form.op().equals("GRU") && form.extra().stream().noneMatch(a -> a.name().equals("linear_before_reset"))) {
            attributes.add(AttributeProto.ofInt("linear_before_reset", 1));
        }
        List<NodeProto> nodes = new ArrayList<>();
        if (wrapped) {
            for (String name : List.of("x", "h0", "c0")) {
                nodes.add(transpose(name, "t_" + name, 1, 0, 2));
            }
        }
        nodes.add(new NodeProto(inputs, outputs, "rnn", form.op(), "", attributes));
        if (wrapped) {
            nodes.add(form.output() == 0 ? transpose("t_y", "y", 2, 0, 1, 3) : transpose("t_y", "y", 1, 0, 2));
        }
        long[] x = form.batchFirst() ? new long[] {2, 3, INPUT} : new long[] {3, 2, INPUT};
        return OnnxGraphs.model(opset, nodes, initializers, List.of(OnnxGraphs.value("x", x)),
                List.of(OnnxGraphs.value("y")));
    }

    private static NodeProto transpose(String from, String to, int... perm) {
        return new NodeProto(List.of(from), List.of(to), "transpose_" + to, "Transpose", "",
                List.of(AttributeProto.ofInts("perm", perm)));
    }

    private static void assertAgreesWithOrt(Form form) throws Exception {
        assertAgrees(graph(form, 21, true), graph(form, 21, false),
                form.batchFirst() ? new int[] {2, 3, INPUT} : new int[] {3, 2, INPUT});
    }

    @Test
    void lstmWithPeepholesGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", false, true, false, true, 0));
    }

    @Test
    void lstmWithPeepholesGivesOrtsCellState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", false, true, false, true, 2));
    }

    @Test
    void bidirectionalLstmWithPeepholesOverPaddedSequencesGivesOrtsHiddenState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "bidirectional", false, true, true, true, 1));
    }

    @Test
    void batchFirstLstmGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", true, false, false, true, 0));
    }

    @Test
    void batchFirstBidirectionalLstmGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "bidirectional", true, false, false, true, 0));
    }

    @Test
    void batchFirstBidirectionalLstmWithPeepholesOverPaddedSequencesGivesOrtsHiddenState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "bidirectional", true, true, true, true, 1));
    }

    @Test
    void batchFirstReverseLstmGivesOrtsCellState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "reverse", true, true, false, true, 2));
    }

    @Test
    void batchFirstLstmWithoutInitialStatesGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", true, false, true, false, 0));
    }

    @Test
    void batchFirstBidirectionalGruGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("GRU", "bidirectional", true, false, true, true, 0));
    }

    @Test
    void batchFirstRnnGivesOrtsHiddenState() throws Exception {
        assertAgreesWithOrt(new Form("RNN", "bidirectional", true, false, false, true, 1));
    }

    private static void assertFiniteDifferenceGradients(String name, Form form) {
        try (OnnxModule model = OnnxImport.load(graph(form, 21, false))) {
            model.to(DType.F64);
            List<Tensor> inputs = new ArrayList<>();
            inputs.add(Tensor.rand(form.batchFirst() ? new int[] {2, 3, INPUT} : new int[] {3, 2, INPUT})
                    .to(DType.F64).requiresGrad(true));
            List<String> used = new ArrayList<>(List.of("W", "R", "B", "h0"));
            if (form.op().equals("LSTM")) {
                used.add("c0");
                used.add("P");
            }
            used.forEach(n -> inputs.add(model.getParameter(n)));
            GradCheck.check(name, in -> model.forward(in[0]), inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void lstmWithPeepholesHasFiniteDifferenceGradientsInItsInputAndWeights() {
        assertFiniteDifferenceGradients("ONNX LSTM with peepholes",
                new Form("LSTM", "bidirectional", true, true, true, true, 0));
    }

    @Test
    void gruResettingFirstAndCoupledLstmHaveFiniteDifferenceGradientsInTheirInputsAndWeights() {
        assertFiniteDifferenceGradients("ONNX GRU of linear_before_reset 0", new Form("GRU", "bidirectional", false,
                false, true, true, 0, List.of(AttributeProto.ofInt("linear_before_reset", 0))));
        assertFiniteDifferenceGradients("ONNX LSTM of input_forget 1", new Form("LSTM", "forward", false, true,
                false, true, 2, List.of(AttributeProto.ofInt("input_forget", 1))));
    }

    @Test
    void gruResettingBeforeItsRecurrenceGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("GRU", "bidirectional", false, false, true, true, 0,
                List.of(AttributeProto.ofInt("linear_before_reset", 0))));
    }

    @Test
    void gruResettingBeforeItsRecurrenceWithoutBiasesGivesOrtsHiddenState() throws Exception {
        ModelProto proto = graph(new Form("GRU", "forward", false, false, false, true, 1,
                List.of(AttributeProto.ofInt("linear_before_reset", 0))), 21, false);
        List<NodeProto> nodes = List.of(withoutBias(proto.graph().nodes().get(0)));
        ModelProto unbiased = OnnxGraphs.model(21, nodes, proto.graph().initializers(), proto.graph().inputs(),
                proto.graph().outputs());
        assertAgrees(unbiased, 3, 2, INPUT);
    }

    private static NodeProto withoutBias(NodeProto node) {
        List<String> inputs = new ArrayList<>(node.inputs());
        inputs.set(3, "");
        return new NodeProto(inputs, node.outputs(), node.name(), node.opType(), "", node.attributes());
    }

    @Test
    void lstmCouplingItsForgetGateToItsInputGateGivesOrtsCellState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "bidirectional", false, true, true, true, 2,
                List.of(AttributeProto.ofInt("input_forget", 1))));
    }

    @Test
    void lstmWithAClipGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", false, true, false, true, 0,
                List.of(AttributeProto.ofFloat("clip", 0.3f))));
    }

    @Test
    void lstmWithAClipGivesOrtsCellState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", false, false, false, true, 2,
                List.of(AttributeProto.ofFloat("clip", 0.3f))));
    }

    @Test
    void gruWithAClipGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("GRU", "forward", false, false, false, true, 0,
                List.of(AttributeProto.ofFloat("clip", 0.3f))));
    }

    @Test
    void gruResettingFirstWithAClipGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("GRU", "reverse", false, false, false, true, 0,
                List.of(AttributeProto.ofFloat("clip", 0.3f), AttributeProto.ofInt("linear_before_reset", 0))));
    }

    @Test
    void rnnWithAClipGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("RNN", "forward", false, false, false, true, 0,
                List.of(AttributeProto.ofFloat("clip", 0.3f))));
    }

    /** The attributes activations, activation_alpha and activation_beta (either left out where empty). */
    private static List<AttributeProto> activations(List<String> names, float[] alpha, float[] beta) {
        List<AttributeProto> attributes = new ArrayList<>(List.of(AttributeProto.ofStrings("activations", names)));
        if (alpha.length > 0) {
            attributes.add(AttributeProto.ofFloats("activation_alpha", alpha));
        }
        if (beta.length > 0) {
            attributes.add(AttributeProto.ofFloats("activation_beta", beta));
        }
        return attributes;
    }

    static Stream<Arguments> rnnActivations() {
        return Stream.of(Arguments.of("Relu", new float[0], new float[0]),
                Arguments.of("Sigmoid", new float[0], new float[0]),
                Arguments.of("Affine", new float[] {0.7f}, new float[] {-0.2f}),
                Arguments.of("LeakyRelu", new float[] {0.2f}, new float[0]),
                Arguments.of("ThresholdedRelu", new float[] {0.1f}, new float[0]),
                Arguments.of("ScaledTanh", new float[] {1.5f}, new float[] {0.6f}),
                Arguments.of("HardSigmoid", new float[] {0.3f}, new float[] {0.4f}),
                Arguments.of("Elu", new float[] {0.8f}, new float[0]),
                Arguments.of("Softsign", new float[0], new float[0]),
                Arguments.of("Softplus", new float[0], new float[0]));
    }

    /**
     * Each of ONNX's activations, given the values it takes: ONNX Runtime's RNN kernel (unlike its LSTM and GRU) reads
     * activation_alpha and activation_beta by direction and takes 0 for absent ones, where ONNX consumes them in the
     * activations' order and defaults them as its operators do; the two agree where each direction's activation is
     * given its values.
     */
    @ParameterizedTest(name = "{0} alpha {1} beta {2}")
    @MethodSource("rnnActivations")
    void rnnWithEachOfOnnxsActivationsGivesOrtsY(String activation, float[] alpha, float[] beta) throws Exception {
        assertAgreesWithOrt(new Form("RNN", "forward", false, false, false, true, 0,
                activations(List.of(activation), alpha, beta)));
    }

    @Test
    void bidirectionalRnnTakesEachDirectionsActivationAndItsAlphaInOrder() throws Exception {
        assertAgreesWithOrt(new Form("RNN", "bidirectional", false, false, true, true, 1,
                activations(List.of("ScaledTanh", "Affine"), new float[] {0.7f, 0.5f}, new float[] {1.3f, 0.1f})));
    }

    @Test
    void gruTakesOnnxsDefaultsForLeakyReluAndElu() throws Exception {
        assertAgreesWithOrt(new Form("GRU", "forward", false, false, false, true, 0,
                activations(List.of("LeakyRelu", "Elu"), new float[0], new float[0])));
    }

    @Test
    void lstmTakesOnnxsDefaultsForHardSigmoid() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "forward", false, false, false, true, 0,
                activations(List.of("HardSigmoid", "Tanh", "Tanh"), new float[0], new float[0])));
    }

    /** f, g, h of each direction: the alphas and betas go to those that take them, in the list's order. */
    private static final List<AttributeProto> LSTM_ACTIVATIONS = activations(
            List.of("HardSigmoid", "ScaledTanh", "Softsign", "Sigmoid", "Elu", "LeakyRelu"),
            new float[] {0.3f, 0.9f, 1.2f, 0.05f}, new float[] {0.4f, 1.5f});

    @Test
    void bidirectionalLstmWithOtherActivationsGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "bidirectional", false, true, true, true, 0, LSTM_ACTIVATIONS));
    }

    @Test
    void bidirectionalLstmWithOtherActivationsGivesOrtsCellState() throws Exception {
        assertAgreesWithOrt(new Form("LSTM", "bidirectional", false, false, false, true, 2, LSTM_ACTIVATIONS));
    }

    @Test
    void reverseGruWithOtherActivationsGivesOrtsY() throws Exception {
        assertAgreesWithOrt(new Form("GRU", "reverse", false, false, false, true, 0,
                activations(List.of("HardSigmoid", "Softsign"), new float[0], new float[0])));
    }

    @Test
    void gruResettingFirstWithOtherActivationsGivesOrtsHiddenState() throws Exception {
        List<AttributeProto> extra = new ArrayList<>(activations(List.of("Sigmoid", "ScaledTanh", "LeakyRelu",
                "Relu"), new float[] {0.8f, 0.1f}, new float[] {1.1f}));
        extra.add(AttributeProto.ofInt("linear_before_reset", 0));
        assertAgreesWithOrt(new Form("GRU", "bidirectional", false, false, true, true, 1, extra));
    }

    @Test
    void otherActivationsHaveFiniteDifferenceGradientsInTheInputsAndWeights() {
        assertFiniteDifferenceGradients("ONNX LSTM of other activations",
                new Form("LSTM", "bidirectional", false, true, true, true, 0, LSTM_ACTIVATIONS));
        assertFiniteDifferenceGradients("ONNX GRU of other activations", new Form("GRU", "forward", false, false,
                false, true, 0, activations(List.of("Softsign", "Elu"), new float[] {0.6f}, new float[0])));
        assertFiniteDifferenceGradients("ONNX RNN of ScaledTanh", new Form("RNN", "forward", true, false, false, true,
                1, activations(List.of("ScaledTanh"), new float[] {1.3f}, new float[] {0.7f})));
    }
}
