package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Dirichlet distribution over probability vectors of K categories, as PyTorch's
 * {@code torch.distributions.Dirichlet(concentration)}: concentration [batch..., K] is positive; the batch shape is its
 * shape less the last axis; events are [K], non-negative and summing to 1. {@code rsample} normalises independent
 * Gamma(concentration, 1) draws ({@link StandardGamma}), clamped as PyTorch's to [smallest normal number, largest
 * number below 1] (where that acts the gradient is 0), and gradients flow through the normalisation and each
 * gamma's implicit reparameterisation gradient: an unbiased gradient of the same expectations as PyTorch's, but not
 * PyTorch's draw for draw, which differentiates the draw through each coordinate's Beta marginal instead
 * ({@code _dirichlet_grad}).
 * <pre>
 * logProb(x) = sum((alpha - 1) log x) + lgamma(sum(alpha)) - sum(lgamma(alpha))
 * entropy    = sum(lgamma(alpha)) - lgamma(a0) - (K - a0) digamma(a0) - sum((alpha - 1) digamma(alpha)),  a0 = sum(alpha)
 * mean       = alpha / a0,  variance = alpha (a0 - alpha) / (a0^2 (a0 + 1))
 * mode       = max(alpha - 1, 0) / sum(max(alpha - 1, 0)): NaN where no alpha exceeds 1 and one is 1 or more, the
 *              first vertex [1, 0, ...] where every alpha is below 1 (PyTorch 1.13's)
 * </pre>
 */
public final class Dirichlet extends Distribution {
    private final Tensor concentration;

    /** Dirichlet(concentration [batch..., K]), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Dirichlet(Tensor concentration) {
        this(concentration, defaultValidateArgs());
    }

    /** Dirichlet(concentration [batch..., K]), checking that it is positive when {@code validateArgs}. */
    public Dirichlet(Tensor concentration, boolean validateArgs) {
        super(categoryAxis(concentration).without(concentration.rank() - 1), Shape.of(concentration.dim(-1)),
                validateArgs);
        this.concentration = concentration;
        checkParameter("concentration", concentration, Constraint.independent(Constraint.positive(), 1));
    }

    /** The concentration's shape, after checking that it has an axis of categories. */
    private static Shape categoryAxis(Tensor concentration) {
        if (concentration.rank() < 1) {
            throw new IllegalArgumentException("Dirichlet: concentration must have an axis of categories,"
                    + " [batch..., K], got shape " + concentration.shape());
        }
        return concentration.shape();
    }

    /** The concentration [batch..., K]. */
    public Tensor concentration() {
        return concentration;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor gammas = StandardGamma.sample(Tensors.expandTo(concentration, Shape.of(extendedShape(sampleShape))));
        // Clamped within (0, 1) as PyTorch's _sample_dirichlet clamps them: a coordinate far above the others
        // would round to 1, and the others fall below the smallest normal number (Beta's logProb infinite there).
        double eps = Finfo.eps(concentration.dtype());
        return gammas.div(gammas.sum(-1, true)).clamp(Finfo.tiny(concentration.dtype()), 1 - eps / 2);
    }

    @Override
    public Tensor logProb(Tensor value) {
        return density(checkedValue("logProb", value));
    }

    /** logProb without the checks, for {@link Beta}, which checked its value. */
    Tensor density(Tensor value) {
        return value.log().mul(concentration.sub(1)).sum(-1, false)
                .add(concentration.sum(-1, false).lgamma())
                .sub(concentration.lgamma().sum(-1, false));
    }

    @Override
    public Tensor entropy() {
        int k = concentration.dim(-1);
        Tensor a0 = concentration.sum(-1, false);
        return concentration.lgamma().sum(-1, false).sub(a0.lgamma())
                .sub(a0.neg().add(k).mul(a0.digamma()))
                .sub(concentration.sub(1).mul(concentration.digamma()).sum(-1, false));
    }

    @Override
    public Tensor mean() {
        return concentration.div(concentration.sum(-1, true));
    }

    @Override
    public Tensor variance() {
        Tensor a0 = concentration.sum(-1, true);
        return concentration.mul(a0.sub(concentration)).div(a0.square().mul(a0.add(1)));
    }

    /**
     * The density's peak [batch..., K]. Where every concentration is below 1 the density rises towards each vertex;
     * PyTorch 1.13 takes the one-hot of the argmax of the row, which is 0 / 0 there, so of its first NaN: the first
     * vertex, as here. The denominator is 1 on those rows so that their unused quotient passes no NaN gradient.
     */
    @Override
    public Tensor mode() {
        Tensor excess = concentration.sub(1).clampMin(0);
        Tensor total = excess.sum(-1, true);
        Tensor allBelowOne = concentration.max(-1, true).lt(1);
        Tensor firstVertex = Tensor.arange(0, concentration.dim(-1), 1, concentration.dtype())
                .to(concentration.backend()).eq(0);
        return Tensor.where(allBelowOne, firstVertex, excess.div(Tensor.where(allBelowOne, total.fullLike(1), total)));
    }

    @Override
    public Constraint support() {
        return Constraint.simplex();
    }

    /** The same distribution over {@code batchShape}, the concentration broadcast to [batchShape..., K]. */
    @Override
    public Dirichlet expand(int... batchShape) {
        Shape target = Shape.of(Tensors.concat(expandedBatch(batchShape).dims(), eventShape().dims()));
        return new Dirichlet(Tensors.expandTo(concentration, target), validatesArgs());
    }

    @Override
    public String toString() {
        return "Dirichlet(concentration: " + concentration.shape() + ")";
    }
}
