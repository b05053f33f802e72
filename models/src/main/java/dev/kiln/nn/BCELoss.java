package dev.kiln.nn;

import dev.kiln.engine.Function;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/**
 * Binary cross-entropy on probabilities, like PyTorch's {@code torch.nn.BCELoss(reduction=...)}: output p in
 * [0, 1] and target y of one shape, e.g. [batch, 1];
 * {@code mean(-(y * log(p) + (1 - y) * log(1 - p)))} with each log clamped to >= -100 as PyTorch does,
 * so p = 0 or 1 gives a finite loss ({@link Reduction#NONE}: each term, in the output's shape). The gradient is
 * PyTorch's, {@code (p - y) / max(p (1 - p), 1e-12)}, with 1e-12 rounded to F32 as PyTorch's constant is.
 * Values of p outside [0, 1] are not checked (that would read the device). Prefer
 * {@link BCEWithLogitsLoss} on logits: it is stable without clamping.
 */
public class BCELoss implements Loss {
    /** PyTorch's floor of p (1 - p) in the gradient: a float constant, so F64 gets 1e-12 rounded to F32. */
    private static final double GRADIENT_FLOOR = 1e-12f;

    private final Reduction reduction;

    /** The mean, PyTorch's default. */
    public BCELoss() {
        this(Reduction.MEAN);
    }

    /** MEAN or SUM of the terms (a scalar), or NONE: each term, in the output's shape, for the caller to reduce. */
    public BCELoss(Reduction reduction) {
        this.reduction = Losses.checked("BCELoss", reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("BCELoss", output, target);
        return Losses.reduce(new ElementWise().apply(output, target), reduction);
    }

    /** Clamped logarithm: max(log v, -100), with log 0 = -100. */
    private static Tensor clampedLog(Tensor v) {
        Tensor floor = v.fullLike(-100);
        return v.log().maximum(floor);
    }

    private static final class ElementWise extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor p = in[0];
            Tensor y = in[1];
            save(p, y);
            Tensor logP = clampedLog(p);
            Tensor log1mP = clampedLog(p.neg().add(1));
            return y.mul(logP).add(y.neg().add(1).mul(log1mP)).neg();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor p = saved()[0];
            Tensor y = saved()[1];
            Tensor gp = null;
            Tensor gy = null;
            if (p.requiresGrad()) {
                Tensor denominator = p.mul(p.neg().add(1)).maximum(p.fullLike(GRADIENT_FLOOR));
                gp = g.mul(p.sub(y)).div(denominator);
            }
            if (y.requiresGrad()) {
                gy = g.mul(clampedLog(p.neg().add(1)).sub(clampedLog(p)));
            }
            return new Tensor[] {gp, gy};
        }
    }
}
