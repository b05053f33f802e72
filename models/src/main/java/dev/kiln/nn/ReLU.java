package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/** Rectified linear unit max(x, 0), like PyTorch's {@code torch.nn.ReLU} (gradient 0 at 0), element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
