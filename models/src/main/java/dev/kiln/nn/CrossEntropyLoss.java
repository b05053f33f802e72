package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

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
 */
public class CrossEntropyLoss implements Loss {
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

    /** Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1). */
    public CrossEntropyLoss(double labelSmoothing) {
        this(labelSmoothing, Reduction.MEAN);
    }

    /** Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1), reduced by {@code reduction}. */
    public CrossEntropyLoss(double labelSmoothing, Reduction reduction) {
        this(labelSmoothing, NLLLoss.DEFAULT_IGNORE_INDEX, reduction);
    }

    /**
     * Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1), where rows whose target is
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
     * (null: unweighted), against targets smoothed by {@code labelSmoothing} in [0, 1), rows whose target is
     * {@code ignoreIndex} counting for nothing, reduced by {@code reduction}. The weight is kept, not copied: it
     * must stay open while the loss is used.
     */
    public CrossEntropyLoss(Tensor weight, double labelSmoothing, long ignoreIndex, Reduction reduction) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        this.weight = ClassTargets.checkedWeight("CrossEntropyLoss", weight);
        this.labelSmoothing = labelSmoothing;
        this.ignoreIndex = ignoreIndex;
        this.reduction = Losses.checked("CrossEntropyLoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.classIndices("CrossEntropyLoss", output, target);
        if (weight != null) {
            return weighted(output, target);
        }
        Tensor crossEntropy = F.crossEntropy(output, target, reduction, ignoreIndex);
        if (labelSmoothing == 0) {
            return crossEntropy;
        }
        return crossEntropy.mul(1 - labelSmoothing).add(uniformTerm(output, target).mul(labelSmoothing));
    }

    /** The loss with class weights, from the log-probabilities as PyTorch 1.13 computes it. */
    private Tensor weighted(Tensor output, Tensor target) {
        int classes = output.dim(1);
        ClassTargets.checkWeight("CrossEntropyLoss", output, classes, weight);
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
