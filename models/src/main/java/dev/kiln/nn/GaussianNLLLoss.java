package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Gaussian negative log-likelihood, like PyTorch's {@code torch.nn.GaussianNLLLoss(full=..., eps=..., reduction=...)}:
 * predicted means (input) and targets of one shape, e.g. [batch, features], and predicted variances var of that
 * shape, or with its last axis 1 or left out (one variance for each row's features); per element
 * {@code 0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))}, plus {@code 0.5 log(2 pi)} when full. As
 * in PyTorch, the clamp to eps passes var's gradient through unchanged. A scalar result, or each element's loss in
 * the input's shape with {@link Reduction#NONE}. Negative variances are not checked (PyTorch refuses them; that
 * would read the device). Not a {@link Loss}, as it takes the variance too: a {@link ThreeInputForward} module,
 * {@code call(input, target, var)} as PyTorch's {@code loss(input, target, var)}.
 */
public class GaussianNLLLoss extends ThreeInputLoss {
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final boolean full;
    private final double eps;
    private final Reduction reduction;

    /** Without the constant, eps 1e-6 and the mean: PyTorch's defaults. */
    public GaussianNLLLoss() {
        this(false, 1e-6, Reduction.MEAN);
    }

    /**
     * With the constant {@code 0.5 log(2 pi)} when {@code full}, variances clamped to at least {@code eps} (0 or
     * more), reduced by {@code reduction} (NONE: each element's loss, in the input's shape).
     */
    public GaussianNLLLoss(boolean full, double eps, Reduction reduction) {
        super("input, target, var");
        this.full = full;
        this.eps = Losses.nonNegative("GaussianNLLLoss", "eps", eps);
        this.reduction = Losses.checked("GaussianNLLLoss", reduction);
    }

    /** The loss of the means {@code input} against {@code target} with variances {@code var}. */
    @Override
    public Tensor compute(Tensor input, Tensor target, Tensor var) {
        Losses.matching("GaussianNLLLoss", "input", input, "target", target);
        Tensor variance = clamped(broadcastable(input, var));
        Tensor terms = variance.log().add(input.sub(target).square().div(variance)).mul(0.5);
        return Losses.reduce(full ? terms.add(HALF_LOG_TWO_PI) : terms, reduction);
    }

    /** var in a shape that broadcasts to the input's: itself, or with the left-out last axis put back as 1. */
    private static Tensor broadcastable(Tensor input, Tensor var) {
        if (var.dtype() != input.dtype()) {
            throw new IllegalArgumentException("GaussianNLLLoss: var is " + var.dtype() + ", input " + input.dtype()
                    + ": they must match");
        }
        if (var.shape().equals(input.shape())) {
            return var;
        }
        if (input.rank() > 0) {
            int last = input.rank() - 1;
            if (var.shape().equals(input.shape().without(last))) {
                return var.unsqueeze(last);
            }
            if (var.shape().equals(input.shape().with(last, 1))) {
                return var;
            }
        }
        throw new IllegalArgumentException("GaussianNLLLoss: var " + var.shape() + " does not fit input "
                + input.shape() + ": expected the input's shape, or it with the last axis 1 or left out");
    }

    /** {@code max(var, eps)} whose gradient is var's, as PyTorch's clamp under no_grad gives. */
    private Tensor clamped(Tensor var) {
        return var.add(var.neg().add(eps).relu().detach());
    }
}
