package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The half-normal distribution: |X| for X ~ N(0, scale^2), as PyTorch's {@code torch.distributions.HalfNormal(scale)}
 * (there a Normal transformed by abs): scale (positive) is the batch shape; values are 0 or more; events are scalars.
 * {@code rsample} is {@code |eps scale|} with eps ~ N(0, 1).
 * <pre>
 * logProb(x) = normal.logProb(x) + log(2) for x >= 0 (-infinity below, without validation, which refuses it)
 * cdf(x)     = 2 normal.cdf(x) - 1,  icdf(p) = normal.icdf((p + 1) / 2)
 * entropy    = normal.entropy - log(2),  mean = scale sqrt(2 / pi),  variance = scale^2 (1 - 2 / pi),  mode = 0
 * </pre>
 */
public final class HalfNormal extends HalfDistribution<Normal> {
    /** |N(0, scale^2)|, validated as {@link Distribution#defaultValidateArgs()} says. */
    public HalfNormal(Tensor scale) {
        this(scale, defaultValidateArgs());
    }

    /** |N(0, scale^2)| with an F32 scalar scale. */
    public HalfNormal(double scale) {
        this(Tensor.scalar(scale));
    }

    /** |N(0, scale^2)|, checking that scale is positive when {@code validateArgs}. */
    public HalfNormal(Tensor scale, boolean validateArgs) {
        super("HalfNormal", scale, new Normal(scale.fullLike(0), scale, false), validateArgs);
    }

    @Override
    public Tensor mean() {
        return scale().mul(Math.sqrt(2 / Math.PI));
    }

    @Override
    public Tensor variance() {
        return scale().square().mul(1 - 2 / Math.PI);
    }

    @Override
    public HalfNormal expand(int... batchShape) {
        return new HalfNormal(Tensors.expandTo(scale(), expandedBatch(batchShape)), validatesArgs());
    }
}
