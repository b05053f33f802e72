package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Categorical cross-entropy from logits and class indices, like PyTorch's
 * {@code torch.nn.CrossEntropyLoss(label_smoothing=eps)}: logits [batch, classes], target [batch] I64 (or I32)
 * indices; {@code mean(-log softmax(x)[n, y_n])}, fused with the softmax and stable for large logits.
 * With label smoothing eps the target distribution is {@code (1 - eps) one_hot(y) + eps / classes}, so the loss
 * is {@code (1 - eps) * cross_entropy + eps * mean(-log softmax(x))} over every class of every row.
 */
public class CrossEntropyLoss implements Loss {
    private final double labelSmoothing;

    /** Cross-entropy against the one-hot targets. */
    public CrossEntropyLoss() {
        this(0);
    }

    /** Cross-entropy against targets smoothed by {@code labelSmoothing}, in [0, 1). */
    public CrossEntropyLoss(double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.classIndices("CrossEntropyLoss", output, target);
        Tensor crossEntropy = F.crossEntropy(output, target);
        if (labelSmoothing == 0) {
            return crossEntropy;
        }
        Tensor uniform = F.logSoftmax(output, 1).mean().neg();
        return crossEntropy.mul(1 - labelSmoothing).add(uniform.mul(labelSmoothing));
    }
}
