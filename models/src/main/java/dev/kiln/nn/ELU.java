package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/**
 * x for x &gt; 0, else {@code alpha * (exp(x) - 1)}, element-wise (any shape, e.g. [batch, features] to
 * the same), like PyTorch's {@code torch.nn.ELU} with its default {@code alpha = 1}.
 */
public class ELU extends Module implements FusableActivation {
    private final double alpha;

    /** Alpha 1, PyTorch's default. */
    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        this.alpha = alpha;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public UnaryOp op() {
        return UnaryOp.ELU;
    }

    @Override
    public double param() {
        return alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.elu(alpha);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "alpha=" + PythonRepr.number(alpha);
    }
}
