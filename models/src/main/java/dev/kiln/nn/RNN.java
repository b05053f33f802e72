package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Elman recurrent network, like PyTorch's {@code torch.nn.RNN}: per step
 * {@code h' = act(W_ih x + b_ih + W_hh h + b_hh)} with act tanh (default) or ReLU. Shapes, parameters,
 * initialisation, lengths and directions as described in {@link Recurrent}.
 */
public class RNN extends Recurrent {
    private final boolean relu;

    /** One tanh layer, time-first, with biases. */
    public RNN(int inputSize, int hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private RNN(Builder b) {
        super("RNN", 1, false, b);
        this.relu = b.relu;
    }

    /** A builder for the options of {@link Recurrent.Builder} and the nonlinearity. */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /** "tanh" or "relu". */
    public String nonlinearity() {
        return relu ? "relu" : "tanh";
    }

    @Override
    F.SequenceOutput direction(Tensor input, int steps, int batch, Tensor h0, Tensor c0, String suffix, int[] lengths,
                               boolean reverse) {
        Tensor bias = param("bias_ih" + suffix) == null ? null : param("bias_ih" + suffix).add(param("bias_hh" + suffix));
        Tensor pre = F.linear(input, param("weight_ih" + suffix), bias).reshape(steps, batch, hiddenSize());
        return F.rnnSequence(pre, h0, param("weight_hh" + suffix), relu, lengths, reverse);
    }

    /** Options of an {@link RNN}. */
    public static final class Builder extends Recurrent.Builder<Builder, RNN> {
        private boolean relu;

        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        /** "tanh" (default) or "relu", PyTorch's {@code nonlinearity}. */
        public Builder nonlinearity(String name) {
            relu = switch (name) {
                case "tanh" -> false;
                case "relu" -> true;
                default -> throw new IllegalArgumentException("RNN: nonlinearity must be \"tanh\" or \"relu\", got \"" + name + "\"");
            };
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        public RNN build() {
            return new RNN(this);
        }
    }
}
