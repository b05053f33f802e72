package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The exponential distribution of rate {@code rate} (positive), as PyTorch's
 * {@code torch.distributions.Exponential(rate)}: the batch shape is rate's; values are 0 or more; events are
 * scalars. {@code rsample} is {@code -log(1 - u) / rate} with u uniform in [0, 1).
 * <pre>
 * logProb(x) = log(rate) - rate x
 * cdf(x)     = 1 - exp(-rate x),  icdf(p) = -log(1 - p) / rate,  mode = 0
 * entropy    = 1 - log(rate),  mean = 1 / rate,  variance = 1 / rate^2
 * </pre>
 */
public final class Exponential extends Distribution {
    private final Tensor rate;

    /** Exponential(rate), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Exponential(Tensor rate) {
        this(rate, defaultValidateArgs());
    }

    /** Exponential(rate) with an F32 scalar rate. */
    public Exponential(double rate) {
        this(Tensor.scalar(rate));
    }

    /** Exponential(rate), checking that rate is positive when {@code validateArgs}. */
    public Exponential(Tensor rate, boolean validateArgs) {
        super(rate.shape(), Shape.scalar(), validateArgs);
        this.rate = rate;
        checkParameter("rate", rate, Constraint.positive());
    }

    /** The rate (inverse mean). */
    public Tensor rate() {
        return rate;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return Tensors.uniform(rate, 0, 1, extendedShape(sampleShape)).neg().log1p().neg().div(rate);
    }

    @Override
    public Tensor logProb(Tensor value) {
        return rate.log().sub(rate.mul(checkedValue("logProb", value)));
    }

    @Override
    public Tensor cdf(Tensor value) {
        return rate.neg().mul(checkedValue("cdf", value)).exp().neg().add(1);
    }

    @Override
    public Tensor entropy() {
        return rate.log().neg().add(1);
    }

    @Override
    public Tensor mean() {
        return rate.reciprocal();
    }

    @Override
    public Tensor variance() {
        return rate.pow(-2);
    }

    @Override
    public Tensor stddev() {
        return rate.reciprocal();
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegative();
    }

    @Override
    public Tensor icdf(Tensor value) {
        return value.neg().add(1).log().neg().div(rate);
    }

    @Override
    public Tensor mode() {
        return rate.fullLike(0);
    }

    @Override
    public Exponential expand(int... batchShape) {
        return new Exponential(Tensors.expandTo(rate, expandedBatch(batchShape)), validatesArgs());
    }

    @Override
    public String toString() {
        return "Exponential(rate: " + rate.shape() + ")";
    }
}
