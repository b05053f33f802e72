package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * RNNCell, Softmax2d, ZeroPad1d, ZeroPad3d, RnnUtils.padSequence and F.scaledDotProductAttention: parameters and
 * initialisation, agreement with the layers they are steps of, gradient checks, and the errors for bad input.
 */
class RnnCellPaddingAttentionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(23);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    // ---- RNNCell

    @Test
    void rnnCellHasPyTorchsParametersDrawnWithinOneOverSqrtHidden() {
        try (RNNCell cell = new RNNCell(4, 9); RNNCell noBias = new RNNCell(4, 9, false, "relu")) {
            Map<String, Tensor> ps = cell.namedParameters();
            assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"), List.copyOf(ps.keySet()));
            assertArrayEquals(new int[] {9, 4}, ps.get("weight_ih").shape().dims());
            assertArrayEquals(new int[] {9, 9}, ps.get("weight_hh").shape().dims());
            assertArrayEquals(new int[] {9}, ps.get("bias_hh").shape().dims());
            for (Map.Entry<String, Tensor> e : ps.entrySet()) {
                for (double w : e.getValue().toDoubleArray()) {
                    assertTrue(Math.abs(w) <= 1 / 3.0, e.getKey() + " " + w);
                }
            }
            assertEquals(List.of("weight_ih", "weight_hh"), List.copyOf(noBias.namedParameters().keySet()));
            assertEquals("relu", noBias.nonlinearity());
        }
    }

    @Test
    void rnnCellIsOneStepOfAnRnnWithTheSameWeights() {
        for (String nonlinearity : List.of("tanh", "relu")) {
            try (RNNCell cell = (RNNCell) new RNNCell(3, 4, true, nonlinearity).to(DType.F64);
                 RNN rnn = (RNN) RNN.builder(3, 4).nonlinearity(nonlinearity).build().to(DType.F64)) {
                for (Map.Entry<String, Tensor> e : cell.namedParameters().entrySet()) {
                    Tensors.set(rnn.namedParameters().get(e.getKey() + "_l0"), e.getValue().toDoubleArray());
                }
                Tensor x = Tensor.randn(DType.F64, 2, 3);
                Tensor h = Tensor.randn(DType.F64, 2, 4);
                RecurrentOutput layer = rnn.forward(x.unsqueeze(0), RecurrentState.of(h.unsqueeze(0)));
                Tensors.assertValues(layer.hN().toDoubleArray(), cell.forward(x, h), 1e-12);
            }
        }
    }

    @Test
    void rnnCellStartsFromAZeroStateBatchedOrNot() {
        try (RNNCell cell = (RNNCell) new RNNCell(3, 4).to(DType.F64)) {
            Tensor x = Tensor.randn(DType.F64, 2, 3);
            assertArrayEquals(cell.forward(x, Tensor.zeros(DType.F64, 2, 4)).toDoubleArray(), cell.forward(x).toDoubleArray(), 0);
            Tensor one = Tensor.randn(DType.F64, 3);
            Tensor y = cell.forward(one);
            assertArrayEquals(new int[] {4}, y.shape().dims());
            assertArrayEquals(cell.forward(one.unsqueeze(0)).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void rnnCellGradientsMatchFiniteDifferences() {
        for (String nonlinearity : List.of("tanh", "relu")) {
            try (RNNCell cell = (RNNCell) new RNNCell(3, 4, true, nonlinearity).to(DType.F64)) {
                Tensor x = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
                Tensor h = Tensor.randn(DType.F64, 2, 4).requiresGrad(true);
                Map<String, Tensor> ps = cell.namedParameters();
                GradCheck.check("RNNCell " + nonlinearity, in -> cell.forward(in[0], in[1]), x, h, ps.get("weight_ih"),
                        ps.get("weight_hh"), ps.get("bias_ih"), ps.get("bias_hh"));
            }
        }
    }

    @Test
    void rnnCellNamesItselfAndTheExpectedAndActualShapes() {
        try (RNNCell cell = new RNNCell(4, 5)) {
            assertEquals("RNNCell(4, 5): input [2, 3] must be [batch, 4] or [4]", message(() -> cell.forward(Tensor.zeros(2, 3))));
            assertEquals("RNNCell(4, 5): state h [3, 5] must be [2, 5] for input [2, 4]",
                    message(() -> cell.forward(Tensor.zeros(2, 4), Tensor.zeros(3, 5))));
            assertEquals("RNNCell(4, 5): state h [1, 5] must be [5] for input [4]",
                    message(() -> cell.forward(Tensor.zeros(4), Tensor.zeros(1, 5))));
            assertEquals("RNNCell: nonlinearity must be \"tanh\" or \"relu\", got \"gelu\"",
                    message(() -> new RNNCell(4, 5, true, "gelu")));
        }
    }

    // ---- Softmax2d, ZeroPad1d, ZeroPad3d

    @Test
    void softmax2dSumsToOneOverTheChannelsAtEachLocation() {
        Tensor y = new Softmax2d().forward(Tensor.randn(DType.F64, 2, 3, 4, 5));
        Tensors.assertValues(Tensor.ones(DType.F64, 2, 1, 4, 5).toDoubleArray(), y.sum(1, true), 1e-12);
    }

    @Test
    void softmax2dNamesAnInputOfAnotherRank() {
        assertEquals("Softmax2d(): input [2, 3] must be [batch, channels, height, width] or [channels, height, width]",
                message(() -> new Softmax2d().forward(Tensor.zeros(2, 3))));
    }

    @Test
    void zeroPadsGrowTheirAxesByTheAmountsAndNameAWrongCount() {
        assertArrayEquals(new int[] {2, 7}, new ZeroPad1d(new int[] {2, 1}).forward(Tensor.ones(2, 4)).shape().dims());
        assertArrayEquals(new int[] {1, 4, 5, 6}, new ZeroPad3d(1).forward(Tensor.ones(1, 2, 3, 4)).shape().dims());
        assertEquals("ZeroPad1d((2, 1))", new ZeroPad1d(new int[] {2, 1}).toString());
        assertEquals("ZeroPad3d: padding must hold 6 amounts (left, right, top, bottom, front, back), got [1, 1]",
                message(() -> new ZeroPad3d(new int[] {1, 1})));
    }

    // ---- padSequence

    @Test
    void padSequenceNamesTheSequenceThatDoesNotFit() {
        Tensor a = Tensor.zeros(3, 2);
        assertEquals("padSequence: needs at least one sequence", message(() -> RnnUtils.padSequence(List.of(), false, 0)));
        assertEquals("padSequence: sequence 1 [2, 3] must be [L, 2] like sequence 0 [3, 2]",
                message(() -> RnnUtils.padSequence(List.of(a, Tensor.zeros(2, 3)), false, 0)));
        assertEquals("padSequence: sequence 1 is F64, sequence 0 F32",
                message(() -> RnnUtils.padSequence(List.of(a, Tensor.zeros(DType.F64, 1, 2)), true, 0)));
    }

    @Test
    void padSequenceOfOneDimensionalSequencesGivesTimeByBatch() {
        Tensor y = RnnUtils.padSequence(List.of(Tensor.ones(3), Tensor.ones(1)), false, 9);
        assertArrayEquals(new double[] {1, 1, 1, 9, 1, 9}, y.toDoubleArray(), 0);
    }

    // ---- scaledDotProductAttention

    @Test
    void scaledDotProductAttentionIsTheScaledDotProductAttentionLayerOnThreeDimensionalInputs() {
        Tensor q = Tensor.randn(DType.F64, 2, 3, 4);
        Tensor k = Tensor.randn(DType.F64, 2, 5, 4);
        Tensor v = Tensor.randn(DType.F64, 2, 5, 6);
        Tensor expected = new DotProductAttention(true).attend(q, k, v, null).context();
        Tensors.assertValues(expected.toDoubleArray(), F.scaledDotProductAttention(q, k, v, null, 0, false), 1e-12);
    }

    @Test
    void scaledDotProductAttentionGradientsMatchFiniteDifferences() {
        Tensor q = Tensor.randn(DType.F64, 2, 2, 3, 4).requiresGrad(true);
        Tensor k = Tensor.randn(DType.F64, 2, 2, 5, 4).requiresGrad(true);
        Tensor v = Tensor.randn(DType.F64, 2, 2, 5, 3).requiresGrad(true);
        Tensor mask = Tensor.randn(DType.F64, 1, 3, 5).requiresGrad(true);
        GradCheck.check("scaledDotProductAttention", in -> F.scaledDotProductAttention(in[0], in[1], in[2], in[3], 0, false),
                q, k, v, mask);
        GradCheck.check("scaledDotProductAttention causal", in -> F.scaledDotProductAttention(in[0], in[1], in[2], null, 0, true),
                q, k, v);
    }

    @Test
    void scaledDotProductAttentionDropsAttentionWeightsWithTheDrawnMask() {
        Tensor q = Tensor.randn(DType.F64, 3, 4);
        Tensor k = Tensor.randn(DType.F64, 5, 4);
        Tensor v = Tensor.randn(DType.F64, 5, 2);
        long seed = Engine.get().seed();
        long counter = Engine.get().counter();
        Tensor y = F.scaledDotProductAttention(q, k, v, null, 0.4, false);
        Engine.restoreRandomState(seed, counter);
        Tensor weights = F.softmax(q.matmul(k.transpose(0, 1)).mul(0.5), -1);
        Tensor expected = F.dropout(weights, 0.4, true).matmul(v);
        Tensors.assertValues(expected.toDoubleArray(), y, 1e-12);
    }

    @Test
    void scaledDotProductAttentionNamesTheShapesThatDoNotFit() {
        Tensor q = Tensor.zeros(2, 3, 4);
        Tensor k = Tensor.zeros(2, 5, 4);
        Tensor v = Tensor.zeros(2, 5, 6);
        assertEquals("scaledDotProductAttention: query [2, 3, 4] and key [2, 5, 3] must have the same last dimension E",
                message(() -> F.scaledDotProductAttention(q, Tensor.zeros(2, 5, 3), v, null, 0, false)));
        assertEquals("scaledDotProductAttention: key [2, 5, 4] and value [2, 4, 6] must have the same length S (dimension -2)",
                message(() -> F.scaledDotProductAttention(q, k, Tensor.zeros(2, 4, 6), null, 0, false)));
        assertEquals("scaledDotProductAttention: query [2, 3, 4], key [1, 5, 4] and value [2, 5, 6] must have the same leading axes",
                message(() -> F.scaledDotProductAttention(q, Tensor.zeros(1, 5, 4), v, null, 0, false)));
        assertEquals("scaledDotProductAttention: attnMask [3, 4] must broadcast to the scores [2, 3, 5] [..., L, S]",
                message(() -> F.scaledDotProductAttention(q, k, v, Tensor.zeros(3, 4), 0, false)));
        assertEquals("scaledDotProductAttention: give either attnMask [3, 5] or isCausal, not both (as PyTorch)",
                message(() -> F.scaledDotProductAttention(q, k, v, Tensor.zeros(3, 5), 0, true)));
        assertEquals("scaledDotProductAttention: dropoutP must be in [0, 1), got 1.0",
                message(() -> F.scaledDotProductAttention(q, k, v, null, 1, false)));
    }
}
