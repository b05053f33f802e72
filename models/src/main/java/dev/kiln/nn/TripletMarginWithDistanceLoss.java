package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.function.BinaryOperator;

/**
 * Triplet margin loss with a distance of the caller's choosing, like PyTorch's
 * {@code torch.nn.TripletMarginWithDistanceLoss(distance_function=..., margin=..., swap=..., reduction=...)}: anchors
 * a, positives p and negatives n of one shape, e.g. [batch, dim]; triplet i's loss is
 * {@code max(0, d(a_i, p_i) - d(a_i, n_i) + margin)}. The distance d maps two such tensors to one distance per
 * triplet ([batch]); by default {@link PairwiseDistance}'s {@code ||x - y + 1e-6||_2}, and any composition of
 * differentiable Tensor ops will do (e.g. {@code 1 - cosine similarity}). With swap, the negative's distance is the
 * smaller of {@code d(a_i, n_i)} and {@code d(p_i, n_i)} (Balntas et al. 2016). A scalar result, or each triplet's
 * loss (the distances' shape: [batch], or a scalar for a single triplet [dim]) with {@link Reduction#NONE}. Not a
 * {@link Loss}, as it takes three inputs: a {@link ThreeInputForward} module, {@code call(anchor, positive, negative)}
 * as PyTorch's {@code loss(a, p, n)}.
 */
public class TripletMarginWithDistanceLoss extends ThreeInputLoss {
    private final BinaryOperator<Tensor> distance;
    private final double margin;
    private final boolean swap;
    private final Reduction reduction;

    /** The pairwise Euclidean distance, margin 1, no swap and the mean: PyTorch's defaults. */
    public TripletMarginWithDistanceLoss() {
        this(null, 1, false, Reduction.MEAN);
    }

    /**
     * The loss with {@code distance} (null: the default {@link PairwiseDistance}), {@code margin} (0 or more), the
     * swap when {@code swap}, reduced by {@code reduction} (NONE: each triplet's loss).
     */
    public TripletMarginWithDistanceLoss(BinaryOperator<Tensor> distance, double margin, boolean swap,
                                         Reduction reduction) {
        super("anchor, positive, negative");
        this.distance = distance == null ? new PairwiseDistance() : distance;
        this.margin = Losses.nonNegative("TripletMarginWithDistanceLoss", "margin", margin);
        this.swap = swap;
        this.reduction = Losses.checked("TripletMarginWithDistanceLoss", reduction);
    }

    /** The loss of {@code anchor}, {@code positive} and {@code negative}, all of one shape. */
    @Override
    public Tensor compute(Tensor anchor, Tensor positive, Tensor negative) {
        Losses.matching("TripletMarginWithDistanceLoss", "anchor", anchor, "positive", positive);
        Losses.matching("TripletMarginWithDistanceLoss", "anchor", anchor, "negative", negative);
        Tensor toNegative = distance.apply(anchor, negative);
        if (swap) {
            toNegative = toNegative.minimum(distance.apply(positive, negative));
        }
        Tensor terms = distance.apply(anchor, positive).sub(toNegative).add(margin);
        return Losses.reduce(Losses.clampMinZero(terms), reduction);
    }
}
