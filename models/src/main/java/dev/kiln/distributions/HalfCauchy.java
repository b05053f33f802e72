package dev.kiln.distributions;

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
public final class HalfCauchy extends HalfDistribution<Cauchy> {
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
        super("HalfCauchy", scale, new Cauchy(scale.fullLike(0), scale, false), validateArgs);
    }

    /** Infinity (PyTorch's). */
    @Override
    public Tensor mean() {
        return scale().fullLike(Double.POSITIVE_INFINITY);
    }

    /** Infinity (PyTorch's). */
    @Override
    public Tensor variance() {
        return base().variance();
    }

    @Override
    public HalfCauchy expand(int... batchShape) {
        return new HalfCauchy(Tensors.expandTo(scale(), expandedBatch(batchShape)), validatesArgs());
    }
}
