package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Categorical cross-entropy from logits and class indices, like PyTorch's
 * {@code torch.nn.CrossEntropyLoss(label_smoothing=eps, ignore_index=i)}: logits [batch, classes], target [batch]
 * I64 (or I32) indices; {@code mean(-log softmax(x)[n, y_n])}, fused with the softmax and stable for large logits.
 * With label smoothing eps the target distribution is {@code (1 - eps) one_hot(y) + eps / classes}, so the loss
 * is {@code (1 - eps) * cross_entropy + eps * mean(-log softmax(x))} over every class of every row. With an ignore
 * index, rows whose target is that index (padding) count for nothing, and both means run over the other rows.
 */
public class CrossEntropyLoss implements Loss {
    private final double labelSmoothing;
    private final Long ignoreIndex;

    /** Cross-entropy against the one-hot targets. */
    public CrossEntropyLoss() {
        this(0);
    }

    /** Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1). */
    public CrossEntropyLoss(double labelSmoothing) {
        this(labelSmoothing, null);
    }

    /**
     * Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1), where rows whose target is
     * {@code ignoreIndex} (PyTorch's default is -100) count for nothing: their logits get no gradient, and the loss
     * is the mean over the other rows (NaN when a batch has none).
     */
    public CrossEntropyLoss(double labelSmoothing, long ignoreIndex) {
        this(labelSmoothing, Long.valueOf(ignoreIndex));
    }

    private CrossEntropyLoss(double labelSmoothing, Long ignoreIndex) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
        this.ignoreIndex = ignoreIndex;
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.classIndices("CrossEntropyLoss", output, target);
        Tensor crossEntropy = ignoreIndex == null ? F.crossEntropy(output, target)
                : F.crossEntropy(output, target, Reduction.MEAN, ignoreIndex);
        if (labelSmoothing == 0) {
            return crossEntropy;
        }
        return crossEntropy.mul(1 - labelSmoothing).add(uniformTerm(output, target).mul(labelSmoothing));
    }

    /** {@code mean(-log softmax(x))} over every class of every row that counts. */
    private Tensor uniformTerm(Tensor output, Tensor target) {
        Tensor logProbabilities = F.logSoftmax(output, 1);
        if (ignoreIndex == null) {
            return logProbabilities.mean().neg();
        }
        Tensor counted = target.ne(ignoreIndex).to(output.dtype());
        return logProbabilities.mean(1, false).mul(counted).sum().div(counted.sum()).neg();
    }
}
