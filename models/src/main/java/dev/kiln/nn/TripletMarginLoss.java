package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Triplet margin loss, like PyTorch's
 * {@code torch.nn.TripletMarginLoss(margin=..., p=..., eps=..., swap=..., reduction=...)}: anchors a, positives p
 * and negatives n [batch, dim]; row i's loss is {@code max(0, d(a_i, p_i) - d(a_i, n_i) + margin)} with PyTorch's
 * pairwise distance {@code d(x, y) = ||x - y + eps||_p}. With swap, the negative's distance is the smaller of
 * {@code d(a_i, n_i)} and {@code d(p_i, n_i)} (Balntas et al. 2016). A scalar result, or each row's loss [batch] with
 * {@link Reduction#NONE}; a single triplet [dim] gives a scalar. Not a {@link Loss}, as it takes three inputs: a
 * {@link ThreeInputForward} module, {@code call(anchor, positive, negative)} as PyTorch's {@code loss(a, p, n)}.
 */
public class TripletMarginLoss extends ThreeInputLoss {
    private final double margin;
    private final double p;
    private final double eps;
    private final boolean swap;
    private final Reduction reduction;

    /** Margin 1, p 2, eps 1e-6, no swap and the mean, PyTorch's defaults. */
    public TripletMarginLoss() {
        this(1, 2, 1e-6, false, Reduction.MEAN);
    }

    /** The mean with the given margin, the Euclidean distance and PyTorch's other defaults. */
    public TripletMarginLoss(double margin) {
        this(margin, 2, 1e-6, false, Reduction.MEAN);
    }

    /**
     * The loss with the given margin, the p-norm distance (p positive) with {@code eps} added to each difference,
     * the swap when {@code swap}, reduced by {@code reduction} (NONE: each row's loss [batch]).
     */
    public TripletMarginLoss(double margin, double p, double eps, boolean swap, Reduction reduction) {
        super("anchor, positive, negative");
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("TripletMarginLoss: p must be positive and finite, got " + p);
        }
        this.margin = margin;
        this.p = p;
        this.eps = eps;
        this.swap = swap;
        this.reduction = Losses.checked("TripletMarginLoss", reduction);
    }

    /** The loss of {@code anchor}, {@code positive} and {@code negative}, each [batch, dim] or each [dim]. */
    @Override
    public Tensor compute(Tensor anchor, Tensor positive, Tensor negative) {
        Losses.matching("TripletMarginLoss", "anchor", anchor, "positive", positive);
        Losses.matching("TripletMarginLoss", "anchor", anchor, "negative", negative);
        if (anchor.rank() != 1 && anchor.rank() != 2) {
            throw new IllegalArgumentException("TripletMarginLoss: anchor, positive and negative are "
                    + anchor.shape() + ": expected [batch, dim] or [dim]");
        }
        Tensor toNegative = distance(anchor, negative);
        if (swap) {
            toNegative = toNegative.minimum(distance(positive, negative));
        }
        return Losses.reduce(Losses.clampMinZero(distance(anchor, positive).sub(toNegative).add(margin)), reduction);
    }

    /** PyTorch's pairwise distance over the last axis, {@code ||x - y + eps||_p}. */
    private Tensor distance(Tensor x, Tensor y) {
        int axis = x.rank() - 1;
        return x.sub(y).add(eps).abs().pow(p).sum(axis, false).pow(1 / p);
    }
}
