package dev.kiln.tests.ops;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/**
 * The activations a dense layer, a convolution or a batch norm fuses ({@link UnaryOp#derivativeFromOutput}), with
 * the unfused op each fused result is compared with.
 */
final class FusableActivations {
    /** {op, param} pairs: every fusable activation, leaky ReLU with a slope and without. */
    static final Object[][] ALL = {{UnaryOp.RELU, 0.0}, {UnaryOp.TANH, 0.0}, {UnaryOp.SIGMOID, 0.0},
            {UnaryOp.LEAKY_RELU, 0.1}, {UnaryOp.LEAKY_RELU, 0.0}, {UnaryOp.ELU, 1.3}};

    private FusableActivations() {
    }

    /** {@code op} with {@code param} applied to t through the tensor API: the reference for a fused op. */
    static Tensor apply(Tensor t, UnaryOp op, double param) {
        return switch (op) {
            case RELU -> t.relu();
            case TANH -> t.tanh();
            case SIGMOID -> t.sigmoid();
            case LEAKY_RELU -> t.leakyRelu(param);
            case ELU -> t.elu(param);
            default -> throw new IllegalArgumentException("not a fusable activation: " + op);
        };
    }
}
