package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecurrentCellTest {
    @BeforeEach
    void seed() {
        Engine.seed(11);
    }

    @Test
    void lstmCellIsOneStepOfAnLstmWithTheSameWeights() {
        try (Scope s = Scope.open()) {
            LSTMCell cell = (LSTMCell) new LSTMCell(3, 4).to(DType.F64);
            LSTM lstm = (LSTM) LSTM.builder(3, 4).build().to(DType.F64);
            copyWeights(cell, lstm);
            Tensor x = Tensor.randn(DType.F64, 2, 3);
            Tensor h = Tensor.randn(DType.F64, 2, 4);
            Tensor c = Tensor.randn(DType.F64, 2, 4);
            F.LstmState step = cell.forward(x, h, c);
            RecurrentOutput layer = lstm.forward(x.unsqueeze(0), new RecurrentState(h.unsqueeze(0), c.unsqueeze(0)));
            Tensors.assertValues(layer.hN().toDoubleArray(), step.h(), 1e-12);
            Tensors.assertValues(layer.cN().toDoubleArray(), step.c(), 1e-12);
        }
    }

    @Test
    void gruCellIsOneStepOfAGruWithTheSameWeights() {
        try (Scope s = Scope.open()) {
            GRUCell cell = (GRUCell) new GRUCell(3, 4).to(DType.F64);
            GRU gru = (GRU) GRU.builder(3, 4).build().to(DType.F64);
            copyWeights(cell, gru);
            Tensor x = Tensor.randn(DType.F64, 2, 3);
            Tensor h = Tensor.randn(DType.F64, 2, 4);
            Tensor step = cell.forward(x, h);
            RecurrentOutput layer = gru.forward(x.unsqueeze(0), RecurrentState.of(h.unsqueeze(0)));
            Tensors.assertValues(layer.hN().toDoubleArray(), step, 1e-12);
        }
    }

    @Test
    void cellGradientsMatchFiniteDifferences() {
        try (Scope s = Scope.open()) {
            LSTMCell lstm = (LSTMCell) new LSTMCell(2, 3).to(DType.F64);
            GRUCell gru = (GRUCell) new GRUCell(2, 3).to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2).requiresGrad(true);
            Tensor h = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            Tensor c = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            GradCheck.check("LSTMCell", in -> {
                F.LstmState st = lstm.forward(in[0], in[1], in[2]);
                return st.h().add(st.c());
            }, x, h, c, lstm.namedParameters().get("weight_ih"), lstm.namedParameters().get("weight_hh"),
                    lstm.namedParameters().get("bias_hh"));
            GradCheck.check("GRUCell", in -> gru.forward(in[0], in[1]), x, h, gru.namedParameters().get("weight_ih"),
                    gru.namedParameters().get("weight_hh"), gru.namedParameters().get("bias_hh"));
        }
    }

    /** The cell's weight_ih etc. into the layer's weight_ih_l0 etc. */
    private static void copyWeights(Module cell, Recurrent layer) {
        Map<String, Tensor> from = cell.namedParameters();
        Map<String, Tensor> to = layer.namedParameters();
        for (String name : from.keySet()) {
            Tensors.set(to.get(name + "_l0"), from.get(name).toDoubleArray());
        }
    }

    @Test
    void aMissingStateIsRefusedNamingTheCell() {
        try (Scope s = Scope.open(); LSTMCell lstm = new LSTMCell(3, 4); GRUCell gru = new GRUCell(3, 4)) {
            Tensor x = Tensor.randn(2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lstm.forward(x, Tensor.zeros(2, 4), null));
            assertTrue(e.getMessage().contains("LSTMCell(3, 4): states h [2, 4] and c null must be [2, 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> gru.forward(x, null));
            assertTrue(e.getMessage().contains("GRUCell(3, 4): state h null must be [2, 4]"), e.getMessage());
        }
    }
}
