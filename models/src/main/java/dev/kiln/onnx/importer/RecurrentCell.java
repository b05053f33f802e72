package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * One time step of ONNX's RNN, LSTM and GRU operators, in ONNX's gate order, composed of public Tensor ops so that
 * autograd and every backend run it. The input's share of the gates, {@code x W^T + Wb} [batch, gates * hidden], is
 * computed for all steps at once by {@link RecurrentConverter}; a step adds the hidden state's share
 * {@code h R^T + Rb}.
 */
enum RecurrentCell {
    /** H = f(x W^T + Wb + h R^T + Rb), f tanh or ReLU. */
    RNN(1),
    /**
     * Gates i, o, f, c: C = f * C + i * c, H = o * tanh(C), i, o, f sigmoid and c tanh; with peepholes
     * (p_i, p_o, p_f) the input and forget gates add p_i * C and p_f * C of the previous cell state, the output gate
     * p_o * C of the new one.
     */
    LSTM(4),
    /**
     * Gates z, r, h with {@code linear_before_reset=1}, as PyTorch's GRU: n = tanh(x Wh^T + Wbh + r * (h Rh^T + Rbh)),
     * H = (1 - z) * n + z * h.
     */
    GRU(3);

    /** The hidden and (LSTM) cell state after a step; {@code c} null but for LSTM. */
    record State(Tensor h, Tensor c) {
    }

    private final int gates;

    RecurrentCell(int gates) {
        this.gates = gates;
    }

    /** Gate blocks per direction: W is [directions, gates * hidden, input]. */
    int gates() {
        return gates;
    }

    /**
     * The state after one step.
     *
     * @param inputGates {@code x W^T + Wb} of this step, [batch, gates * hidden]
     * @param r the recurrence weights of one direction, [gates * hidden, hidden]
     * @param rb the recurrence bias of one direction, [gates * hidden], or null
     * @param relu an RNN's activation: ReLU where true, else tanh
     * @param peepholes an LSTM's peephole weights of one direction, [3 * hidden] (p_i, p_o, p_f), or null
     */
    State step(Tensor inputGates, State state, Tensor r, Tensor rb, boolean relu, Tensor peepholes) {
        Tensor hiddenGates = state.h().matmul(r.t());
        if (rb != null) {
            hiddenGates = hiddenGates.add(rb);
        }
        return switch (this) {
            case RNN -> {
                Tensor sum = inputGates.add(hiddenGates);
                yield new State(relu ? sum.relu() : sum.tanh(), null);
            }
            case LSTM -> lstm(inputGates.add(hiddenGates), state.c(), peepholes);
            case GRU -> gru(inputGates, hiddenGates, state.h());
        };
    }

    private static State lstm(Tensor gates, Tensor c, Tensor peepholes) {
        List<Tensor> g = gates.chunk(4, 1);
        List<Tensor> p = peepholes == null ? null : peepholes.chunk(3, 0);
        Tensor input = p == null ? g.get(0) : g.get(0).add(p.get(0).mul(c));
        Tensor forget = p == null ? g.get(2) : g.get(2).add(p.get(2).mul(c));
        Tensor cell = forget.sigmoid().mul(c).add(input.sigmoid().mul(g.get(3).tanh()));
        Tensor output = p == null ? g.get(1) : g.get(1).add(p.get(1).mul(cell));
        return new State(output.sigmoid().mul(cell.tanh()), cell);
    }

    private static State gru(Tensor inputGates, Tensor hiddenGates, Tensor h) {
        List<Tensor> x = inputGates.chunk(3, 1);
        List<Tensor> hs = hiddenGates.chunk(3, 1);
        Tensor z = x.get(0).add(hs.get(0)).sigmoid();
        Tensor reset = x.get(1).add(hs.get(1)).sigmoid();
        Tensor n = x.get(2).add(reset.mul(hs.get(2))).tanh();
        return new State(n.add(z.mul(h.sub(n))), null);
    }
}
