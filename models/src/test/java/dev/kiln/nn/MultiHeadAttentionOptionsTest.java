package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link MultiHeadAttention#builder}'s options beyond the numbers of {@link MultiHeadAttentionOptionsPyTorchParityTest}:
 * PyTorch's state-dict layout and initialisation, finite-difference gradients, the errors naming an argument, the
 * cached-projection path, and {@link Module#copy()}, {@link Module#to(DType)} and {@link Module#summary}.
 */
class MultiHeadAttentionOptionsTest {
    /**
     * torch.nn.MultiheadAttention(4, 2, bias=False, add_bias_kv=True, kdim=3, vdim=5).state_dict(), PyTorch 1.13
     * (printed by models/src/test/pytorch/multihead_attention_state.py).
     */
    private static final List<String> PYTORCH_OPTIONS_KEYS =
            List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v", "out_proj.weight");
    private static final List<List<Integer>> PYTORCH_OPTIONS_SHAPES =
            List.of(List.of(4, 4), List.of(4, 3), List.of(4, 5), List.of(1, 1, 4), List.of(1, 1, 4), List.of(4, 4));

    /** Every option that changes the computation: separate widths, bias_k and bias_v, a zero key, sequence-first. */
    private static MultiHeadAttention everyOption(boolean bias) {
        return MultiHeadAttention.builder(4, 2).bias(bias).addBiasKv(true).addZeroAttn(true).kdim(3).vdim(5).build();
    }

    @Test
    void stateDictOfTheOptionsIsPyTorchsKeyForKey() {
        try (MultiHeadAttention mha = everyOption(false)) {
            assertEquals(PYTORCH_OPTIONS_KEYS, List.copyOf(mha.stateDict().keySet()));
            List<List<Integer>> shapes = new ArrayList<>();
            for (Tensor t : mha.stateDict().values()) {
                shapes.add(Arrays.stream(t.shape().dims()).boxed().toList());
            }
            assertEquals(PYTORCH_OPTIONS_SHAPES, shapes);
            assertNull(mha.inProjWeight());
            assertNull(mha.inProjBias());
            assertNull(mha.outProj().bias());
        }
    }

    @Test
    void initialisesTheSeparateWeightsAndBiasKvAsPyTorch() {
        // torch.nn.MultiheadAttention(64, 8, add_bias_kv=True, kdim=32), 20 fresh modules, PyTorch 1.13: largest
        // |q_proj_weight| 0.216503 of sqrt(6 / (2 * 64)) = 0.216506, |k_proj_weight| 0.249997 of sqrt(6 / (64 + 32))
        // = 0.250000, bias_k and bias_v's standard deviation 0.126118 of 1 / sqrt(64) = 0.125000.
        Engine.seed(31);
        double largestQ = 0;
        double largestK = 0;
        double sumOfSquares = 0;
        int n = 0;
        for (int i = 0; i < 20; i++) {
            try (MultiHeadAttention mha = MultiHeadAttention.builder(64, 8).addBiasKv(true).kdim(32).build();
                 Scope scope = Scope.open()) {
                largestQ = Math.max(largestQ, mha.qProjWeight().abs().max().item());
                largestK = Math.max(largestK, mha.kProjWeight().abs().max().item());
                for (Tensor b : List.of(mha.biasK(), mha.biasV())) {
                    sumOfSquares += b.mul(b).sum().item();
                    n += (int) b.size();
                }
                assertEquals(0.0, mha.inProjBias().abs().max().item());
                assertEquals(0.0, mha.outProj().bias().abs().max().item());
            }
        }
        double boundQ = Math.sqrt(6.0 / (2 * 64));
        double boundK = Math.sqrt(6.0 / (64 + 32));
        assertTrue(largestQ > 0.99 * boundQ && largestQ <= boundQ, "largest |q_proj_weight| " + largestQ);
        assertTrue(largestK > 0.99 * boundK && largestK <= boundK, "largest |k_proj_weight| " + largestK);
        assertEquals(1 / Math.sqrt(64), Math.sqrt(sumOfSquares / n), 0.1 / Math.sqrt(64), "bias_k and bias_v's std");
    }

    @Test
    void theBuilderHasPyTorchsDefaultsSequenceFirstAmongThemAndTheConstructorStaysBatchFirst() {
        try (MultiHeadAttention built = MultiHeadAttention.builder(4, 2).build();
             MultiHeadAttention constructed = new MultiHeadAttention(4, 2, 0.1)) {
            assertFalse(built.batchFirst());
            assertTrue(built.hasBias() && !built.addBiasKv() && !built.addZeroAttn());
            assertEquals(List.of(4, 4, 0.0), List.of(built.kdim(), built.vdim(), built.dropout()));
            assertEquals("MultiheadAttention(embed_dim=4, num_heads=2, dropout=0.0, batch_first=False)", built.describe());
            assertTrue(constructed.batchFirst());
            assertEquals("MultiheadAttention(embed_dim=4, num_heads=2, dropout=0.1, batch_first=True)",
                    constructed.describe());
            assertEquals("MultiheadAttention(embed_dim=4, num_heads=2, dropout=0.0, bias=False, add_bias_kv=True,"
                    + " add_zero_attn=True, kdim=3, vdim=5, batch_first=False)", everyOption(false).describe());
        }
    }

    @Test
    void gradientsOfEveryOptionTogetherMatchFiniteDifferencesInF64() {
        Engine.seed(32);
        try (MultiHeadAttention mha = everyOption(true); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            // Sequence-first: [steps, batch, width].
            Tensor query = Tensor.randn(DType.F64, 2, 2, 4).requiresGrad(true);
            Tensor key = Tensor.randn(DType.F64, 3, 2, 3).requiresGrad(true);
            Tensor value = Tensor.randn(DType.F64, 3, 2, 5).requiresGrad(true);
            Tensor scoreBias = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            Tensor keyPadding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(query, key, value, scoreBias));
            inputs.addAll(mha.parameters());
            GradCheck.check("MultiHeadAttention with every option, context",
                    in -> mha.attend(in[0], in[1], in[2], AttentionMask.additive(in[3]), keyPadding, true, true)
                            .context(), inputs.toArray(new Tensor[0]));
            // The weights depend on neither the values nor their projection, bias_v or out_proj.
            GradCheck.check("MultiHeadAttention with every option, weights of each head",
                    in -> mha.attend(in[0], in[1], value, AttentionMask.additive(in[2]), keyPadding, true, false)
                            .weights(), query, key, scoreBias, mha.qProjWeight(), mha.kProjWeight(), mha.inProjBias(),
                    mha.biasK());
        }
    }

    @Test
    void keysAndValuesProjectedOnceAttendAsAttendDoesWithBiasKvAndZeroAttention() {
        Engine.seed(33);
        try (MultiHeadAttention mha = everyOption(true); Scope scope = Scope.open()) {
            mha.to(DType.F64);
            Tensor query = Tensor.randn(DType.F64, 2, 2, 4);
            Tensor key = Tensor.randn(DType.F64, 3, 2, 3);
            Tensor value = Tensor.randn(DType.F64, 3, 2, 5);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            AttentionOutput direct = mha.attend(query, key, value, mask);
            AttentionOutput cached = mha.attendProjected(query, mha.projectKeys(key), mha.projectValues(value), mask);
            assertEquals(List.of(2, 2, 4), Arrays.stream(cached.context().shape().dims()).boxed().toList());
            assertEquals(List.of(2, 2, 5), Arrays.stream(cached.weights().shape().dims()).boxed().toList());
            assertValues(direct.context().toDoubleArray(), cached.context(), 1e-12);
            assertValues(direct.weights().toDoubleArray(), cached.weights(), 1e-12);
        }
    }

    @Test
    void aMaskBroadcastOverTheKeysIsPaddedForTheAppendedOnes() {
        Engine.seed(34);
        try (MultiHeadAttention mha = MultiHeadAttention.builder(4, 2).addBiasKv(true).addZeroAttn(true)
                .batchFirst(true).build(); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 4);
            AttentionOutput unmasked = mha.attend(x, x, x, null);
            AttentionOutput broadcast = mha.attend(x, x, x, Tensor.zeros(2, 3, 1));
            assertValues(unmasked.context().toDoubleArray(), broadcast.context(), 1e-6);
            // The last key of sequence 0 masked: its weight 0, bias_k's and the zero key's (columns 3 and 4) not.
            AttentionOutput padded = mha.attend(x, x, x, Attention.paddingMask(new int[] {2, 3}, 3, DType.F32));
            double[] w = padded.weights().toDoubleArray();
            for (int query = 0; query < 3; query++) {
                assertEquals(0.0, w[query * 5 + 2], "weight of the padded key for query " + query);
                assertTrue(w[query * 5 + 3] > 0 && w[query * 5 + 4] > 0, "weights of the appended keys " + padded);
            }
        }
    }

    @Test
    void noWeightsGiveTheSameContextAndNull() {
        Engine.seed(35);
        try (MultiHeadAttention mha = everyOption(true); Scope scope = Scope.open()) {
            Tensor query = Tensor.randn(2, 2, 4);
            Tensor key = Tensor.randn(3, 2, 3);
            Tensor value = Tensor.randn(3, 2, 5);
            AttentionOutput with = mha.attend(query, key, value, null, null, true, true);
            AttentionOutput without = mha.attend(query, key, value, null, null, false, true);
            assertNull(without.weights());
            assertValues(with.context().toDoubleArray(), without.context(), 0);
        }
    }

    @Test
    void inputsOfTheWrongWidthAreRefusedNamingTheArgument() {
        try (MultiHeadAttention mha = everyOption(true); Scope scope = Scope.open()) {
            Tensor query = Tensor.randn(2, 2, 4);
            Tensor key = Tensor.randn(3, 2, 3);
            Tensor value = Tensor.randn(3, 2, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> mha.attend(query, value, value, null));
            assertTrue(e.getMessage().contains("key [3, 2, 5] must be [steps, batch, kdim] = [steps, batch, 3]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mha.attend(query, key, key, null));
            assertTrue(e.getMessage().contains("value [3, 2, 3] must be [steps, batch, vdim] = [steps, batch, 5]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mha.attend(key, key, value, null));
            assertTrue(e.getMessage().contains("query [3, 2, 3] must be [steps, batch, embedDim] = [steps, batch, 4]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> mha.attend(query, Tensor.randn(3, 1, 3), Tensor.randn(3, 1, 5), null));
            assertTrue(e.getMessage().contains("must share the batch (axis 1)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(query));
            assertTrue(e.getMessage().contains("kdim = vdim = embedDim = 4, got kdim 3 and vdim 5"), e.getMessage());
        }
    }

    @Test
    void nonPositiveKeyOrValueWidthsAreRefusedNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiHeadAttention.builder(4, 2).kdim(0).build());
        assertTrue(e.getMessage().contains("kdim and vdim must be positive, got 0 and 4"), e.getMessage());
    }

    @Test
    void aCopyAndAnF64ConversionKeepEveryOptionAndParameter() {
        Engine.seed(36);
        try (MultiHeadAttention mha = everyOption(true); Scope scope = Scope.open()) {
            Tensor query = Tensor.randn(2, 2, 4);
            Tensor key = Tensor.randn(3, 2, 3);
            Tensor value = Tensor.randn(3, 2, 5);
            double[] expected = mha.attend(query, key, value, null).context().toDoubleArray();
            MultiHeadAttention copy = (MultiHeadAttention) mha.copy();
            assertEquals(mha.toString(), copy.toString());
            assertNotSame(mha.biasK(), copy.biasK());
            assertValues(expected, copy.attend(query, key, value, null).context(), 0);
            try (Autograd.Guard g = Autograd.noGrad()) {
                copy.biasK().assign(copy.biasK().add(1));
            }
            assertValues(expected, mha.attend(query, key, value, null).context(), 0);
            copy.to(DType.F64);
            for (Map.Entry<String, Tensor> p : copy.namedParameters().entrySet()) {
                assertEquals(DType.F64, p.getValue().dtype(), p.getKey());
            }
            mha.to(DType.F64);
            double[] f64 = mha.attend(query.to(DType.F64), key.to(DType.F64), value.to(DType.F64), null).context()
                    .toDoubleArray();
            assertValues(expected, Tensor.fromArray(f64, 2, 2, 4), 1e-5);
            copy.close();
        }
    }

    @Test
    void summaryCountsEveryParameterOfTheSelfAttentionForms() {
        try (MultiHeadAttention mha = MultiHeadAttention.builder(4, 2).bias(false).addBiasKv(true).addZeroAttn(true)
                .build()) {
            String table = mha.summary(3, 2, 4);
            // in_proj_weight 48, bias_k 4, bias_v 4, out_proj.weight 16.
            assertTrue(table.contains("Total params: 72"), table);
            assertTrue(table.contains("[3, 2, 4]"), table);
        }
    }

    @Test
    void summaryOfAModelAttendingWithOtherKeyAndValueWidthsCountsTheSeparateWeights() {
        try (CrossAttention model = new CrossAttention()) {
            String table = model.summary(2, 3, 4);
            // keys 4 * 3 + 3, values 4 * 5 + 5, q, k, v weights 16 + 12 + 20, in_proj_bias 12, bias_k and bias_v 8,
            // out_proj 16 + 4.
            assertTrue(table.contains("Total params: " + (15 + 25 + 48 + 12 + 8 + 20)), table);
            assertTrue(table.contains("attention"), table);
        }
    }

    /** call(query, key, value), PyTorch's mha(query, key, value)[0], is attend's context without a mask. */
    @Test
    void threeInputCallIsTheContextOfAttend() {
        try (Scope s = Scope.open(); MultiHeadAttention mha = everyOption(true)) {
            Tensor query = PyTorchParity.values(1, 3, 2, 4).to(DType.F32);
            Tensor key = PyTorchParity.values(2, 5, 2, 3).to(DType.F32);
            Tensor value = PyTorchParity.values(3, 5, 2, 5).to(DType.F32);
            mha.eval();
            assertValues(mha.attend(query, key, value, (Tensor) null).context().toDoubleArray(),
                    mha.call(query, key, value), 0);
        }
    }

    /** Attention from x [batch, T, 4] to keys [batch, T, 3] and values [batch, T, 5] made from it. */
    private static final class CrossAttention extends Module {
        CrossAttention() {
            registerModule("keys", new Linear(4, 3));
            registerModule("values", new Linear(4, 5));
            registerModule("attention", everyOption(true));
        }

        @Override
        public Tensor forward(Tensor x) {
            MultiHeadAttention attention = (MultiHeadAttention) module("attention");
            Tensor sequenceFirst = x.transpose(0, 1);
            Tensor context = attention.attend(sequenceFirst, module("keys").call(sequenceFirst),
                    module("values").call(sequenceFirst), null).context();
            return context.transpose(0, 1);
        }
    }
}
