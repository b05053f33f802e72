package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * {@code x tanh(softplus(x))}, element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.Mish}; the softplus as {@link Softplus}'s, without a threshold, as PyTorch's Mish has none. No
 * parameters.
 */
public class Mish extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(
                () -> x.mul(new SoftplusFunction(1, Double.POSITIVE_INFINITY).apply(x).tanh()));
    }
}
