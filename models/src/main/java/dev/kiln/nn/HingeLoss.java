package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Multi-class hinge (margin) loss, like PyTorch's {@code torch.nn.MultiMarginLoss(margin=..., reduction=...)}
 * with p = 1: for scores x [batch, classes] and class indices y [batch] (I64 or I32),
 * {@code loss_n = sum over j != y_n of max(0, margin - x[n, y_n] + x[n, j]) / classes}, averaged over
 * the batch (a scalar), summed, or each loss_n [batch] with {@link Reduction#NONE}.
 */
public class HingeLoss implements Loss {
    private final double margin;
    private final Reduction reduction;

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
        this.margin = margin;
        this.reduction = Losses.checked("HingeLoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.classIndices("HingeLoss", output, target);
        int classes = output.dim(1);
        Tensor index = target.dtype() == DType.I64 ? target : target.to(DType.I64);
        Tensor column = index.unsqueeze(1);
        Tensor correct;
        try {
            correct = output.gather(1, column);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HingeLoss: target out of range for " + classes + " classes ("
                    + e.getMessage() + ")", e);
        }
        Tensor others = Tensor.arange(0, classes, 1, DType.I64).ne(column).to(output.dtype());
        Tensor margins = output.sub(correct).add(margin).relu().mul(others);
        return Losses.reduce(margins.sum(1, false).div(classes), reduction);
    }
}
