package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RNN}, {@link LSTM} and {@link GRU}: PyTorch's parameter names, shapes and initialisation; outputs
 * and final states of stacked bidirectional layers with padded batches against {@link RecurrentLoops}
 * (PyTorch's formulas as plain loops); a padded batch against each sequence run alone; the reverse
 * direction against a forward layer on the reversed sequence; truncated back-propagation through time;
 * dropout between layers; gradients against finite differences; and the errors.
 */
class RecurrentLayerTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250304L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    static Stream<String> kinds() {
        return Stream.of("lstm", "gru", "rnn_tanh", "rnn_relu");
    }

    static Stream<Arguments> kindsAndLayouts() {
        return kinds().flatMap(k -> Stream.of(Arguments.of(k, false), Arguments.of(k, true)));
    }

    private static Recurrent layer(String kind, int in, int hidden, int layers, boolean bidirectional, boolean batchFirst) {
        return switch (kind) {
            case "lstm" -> LSTM.builder(in, hidden).layers(layers).bidirectional(bidirectional).batchFirst(batchFirst).build();
            case "gru" -> GRU.builder(in, hidden).layers(layers).bidirectional(bidirectional).batchFirst(batchFirst).build();
            case "rnn_tanh" -> RNN.builder(in, hidden).layers(layers).bidirectional(bidirectional).batchFirst(batchFirst).build();
            case "rnn_relu" -> RNN.builder(in, hidden).nonlinearity("relu").layers(layers).bidirectional(bidirectional)
                    .batchFirst(batchFirst).build();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static Map<String, double[]> values(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((name, t) -> out.put(name, t.toDoubleArray()));
        return out;
    }

    /** [d0][d1][d2] of a 3-D tensor. */
    private static double[][][] array(Tensor t) {
        double[] v = t.toDoubleArray();
        double[][][] a = new double[t.dim(0)][t.dim(1)][t.dim(2)];
        int k = 0;
        for (double[][] plane : a) {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = v[k++];
                }
            }
        }
        return a;
    }

    private static Tensor tensor(double[][][] a) {
        int d0 = a.length;
        int d1 = a[0].length;
        int d2 = a[0][0].length;
        double[] v = new double[d0 * d1 * d2];
        int k = 0;
        for (double[][] plane : a) {
            for (double[] row : plane) {
                for (double x : row) {
                    v[k++] = x;
                }
            }
        }
        return Tensor.fromArray(v, d0, d1, d2);
    }

    /** [B][T][F] from a batch-first or time-first tensor. */
    private static double[][][] batchMajor(Tensor t, boolean batchFirst) {
        return array(batchFirst ? t : t.transpose(0, 1));
    }

    private static void assertClose(double[][][] expected, double[][][] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertArrayEquals(expected[i][j], actual[i][j], tolerance, what + " [" + i + "][" + j + "]");
            }
        }
    }

    // ---- parameters ---------------------------------------------------------------------------------

    @Test
    void parametersHavePyTorchNamesShapesAndOrder() {
        try (Recurrent lstm = layer("lstm", 3, 5, 2, true, false)) {
            Map<String, String> shapes = new LinkedHashMap<>();
            lstm.namedParameters().forEach((name, t) -> shapes.put(name, t.shape().toString()));
            Map<String, String> expected = new LinkedHashMap<>();
            for (String layer : new String[] {"_l0", "_l1"}) {
                String in = layer.equals("_l0") ? "3" : "10";
                for (String suffix : new String[] {layer, layer + "_reverse"}) {
                    expected.put("weight_ih" + suffix, "[20, " + in + "]");
                    expected.put("weight_hh" + suffix, "[20, 5]");
                    expected.put("bias_ih" + suffix, "[20]");
                    expected.put("bias_hh" + suffix, "[20]");
                }
            }
            assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(shapes.entrySet()));
        }
    }

    @Test
    void withoutBiasOnlyWeightsAreRegistered() {
        try (GRU gru = GRU.builder(3, 4).bias(false).build()) {
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), new ArrayList<>(gru.namedParameters().keySet()));
            assertArrayEquals(new int[] {6, 2, 4}, gru.forward(Tensor.randn(6, 2, 3)).shape().dims());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gru", "rnn_tanh"})
    void everyParameterIsUniformWithinOneOverSqrtHidden(String kind) {
        int hidden = 64;
        try (Recurrent r = layer(kind, 48, hidden, 1, false, false)) {
            double bound = 1 / Math.sqrt(hidden);
            for (Map.Entry<String, double[]> e : values(r).entrySet()) {
                double max = 0;
                double sq = 0;
                for (double x : e.getValue()) {
                    max = Math.max(max, Math.abs(x));
                    sq += x * x;
                }
                assertTrue(max <= bound, e.getKey() + ": " + max + " outside +-" + bound);
                assertEquals(bound / Math.sqrt(3), Math.sqrt(sq / e.getValue().length), 0.15 * bound / Math.sqrt(3), e.getKey());
            }
        }
    }

    @Test
    void lstmForgetGateBiasesSumToOneByDefault() {
        int hidden = 16;
        try (LSTM lstm = LSTM.builder(4, hidden).layers(2).bidirectional(true).build()) {
            double bound = 1 / Math.sqrt(hidden);
            for (Map.Entry<String, double[]> e : values(lstm).entrySet()) {
                if (!e.getKey().startsWith("bias")) {
                    continue;
                }
                double forget = e.getKey().startsWith("bias_ih") ? 1 : 0;
                double[] v = e.getValue();
                for (int j = 0; j < v.length; j++) {
                    if (j >= hidden && j < 2 * hidden) {
                        assertEquals(forget, v[j], 0, e.getKey() + "[" + j + "]");
                    } else {
                        assertTrue(Math.abs(v[j]) <= bound, e.getKey() + "[" + j + "] = " + v[j]);
                    }
                }
            }
        }
    }

    @Test
    void lstmForgetBiasIsConfigurableAndNaNKeepsPyTorchsDraw() {
        try (LSTM two = LSTM.builder(4, 8).forgetBias(2).build(); LSTM drawn = LSTM.builder(4, 8).forgetBias(Double.NaN).build()) {
            assertEquals(2, two.namedParameters().get("bias_ih_l0").toDoubleArray()[8], 0);
            double[] b = drawn.namedParameters().get("bias_ih_l0").toDoubleArray();
            long distinct = Arrays.stream(b, 8, 16).distinct().count();
            assertEquals(8, distinct, "forget block drawn uniformly");
        }
    }

    // ---- values against loops -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0} batchFirst={1}")
    @MethodSource("kindsAndLayouts")
    void stackedBidirectionalLayerWithPaddedBatchMatchesPlainLoops(String kind, boolean batchFirst) {
        int in = 3;
        int hidden = 4;
        int steps = 5;
        int[] lengths = {4, 1, 5};
        try (Recurrent r = layer(kind, in, hidden, 2, true, batchFirst)) {
            r.to(DType.F64);
            Tensor x = batchFirst ? Tensor.randn(DType.F64, 3, steps, in) : Tensor.randn(DType.F64, steps, 3, in);
            Tensor h0 = Tensor.normal(0, 0.5, DType.F64, 4, 3, hidden);
            Tensor c0 = kind.equals("lstm") ? Tensor.normal(0, 0.5, DType.F64, 4, 3, hidden) : null;
            RecurrentOutput out = r.forward(x, new RecurrentState(h0, c0), lengths);
            RecurrentLoops.Result expected = new RecurrentLoops(kind, hidden, 2, true, values(r))
                    .run(batchMajor(x, batchFirst), lengths, array(h0), c0 == null ? null : array(c0));
            int[] outShape = batchFirst ? new int[] {3, steps, 2 * hidden} : new int[] {steps, 3, 2 * hidden};
            assertArrayEquals(outShape, out.output().shape().dims());
            assertClose(expected.output(), batchMajor(out.output(), batchFirst), 1e-12, "output");
            assertClose(expected.h(), array(out.hN()), 1e-12, "h_n");
            if (c0 != null) {
                assertClose(expected.c(), array(out.cN()), 1e-12, "c_n");
            } else {
                assertNull(out.cN());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void paddedBatchEqualsEachSequenceRunAloneInValuesAndGradients(String kind) {
        int in = 3;
        int hidden = 6;
        int steps = 5;
        int[] lengths = {5, 2, 4, 5};
        try (Recurrent r = layer(kind, in, hidden, 2, true, true)) {
            Tensor x = Tensor.randn(lengths.length, steps, in);
            Tensor projection = Tensor.randn(lengths.length, steps, 2 * hidden);
            RecurrentOutput batch = r.forward(x, null, lengths);
            batch.output().mul(projection).sum().add(batch.hN().sum()).backward();
            Map<String, double[]> batchGrads = new LinkedHashMap<>();
            r.namedParameters().forEach((name, p) -> {
                batchGrads.put(name, p.grad().toDoubleArray());
                p.zeroGrad();
            });
            double[][][] batchOut = array(batch.output());
            double[][][] batchH = array(batch.hN());
            for (int b = 0; b < lengths.length; b++) {
                int length = lengths[b];
                Tensor alone = x.narrow(0, b, 1).narrow(1, 0, length);
                RecurrentOutput single = r.forward(alone, null);
                single.output().mul(projection.narrow(0, b, 1).narrow(1, 0, length)).sum().add(single.hN().sum()).backward();
                double[][][] singleOut = array(single.output());
                for (int t = 0; t < steps; t++) {
                    double[] expected = t < length ? singleOut[0][t] : new double[2 * hidden];
                    assertArrayEquals(expected, batchOut[b][t], 1e-6, "sequence " + b + " step " + t);
                }
                double[][][] singleH = array(single.hN());
                for (int row = 0; row < 4; row++) {
                    assertArrayEquals(singleH[row][0], batchH[row][b], 1e-6, "h_n row " + row + " of sequence " + b);
                }
            }
            r.namedParameters().forEach((name, p) ->
                    assertArrayEquals(p.grad().toDoubleArray(), batchGrads.get(name), 1e-4, "gradient of " + name));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void reverseDirectionIsAForwardLayerOnTheReversedSequence(String kind) {
        int in = 3;
        int hidden = 4;
        int steps = 6;
        int[] lengths = {6, 3, 5};
        try (Recurrent bi = layer(kind, in, hidden, 1, true, true); Recurrent uni = layer(kind, in, hidden, 1, false, true)) {
            uni.namedParameters().forEach((name, p) ->
                    Tensors.set(p, bi.namedParameters().get(name + "_reverse").toDoubleArray()));
            double[][][] x = array(Tensor.randn(3, steps, in));
            double[][][] reversed = new double[3][steps][];
            for (int b = 0; b < 3; b++) {
                for (int t = 0; t < steps; t++) {
                    reversed[b][t] = t < lengths[b] ? x[b][lengths[b] - 1 - t] : x[b][t];
                }
            }
            RecurrentOutput both = bi.forward(tensor(x).to(DType.F32), null, lengths);
            RecurrentOutput forwardOnReversed = uni.forward(tensor(reversed).to(DType.F32), null, lengths);
            double[][][] backwardHalf = array(both.output().narrow(2, hidden, hidden));
            double[][][] expected = array(forwardOnReversed.output());
            for (int b = 0; b < 3; b++) {
                for (int t = 0; t < lengths[b]; t++) {
                    assertArrayEquals(expected[b][lengths[b] - 1 - t], backwardHalf[b][t], 1e-6, "sequence " + b + " step " + t);
                }
            }
            assertArrayEquals(forwardOnReversed.hN().toDoubleArray(), both.hN().narrow(0, 1, 1).toDoubleArray(), 1e-6);
        }
    }

    // ---- states ---------------------------------------------------------------------------------------

    @Test
    void truncatedBackPropagationCarriesDetachedStateAcrossChunks() {
        try (LSTM lstm = LSTM.builder(3, 5).layers(2).batchFirst(true).build()) {
            Tensor whole = Tensor.randn(2, 7, 3);
            RecurrentOutput full = lstm.forward(whole, null);
            Tensor first = whole.narrow(1, 0, 4).detach().requiresGrad(true);
            Tensor second = whole.narrow(1, 4, 3);
            RecurrentOutput a = lstm.forward(first, null);
            RecurrentOutput b = lstm.forward(second, a.state().detach());
            assertArrayEquals(full.output().narrow(1, 4, 3).toDoubleArray(), b.output().toDoubleArray(), 1e-6);
            assertArrayEquals(full.hN().toDoubleArray(), b.hN().toDoubleArray(), 1e-6);
            assertArrayEquals(full.cN().toDoubleArray(), b.cN().toDoubleArray(), 1e-6);
            b.output().sum().backward();
            assertNull(first.grad(), "no gradient crosses the chunk boundary");
            assertNotNull(lstm.namedParameters().get("weight_hh_l1").grad());
        }
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        Tensor x = Tensor.randn(4, 2, 3);
        try (LSTM one = LSTM.builder(3, 5).dropout(0.5).build();
             LSTM two = LSTM.builder(3, 5).layers(2).dropout(0.5).build()) {
            double[] oneTraining = one.forward(x).toDoubleArray();
            assertArrayEquals(one.eval().forward(x).toDoubleArray(), oneTraining, 0, "nothing to drop after the last layer");
            double[] twoTraining = two.forward(x).toDoubleArray();
            double[] twoEval = two.eval().forward(x).toDoubleArray();
            assertFalse(Arrays.equals(twoTraining, twoEval), "dropout between the two layers in training");
            assertArrayEquals(twoEval, two.forward(x).toDoubleArray(), 0, "evaluation is deterministic");
        }
    }

    // ---- gradients -------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("kinds")
    void gradientsMatchFiniteDifferencesInF64(String kind) {
        boolean lstm = kind.equals("lstm");
        int[] lengths = {3, 1};
        try (Recurrent r = layer(kind, 2, 3, 2, true, true)) {
            r.to(DType.F64);
            List<Tensor> inputs = new ArrayList<>();
            inputs.add(Tensor.randn(DType.F64, 2, 3, 2).requiresGrad(true));
            inputs.add(Tensor.normal(0, 0.5, DType.F64, 4, 2, 3).requiresGrad(true));
            if (lstm) {
                inputs.add(Tensor.normal(0, 0.5, DType.F64, 4, 2, 3).requiresGrad(true));
            }
            int state = inputs.size();
            inputs.addAll(r.parameters());
            GradCheck.check(kind + " layer", in -> {
                RecurrentOutput out = r.forward(in[0], new RecurrentState(in[1], lstm ? in[2] : null), lengths);
                List<Tensor> parts = new ArrayList<>(List.of(out.output().reshape(-1), out.hN().reshape(-1)));
                if (lstm) {
                    parts.add(out.cN().reshape(-1));
                }
                return Tensor.cat(parts, 0);
            }, inputs.toArray(new Tensor[0]));
            assertEquals(state + r.parameters().size(), inputs.size());
        }
    }

    // ---- errors -------------------------------------------------------------------------------------

    @Test
    void inputOfTheWrongSizeNamesTheLayerAndTheExpectedLayout() {
        try (LSTM lstm = LSTM.builder(3, 5).batchFirst(true).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 7, 4)));
            assertTrue(e.getMessage().contains("LSTM(3, 5, batch_first=True)") && e.getMessage().contains("[2, 7, 4]")
                    && e.getMessage().contains("[batch, time, 3]"), e.getMessage());
        }
    }

    @Test
    void initialStateOfTheWrongShapeIsRefused() {
        try (GRU gru = GRU.builder(3, 5).layers(2).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gru.forward(Tensor.zeros(7, 2, 3), RecurrentState.of(Tensor.zeros(1, 2, 5))));
            assertTrue(e.getMessage().contains("GRU(3, 5, num_layers=2)") && e.getMessage().contains("[1, 2, 5]")
                    && e.getMessage().contains("[2, 2, 5]"), e.getMessage());
        }
    }

    @Test
    void lstmInitialStateNeedsTheCellState() {
        try (LSTM lstm = new LSTM(3, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lstm.forward(Tensor.zeros(7, 2, 3), RecurrentState.of(Tensor.zeros(1, 2, 5))));
            assertTrue(e.getMessage().contains("initial c is missing"), e.getMessage());
        }
    }

    @Test
    void lengthsMustFitTheSequence() {
        try (RNN rnn = new RNN(3, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rnn.forward(Tensor.zeros(4, 2, 3), null, new int[] {4, 5}));
            assertTrue(e.getMessage().contains("RNN(3, 5)") && e.getMessage().contains("length 5"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> rnn.forward(Tensor.zeros(4, 2, 3), null, new int[] {4}));
            assertTrue(e.getMessage().contains("1 lengths for a batch of 2"), e.getMessage());
        }
    }

    @Test
    void unknownNonlinearityIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RNN.builder(3, 5).nonlinearity("gelu"));
        assertTrue(e.getMessage().contains("gelu"), e.getMessage());
    }
}
