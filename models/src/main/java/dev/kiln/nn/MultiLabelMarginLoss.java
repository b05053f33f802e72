package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Multi-label margin (hinge) loss, like PyTorch's {@code torch.nn.MultiLabelMarginLoss(reduction=...)}: scores x
 * [batch, classes] and targets y of the same shape (I64 or I32) that list each row's classes first and end the list
 * with -1 (padding): the entries before a row's first -1 are its target classes, the rest count for nothing. Row n's
 * loss is {@code sum over listed j, non-target i of max(0, 1 - (x[n, y_j] - x[n, i])) / classes}: each target class
 * should outscore each other class by 1. A class listed twice counts twice, as in PyTorch; every entry must be -1 or
 * a class in [0, classes), after the list's end too. MEAN (the default) averages the rows' losses, SUM adds them,
 * NONE gives each row's loss [batch]; unbatched scores [classes] with a target [classes] give one loss. Memory grows
 * as batch * classes^2 (every pair of a listed and another class).
 */
public class MultiLabelMarginLoss implements Loss {
    private final Reduction reduction;

    /** The mean, PyTorch's default. */
    public MultiLabelMarginLoss() {
        this(Reduction.MEAN);
    }

    /** MEAN or SUM over the rows (a scalar), or NONE: each row's loss [batch], for the caller to reduce. */
    public MultiLabelMarginLoss(Reduction reduction) {
        this.reduction = Losses.checked("MultiLabelMarginLoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        check(output, target);
        boolean unbatched = output.rank() == 1;
        Tensor scores = unbatched ? output.unsqueeze(0) : output;
        Tensor lists = unbatched ? target.unsqueeze(0) : target;
        lists = lists.dtype() == DType.I64 ? lists : lists.to(DType.I64);
        int classes = scores.dim(1);
        // -1 reads class 0 and counts for nothing; gather refuses any other entry outside [0, classes).
        Tensor index = Tensor.where(lists.eq(-1), lists.fullLike(0), lists);
        Tensor listedScores;
        try {
            listedScores = scores.gather(1, index);
        } catch (IllegalArgumentException e) {
            throw ClassTargets.outOfRange("MultiLabelMarginLoss", lists, classes, v -> v == -1,
                    " and not -1, the end of a row's classes", e);
        }
        // An entry is listed when no negative entry comes before it or at it.
        Tensor listed = lists.lt(0).to(scores.dtype()).cumsum(1).eq(0);
        Tensor isTarget = scores.fullLike(0).scatterAdd(1, index, listed).gt(0);
        // notPair[n, j, i]: entry j is not listed, or class i is a target.
        Tensor notPair = listed.eq(0).unsqueeze(2).add(isTarget.unsqueeze(1)).gt(0);
        Tensor terms = scores.unsqueeze(1).sub(listedScores.unsqueeze(2)).add(1).relu().maskedFill(notPair, 0);
        Tensor losses = terms.sum(2, false).sum(1, false).div(classes);
        return Losses.reduce(unbatched ? losses.reshape() : losses, reduction);
    }

    private static void check(Tensor output, Tensor target) {
        if (!output.dtype().isFloating()) {
            throw new IllegalArgumentException("MultiLabelMarginLoss: input must hold scores, F32 or F64, got "
                    + output.dtype());
        }
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException("MultiLabelMarginLoss: target must hold class indices (I64 or I32),"
                    + " got " + target.dtype());
        }
        if (!output.shape().equals(target.shape()) || (output.rank() != 1 && output.rank() != 2)) {
            throw new IllegalArgumentException("MultiLabelMarginLoss: input " + output.shape() + " and target "
                    + target.shape() + ": expected one shape, [batch, classes] or [classes]");
        }
    }
}
