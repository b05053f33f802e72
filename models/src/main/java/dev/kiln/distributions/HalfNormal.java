package dev.kiln.distributions;

import dev.kiln.engine.Shape;
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
public final class HalfNormal extends Distribution {
    private static final double LOG_TWO = Math.log(2);

    private final Normal base;

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
        super(scale.shape(), Shape.scalar(), validateArgs);
        this.base = new Normal(scale.fullLike(0), scale, false);
        checkParameter("scale", scale, Constraint.positive());
    }

    /** The normal distribution whose absolute value this is. */
    public Normal base() {
        return base;
    }

    /** The scale of the underlying normal distribution. */
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

    @Override
    public Tensor mean() {
        return scale().mul(Math.sqrt(2 / Math.PI));
    }

    @Override
    public Tensor mode() {
        return scale().fullLike(0);
    }

    @Override
    public Tensor variance() {
        return scale().square().mul(1 - 2 / Math.PI);
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegative();
    }

    @Override
    public HalfNormal expand(int... batchShape) {
        return new HalfNormal(Tensors.expandTo(scale(), expandedBatch(batchShape)), validatesArgs());
    }

    @Override
    public String toString() {
        return "HalfNormal(scale: " + scale().shape() + ")";
    }
}
