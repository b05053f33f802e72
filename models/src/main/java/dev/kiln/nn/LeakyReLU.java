package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/**
 * x for x &gt; 0, else {@code slope * x}, element-wise (any shape, e.g. [batch, features] to the same),
 * like PyTorch's {@code torch.nn.LeakyReLU} with its default {@code negative_slope = 0.01}.
 */
public class LeakyReLU extends Module implements FusableActivation {
    private final double slope;

    /** Slope 0.01, PyTorch's default. */
    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    public double slope() {
        return slope;
    }

    @Override
    public UnaryOp op() {
        return UnaryOp.LEAKY_RELU;
    }

    @Override
    public double param() {
        return slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "negative_slope=" + PythonRepr.number(slope);
    }
}
