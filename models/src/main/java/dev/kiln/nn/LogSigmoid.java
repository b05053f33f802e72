package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * {@code log(sigmoid(x))}, element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.LogSigmoid}: computed as {@code -softplus(-x)}, which never overflows and keeps the relative
 * precision of its tiny values for large x (e.g. {@code -exp(-100)} at 100, not 0), as PyTorch's does; its gradient
 * is {@code sigmoid(-x)}. No parameters.
 */
public class LogSigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        // No threshold: softplus must not turn linear, or log(sigmoid(x)) below -20 would lose its exp(x) term.
        return Temporaries.freedWithoutGradients(
                () -> new SoftplusFunction(1, Double.POSITIVE_INFINITY).apply(x.neg()).neg());
    }
}
