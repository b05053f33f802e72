package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem and Cunningham, 2019: the likelihood that makes a
 * variational autoencoder's Bernoulli loss on pixel intensities in [0, 1] a normalised density), as PyTorch's
 * {@code torch.distributions.ContinuousBernoulli(probs=...)} or {@code (logits=...)}: the batch shape is the
 * parameter's; events are scalars. probs lambda is clamped to [eps, 1 - eps] (eps the dtype's machine epsilon), as in
 * PyTorch, and logits = log(lambda / (1 - lambda)); neither is a probability of the values.
 * <pre>
 * logProb(x) = x logits - softplus(logits) + log C(lambda),   C(lambda) = 2 atanh(1 - 2 lambda) / (1 - 2 lambda)
 * cdf(x)     = (lambda^x (1 - lambda)^(1 - x) + lambda - 1) / (2 lambda - 1),  icdf inverting it
 * mean       = lambda / (2 lambda - 1) + 1 / (log(1 - lambda) - log(lambda))
 * variance   = lambda (lambda - 1) / (1 - 2 lambda)^2 + 1 / (log(1 - lambda) - log(lambda))^2
 * entropy    = mean (log(1 - lambda) - log(lambda)) - log C(lambda) - log(1 - lambda)
 * </pre>
 * Near lambda = 1/2, where those closed forms divide 0 by 0, PyTorch's Taylor expansions take over, exactly as it
 * switches: for lambda in (0.499, 0.501] log C, the mean and the variance are their expansions in (lambda - 1/2), the
 * cdf and icdf the identity (the uniform's), and the closed forms are evaluated at lambda = 0.499 instead (so that
 * neither branch, nor its gradient, is NaN). {@code rsample} is {@code icdf(u)} for u uniform in [0, 1).
 */
public final class ContinuousBernoulli extends Distribution {
    /** PyTorch's default {@code lims}: the unstable region (LOW, HIGH] around 1/2. */
    private static final double LOW = 0.499;
    private static final double HIGH = 0.501;

    private final Tensor probs;
    private final Tensor logits;
    private final boolean fromProbs;

    private ContinuousBernoulli(Tensor given, Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super(probs.shape(), Shape.scalar(), validateArgs);
        this.probs = probs;
        this.logits = logits;
        this.fromProbs = fromProbs;
        // The given parameter, before the clamp, which would bring any probs into range.
        if (fromProbs) {
            checkParameter("probs", given, Constraint.unitInterval());
        } else {
            checkParameter("logits", given, Constraint.real());
        }
    }

    /** ContinuousBernoulli(probs), validated as {@link Distribution#defaultValidateArgs()} says. */
    public static ContinuousBernoulli ofProbs(Tensor probs) {
        return ofProbs(probs, defaultValidateArgs());
    }

    /** ContinuousBernoulli(probs), checking that probs lie in [0, 1] when {@code validateArgs}. */
    public static ContinuousBernoulli ofProbs(Tensor probs, boolean validateArgs) {
        Tensor clamped = clamped(probs);
        return new ContinuousBernoulli(probs, clamped, ProbsOrLogits.logitsOf(clamped), true, validateArgs);
    }

    /** ContinuousBernoulli(logits): probs the clamped sigmoid(logits), validated as the default says. */
    public static ContinuousBernoulli ofLogits(Tensor logits) {
        return ofLogits(logits, defaultValidateArgs());
    }

    /** ContinuousBernoulli(logits), checking that the logits are not NaN when {@code validateArgs}. */
    public static ContinuousBernoulli ofLogits(Tensor logits, boolean validateArgs) {
        return new ContinuousBernoulli(logits, clamped(logits.sigmoid()), logits, false, validateArgs);
    }

    /** PyTorch's {@code clamp_probs}: [eps, 1 - eps]. */
    private static Tensor clamped(Tensor probs) {
        double eps = Finfo.eps(probs.dtype());
        return probs.clamp(eps, 1 - eps);
    }

    /** The shape parameter lambda, clamped to [eps, 1 - eps]. */
    public Tensor probs() {
        return probs;
    }

    /** log(lambda / (1 - lambda)): the given logits, or those of the clamped probs. */
    public Tensor logits() {
        return logits;
    }

    /** 1 where lambda lies outside the unstable region (LOW, HIGH], where the closed forms hold. */
    private Tensor outsideUnstableRegion() {
        return probs.le(LOW).add(probs.gt(HIGH));
    }

    /** lambda outside the unstable region, LOW inside it. */
    private Tensor cutProbs() {
        return Tensor.where(outsideUnstableRegion(), probs, probs.fullLike(LOW));
    }

    /** log C(lambda), the log of the normalising constant (PyTorch's {@code _cont_bern_log_norm}). */
    Tensor logNormaliser() {
        Tensor cut = cutProbs();
        Tensor atMostHalf = cut.le(0.5);
        // Each side's logarithm sees a stand-in on the other side, so that the unused one is finite.
        Tensor belowHalf = Tensor.where(atMostHalf, cut, cut.fullLike(0));
        Tensor aboveHalf = Tensor.where(cut.ge(0.5), cut, cut.fullLike(1));
        Tensor logNorm = cut.neg().log1p().sub(cut.log()).abs().log().sub(Tensor.where(atMostHalf,
                belowHalf.mul(-2).log1p(), aboveHalf.mul(2).sub(1).log()));
        Tensor x = probs.sub(0.5).square();
        Tensor taylor = x.mul(104.0 / 45).add(4.0 / 3).mul(x).add(Math.log(2));
        return Tensor.where(outsideUnstableRegion(), logNorm, taylor);
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return icdf(Tensors.uniform(probs, 0, 1, extendedShape(sampleShape)));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return x.mul(logits).sub(F.softplus(logits)).add(logNormaliser());
    }

    @Override
    public Tensor cdf(Tensor value) {
        Tensor x = checkedValue("cdf", value);
        Tensor cut = cutProbs();
        Tensor powers = x.mul(cut.log()).exp().mul(x.neg().add(1).mul(cut.neg().add(1).log()).exp());
        Tensor cdfs = powers.add(cut).sub(1).div(cut.mul(2).sub(1));
        Tensor unbounded = Tensor.where(outsideUnstableRegion(), cdfs, x);
        return Tensor.where(x.le(0), x.fullLike(0), Tensor.where(x.ge(1), x.fullLike(1), unbounded));
    }

    @Override
    public Tensor icdf(Tensor value) {
        Tensor cut = cutProbs();
        Tensor inverted = cut.neg().add(value.mul(cut.mul(2).sub(1))).log1p().sub(cut.neg().log1p())
                .div(cut.log().sub(cut.neg().log1p()));
        return Tensor.where(outsideUnstableRegion(), inverted, value);
    }

    @Override
    public Tensor entropy() {
        Tensor logProbs0 = probs.neg().log1p();
        Tensor logProbs1 = probs.log();
        return mean().mul(logProbs0.sub(logProbs1)).sub(logNormaliser()).sub(logProbs0);
    }

    @Override
    public Tensor mean() {
        Tensor cut = cutProbs();
        Tensor mus = cut.div(cut.mul(2).sub(1)).add(cut.neg().log1p().sub(cut.log()).reciprocal());
        Tensor x = probs.sub(0.5);
        Tensor taylor = x.square().mul(16.0 / 45).add(1.0 / 3).mul(x).add(0.5);
        return Tensor.where(outsideUnstableRegion(), mus, taylor);
    }

    @Override
    public Tensor variance() {
        Tensor cut = cutProbs();
        Tensor vars = cut.mul(cut.sub(1)).div(cut.mul(-2).add(1).square())
                .add(cut.neg().log1p().sub(cut.log()).square().reciprocal());
        Tensor x = probs.sub(0.5).square();
        Tensor taylor = x.mul(128.0 / 945).neg().add(1.0 / 15).mul(x).neg().add(1.0 / 12);
        return Tensor.where(outsideUnstableRegion(), vars, taylor);
    }

    @Override
    public Constraint support() {
        return Constraint.unitInterval();
    }

    @Override
    public ContinuousBernoulli expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return fromProbs ? ofProbs(Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(Tensors.expandTo(logits, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "ContinuousBernoulli(" + (fromProbs ? "probs: " : "logits: ") + probs.shape() + ")";
    }
}
