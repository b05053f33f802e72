package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Mean absolute error {@code mean(|output - target|)} over all elements, like PyTorch's
 * {@code torch.nn.L1Loss(reduction=...)}: output and target of one shape, e.g. [batch, features]; a scalar result,
 * or the absolute differences in that shape with {@link Reduction#NONE} (gradient 0 where the two are equal, as
 * {@code sign(0) = 0}).
 */
public class L1Loss implements Loss {
    private final Reduction reduction;

    /** The mean, PyTorch's default. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    /**
     * MEAN or SUM of the absolute differences (a scalar), or NONE: each one, in the output's shape, for the caller
     * to reduce.
     */
    public L1Loss(Reduction reduction) {
        this.reduction = Losses.checked("L1Loss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("L1Loss", output, target);
        return Losses.reduce(output.sub(target).abs(), reduction);
    }
}
