package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Margin ranking loss, like PyTorch's {@code torch.nn.MarginRankingLoss(margin=..., reduction=...)}: scores x1 and
 * x2 and a target y of 1 (x1 should rank higher) or -1 (x2 should), all of one shape, e.g. [batch]; per element
 * {@code max(0, -y (x1 - x2) + margin)}. A scalar result, or each element's loss in that shape with
 * {@link Reduction#NONE}. Unlike PyTorch, the three must have one shape (PyTorch broadcasts those of one rank).
 * Not a {@link Loss}, as it takes two inputs and the target: a {@link ThreeInputForward} module,
 * {@code call(input1, input2, target)} as PyTorch's {@code loss(x1, x2, y)}.
 */
public class MarginRankingLoss extends ThreeInputLoss {
    private final double margin;
    private final Reduction reduction;

    /** Margin 0 and the mean, PyTorch's defaults. */
    public MarginRankingLoss() {
        this(0);
    }

    /** The mean with the given margin. */
    public MarginRankingLoss(double margin) {
        this(margin, Reduction.MEAN);
    }

    /** MEAN or SUM of the terms (a scalar), or NONE: each term, in the inputs' shape, for the caller to reduce. */
    public MarginRankingLoss(double margin, Reduction reduction) {
        super("input1, input2, target");
        this.margin = margin;
        this.reduction = Losses.checked("MarginRankingLoss", reduction);
    }

    /** The loss of {@code input1} and {@code input2} against {@code target} (1 or -1), all of one shape. */
    @Override
    public Tensor compute(Tensor input1, Tensor input2, Tensor target) {
        Losses.matching("MarginRankingLoss", "input1", input1, "input2", input2);
        Losses.matching("MarginRankingLoss", "input1", input1, "target", target);
        Tensor terms = Losses.clampMinZero(target.neg().mul(input1.sub(input2)).add(margin));
        return Losses.reduce(terms, reduction);
    }
}
