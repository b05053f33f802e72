package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * x limited to [min, max], element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.Hardtanh} with its defaults {@code min_val = -1}, {@code max_val = 1}. The gradient is 1 strictly
 * between the bounds and 0 at and beyond them, as in PyTorch. No parameters.
 */
public class Hardtanh extends Module {
    private final double min;
    private final double max;

    /** [-1, 1], PyTorch's default. */
    public Hardtanh() {
        this(-1, 1);
    }

    /** @throws IllegalArgumentException naming the layer unless {@code min < max} */
    public Hardtanh(double min, double max) {
        if (!(min < max)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": min " + min + " must be below max " + max);
        }
        this.min = min;
        this.max = max;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> Clamp.between(x, min, max));
    }

    /** PyTorch's {@code extra_repr}: {@code min_val=-1.0, max_val=1.0}. */
    @Override
    protected String extraRepr() {
        return "min_val=" + PythonRepr.number(min) + ", max_val=" + PythonRepr.number(max);
    }
}
