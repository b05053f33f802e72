package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * Negative log-likelihood of class indices, like PyTorch's
 * {@code torch.nn.NLLLoss(weight=w, ignore_index=i, reduction=...)}: input log-probabilities [batch, classes]
 * (e.g. from {@code F.logSoftmax(x, 1)}; {@link CrossEntropyLoss} fuses the two), target [batch] I64 (or I32)
 * class indices. Row n's loss is {@code -w[y_n] * input[n, y_n]}, w = 1 without weights, and 0 when y_n is the
 * ignore index (default -100, as PyTorch's): that row gets no gradient. MEAN, the default, divides the rows' sum by
 * the summed weights of the counted rows' targets (their count without weights; NaN when none counts), SUM adds
 * them, NONE gives each row's loss [batch]. As in PyTorch, the input may also be [batch, classes, d1, ...] (e.g.
 * per-pixel log-probabilities [batch, classes, height, width]) with target [batch, d1, ...], reduced over every
 * position (NONE: [batch, d1, ...]), or [classes] with a scalar target (NONE: a scalar).
 */
public class NLLLoss implements WeightedLoss {
    /** PyTorch's default ignore index. */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    private final Tensor weight;
    private final long ignoreIndex;
    private final Reduction reduction;

    /** Unweighted, ignore index -100, the mean: PyTorch's defaults. */
    public NLLLoss() {
        this(null, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /** Unweighted, ignore index -100, reduced by {@code reduction}. */
    public NLLLoss(Reduction reduction) {
        this(null, DEFAULT_IGNORE_INDEX, reduction);
    }

    /** The weighted mean, ignore index -100; see {@link #NLLLoss(Tensor, long, Reduction)}. */
    public NLLLoss(Tensor weight) {
        this(weight, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * Rows weighted by their target's entry of {@code weight} [classes] (null: unweighted), in the input's dtype,
     * rows whose target is {@code ignoreIndex} counting for nothing, reduced by {@code reduction}. The weight is
     * kept, not copied: it must stay open while the loss is used.
     */
    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        this.weight = ClassTargets.checkedWeight("NLLLoss", weight);
        this.ignoreIndex = ignoreIndex;
        this.reduction = Losses.checked("NLLLoss", reduction);
    }

    @Override
    public Map<String, Tensor> buffers() {
        return WeightedLoss.named("weight", weight);
    }

    @Override
    public Loss withBuffers(Map<String, Tensor> buffers) {
        return new NLLLoss(buffers.get("weight"), ignoreIndex, reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        check(output, target);
        Tensor scores = ClassTargets.rowsOfClasses(output);
        ClassTargets targets = ClassTargets.of("NLLLoss", scores, target.reshape(scores.dim(0)), weight, ignoreIndex);
        Tensor losses = targets.reduce(targets.rowLosses(), reduction);
        return reduction == Reduction.NONE ? losses.reshape(target.shape().dims()) : losses;
    }

    private void check(Tensor output, Tensor target) {
        if (!output.dtype().isFloating()) {
            throw new IllegalArgumentException("NLLLoss: input must hold log-probabilities, F32 or F64, got "
                    + output.dtype());
        }
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException("NLLLoss: target must hold class indices (I64 or I32), got "
                    + target.dtype());
        }
        if (!ClassTargets.fitsWithoutClassAxis(output, target)) {
            throw new IllegalArgumentException("NLLLoss: input " + output.shape() + " and target " + target.shape()
                    + ": expected [batch, classes, d1, ...] log-probabilities and [batch, d1, ...] class indices"
                    + " (or [classes] and a scalar)");
        }
        ClassTargets.checkWeight("NLLLoss", output, output.dim(output.rank() == 1 ? 0 : 1), weight);
    }
}
