package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Soft margin loss, like PyTorch's {@code torch.nn.SoftMarginLoss(reduction=...)}: scores x and targets y of 1 or -1
 * of one shape (any, e.g. [batch]); per element {@code log(1 + exp(-y x))}, the logistic loss of a two-class
 * classifier, computed as {@code softplus(-y x)} so that it never overflows. A scalar result, or each element's loss
 * in that shape with {@link Reduction#NONE}. Unlike PyTorch, output and target must have one shape (PyTorch
 * broadcasts them).
 */
public class SoftMarginLoss implements Loss {
    private final Reduction reduction;

    /** The mean, PyTorch's default. */
    public SoftMarginLoss() {
        this(Reduction.MEAN);
    }

    /** MEAN or SUM of the terms (a scalar), or NONE: each term, in the output's shape, for the caller to reduce. */
    public SoftMarginLoss(Reduction reduction) {
        this.reduction = Losses.checked("SoftMarginLoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("SoftMarginLoss", output, target);
        return Losses.reduce(F.softplus(output.mul(target).neg()), reduction);
    }
}
