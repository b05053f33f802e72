package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * Categorical cross-entropy from logits and class indices, like PyTorch's
 * {@code torch.nn.CrossEntropyLoss(label_smoothing=eps, ignore_index=i)}: logits [batch, classes], target [batch]
 * I64 (or I32) indices; {@code mean(-log softmax(x)[n, y_n])}, fused with the softmax and stable for large logits.
 * With label smoothing eps the target distribution is {@code (1 - eps) one_hot(y) + eps / classes}, so the loss
 * is {@code (1 - eps) * cross_entropy + eps * mean(-log softmax(x))} over every class of every row. Rows whose
 * target is the ignore index (-100 unless given, as PyTorch's; padding) count for nothing, and both means run over
 * the other rows; targets known to leave it out (a batch's labels) take the fused op without any mask.
 * Reduced as PyTorch's {@code reduction}: the mean by default, {@link Reduction#SUM} the sum over the rows, or
 * {@link Reduction#NONE} each row's loss [batch] (0 for an ignored row), for the caller to weight and reduce; with
 * label smoothing a row's loss is {@code (1 - eps) * cross_entropy_n + eps * mean_c(-log softmax(x)[n, c])}.
 * <p>
 * Class weights w [classes] (PyTorch's {@code weight}) weigh row n by {@code w[y_n]}, as {@link NLLLoss} does on
 * {@code log softmax(x)}: the mean divides by the counted rows' summed weights, not their count. With label
 * smoothing the uniform term weighs each class too, {@code -sum_c w_c log softmax(x)[n, c] / classes}, and its mean
 * divides by the same summed target weights: PyTorch 1.13's formula. Without weights the loss stays the fused op.
 * <p>
 * As in PyTorch, the logits may also be [batch, classes, d1, ...] (e.g. per-pixel scores [batch, classes, height,
 * width]) with target [batch, d1, ...], each position a row of the above, reduced over every position (NONE:
 * [batch, d1, ...]); or unbatched, [classes] with a scalar target (NONE: a scalar).
 * <p>
 * A floating target of the logits' shape holds class probabilities p (PyTorch's soft targets), over axis 1 (axis 0
 * unbatched): a position's loss is {@code -sum_c w_c p_c log softmax(x)_c} (w = 1 without weights), p smoothed first
 * to {@code (1 - eps) p + eps / classes}; the mean divides by the number of positions, weights or not, as PyTorch
 * 1.13 does. The target gets a gradient too. Such targets take no ignore index: it must be negative, as the default.
 */
public class CrossEntropyLoss implements WeightedLoss {
    private final Tensor weight;
    private final double labelSmoothing;
    private final long ignoreIndex;
    private final Reduction reduction;

    /** Cross-entropy against the one-hot targets, rows of target -100 ignored (PyTorch's defaults). */
    public CrossEntropyLoss() {
        this(0);
    }

    /** Cross-entropy against the one-hot targets, reduced by {@code reduction}. */
    public CrossEntropyLoss(Reduction reduction) {
        this(0, reduction);
    }

    /** Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1]. */
    public CrossEntropyLoss(double labelSmoothing) {
        this(labelSmoothing, Reduction.MEAN);
    }

    /** Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1], reduced by {@code reduction}. */
    public CrossEntropyLoss(double labelSmoothing, Reduction reduction) {
        this(labelSmoothing, NLLLoss.DEFAULT_IGNORE_INDEX, reduction);
    }

    /**
     * Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1], where rows whose target is
     * {@code ignoreIndex} (PyTorch's default is -100) count for nothing: their logits get no gradient, and the loss
     * is the mean over the other rows (NaN when a batch has none).
     */
    public CrossEntropyLoss(double labelSmoothing, long ignoreIndex) {
        this(labelSmoothing, ignoreIndex, Reduction.MEAN);
    }

    /**
     * {@link #CrossEntropyLoss(double, long)} reduced by {@code reduction}: SUM adds the rows that count, NONE gives
     * each row's loss [batch], 0 for the ignored ones.
     */
    public CrossEntropyLoss(double labelSmoothing, long ignoreIndex, Reduction reduction) {
        this(null, labelSmoothing, ignoreIndex, reduction);
    }

    /**
     * The mean weighted by {@code weight} [classes], ignore index -100: PyTorch's
     * {@code CrossEntropyLoss(weight=w)}; see {@link #CrossEntropyLoss(Tensor, double, long, Reduction)}.
     */
    public CrossEntropyLoss(Tensor weight) {
        this(weight, 0, NLLLoss.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * Cross-entropy with each row weighted by its target's entry of {@code weight} [classes], in the logits' dtype
     * (null: unweighted), against targets smoothed by {@code labelSmoothing} in [0, 1] (PyTorch's range), rows whose
     * target is {@code ignoreIndex} counting for nothing, reduced by {@code reduction}. The weight is kept, not
     * copied: it must stay open while the loss is used.
     */
    public CrossEntropyLoss(Tensor weight, double labelSmoothing, long ignoreIndex, Reduction reduction) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.weight = ClassTargets.checkedWeight("CrossEntropyLoss", weight);
        this.labelSmoothing = labelSmoothing;
        this.ignoreIndex = ignoreIndex;
        this.reduction = Losses.checked("CrossEntropyLoss", reduction);
    }

    @Override
    public Map<String, Tensor> buffers() {
        return WeightedLoss.named("weight", weight);
    }

    @Override
    public Loss withBuffers(Map<String, Tensor> buffers) {
        return new CrossEntropyLoss(buffers.get("weight"), labelSmoothing, ignoreIndex, reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        if (output.shape().equals(target.shape())) {
            return ofProbabilities(output, target);
        }
        checkIndices(output, target);
        ClassTargets.checkWeight("CrossEntropyLoss", output, output.dim(output.rank() == 1 ? 0 : 1), weight);
        if (output.rank() == 2) {
            return ofRows(output, target);
        }
        Tensor rows = ClassTargets.rowsOfClasses(output);
        Tensor losses = ofRows(rows, target.reshape(rows.dim(0)));
        return reduction == Reduction.NONE ? losses.reshape(target.shape().dims()) : losses;
    }

    private static void checkIndices(Tensor output, Tensor target) {
        if (!output.dtype().isFloating()) {
            throw new IllegalArgumentException("CrossEntropyLoss: input must hold logits, F32 or F64, got "
                    + output.dtype());
        }
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException("CrossEntropyLoss: target " + target.shape() + " must hold class"
                    + " indices (I64 or I32), or class probabilities of the input's shape " + output.shape()
                    + ", got " + target.dtype());
        }
        if (!ClassTargets.fitsWithoutClassAxis(output, target)) {
            throw new IllegalArgumentException("CrossEntropyLoss: input " + output.shape() + " and target "
                    + target.shape() + ": expected [batch, classes, d1, ...] logits and [batch, d1, ...] class"
                    + " indices (or [classes] and a scalar), or class probabilities of the input's shape");
        }
    }

    /** The loss of logits [n, classes] against class indices [n]. */
    private Tensor ofRows(Tensor output, Tensor target) {
        if (weight != null) {
            return weighted(output, target);
        }
        Tensor crossEntropy;
        try {
            crossEntropy = F.crossEntropy(output, target, reduction, ignoreIndex);
        } catch (IllegalArgumentException e) {
            throw ClassTargets.outOfRange("CrossEntropyLoss", target, output.dim(1), ignoreIndex, e);
        }
        if (labelSmoothing == 0) {
            return crossEntropy;
        }
        return crossEntropy.mul(1 - labelSmoothing).add(uniformTerm(output, target).mul(labelSmoothing));
    }

    /** The loss against class probabilities {@code target} of the logits' shape, as PyTorch 1.13 computes it. */
    private Tensor ofProbabilities(Tensor output, Tensor target) {
        checkProbabilities(output, target);
        Tensor rows = ClassTargets.rowsOfClasses(output);
        int classes = rows.dim(1);
        ClassTargets.checkWeight("CrossEntropyLoss", output, classes, weight);
        Tensor probabilities = ClassTargets.rowsOfClasses(target);
        if (labelSmoothing > 0) {
            probabilities = probabilities.mul(1 - labelSmoothing).add(labelSmoothing / classes);
        }
        Tensor terms = F.logSoftmax(rows, 1).mul(probabilities);
        if (weight != null) {
            terms = terms.mul(weight);
        }
        Tensor losses = terms.sum(1, false).neg();
        return reduction == Reduction.NONE ? losses.reshape(withoutClassAxis(output))
                : Losses.reduce(losses, reduction);
    }

    private void checkProbabilities(Tensor output, Tensor target) {
        if (!output.dtype().isFloating() || output.dtype() != target.dtype()) {
            throw new IllegalArgumentException("CrossEntropyLoss: a target of the input's shape " + output.shape()
                    + " holds class probabilities: input (" + output.dtype() + ") and target (" + target.dtype()
                    + ") must both be F32 or both F64");
        }
        if (output.rank() == 0) {
            throw new IllegalArgumentException("CrossEntropyLoss: input and target are scalars: expected"
                    + " [batch, classes, d1, ...] or [classes] logits");
        }
        if (ignoreIndex >= 0) {
            throw new IllegalArgumentException("CrossEntropyLoss: class-probability targets take no ignore index,"
                    + " got " + ignoreIndex + ": expected a negative one (the default -100)");
        }
    }

    /** The logits' shape without the class axis: axis 1, or axis 0 (a scalar) when unbatched. */
    private static int[] withoutClassAxis(Tensor output) {
        if (output.rank() == 1) {
            return new int[0];
        }
        int[] dims = new int[output.rank() - 1];
        dims[0] = output.dim(0);
        for (int a = 2; a < output.rank(); a++) {
            dims[a - 1] = output.dim(a);
        }
        return dims;
    }

    /** The loss with class weights, from the log-probabilities as PyTorch 1.13 computes it. */
    private Tensor weighted(Tensor output, Tensor target) {
        int classes = output.dim(1);
        Tensor logProbabilities = F.logSoftmax(output, 1);
        ClassTargets targets = ClassTargets.of("CrossEntropyLoss", logProbabilities, target, weight, ignoreIndex);
        Tensor crossEntropy = targets.reduce(targets.rowLosses(), reduction);
        if (labelSmoothing == 0) {
            return crossEntropy;
        }
        Tensor uniform = logProbabilities.mul(weight).sum(1, false).neg().maskedFill(targets.ignored(), 0);
        return crossEntropy.mul(1 - labelSmoothing)
                .add(targets.reduce(uniform, reduction).mul(labelSmoothing / classes));
    }

    /** Each row's {@code mean_c(-log softmax(x)[n, c])}, 0 for a row that does not count, reduced. */
    private Tensor uniformTerm(Tensor output, Tensor target) {
        Tensor perRow = F.logSoftmax(output, 1).mean(1, false).neg();
        if (!target.mayContain(ignoreIndex)) {
            return Losses.reduce(perRow, reduction);
        }
        Tensor counted = target.ne(ignoreIndex).to(output.dtype());
        // Filled, not multiplied: an ignored row's log-probabilities may be infinite (padding), and 0 * inf is NaN.
        Tensor countedRows = perRow.maskedFill(target.eq(ignoreIndex), 0);
        return reduction == Reduction.MEAN ? countedRows.sum().div(counted.sum())
                : Losses.reduce(countedRows, reduction);
    }
}
