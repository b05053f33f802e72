package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/** Logistic sigmoid 1/(1+exp(-x)), like PyTorch's {@code torch.nn.Sigmoid}, element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
