package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Huber loss, like PyTorch's {@code torch.nn.HuberLoss(reduction=..., delta=...)}: output and target of one shape,
 * e.g. [batch, features]; per element, with {@code d = output - target}, {@code 0.5 d^2} where {@code |d| < delta}
 * and {@code delta (|d| - 0.5 delta)} elsewhere: squared error near the target, absolute error (scaled by delta)
 * far from it, so outliers pull with a bounded gradient. A scalar result, or each element's loss in that shape with
 * {@link Reduction#NONE}.
 */
public class HuberLoss implements Loss {
    private final double delta;
    private final Reduction reduction;

    /** Delta 1 and the mean, PyTorch's defaults. */
    public HuberLoss() {
        this(1.0);
    }

    /** The mean with the given {@code delta} (positive). */
    public HuberLoss(double delta) {
        this(delta, Reduction.MEAN);
    }

    /**
     * MEAN or SUM of the terms with the given {@code delta} (positive), a scalar, or NONE: each term, in the output's
     * shape, for the caller to reduce.
     */
    public HuberLoss(double delta, Reduction reduction) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("HuberLoss: delta must be positive and finite, got " + delta);
        }
        this.delta = delta;
        this.reduction = Losses.checked("HuberLoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("HuberLoss", output, target);
        return Losses.reduce(Losses.huber(output.sub(target), delta), reduction);
    }
}
