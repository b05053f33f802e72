package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;

class MultiHeadAttentionTest {
    private static final int E = 4;
    private static final int HEADS = 2;
    private static final int D = E / HEADS;

    /** torch.nn.MultiheadAttention(4, 2).state_dict().keys(), PyTorch 1.13. */
    private static final List<String> PYTORCH_KEYS =
            List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias");

    /** The shapes of those entries. */
    private static final List<List<Integer>> PYTORCH_SHAPES =
            List.of(List.of(12, 4), List.of(12), List.of(4, 4), List.of(4));

    /** Distinct, fixed values: {@code scale * sin(0.7 i + phase)}. */
    private static double[] pattern(int n, double phase, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * Math.sin(0.7 * i + phase);
        }
        return v;
    }

    /** rows [n, in] times W^T ([out, in]) plus b: [n, out]. */
    private static double[][] linear(double[][] rows, double[] w, double[] b) {
        int out = b.length;
        int in = rows[0].length;
        double[][] y = new double[rows.length][out];
        for (int r = 0; r < rows.length; r++) {
            for (int o = 0; o < out; o++) {
                double sum = b[o];
                for (int i = 0; i < in; i++) {
                    sum += rows[r][i] * w[o * in + i];
                }
                y[r][o] = sum;
            }
        }
        return y;
    }

    private static double[][] rows(double[] flat, int offset, int n, int width) {
        double[][] r = new double[n][width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, offset + i * width, r[i], 0, width);
        }
        return r;
    }

    private static double[] concat(double[]... parts) {
        return Arrays.stream(parts).flatMapToDouble(Arrays::stream).toArray();
    }

    /** The projections' weights in the order q, k, v, out ([E, E] each) and their biases ([E] each). */
    private static final double[][] W = {pattern(E * E, 0.1, 0.6), pattern(E * E, 1.3, 0.6), pattern(E * E, 2.2, 0.6),
            pattern(E * E, 0.5, 0.6)};
    private static final double[][] B = {pattern(E, 0.3, 0.2), pattern(E, 1.1, 0.2), pattern(E, 1.9, 0.2),
            pattern(E, 2.7, 0.2)};

    /**
     * Attends from a query [2, 2, E] to a key and value [2, 3, E] and compares context and weights with the formula of
     * the class comment, computed here with the projections {@link #W} and {@link #B}.
     */
    private static void assertAttendsAsTheFormulaWithWAndB(MultiHeadAttention mha) {
        int batch = 2;
        int t = 2;
        int s = 3;
        double[] query = pattern(batch * t * E, 0.0, 1.0);
        double[] key = pattern(batch * s * E, 0.9, 1.0);
        double[] value = pattern(batch * s * E, 1.7, 1.0);

        double[] expectedContext = new double[batch * t * E];
        double[] expectedWeights = new double[batch * t * s];
        for (int n = 0; n < batch; n++) {
            double[][] q = linear(rows(query, n * t * E, t, E), W[0], B[0]);
            double[][] k = linear(rows(key, n * s * E, s, E), W[1], B[1]);
            double[][] v = linear(rows(value, n * s * E, s, E), W[2], B[2]);
            double[][] concat = new double[t][E];
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < t; i++) {
                    double[] score = new double[s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        for (int c = 0; c < D; c++) {
                            score[j] += q[i][h * D + c] * k[j][h * D + c];
                        }
                        score[j] /= Math.sqrt(D);
                        max = Math.max(max, score[j]);
                    }
                    double total = 0;
                    for (int j = 0; j < s; j++) {
                        score[j] = Math.exp(score[j] - max);
                        total += score[j];
                    }
                    for (int j = 0; j < s; j++) {
                        double weight = score[j] / total;
                        expectedWeights[(n * t + i) * s + j] += weight / HEADS;
                        for (int c = 0; c < D; c++) {
                            concat[i][h * D + c] += weight * v[j][h * D + c];
                        }
                    }
                }
            }
            double[][] out = linear(concat, W[3], B[3]);
            for (int i = 0; i < t; i++) {
                System.arraycopy(out[i], 0, expectedContext, (n * t + i) * E, E);
            }
        }

        AttentionOutput out = mha.attend(Tensor.fromArray(query, batch, t, E), Tensor.fromArray(key, batch, s, E),
                Tensor.fromArray(value, batch, s, E), null);
        assertArrayEquals(new int[] {batch, t, E}, out.context().shape().dims());
        assertArrayEquals(new int[] {batch, t, s}, out.weights().shape().dims());
        assertValues(expectedContext, out.context(), 1e-12);
        assertValues(expectedWeights, out.weights(), 1e-12);
    }

    @Test
    void eachHeadAttendsWithItsOwnScaledSoftmaxAndTheHeadsAreConcatenatedAndProjected() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            set(mha.inProjWeight(), concat(W[0], W[1], W[2]));
            set(mha.inProjBias(), concat(B[0], B[1], B[2]));
            set(mha.outProj().weight(), W[3]);
            set(mha.outProj().bias(), B[3]);
            assertAttendsAsTheFormulaWithWAndB(mha);
        }
    }

    /** A state dict as Kiln saved a MultiHeadAttention before it packed q_proj, k_proj and v_proj, with W and B. */
    private static Map<String, Tensor> separateProjections(String prefix) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        String[] names = {"q_proj", "k_proj", "v_proj", "out_proj"};
        for (int p = 0; p < names.length; p++) {
            state.put(prefix + names[p] + ".weight", Tensor.fromArray(W[p], E, E));
            state.put(prefix + names[p] + ".bias", Tensor.fromArray(B[p], E));
        }
        return state;
    }

    @Test
    void stateDictKeysAndShapesArePyTorchs() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0)) {
            assertEquals(PYTORCH_KEYS, List.copyOf(mha.stateDict().keySet()));
            List<List<Integer>> shapes = new ArrayList<>();
            for (Tensor t : mha.stateDict().values()) {
                shapes.add(Arrays.stream(t.shape().dims()).boxed().toList());
            }
            assertEquals(PYTORCH_SHAPES, shapes);
        }
    }

    @Test
    void initialisesAsPyTorchWithXavierOverTheWholePackedInputProjection() {
        // torch.nn.MultiheadAttention(64, 8), 20 fresh modules, PyTorch 1.13: largest |in_proj_weight| 0.153093
        // of sqrt(6 / (4 * 64)) = 0.153093, largest |out_proj.weight| 0.124999 of 1 / sqrt(64) = 0.125000, biases 0.
        Engine.seed(20);
        try (MultiHeadAttention mha = new MultiHeadAttention(64, 8, 0.0); Scope scope = Scope.open()) {
            double xavier = Math.sqrt(6.0 / (64 + 3 * 64));
            double largestIn = mha.inProjWeight().abs().max().item();
            assertTrue(largestIn > 0.99 * xavier && largestIn <= xavier, "largest |in_proj_weight| " + largestIn);
            double largestOut = mha.outProj().weight().abs().max().item();
            assertTrue(largestOut > 0.99 / 8 && largestOut <= 1.0 / 8, "largest |out_proj.weight| " + largestOut);
            assertEquals(0.0, mha.inProjBias().abs().max().item());
            assertEquals(0.0, mha.outProj().bias().abs().max().item());
        }
    }

    @Test
    void checkpointsWithTheOldSeparateProjectionsLoadPackedInTheOrderQKV() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            mha.loadStateDict(separateProjections(""), true);
            assertValues(concat(W[0], W[1], W[2]), mha.inProjWeight(), 0);
            assertValues(concat(B[0], B[1], B[2]), mha.inProjBias(), 0);
            assertAttendsAsTheFormulaWithWAndB(mha);
        }
    }

    @Test
    void theOldSeparateProjectionsOfANestedAttentionPassTheStrictCheckAndLeaveTheCallersMapAsItWas() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(E, HEADS, 8, 0.0); Scope scope = Scope.open()) {
            Map<String, Tensor> state = new LinkedHashMap<>(layer.stateDict());
            state.remove("self_attn.in_proj_weight");
            state.remove("self_attn.in_proj_bias");
            state.remove("self_attn.out_proj.weight");
            state.remove("self_attn.out_proj.bias");
            state.putAll(separateProjections("self_attn."));
            Map<String, Tensor> given = new LinkedHashMap<>(state);
            layer.checkStateDict(state, true);
            layer.loadStateDict(state, true);
            assertEquals(given, state);
            assertValues(concat(W[0], W[1], W[2]), layer.selfAttention().inProjWeight(), 1e-7);
        }
    }

    @Test
    void rejectsOldSeparateProjectionsWithOneMissingNamingEachAndThePackedKey() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            Map<String, Tensor> state = separateProjections("");
            state.remove("k_proj.weight");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mha.loadStateDict(state, false));
            assertTrue(e.getMessage().contains("q_proj.weight [4, 4]") && e.getMessage().contains("k_proj.weight (absent)")
                    && e.getMessage().contains("v_proj.weight [4, 4]") && e.getMessage().contains("in_proj_weight [12, 4]"),
                    e.getMessage());
        }
    }

    @Test
    void selfAttentionInOneProjectionGivesWhatAttendingToCopiesGivesWithTheSameGradients() {
        Engine.seed(21);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, E).requiresGrad(true);
            Tensor packed = mha.attend(x, x, x, null).context();
            packed.sum().backward();
            double[] packedGradient = mha.inProjWeight().grad().toDoubleArray();
            double[] inputGradient = x.grad().toDoubleArray();
            mha.parameters().forEach(Tensor::clearGrad);
            x.clearGrad();
            Tensor separate = mha.attend(x, x.mul(1), x.mul(1), null).context();
            separate.sum().backward();
            assertValues(separate.toDoubleArray(), packed, 1e-12);
            assertValues(packedGradient, mha.inProjWeight().grad(), 1e-12);
            assertValues(inputGradient, x.grad(), 1e-12);
        }
    }

    @Test
    void weightRowsAreDistributionsOverTheKeys() {
        Engine.seed(11);
        try (MultiHeadAttention mha = new MultiHeadAttention(8, 4, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor weights = mha.attend(Tensor.randn(DType.F64, 3, 5, 8), Tensor.randn(DType.F64, 3, 7, 8),
                    Tensor.randn(DType.F64, 3, 7, 8), null).weights();
            double[] rowSums = weights.sum(-1, false).toDoubleArray();
            for (double sum : rowSums) {
                assertEquals(1.0, sum, 1e-12);
            }
            for (double v : weights.toDoubleArray()) {
                assertTrue(v >= 0, "weight " + v + " is negative");
            }
        }
    }

    @Test
    void maskedKeysGetZeroWeightAndPaddingTheKeysChangesNoOutput() {
        Engine.seed(12);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor query = Tensor.randn(DType.F64, 1, 3, E);
            Tensor keys = Tensor.randn(DType.F64, 1, 2, E);
            Tensor values = Tensor.randn(DType.F64, 1, 2, E);
            AttentionOutput plain = mha.attend(query, keys, values, null);

            // Two more key positions holding arbitrary values, masked as padding.
            Tensor paddedKeys = Tensor.cat(List.of(keys, Tensor.randn(DType.F64, 1, 2, E).mul(10)), 1);
            Tensor paddedValues = Tensor.cat(List.of(values, Tensor.randn(DType.F64, 1, 2, E).mul(10)), 1);
            AttentionOutput padded = mha.attend(query, paddedKeys, paddedValues,
                    Attention.paddingMask(new int[] {2}, 4, DType.F64));

            double[] w = padded.weights().toDoubleArray();
            double[] expectedWeights = new double[3 * 4];
            double[] plainWeights = plain.weights().toDoubleArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(0.0, w[i * 4 + 2], "weight of padded key 2 for query " + i);
                assertEquals(0.0, w[i * 4 + 3], "weight of padded key 3 for query " + i);
                expectedWeights[i * 4] = plainWeights[i * 2];
                expectedWeights[i * 4 + 1] = plainWeights[i * 2 + 1];
            }
            assertValues(expectedWeights, padded.weights(), 1e-12);
            assertValues(plain.context().toDoubleArray(), padded.context(), 1e-12);
        }
    }

    @Test
    void aMaskPerSequenceAppliesToEveryHeadOfThatSequenceOnly() {
        Engine.seed(13);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor q = Tensor.randn(DType.F64, 2, 2, E);
            Tensor kv = Tensor.randn(DType.F64, 2, 3, E);
            // Sequence 0 keeps all three keys, sequence 1 only the first.
            AttentionOutput both = mha.attend(q, kv, kv, Attention.paddingMask(new int[] {3, 1}, 3, DType.F64));
            AttentionOutput first = mha.attend(q.narrow(0, 0, 1), kv.narrow(0, 0, 1), kv.narrow(0, 0, 1), null);
            assertValues(first.weights().toDoubleArray(), both.weights().narrow(0, 0, 1), 1e-12);
            assertValues(new double[] {1, 0, 0, 1, 0, 0}, both.weights().narrow(0, 1, 1), 0);
        }
    }

    @Test
    void rejectsAWidthThatTheHeadsDoNotDivide() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(10, 4, 0.0));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("4"), e.getMessage());
    }

    @Test
    void rejectsAMaskThatDoesNotBroadcastToBatchTimesQueriesTimesKeys() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, E);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> mha.attend(x, x, x, Tensor.zeros(2, 1, 4)));
            assertTrue(e.getMessage().contains("[2, 1, 4]") && e.getMessage().contains("[2, 3, 3]"), e.getMessage());
        }
    }

    @Test
    void dropoutOnTheWeightsActsInTrainingOnlyAndTheReturnedWeightsStayDistributions() {
        Engine.seed(14);
        try (MultiHeadAttention mha = new MultiHeadAttention(8, 2, 0.5); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(2, 6, 8);
            mha.eval();
            double[] eval1 = mha.forward(x).toDoubleArray();
            double[] eval2 = mha.forward(x).toDoubleArray();
            assertArrayEquals(eval1, eval2, "evaluation mode must be deterministic");
            mha.train();
            AttentionOutput trained = mha.attend(x, x, x, null);
            assertTrue(!Arrays.equals(eval1, trained.context().toDoubleArray()), "dropout changed nothing in training");
            double[] ones = new double[2 * 6];
            Arrays.fill(ones, 1);
            assertValues(ones, trained.weights().sum(-1, false), 1e-6);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        Engine.seed(15);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor query = Tensor.randn(DType.F64, 2, 2, E).requiresGrad(true);
            Tensor key = Tensor.randn(DType.F64, 2, 3, E).requiresGrad(true);
            Tensor value = Tensor.randn(DType.F64, 2, 3, E).requiresGrad(true);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(query, key, value));
            inputs.addAll(mha.parameters());
            GradCheck.check("MultiHeadAttention", in -> mha.attend(in[0], in[1], in[2], mask).context(),
                    inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void selfAttentionGradientsOfTheInputAndThePackedProjectionMatchFiniteDifferencesInF64() {
        Engine.seed(22);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, E).requiresGrad(true);
            Tensor mask = Attention.causalMask(3, DType.F64);
            GradCheck.check("MultiHeadAttention self-attention", in -> mha.attend(in[0], in[0], in[0], mask).context(),
                    x, mha.inProjWeight(), mha.inProjBias());
        }
    }

    @Test
    void gradientsWithKeyAndValueTheSameTensorMatchFiniteDifferencesInF64() {
        Engine.seed(23);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor query = Tensor.randn(DType.F64, 2, 2, E).requiresGrad(true);
            Tensor memory = Tensor.randn(DType.F64, 2, 3, E).requiresGrad(true);
            GradCheck.check("MultiHeadAttention with key and value the same tensor",
                    in -> mha.attend(in[0], in[1], in[1], null).context(), query, memory, mha.inProjWeight(),
                    mha.inProjBias());
        }
    }

    @Test
    void aFloatMaskIsAddedToTheScaledScoresOfEveryHead() {
        Engine.seed(16);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor q = Tensor.randn(DType.F64, 1, 2, E);
            Tensor kv = Tensor.randn(DType.F64, 1, 3, E);
            // A bias of log(w) on key s multiplies its unnormalised weight by w: here key 1 counts three times.
            Tensor bias = Tensor.fromArray(new double[] {0, Math.log(3), 0}, 1, 3).to(DType.F64);
            Tensor tripled = Tensor.cat(List.of(kv, kv.narrow(1, 1, 1), kv.narrow(1, 1, 1)), 1);
            AttentionOutput biased = mha.attend(q, kv, kv, AttentionMask.additive(bias), null);
            AttentionOutput repeated = mha.attend(q, tripled, tripled, null);
            assertValues(repeated.context().toDoubleArray(), biased.context(), 1e-12);
        }
    }

    @Test
    void aKeyPaddingMaskActsAsTheEquivalentSingleMaskBitForBit() {
        Engine.seed(17);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor q = Tensor.randn(DType.F64, 2, 3, E);
            Tensor kv = Tensor.randn(DType.F64, 2, 3, E);
            Tensor causal = Attention.causalMask(3, DType.F64);
            Tensor padding = Tensor.fromArray(new double[] {0, 0, 1, 0, 1, 1}, 2, 3).to(DType.F64);
            AttentionOutput separate = mha.attend(q, kv, kv, AttentionMask.masking(causal), padding);
            AttentionOutput single = mha.attend(q, kv, kv, causal.add(padding.reshape(2, 1, 3)));
            assertArrayEquals(single.context().toDoubleArray(), separate.context().toDoubleArray());
            assertArrayEquals(single.weights().toDoubleArray(), separate.weights().toDoubleArray());
        }
    }

    @Test
    void aMaskPerSequenceAndPerHeadAreTheSameWhenEachHeadGetsItsSequencesSlice() {
        Engine.seed(18);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, E);
            Tensor perSequence = Tensor.randn(DType.F64, 2, 3, 3);
            Tensor perHead = perSequence.unsqueeze(1).expand(2, HEADS, 3, 3).reshape(2 * HEADS, 3, 3);
            AttentionOutput a = mha.attend(x, x, x, AttentionMask.additive(perSequence), null);
            AttentionOutput b = mha.attend(x, x, x, AttentionMask.additive(perHead), null);
            assertValues(a.context().toDoubleArray(), b.context(), 1e-12);
        }
    }

    @Test
    void aQueryWhoseEveryKeyIsPaddedWeighsTheKeysEquallyWherePyTorchGivesNaN() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(1, 2, E);
            AttentionOutput out = mha.attend(x, x, x, null, Tensor.ones(1, 2));
            assertValues(new double[] {0.5, 0.5, 0.5, 0.5}, out.weights(), 0);
        }
    }

    @Test
    void aFloatMaskOfMinusInfinityAtEveryKeyGivesNaNAsPyTorchDoes() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(1, 2, E);
            Tensor bias = Tensor.fromArray(new float[] {0, 0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2, 2);
            double[] w = mha.attend(x, x, x, AttentionMask.additive(bias), null).weights().toDoubleArray();
            assertEquals(1.0, w[0] + w[1], 1e-6, "row 0 keeps its keys");
            assertTrue(Double.isNaN(w[2]) && Double.isNaN(w[3]), Arrays.toString(w));
        }
    }

    @Test
    void floatMaskGradientsMatchFiniteDifferencesInF64() {
        Engine.seed(19);
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor query = Tensor.randn(DType.F64, 2, 2, E).requiresGrad(true);
            Tensor key = Tensor.randn(DType.F64, 2, 3, E).requiresGrad(true);
            Tensor shared = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            Tensor perHead = Tensor.randn(DType.F64, 2 * HEADS, 2, 3).requiresGrad(true);
            Tensor padding = Tensor.fromArray(new double[] {0, 0, 0, 0, 0, 1}, 2, 3).to(DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(query, key, shared, perHead));
            inputs.addAll(mha.parameters());
            GradCheck.check("MultiHeadAttention with a float mask", in -> mha.attend(in[0], in[1], in[1],
                    AttentionMask.additive(in[2].add(in[3])), padding).context(), inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void rejectsAKeyPaddingMaskThatIsNotBatchTimesKeysNamingTheLayerAndTheShapes() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            Tensor q = Tensor.randn(2, 4, E);
            Tensor kv = Tensor.randn(2, 3, E);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> mha.attend(q, kv, kv, null, Tensor.zeros(2, 1, 3)));
            assertTrue(e.getMessage().contains("MultiheadAttention(embed_dim=4")
                    && e.getMessage().contains("key padding mask [2, 1, 3]")
                    && e.getMessage().contains("[batch, S] = [2, 3]"), e.getMessage());
        }
    }

    @Test
    void rejectsAFloatMaskThatFitsNeitherTheBatchNorTheHeadsNamingTheLayerAndTheShapes() {
        try (MultiHeadAttention mha = new MultiHeadAttention(E, HEADS, 0.0); Scope scope = Scope.open()) {
            Tensor q = Tensor.randn(2, 4, E);
            Tensor kv = Tensor.randn(2, 3, E);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> mha.attend(q, kv, kv, AttentionMask.additive(Tensor.zeros(3, 4, 3)), null));
            assertTrue(e.getMessage().contains("MultiheadAttention(embed_dim=4")
                    && e.getMessage().contains("attention mask bias [3, 4, 3]")
                    && e.getMessage().contains("[2, 4, 3]") && e.getMessage().contains("[4, 4, 3]"), e.getMessage());
        }
    }
}
