package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Continuously differentiable ELU, {@code max(0, x) + min(0, alpha * (exp(x / alpha) - 1))}, element-wise (any
 * shape, e.g. [batch, features] to the same), like PyTorch's {@code torch.nn.CELU} with its default
 * {@code alpha = 1}. No parameters.
 */
public class CELU extends Module {
    private final double alpha;

    /** Alpha 1, PyTorch's default (where CELU is ELU). */
    public CELU() {
        this(1.0);
    }

    /** @throws IllegalArgumentException naming the layer for an alpha of 0 or NaN, which it divides by */
    public CELU(double alpha) {
        if (alpha == 0 || Double.isNaN(alpha)) {
            throw new IllegalArgumentException("CELU: alpha must be non-zero, got " + alpha);
        }
        this.alpha = alpha;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (alpha == 1) {
            return x.elu(1);
        }
        if (alpha > 0) {
            return Temporaries.freedWithoutGradients(() -> x.div(alpha).elu(1).mul(alpha));
        }
        // x / alpha flips the sign, so elu would pick the wrong branch; exp(x / alpha) is at most 1 where x > 0.
        return Temporaries.freedWithoutGradients(
                () -> Tensor.where(x.gt(0), x, x.div(alpha).exp().sub(1).mul(alpha)));
    }

    /** PyTorch's {@code extra_repr}: {@code alpha=1.0}. */
    @Override
    protected String extraRepr() {
        return "alpha=" + PythonRepr.number(alpha);
    }
}
