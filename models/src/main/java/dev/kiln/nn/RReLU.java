package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Randomized leaky ReLU, like PyTorch's {@code torch.nn.RReLU(lower, upper)}: x for x &gt; 0, else {@code a * x}.
 * In training mode each element draws its own slope a uniformly from [lower, upper) (from the engine's seeded
 * random stream on the input's device, as {@link Dropout} draws), also where x = 0, whose gradient is then that a; in evaluation mode a is
 * the fixed {@code (lower + upper) / 2}, a {@link LeakyReLU}. Element-wise, any shape, e.g. [batch, features] to the
 * same. No parameters.
 */
public class RReLU extends Module {
    private final double lower;
    private final double upper;

    /** Slopes from 1/8 to 1/3, PyTorch's defaults. */
    public RReLU() {
        this(1.0 / 8, 1.0 / 3);
    }

    /** @throws IllegalArgumentException naming the layer when the bounds are not finite or lower exceeds upper */
    public RReLU(double lower, double upper) {
        if (!Double.isFinite(lower) || !Double.isFinite(upper) || lower > upper) {
            throw new IllegalArgumentException("RReLU: needs finite bounds with lower <= upper, got lower " + lower
                    + " and upper " + upper);
        }
        this.lower = lower;
        this.upper = upper;
    }

    public double lower() {
        return lower;
    }

    public double upper() {
        return upper;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining()) {
            return x.leakyRelu((lower + upper) / 2);
        }
        return Temporaries.freedWithoutGradients(() -> {
            Tensor slopes = x.uniformLike(lower, upper);
            return x.mul(slopes.maskedFill(x.gt(0), 1));
        });
    }

    /** PyTorch's {@code extra_repr}: {@code lower=0.125, upper=0.3333333333333333}. */
    @Override
    protected String extraRepr() {
        return "lower=" + PythonRepr.number(lower) + ", upper=" + PythonRepr.number(upper);
    }
}
