package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/** Exact GELU x * Phi(x) (Phi the standard normal CDF), like PyTorch's {@code torch.nn.GELU()} with its default {@code approximate='none'}, element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class GELU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }
}
