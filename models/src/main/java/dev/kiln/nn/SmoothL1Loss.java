package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Smooth L1 loss, like PyTorch's {@code torch.nn.SmoothL1Loss(reduction=..., beta=...)}: output and target of one
 * shape, e.g. [batch, 4] box coordinates; per element, with {@code d = output - target}, {@code 0.5 d^2 / beta}
 * where {@code |d| < beta} and {@code |d| - 0.5 beta} elsewhere, which is {@link HuberLoss} divided by beta. With
 * beta 0 it is {@link L1Loss}'s |d|, as in PyTorch, whose gradient is PyTorch's too: -1 where d = 0 (L1Loss gives
 * 0 there). A scalar result, or each element's loss in that shape with {@link Reduction#NONE}.
 */
public class SmoothL1Loss implements Loss {
    private final double beta;
    private final Reduction reduction;

    /** Beta 1 and the mean, PyTorch's defaults. */
    public SmoothL1Loss() {
        this(1.0);
    }

    /** The mean with the given {@code beta} (0 or more). */
    public SmoothL1Loss(double beta) {
        this(beta, Reduction.MEAN);
    }

    /**
     * MEAN or SUM of the terms with the given {@code beta} (0 or more; 0 is L1), a scalar, or NONE: each term, in the
     * output's shape, for the caller to reduce.
     */
    public SmoothL1Loss(double beta, Reduction reduction) {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("SmoothL1Loss: beta must be 0 or more and finite, got " + beta);
        }
        this.beta = beta;
        this.reduction = Losses.checked("SmoothL1Loss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("SmoothL1Loss", output, target);
        Tensor diff = output.sub(target);
        // Beta 0 is |d| itself, not the Huber form divided by 0, whose unused quadratic branch would give 0 * inf;
        // picked, not abs(), for PyTorch's gradient -1 at d = 0.
        Tensor terms = beta == 0 ? Tensor.where(diff.gt(0), diff, diff.neg()) : Losses.huber(diff, beta).div(beta);
        return Losses.reduce(terms, reduction);
    }
}
