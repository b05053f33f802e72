package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * x / (1 + |x|), element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.Softsign}. No parameters.
 */
public class Softsign extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> x.div(x.abs().add(1)));
    }
}
