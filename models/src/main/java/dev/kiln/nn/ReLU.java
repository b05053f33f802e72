package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/** Rectified linear unit max(x, 0), like PyTorch's {@code torch.nn.ReLU} (gradient 0 at 0), element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class ReLU extends Module implements FusableActivation {
    @Override
    public UnaryOp op() {
        return UnaryOp.RELU;
    }

    @Override
    public double param() {
        return 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
