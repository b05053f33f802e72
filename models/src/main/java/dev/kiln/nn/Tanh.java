package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/** Hyperbolic tangent, like PyTorch's {@code torch.nn.Tanh}, element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class Tanh extends Module implements FusableActivation {
    @Override
    public UnaryOp op() {
        return UnaryOp.TANH;
    }

    @Override
    public double param() {
        return 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
