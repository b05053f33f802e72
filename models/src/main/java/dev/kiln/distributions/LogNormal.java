package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The log-normal distribution: exp(X) for X ~ N(loc, scale^2), as PyTorch's
 * {@code torch.distributions.LogNormal(loc, scale)} (there a Normal transformed by exp). Parameters as
 * {@link Normal}'s; values are positive; events are scalars.
 * <pre>
 * logProb(x) = normal.logProb(log x) - log x
 * cdf(x)     = normal.cdf(log x),  icdf(p) = exp(normal.icdf(p)),  mode = exp(loc - scale^2)
 * entropy    = normal.entropy + loc
 * mean       = exp(loc + scale^2 / 2),  variance = (exp(scale^2) - 1) exp(2 loc + scale^2)
 * </pre>
 */
public final class LogNormal extends Distribution {
    private final Normal base;

    /** exp(N(loc, scale^2)), validated as {@link Distribution#defaultValidateArgs()} says. */
    public LogNormal(Tensor loc, Tensor scale) {
        this(loc, scale, defaultValidateArgs());
    }

    /** exp(N(loc, scale^2)) with F32 scalar parameters. */
    public LogNormal(double loc, double scale) {
        this(Tensor.scalar(loc), Tensor.scalar(scale));
    }

    /** exp(N(loc, scale^2)), checking the parameters as {@link Normal} does when {@code validateArgs}. */
    public LogNormal(Tensor loc, Tensor scale, boolean validateArgs) {
        this(new Normal(loc, scale, validateArgs));
    }

    private LogNormal(Normal base) {
        super(base.batchShape(), Shape.scalar(), base.validatesArgs());
        this.base = base;
    }

    /** The normal distribution of the logarithm. */
    public Normal base() {
        return base;
    }

    /** The mean of the logarithm, broadcast to the batch shape. */
    public Tensor loc() {
        return base.loc();
    }

    /** The standard deviation of the logarithm, broadcast to the batch shape. */
    public Tensor scale() {
        return base.scale();
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return base.rsample(sampleShape).exp();
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor log = checkedValue("logProb", value).log();
        return base.density(log).sub(log);
    }

    @Override
    public Tensor cdf(Tensor value) {
        return base.cumulative(checkedValue("cdf", value).log());
    }

    @Override
    public Tensor entropy() {
        return base.entropy().add(base.loc());
    }

    @Override
    public Tensor mean() {
        return base.loc().add(base.scale().square().div(2)).exp();
    }

    @Override
    public Tensor variance() {
        Tensor scale2 = base.scale().square();
        return scale2.expm1().mul(base.loc().mul(2).add(scale2).exp());
    }

    @Override
    public Constraint support() {
        return Constraint.positive();
    }

    @Override
    public Tensor icdf(Tensor value) {
        return base.icdf(value).exp();
    }

    @Override
    public Tensor mode() {
        return base.loc().sub(base.scale().square()).exp();
    }

    @Override
    public LogNormal expand(int... batchShape) {
        return new LogNormal(base.expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "LogNormal(loc: " + loc().shape() + ", scale: " + scale().shape() + ")";
    }
}
