package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Hard shrinkage, like PyTorch's {@code torch.nn.Hardshrink(lambd)}: x where {@code |x| > lambda}, else 0 (so 0 at
 * {@code |x| = lambda}, with gradient 0 there); element-wise, any shape, e.g. [batch, features] to the same. A
 * negative lambda keeps every element, as in PyTorch. No parameters.
 */
public class Hardshrink extends Module {
    private final double lambda;

    /** Lambda 0.5, PyTorch's default. */
    public Hardshrink() {
        this(0.5);
    }

    /** @throws IllegalArgumentException naming the layer for a NaN lambda */
    public Hardshrink(double lambda) {
        if (Double.isNaN(lambda)) {
            throw new IllegalArgumentException("Hardshrink: lambda must be a number, got NaN");
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> x.maskedFill(x.abs().le(lambda), 0));
    }

    /** PyTorch's {@code extra_repr}: the threshold, {@code 0.5}. */
    @Override
    protected String extraRepr() {
        return PythonRepr.number(lambda);
    }
}
