package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/** SiLU (swish) x * sigmoid(x), like PyTorch's {@code torch.nn.SiLU}, element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class SiLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}
