package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Soft shrinkage, like PyTorch's {@code torch.nn.Softshrink(lambd)}: {@code x - lambda} above lambda,
 * {@code x + lambda} below -lambda, and 0 in between, bounds included (gradient 1 outside, 0 on [-lambda, lambda]);
 * element-wise, any shape, e.g. [batch, features] to the same. As PyTorch's, NaN gives 0. No parameters.
 */
public class Softshrink extends Module {
    private final double lambda;

    /** Lambda 0.5, PyTorch's default. */
    public Softshrink() {
        this(0.5);
    }

    /** @throws IllegalArgumentException naming the layer for a negative or NaN lambda, as PyTorch refuses it */
    public Softshrink(double lambda) {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("Softshrink: lambda must be at least 0, got " + lambda);
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> {
            // x minus x clamped to the band is the shrunk value outside it; inside, and for NaN, which is not
            // beyond the band either, PyTorch gives 0.
            Tensor inside = x.abs().gt(lambda).eq(0);
            return x.sub(x.clamp(-lambda, lambda)).maskedFill(inside, 0);
        });
    }

    /** PyTorch's {@code extra_repr}: the threshold, {@code 0.5}. */
    @Override
    protected String extraRepr() {
        return PythonRepr.number(lambda);
    }
}
