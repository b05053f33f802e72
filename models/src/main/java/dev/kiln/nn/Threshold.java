package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * x where {@code x > threshold}, else {@code value}, element-wise (any shape, e.g. [batch, features] to the same),
 * like PyTorch's {@code torch.nn.Threshold(threshold, value)}: at the threshold itself the output is
 * {@code value} and the gradient 0; NaN passes through with gradient 1, as in PyTorch. No parameters.
 */
public class Threshold extends Module {
    private final double threshold;
    private final double value;

    /** @throws IllegalArgumentException naming the layer for a NaN threshold, which no element would pass */
    public Threshold(double threshold, double value) {
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("Threshold: threshold must be a number, got NaN");
        }
        this.threshold = threshold;
        this.value = value;
    }

    public double threshold() {
        return threshold;
    }

    public double value() {
        return value;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> x.maskedFill(x.le(threshold), value));
    }

    /** PyTorch's {@code extra_repr}: {@code threshold=0.1, value=20} (whole values as ints). */
    @Override
    protected String extraRepr() {
        return "threshold=" + PythonRepr.asWritten(threshold) + ", value=" + PythonRepr.asWritten(value);
    }
}
