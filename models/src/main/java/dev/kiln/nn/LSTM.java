package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Long short-term memory, like PyTorch's {@code torch.nn.LSTM}: per step, with gates in PyTorch's order
 * i, f, g, o (rows of the weights and biases in that order, hidden-size blocks each),
 * <pre>
 * i, f, o = sigmoid(W_i* x + b_i* + W_h* h + b_h*)     g = tanh(W_ig x + b_ig + W_hg h + b_hg)
 * c' = f * c + i * g                                   h' = o * tanh(c')
 * </pre>
 * Shapes, parameters, lengths and directions as described in {@link Recurrent}; {@link #forward(Tensor,
 * RecurrentState, int[])} returns the output sequence with h_n and c_n.
 *
 * <p>Initialisation: PyTorch's (every parameter uniform in +-1/sqrt(hidden)), except that the forget gate
 * starts open by default: its block of {@code bias_ih} is set to {@link Builder#forgetBias(double)} (1 unless
 * changed) and its block of {@code bias_hh} to 0, so the two sum to that value (Jozefowicz et al., 2015;
 * Keras' {@code unit_forget_bias}). {@code forgetBias(Double.NaN)} keeps PyTorch's uniform draw.
 */
public class LSTM extends Recurrent {
    private final double forgetBias;

    /** One layer, time-first, with biases, forget-gate bias 1. */
    public LSTM(int inputSize, int hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private LSTM(Builder b) {
        super("LSTM", 4, true, b);
        this.forgetBias = b.forgetBias;
        if (b.bias && !Double.isNaN(forgetBias)) {
            for (String name : namedParameters().keySet()) {
                if (name.startsWith("bias_ih")) {
                    setForgetBlock(param(name), forgetBias);
                } else if (name.startsWith("bias_hh")) {
                    setForgetBlock(param(name), 0);
                }
            }
        }
    }

    private void setForgetBlock(Tensor bias, double value) {
        int h = hiddenSize();
        float[] v = bias.toFloatArray();
        Arrays.fill(v, h, 2 * h, (float) value);
        try (Autograd.Guard g = Autograd.noGrad(); Tensor values = Tensor.fromArray(v, v.length)) {
            bias.assign(values);
        }
    }

    /** A builder for the options of {@link Recurrent.Builder} and the forget-gate bias. */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    @Override
    F.SequenceOutput direction(Tensor input, int steps, int batch, Tensor h0, Tensor c0, String suffix, int[] lengths,
                               boolean reverse) {
        Tensor bias = param("bias_ih" + suffix) == null ? null : param("bias_ih" + suffix).add(param("bias_hh" + suffix));
        Tensor gates = F.linear(input, param("weight_ih" + suffix), bias).reshape(steps, batch, 4 * hiddenSize());
        return F.lstmSequence(gates, h0, c0, param("weight_hh" + suffix), lengths, reverse);
    }

    @Override
    String extraDescription() {
        return forgetBias == 1 ? "" : ", forget_bias=" + PythonRepr.number(forgetBias);
    }

    /** Options of an {@link LSTM}. */
    public static final class Builder extends Recurrent.Builder<Builder, LSTM> {
        private double forgetBias = 1;

        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        /**
         * The initial sum of the forget gate's two biases (default 1: the gate starts mostly open, so that
         * gradients reach early steps); NaN keeps PyTorch's uniform initialisation.
         */
        public Builder forgetBias(double value) {
            forgetBias = value;
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        public LSTM build() {
            return new LSTM(this);
        }
    }
}
