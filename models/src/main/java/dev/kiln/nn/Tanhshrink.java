package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * {@code x - tanh(x)}, element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.Tanhshrink}. No parameters.
 */
public class Tanhshrink extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> x.sub(x.tanh()));
    }
}
