package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * Multi-class margin (hinge) loss, like PyTorch's
 * {@code torch.nn.MultiMarginLoss(p=..., margin=..., weight=..., reduction=...)}: scores x [batch, classes] and class
 * indices y [batch] (I64 or I32); row n's loss is
 * {@code w[y_n] sum over j != y_n of max(0, margin - x[n, y_n] + x[n, j])^p / classes} with p 1 or 2 and w = 1
 * without weights. MEAN (the default) averages the rows' losses (it does not divide by the weights), SUM adds them,
 * NONE gives each row's loss [batch]; unbatched scores [classes] with a scalar target give one loss. As in PyTorch,
 * a term exactly at the margin (0) passes no gradient.
 */
public class MultiMarginLoss implements WeightedLoss {
    private final String name;
    private final int p;
    private final double margin;
    private final Tensor weight;
    private final Reduction reduction;

    /** p 1, margin 1, unweighted, the mean: PyTorch's defaults. */
    public MultiMarginLoss() {
        this(1, 1, null, Reduction.MEAN);
    }

    /**
     * The loss with power {@code p} (1 or 2) of each term, the given {@code margin}, each row weighted by its
     * target's entry of {@code weight} [classes] (null: unweighted) in the scores' dtype, reduced by
     * {@code reduction}. The weight is kept, not copied: it must stay open while the loss is used.
     */
    public MultiMarginLoss(int p, double margin, Tensor weight, Reduction reduction) {
        this("MultiMarginLoss", p, margin, weight, reduction);
    }

    /** The loss as above, naming itself {@code name} in its errors. */
    MultiMarginLoss(String name, int p, double margin, Tensor weight, Reduction reduction) {
        if (p != 1 && p != 2) {
            throw new IllegalArgumentException(name + ": p must be 1 or 2, got " + p);
        }
        this.name = name;
        this.p = p;
        this.margin = margin;
        this.weight = ClassTargets.checkedWeight(name, weight);
        this.reduction = Losses.checked(name, reduction);
    }

    @Override
    public Map<String, Tensor> buffers() {
        return WeightedLoss.named("weight", weight);
    }

    @Override
    public Loss withBuffers(Map<String, Tensor> buffers) {
        return new MultiMarginLoss(name, p, margin, buffers.get("weight"), reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        check(output, target);
        boolean unbatched = output.rank() == 1;
        Tensor scores = unbatched ? output.unsqueeze(0) : output;
        int classes = scores.dim(1);
        ClassTargets.checkWeight(name, output, classes, weight);
        Tensor column = (target.dtype() == DType.I64 ? target : target.to(DType.I64)).reshape(scores.dim(0), 1);
        Tensor correct;
        try {
            correct = scores.gather(1, column);
        } catch (IllegalArgumentException e) {
            throw ClassTargets.outOfRange(name, target, classes, e);
        }
        // relu passes no gradient at 0, as PyTorch's test z > 0.
        Tensor terms = scores.sub(correct).add(margin).relu();
        if (p == 2) {
            terms = terms.square();
        }
        // The target's own column holds the margin itself, which does not count; the mask is made on the scores'
        // backend.
        Tensor targetColumns = scores.fullLike(0).scatterAdd(1, column, correct.fullLike(1));
        terms = terms.maskedFill(targetColumns, 0);
        if (weight != null) {
            terms = terms.mul(weight.indexSelect(0, column.reshape(scores.dim(0))).unsqueeze(1));
        }
        Tensor losses = terms.sum(1, false).div(classes);
        return Losses.reduce(unbatched ? losses.reshape() : losses, reduction);
    }

    private void check(Tensor output, Tensor target) {
        if (!output.dtype().isFloating()) {
            throw new IllegalArgumentException(name + ": input must hold scores, F32 or F64, got " + output.dtype());
        }
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException(name + ": target must hold class indices (I64 or I32), got "
                    + target.dtype());
        }
        boolean batched = output.rank() == 2 && target.rank() == 1 && target.dim(0) == output.dim(0);
        boolean single = output.rank() == 1 && target.rank() == 0;
        if (!batched && !single) {
            throw new IllegalArgumentException(name + ": input " + output.shape() + " and target " + target.shape()
                    + ": expected [batch, classes] scores and [batch] class indices, or [classes] and a scalar");
        }
    }
}
