package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/** Logistic sigmoid 1/(1+exp(-x)), like PyTorch's {@code torch.nn.Sigmoid}, element-wise: any shape, e.g. [batch, features] to the same shape. No parameters. */
public class Sigmoid extends Module implements FusableActivation {
    @Override
    public UnaryOp op() {
        return UnaryOp.SIGMOID;
    }

    @Override
    public double param() {
        return 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
