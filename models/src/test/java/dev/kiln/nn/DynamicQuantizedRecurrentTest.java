package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DynamicQuantizedLSTM} and {@link DynamicQuantizedGRU} as modules, and {@link Quantization#quantizeDynamic}
 * on recurrent layers: closeness to the F32 layer, packed sequences, refusals of bad input, gradients and copies, the
 * state dict, memory freed on close. Their values against PyTorch are {@link DynamicQuantizedRecurrentPyTorchParityTest}'s.
 */
class DynamicQuantizedRecurrentTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(5);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static double largestDifference(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertEquals(x.length, y.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    @Test
    void closeToTheFloatLstmAndGru() {
        // Inputs of range 8 quantise in steps of 8/127 and weights below 1/sqrt(32) in steps of about 1/1440: each of
        // the 16 + 32 products of a gate moves by at most |w| s_x / 2 + |x| s_w / 2, about 0.009 and 0.004, so a
        // pre-activation by at most 0.4 and typically by sqrt(48) times a fifth of that, 0.05; the gates' slopes are 1
        // at most. 0.1 leaves room for that to carry over 6 steps; a lost zero point or scale is off by whole units.
        try (LSTM lstm = LSTM.builder(16, 32).layers(2).build(); GRU gru = GRU.builder(16, 32).bidirectional(true).build();
             DynamicQuantizedLSTM qLstm = DynamicQuantizedLSTM.from(lstm);
             DynamicQuantizedGRU qGru = DynamicQuantizedGRU.from(gru); Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, 6, 4, 16).mul(2);
            RecurrentOutput exact = lstm.forward(x, null);
            RecurrentOutput quantised = qLstm.forward(x, null);
            assertTrue(largestDifference(exact.output(), quantised.output()) < 0.1, "LSTM output");
            assertTrue(largestDifference(exact.cN(), quantised.cN()) < 0.1, "LSTM c_n");
            assertTrue(largestDifference(gru.forward(x), qGru.forward(x)) < 0.1, "GRU output");
        }
    }

    @Test
    void aPackedSequenceRunsAsThePaddedBatchWithItsLengths() {
        try (LSTM lstm = LSTM.builder(3, 5).bidirectional(true).build(); DynamicQuantizedLSTM q = DynamicQuantizedLSTM.from(lstm);
             Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, 4, 3, 3);
            int[] lengths = {2, 4, 1};
            RecurrentOutput padded = q.forward(x, null, lengths);
            PackedRecurrentOutput packed = q.forward(RnnUtils.packPaddedSequence(x, lengths, false, false));
            Tensor unpacked = RnnUtils.padPackedSequence(packed.output(), false).padded();
            assertArrayEquals(padded.output().toFloatArray(), unpacked.toFloatArray());
            assertArrayEquals(padded.hN().toFloatArray(), packed.hN().toFloatArray());
            Tensor garbage = x.maskedFill(Tensor.fromArray(new float[] {0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1}, 4, 3, 1),
                    Double.NaN);
            assertArrayEquals(padded.output().toFloatArray(), q.forward(garbage, null, lengths).output().toFloatArray(),
                    "padding, NaN here, changes nothing");
            float[] out = padded.output().toFloatArray();
            for (int f = 0; f < 10; f++) {
                assertEquals(0f, out[(3 * 3 + 2) * 10 + f], "output past the third sequence's single step");
            }
        }
    }

    @Test
    void aLayerWithoutBiasQuantisesToo() {
        try (GRU gru = GRU.builder(4, 6).bias(false).build(); DynamicQuantizedGRU q = DynamicQuantizedGRU.from(gru);
             Autograd.Guard g = Autograd.noGrad()) {
            assertTrue(q.stateDict().isEmpty(), "no biases to keep");
            Tensor x = Tensor.randn(DType.F32, 3, 2, 4);
            assertTrue(largestDifference(gru.forward(x), q.forward(x)) < 0.05);
        }
    }

    @Test
    void badInputIsRefusedWithTheExpectedShape() {
        try (LSTM lstm = LSTM.builder(3, 4).batchFirst(true).build(); DynamicQuantizedLSTM q = DynamicQuantizedLSTM.from(lstm);
             Autograd.Guard g = Autograd.noGrad()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.forward(Tensor.zeros(DType.F32, 2, 5, 7)));
            assertEquals("DynamicQuantizedLSTM(3, 4, batch_first=True): input [2, 5, 7] must be [batch, time, 3]",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> q.forward(Tensor.zeros(DType.F64, 2, 5, 3)));
            assertTrue(e.getMessage().contains("input is F64 but the parameters are F32"), e.getMessage());
            Tensor x = Tensor.zeros(DType.F32, 2, 5, 3);
            e = assertThrows(IllegalArgumentException.class,
                    () -> q.forward(x, RecurrentState.of(Tensor.zeros(DType.F32, 1, 2, 4))));
            assertTrue(e.getMessage().contains("initial c is missing, expected [1, 2, 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> q.packedWeight("weight_ih_l1"));
            assertTrue(e.getMessage().contains("no weight 'weight_ih_l1'"), e.getMessage());
        }
    }

    @Test
    void refusesALayerThatIsNotF32OrHasComputedWeights() {
        try (GRU gru = (GRU) new GRU(3, 4).to(DType.F64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DynamicQuantizedGRU.from(gru));
            assertEquals("DynamicQuantizedGRU.from(GRU(3, 4)): the parameters are F64, expected F32; convert the layer"
                    + " with to(DType.F32) first", e.getMessage());
        }
        try (LSTM lstm = WeightNorm.apply(new LSTM(3, 4), "weight_hh_l0", 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DynamicQuantizedLSTM.from(lstm));
            assertTrue(e.getMessage().contains("is computed"), e.getMessage());
        }
    }

    @Test
    void refusesAnInputOrInitialStateThatNeedsAGradient() {
        try (LSTM lstm = new LSTM(3, 4); DynamicQuantizedLSTM q = DynamicQuantizedLSTM.from(lstm)) {
            Tensor x = Tensor.randn(DType.F32, 2, 1, 3);
            Tensor h = Tensor.zeros(DType.F32, 1, 1, 4);
            Tensor c = Tensor.zeros(DType.F32, 1, 1, 4).requiresGrad(true);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> q.forward(x, new RecurrentState(h, c)));
            assertTrue(e.getMessage().contains("no backward pass"), e.getMessage());
            assertTrue(e.getMessage().contains("initial c requires a gradient"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> q.forward(x.requiresGrad(true)));
            assertTrue(q.parameters().isEmpty(), "a quantised layer has no trainable parameters");
        }
    }

    @Test
    void quantizeDynamicReplacesLstmAndGruAndKeepsTheirBiases() {
        try (Sequential model = new Sequential(LSTM.builder(4, 6).bidirectional(true).build(), new GRU(12, 3),
                new Linear(3, 2))) {
            Sequential quantised = (Sequential) Quantization.quantizeDynamic(model);
            try {
                assertInstanceOf(DynamicQuantizedLSTM.class, quantised.get(0));
                assertInstanceOf(DynamicQuantizedGRU.class, quantised.get(1));
                assertInstanceOf(DynamicQuantizedLinear.class, quantised.get(2));
                assertEquals(List.of("0.ih_l0.bias", "0.hh_l0.bias", "0.ih_l0_reverse.bias", "0.hh_l0_reverse.bias",
                        "1.ih_l0.bias", "1.hh_l0.bias", "2.bias"), List.copyOf(quantised.stateDict().keySet()));
                assertArrayEquals(model.get(0).namedParameters().get("bias_hh_l0_reverse").toFloatArray(),
                        quantised.stateDict().get("0.hh_l0_reverse.bias").toFloatArray());
                try (Autograd.Guard g = Autograd.noGrad()) {
                    assertArrayEquals(new int[] {5, 2, 2}, quantised.forward(Tensor.randn(DType.F32, 5, 2, 4)).shape().dims());
                }
                IllegalStateException e = assertThrows(IllegalStateException.class, quantised::copy);
                assertTrue(e.getMessage().contains("quantise a copy of the F32 model"), e.getMessage());
            } finally {
                quantised.close();
            }
            assertTrue(((DynamicQuantizedLSTM) quantised.get(0)).packedWeight("weight_hh_l0_reverse").isClosed(),
                    "closing the model frees the packed weights");
        }
    }

    @Test
    void closingTheQuantisedModelFreesEverything() {
        try (Sequential model = new Sequential(LSTM.builder(8, 16).layers(2).build())) {
            BytesInUse.settle();
            long before = Engine.get().backend().bytesInUse();
            try (Scope s = Scope.open()) {
                Module quantised = Quantization.quantizeDynamic(model);
                try (Autograd.Guard g = Autograd.noGrad()) {
                    quantised.forward(Tensor.randn(DType.F32, 3, 2, 8));
                }
                quantised.close();
            }
            assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after closing the quantised copy");
        }
    }

    @Test
    void aStepMakesNoTensorsThatOutliveTheForwardPass() {
        try (GRU gru = new GRU(8, 16); DynamicQuantizedGRU q = DynamicQuantizedGRU.from(gru);
             Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, 20, 2, 8);
            q.forward(x, null, new int[] {20, 7});
            // The first call may leave the backend's caches for these batch sizes; the second adds only its results.
            BytesInUse.settle();
            long before = Engine.get().backend().bytesInUse();
            RecurrentOutput out = q.forward(x, null, new int[] {20, 7});
            long kept = Engine.get().backend().bytesInUse() - before;
            assertEquals(4L * (20 * 2 * 16 + 2 * 16), kept, "bytes kept: the output [20, 2, 16] and h_n [1, 2, 16]");
            assertNull(out.cN());
        }
    }

    @Test
    void quantizeDynamicReplacesTheCellsAndLeavesRnnInF32() {
        try (Sequential model = new Sequential(new LSTMCell(4, 6), new GRUCell(6, 6), new RNNCell(6, 3, false, "relu"),
                new RNN(3, 3))) {
            Sequential quantised = (Sequential) Quantization.quantizeDynamic(model);
            try (Autograd.Guard g = Autograd.noGrad()) {
                assertInstanceOf(DynamicQuantizedLSTMCell.class, quantised.get(0));
                assertInstanceOf(DynamicQuantizedGRUCell.class, quantised.get(1));
                DynamicQuantizedRNNCell rnnCell = assertInstanceOf(DynamicQuantizedRNNCell.class, quantised.get(2));
                assertEquals("DynamicQuantizedRNNCell(6, 3, nonlinearity=relu)", rnnCell.toString());
                assertInstanceOf(RNN.class, quantised.get(3), "PyTorch's quantize_dynamic leaves nn.RNN in F32 too");
                assertEquals(List.of("0.ih.bias", "0.hh.bias", "1.ih.bias", "1.hh.bias", "3.weight_ih_l0",
                        "3.weight_hh_l0", "3.bias_ih_l0", "3.bias_hh_l0"), List.copyOf(quantised.stateDict().keySet()));
                Tensor x = Tensor.randn(DType.F32, 5, 4);
                Tensor h = quantised.get(0).forward(x);
                assertTrue(largestDifference(model.get(0).forward(x), h) < 0.05, "LSTMCell h'");
                assertTrue(largestDifference(model.get(1).forward(h), quantised.get(1).forward(h)) < 0.05, "GRUCell h'");
            } finally {
                quantised.close();
            }
        }
    }

    @Test
    void cellsRefuseBadShapesGradientsAndOtherDtypes() {
        try (GRUCell cell = new GRUCell(3, 4); DynamicQuantizedGRUCell q = DynamicQuantizedGRUCell.from(cell);
             LSTMCell lstmCell = new LSTMCell(3, 4); DynamicQuantizedLSTMCell qLstm = DynamicQuantizedLSTMCell.from(lstmCell)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.forward(Tensor.zeros(DType.F32, 2, 5)));
            assertEquals("DynamicQuantizedGRUCell(3, 4): input [2, 5] must be [batch, 3]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> qLstm.forward(Tensor.zeros(DType.F32, 2, 3), Tensor.zeros(DType.F32, 2, 4), Tensor.zeros(DType.F32, 3, 4)));
            assertEquals("DynamicQuantizedLSTMCell(3, 4): state c [3, 4] must be [2, 4]", e.getMessage());
            Tensor h = Tensor.zeros(DType.F32, 2, 4).requiresGrad(true);
            IllegalStateException s = assertThrows(IllegalStateException.class,
                    () -> q.forward(Tensor.zeros(DType.F32, 2, 3), h));
            assertTrue(s.getMessage().contains("state h requires a gradient"), s.getMessage());
        }
        try (RNNCell cell = (RNNCell) new RNNCell(3, 4).to(DType.F64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DynamicQuantizedRNNCell.from(cell));
            assertTrue(e.getMessage().contains("the parameters are F64, expected F32"), e.getMessage());
        }
    }

    /**
     * to(F64) made the int8 layers' biases F64 beside their F32-only int8 weights, after which every forward failed,
     * each message asking to convert the other way: the conversion is refused up front, nothing converted.
     */
    @Test
    void toAnotherDtypeIsRefusedAndConvertsNothing() {
        Linear head = new Linear(4, 2);
        try (LSTM lstm = LSTM.builder(3, 4).build();
             Sequential model = new Sequential(DynamicQuantizedLSTM.from(lstm), head)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.to(DType.F64));
            assertTrue(e.getMessage().startsWith("to(F64): '0.ih_l0' is DynamicQuantizedLinear(in_features=3, out_features=16")
                    && e.getMessage().contains("F32 only"), e.getMessage());
            assertEquals(DType.F32, head.weight().dtype());
            model.to(DType.F32);
            try (Autograd.Guard g = Autograd.noGrad()) {
                RecurrentOutput out = ((DynamicQuantizedLSTM) model.get(0)).forward(Tensor.randn(5, 2, 3), null);
                assertEquals(DType.F32, out.output().dtype());
            }
        }
    }
}
