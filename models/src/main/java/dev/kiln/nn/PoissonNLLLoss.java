package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Poisson negative log-likelihood, like PyTorch's
 * {@code torch.nn.PoissonNLLLoss(log_input=..., full=..., eps=..., reduction=...)}: predictions and target counts of
 * one shape, e.g. [batch, 1]. With log input (the default) the output is the log of the rate and the term is
 * {@code exp(output) - target * output}; otherwise the output is the rate and the term is
 * {@code output - target * log(output + eps)}. When full, Stirling's approximation of {@code log(target!)},
 * {@code target log(target) - target + 0.5 log(2 pi target)}, is added where target > 1 (0 elsewhere). A scalar
 * result, or each element's term in that shape with {@link Reduction#NONE}.
 */
public class PoissonNLLLoss implements Loss {
    private final boolean logInput;
    private final boolean full;
    private final double eps;
    private final Reduction reduction;

    /** Log input, no Stirling term, eps 1e-8 and the mean: PyTorch's defaults. */
    public PoissonNLLLoss() {
        this(true, false);
    }

    /** The mean with eps 1e-8; the output is the log rate when {@code logInput}, the Stirling term added when full. */
    public PoissonNLLLoss(boolean logInput, boolean full) {
        this(logInput, full, 1e-8, Reduction.MEAN);
    }

    /**
     * The output is the log rate when {@code logInput}, else the rate, offset by {@code eps} (0 or more) in its log;
     * the Stirling term added when {@code full}; reduced by {@code reduction} (NONE: each term, in the output's
     * shape).
     */
    public PoissonNLLLoss(boolean logInput, boolean full, double eps, Reduction reduction) {
        this.logInput = logInput;
        this.full = full;
        this.eps = Losses.nonNegative("PoissonNLLLoss", "eps", eps);
        this.reduction = Losses.checked("PoissonNLLLoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("PoissonNLLLoss", output, target);
        Tensor terms = logInput ? output.exp().sub(target.mul(output))
                : output.sub(target.mul(output.add(eps).log()));
        return Losses.reduce(full ? terms.add(stirling(target)) : terms, reduction);
    }

    /** {@code t log(t) - t + 0.5 log(2 pi t)} where t > 1, else 0. */
    private static Tensor stirling(Tensor target) {
        Tensor small = target.gt(1).eq(0);
        // Read at 1 where it is filled with 0 anyway: log(0) would make the filled term's gradient NaN.
        Tensor t = target.maskedFill(small, 1);
        Tensor term = t.mul(t.log()).sub(t).add(t.mul(2 * Math.PI).log().mul(0.5));
        return term.maskedFill(small, 0);
    }
}
