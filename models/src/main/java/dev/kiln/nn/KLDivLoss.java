package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Kullback-Leibler divergence, like PyTorch's {@code torch.nn.KLDivLoss(reduction=..., log_target=...)}: the
 * input holds <em>log</em>-probabilities (e.g. from {@code F.logSoftmax}) and the target probabilities,
 * both [batch, classes] (or any shape whose first axis is the batch); per element
 * {@code target * (log(target) - input)}, with {@code 0 * log 0 = 0}, or with a log target
 * {@code exp(target) * (target - input)}. Reduced by default as {@link KLDivReduction#BATCH_MEAN},
 * {@code sum(...) / batch}: the mathematical KL(target || exp(input)) averaged per example. That is not PyTorch's
 * default, 'mean', which also divides by the classes, warns that it does, and says it will become 'batchmean'; pass
 * {@link KLDivReduction#MEAN} for it.
 */
public class KLDivLoss implements Loss {
    private final KLDivReduction reduction;
    private final boolean logTarget;

    /** BATCH_MEAN of the terms against probabilities. */
    public KLDivLoss() {
        this(KLDivReduction.BATCH_MEAN, false);
    }

    /**
     * The terms reduced by {@code reduction} (NONE: each term, in the input's shape, for the caller to reduce),
     * against targets that hold log-probabilities when {@code logTarget} (PyTorch's {@code log_target}) and
     * probabilities otherwise.
     */
    public KLDivLoss(KLDivReduction reduction, boolean logTarget) {
        if (reduction == null) {
            throw new IllegalArgumentException("KLDivLoss: reduction must be BATCH_MEAN, SUM, MEAN or NONE, got null");
        }
        this.reduction = reduction;
        this.logTarget = logTarget;
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("KLDivLoss", output, target);
        if (reduction == KLDivReduction.BATCH_MEAN && output.rank() == 0) {
            throw new IllegalArgumentException("KLDivLoss: BATCH_MEAN needs at least one dimension (the batch), got a"
                    + " scalar");
        }
        Tensor terms = logTarget ? target.exp().mul(target.sub(output)) : probabilityTerms(output, target);
        return switch (reduction) {
            case BATCH_MEAN -> terms.sum().div(output.dim(0));
            case SUM -> terms.sum();
            case MEAN -> terms.mean();
            case NONE -> terms;
        };
    }

    /**
     * {@code target * log(target) - target * input}, with {@code 0 * log 0 = 0} and NaN for a negative target, as
     * PyTorch's {@code xlogy(target, target)}: a negative "probability" shows up instead of passing as 0.
     */
    private static Tensor probabilityTerms(Tensor output, Tensor target) {
        Tensor zero = target.eq(0);
        Tensor safeLog = Tensor.where(zero, target.fullLike(1), target).log();
        Tensor entropyTerm = Tensor.where(zero, target.fullLike(0), target.mul(safeLog));
        return entropyTerm.sub(target.mul(output));
    }
}
