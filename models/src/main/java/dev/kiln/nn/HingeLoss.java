package dev.kiln.nn;

import dev.kiln.engine.Reduction;

/**
 * Multi-class hinge (margin) loss, {@link MultiMarginLoss} with p = 1 and no weights, like PyTorch's
 * {@code torch.nn.MultiMarginLoss(margin=..., reduction=...)}: for scores x [batch, classes] and class indices y
 * [batch] (I64 or I32), {@code loss_n = sum over j != y_n of max(0, margin - x[n, y_n] + x[n, j]) / classes},
 * averaged over the batch (a scalar), summed, or each loss_n [batch] with {@link Reduction#NONE}.
 */
public class HingeLoss extends MultiMarginLoss {
    /** Margin 1 and the mean, PyTorch's defaults. */
    public HingeLoss() {
        this(1.0);
    }

    /** The mean over the batch with the given margin. */
    public HingeLoss(double margin) {
        this(margin, Reduction.MEAN);
    }

    /** MEAN or SUM over the batch (a scalar), or NONE: each example's loss [batch], for the caller to reduce. */
    public HingeLoss(double margin, Reduction reduction) {
        super("HingeLoss", 1, margin, null, reduction);
    }
}
