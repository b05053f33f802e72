package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Mean squared error {@code mean((output - target)^2)} over all elements, like PyTorch's
 * {@code torch.nn.MSELoss(reduction=...)}: output and target of one shape, e.g. [batch, features]; a scalar result,
 * or the squared differences in that shape with {@link Reduction#NONE}.
 */
public class MSELoss implements Loss {
    private final Reduction reduction;

    /** The mean, PyTorch's default. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    /**
     * MEAN or SUM of the squared differences (a scalar), or NONE: each one, in the output's shape, for the caller
     * to reduce.
     */
    public MSELoss(Reduction reduction) {
        this.reduction = Losses.checked("MSELoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("MSELoss", output, target);
        return Losses.reduce(output.sub(target).square(), reduction);
    }
}
