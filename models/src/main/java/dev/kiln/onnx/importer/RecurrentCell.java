package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * One time step of ONNX's RNN, LSTM and GRU operators, in ONNX's gate order, composed of public Tensor ops so that
 * autograd and every backend run it. The input's share of the gates, {@code x W^T + Wb} [batch, gates * hidden], is
 * computed for all steps at once by {@link RecurrentConverter}; a step adds the hidden state's share
 * {@code h R^T + Rb}. With a {@code clip}, each activation's input is clamped to [-clip, clip] first (the cell
 * state's, as ONNX Runtime's, is not).
 */
enum RecurrentCell {
    /** H = f(x W^T + Wb + h R^T + Rb), f tanh by default. */
    RNN(1),
    /**
     * Gates i, o, f, c: C = f * C + i * c, H = o * h(C), i, o, f of activation f (sigmoid by default), c of g and h
     * (tanh by default); with peepholes
     * (p_i, p_o, p_f) the input and forget gates add p_i * C and p_f * C of the previous cell state, the output gate
     * p_o * C of the new one; with input_forget f = 1 - i.
     */
    LSTM(4),
    /**
     * Gates z, r, h: n = g(x Wh^T + Wbh + r * (h Rh^T + Rbh)) with {@code linear_before_reset=1} (PyTorch's GRU),
     * n = g(x Wh^T + Wbh + (r * h) Rh^T + Rbh) with 0 (ONNX's default, TensorFlow's); H = (1 - z) * n + z * h; z and r
     * of activation f (sigmoid by default), g tanh by default.
     */
    GRU(3);

    /** The hidden and (LSTM) cell state after a step; {@code c} null but for LSTM. */
    record State(Tensor h, Tensor c) {
    }

    /**
     * A node's form in one direction.
     *
     * @param activations the direction's activations f (RNN), f, g (GRU) or f, g, h (LSTM)
     * @param peepholes an LSTM's peephole weights of the direction, [3 * hidden] (p_i, p_o, p_f), or null
     * @param coupled an LSTM's input_forget: the forget gate 1 - the input gate
     * @param resetAfter a GRU's linear_before_reset
     * @param clip the bound of the activations' inputs, or infinity for none
     */
    record Form(List<RecurrentActivation> activations, Tensor peepholes, boolean coupled, boolean resetAfter,
            double clip) {
        Tensor clipped(Tensor t) {
            return Double.isInfinite(clip) ? t : t.clamp(-clip, clip);
        }

        /** Activation k (0 f, 1 g, 2 h) of {@code t} clipped. */
        Tensor activation(int k, Tensor t) {
            return activations.get(k).apply(clipped(t));
        }
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
     */
    State step(Tensor inputGates, State state, Tensor r, Tensor rb, Form form) {
        if (this == GRU && !form.resetAfter()) {
            return gruResetFirst(inputGates, state.h(), r, rb, form);
        }
        Tensor hiddenGates = state.h().matmul(r.t());
        if (rb != null) {
            hiddenGates = hiddenGates.add(rb);
        }
        return switch (this) {
            case RNN -> {
                yield new State(form.activation(0, inputGates.add(hiddenGates)), null);
            }
            case LSTM -> lstm(inputGates.add(hiddenGates), state.c(), form);
            case GRU -> gru(inputGates, hiddenGates, state.h(), form);
        };
    }

    private static State lstm(Tensor gates, Tensor c, Form form) {
        List<Tensor> g = gates.chunk(4, 1);
        List<Tensor> p = form.peepholes() == null ? null : form.peepholes().chunk(3, 0);
        Tensor input = form.activation(0, p == null ? g.get(0) : g.get(0).add(p.get(0).mul(c)));
        Tensor forget = form.coupled() ? input.neg().add(1)
                : form.activation(0, p == null ? g.get(2) : g.get(2).add(p.get(2).mul(c)));
        Tensor cell = forget.mul(c).add(input.mul(form.activation(1, g.get(3))));
        Tensor output = form.activation(0, p == null ? g.get(1) : g.get(1).add(p.get(1).mul(cell)));
        // ONNX clips the activations' inputs, not the cell state that h reads.
        return new State(output.mul(form.activations().get(2).apply(cell)), cell);
    }

    private static State gru(Tensor inputGates, Tensor hiddenGates, Tensor h, Form form) {
        List<Tensor> x = inputGates.chunk(3, 1);
        List<Tensor> hs = hiddenGates.chunk(3, 1);
        Tensor z = form.activation(0, x.get(0).add(hs.get(0)));
        Tensor reset = form.activation(0, x.get(1).add(hs.get(1)));
        Tensor n = form.activation(1, x.get(2).add(reset.mul(hs.get(2))));
        return new State(n.add(z.mul(h.sub(n))), null);
    }

    /** GRU with linear_before_reset 0: the reset gate scales the hidden state before its product with Rh. */
    private static State gruResetFirst(Tensor inputGates, Tensor h, Tensor r, Tensor rb, Form form) {
        List<Tensor> x = inputGates.chunk(3, 1);
        List<Tensor> weights = r.chunk(3, 0);
        List<Tensor> biases = rb == null ? null : rb.chunk(3, 0);
        Tensor z = form.activation(0, x.get(0).add(recurrence(h, weights.get(0), biases, 0)));
        Tensor reset = form.activation(0, x.get(1).add(recurrence(h, weights.get(1), biases, 1)));
        Tensor n = form.activation(1, x.get(2).add(recurrence(reset.mul(h), weights.get(2), biases, 2)));
        return new State(n.add(z.mul(h.sub(n))), null);
    }

    /** {@code h R_k^T + Rb_k} of gate k, without the bias where there is none. */
    private static Tensor recurrence(Tensor h, Tensor weight, List<Tensor> biases, int k) {
        Tensor product = h.matmul(weight.t());
        return biases == null ? product : product.add(biases.get(k));
    }
}
