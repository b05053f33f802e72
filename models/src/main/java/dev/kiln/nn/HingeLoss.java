package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * Multi-class hinge (margin) loss, like PyTorch's {@code torch.nn.MultiMarginLoss()} with its defaults
 * p = 1, margin = 1: for scores x [batch, classes] and class indices y [batch] (I64 or I32),
 * {@code loss_n = sum over j != y_n of max(0, margin - x[n, y_n] + x[n, j]) / classes}, averaged over
 * the batch; a scalar.
 */
public class HingeLoss implements Loss {
    private final double margin;

    /** Margin 1, PyTorch's default. */
    public HingeLoss() {
        this(1.0);
    }

    public HingeLoss(double margin) {
        this.margin = margin;
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
        return margins.sum(1, false).div(classes).mean();
    }
}
