package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The half-Cauchy distribution: |X| for X ~ Cauchy(0, scale), as PyTorch's
 * {@code torch.distributions.HalfCauchy(scale)} (there a Cauchy transformed by abs): scale (positive) is the batch
 * shape; values are 0 or more; events are scalars. {@code rsample} is {@code |scale tan(pi (u - 1/2))|}.
 * <pre>
 * logProb(x) = cauchy.logProb(x) + log(2) for x >= 0 (-infinity below, without validation, which refuses it)
 * cdf(x)     = 2 cauchy.cdf(x) - 1,  icdf(p) = cauchy.icdf((p + 1) / 2)
 * entropy    = cauchy.entropy - log(2),  mean and variance infinity,  mode = 0
 * </pre>
 */
public final class HalfCauchy extends Distribution {
    private static final double LOG_TWO = Math.log(2);

    private final Cauchy base;

    /** |Cauchy(0, scale)|, validated as {@link Distribution#defaultValidateArgs()} says. */
    public HalfCauchy(Tensor scale) {
        this(scale, defaultValidateArgs());
    }

    /** |Cauchy(0, scale)| with an F32 scalar scale. */
    public HalfCauchy(double scale) {
        this(Tensor.scalar(scale));
    }

    /** |Cauchy(0, scale)|, checking that scale is positive when {@code validateArgs}. */
    public HalfCauchy(Tensor scale, boolean validateArgs) {
        super(scale.shape(), Shape.scalar(), validateArgs);
        this.base = new Cauchy(scale.fullLike(0), scale, false);
        checkParameter("scale", scale, Constraint.positive());
    }

    /** The Cauchy distribution whose absolute value this is. */
    public Cauchy base() {
        return base;
    }

    /** The scale of the underlying Cauchy distribution. */
    public Tensor scale() {
        return base.scale();
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return base.rsample(sampleShape).abs();
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return base.density(x).add(LOG_TWO).maskedFill(x.lt(0), Double.NEGATIVE_INFINITY);
    }

    @Override
    public Tensor cdf(Tensor value) {
        return base.cumulative(checkedValue("cdf", value)).mul(2).sub(1);
    }

    @Override
    public Tensor icdf(Tensor value) {
        return base.icdf(value.add(1).div(2));
    }

    @Override
    public Tensor entropy() {
        return base.entropy().sub(LOG_TWO);
    }

    /** Infinity (PyTorch's). */
    @Override
    public Tensor mean() {
        return scale().fullLike(Double.POSITIVE_INFINITY);
    }

    @Override
    public Tensor mode() {
        return scale().fullLike(0);
    }

    /** Infinity (PyTorch's). */
    @Override
    public Tensor variance() {
        return base.variance();
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegative();
    }

    @Override
    public HalfCauchy expand(int... batchShape) {
        return new HalfCauchy(Tensors.expandTo(scale(), expandedBatch(batchShape)), validatesArgs());
    }

    @Override
    public String toString() {
        return "HalfCauchy(scale: " + scale().shape() + ")";
    }
}
