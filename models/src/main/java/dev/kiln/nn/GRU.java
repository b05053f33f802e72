package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Gated recurrent unit, like PyTorch's {@code torch.nn.GRU}: per step, with gates in PyTorch's order r, z, n
 * (rows of the weights and biases in that order, hidden-size blocks each),
 * <pre>
 * r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  h' = (1 - z) * n + z * h
 * </pre>
 * Shapes, parameters, initialisation, lengths and directions as described in {@link Recurrent}.
 */
public class GRU extends Recurrent {

    /** One layer, time-first, with biases. */
    public GRU(int inputSize, int hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private GRU(Builder b) {
        super("GRU", 3, false, b);
    }

    /** A builder for the options of {@link Recurrent.Builder}. */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    @Override
    F.SequenceOutput direction(Tensor input, int steps, int batch, Tensor h0, Tensor c0, String suffix, int[] lengths,
                               boolean reverse) {
        Tensor gates = F.linear(input, param("weight_ih" + suffix), param("bias_ih" + suffix))
                .reshape(steps, batch, 3 * hiddenSize());
        return F.gruSequence(gates, h0, param("weight_hh" + suffix), param("bias_hh" + suffix), lengths, reverse);
    }

    /** Options of a {@link GRU}. */
    public static final class Builder extends Recurrent.Builder<Builder, GRU> {
        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        public GRU build() {
            return new GRU(this);
        }
    }
}
