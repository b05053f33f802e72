package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Cosine embedding loss, like PyTorch's {@code torch.nn.CosineEmbeddingLoss(margin=..., reduction=...)}: embeddings
 * x1 and x2 [batch, dim] and a target y [batch] (any dtype) of 1 (similar) or -1 (dissimilar); row n's loss is
 * {@code 1 - cos(x1_n, x2_n)} where y_n = 1, {@code max(0, cos(x1_n, x2_n) - margin)} where y_n = -1, and 0 for any
 * other target. The cosine is PyTorch's, {@code x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))}. A scalar
 * result, or each row's loss [batch] with {@link Reduction#NONE}; a single pair [dim] takes a scalar target. Not a
 * {@link Loss}, as it takes two inputs and the target: a {@link ThreeInputForward} module,
 * {@code call(input1, input2, target)} as PyTorch's {@code loss(x1, x2, y)}.
 */
public class CosineEmbeddingLoss extends ThreeInputLoss {
    /** PyTorch's term added to each squared norm, so that a zero vector's cosine is 0, not NaN. */
    private static final double EPSILON = 1e-12;

    private final double margin;
    private final Reduction reduction;

    /** Margin 0 and the mean, PyTorch's defaults. */
    public CosineEmbeddingLoss() {
        this(0);
    }

    /** The mean with the given margin (PyTorch suggests 0 to 0.5). */
    public CosineEmbeddingLoss(double margin) {
        this(margin, Reduction.MEAN);
    }

    /** MEAN or SUM over the rows (a scalar), or NONE: each row's loss [batch], for the caller to reduce. */
    public CosineEmbeddingLoss(double margin, Reduction reduction) {
        super("input1, input2, target");
        this.margin = margin;
        this.reduction = Losses.checked("CosineEmbeddingLoss", reduction);
    }

    /** The loss of {@code input1} and {@code input2} [batch, dim] against {@code target} [batch] (or [dim] and []). */
    @Override
    public Tensor compute(Tensor input1, Tensor input2, Tensor target) {
        Losses.matching("CosineEmbeddingLoss", "input1", input1, "input2", input2);
        boolean batched = input1.rank() == 2 && target.rank() == 1 && target.dim(0) == input1.dim(0);
        boolean single = input1.rank() == 1 && target.rank() == 0;
        if (!batched && !single) {
            throw new IllegalArgumentException("CosineEmbeddingLoss: inputs " + input1.shape() + " and target "
                    + target.shape() + ": expected [batch, dim] and [batch], or [dim] and a scalar");
        }
        Tensor cos = cosine(input1, input2);
        Tensor similar = cos.neg().add(1).maskedFill(target.ne(1), 0);
        Tensor dissimilar = Losses.clampMinZero(cos.sub(margin)).maskedFill(target.ne(-1), 0);
        return Losses.reduce(similar.add(dissimilar), reduction);
    }

    /** The cosine of each pair over the last axis, as PyTorch computes it. */
    private static Tensor cosine(Tensor a, Tensor b) {
        int axis = a.rank() - 1;
        Tensor dot = a.mul(b).sum(axis, false);
        Tensor squaredNorms = a.square().sum(axis, false).add(EPSILON).mul(b.square().sum(axis, false).add(EPSILON));
        return dot.div(squaredNorms.sqrt());
    }
}
