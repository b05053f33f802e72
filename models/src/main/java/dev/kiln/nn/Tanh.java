package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/** Hyperbolic tangent, like PyTorch's {@code torch.nn.Tanh}, element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
