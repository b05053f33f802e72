package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The normal distribution N(loc, scale^2), as PyTorch's {@code torch.distributions.Normal(loc, scale)}: loc (real, the
 * mean) and scale (positive, the standard deviation) broadcast to the batch shape; events are scalars. {@code rsample} is
 * {@code loc + eps * scale} with eps ~ N(0, 1).
 * <pre>
 * logProb(x) = -(x - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))
 * cdf(x)     = (1 + erf((x - loc) / (scale sqrt(2)))) / 2,  icdf(p) = loc + scale sqrt(2) erfinv(2p - 1)
 * entropy    = 1/2 + log(2 pi) / 2 + log(scale),  mode = loc
 * </pre>
 */
public final class Normal extends LocationScale {
    private static final double LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    /** N(loc, scale^2), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Normal(Tensor loc, Tensor scale) {
        this(loc, scale, defaultValidateArgs());
    }

    /** N(loc, scale^2) with F32 scalar parameters. */
    public Normal(double loc, double scale) {
        this(Tensor.scalar(loc), Tensor.scalar(scale));
    }

    /** N(loc, scale^2), checking that scale is positive and loc not NaN when {@code validateArgs}. */
    public Normal(Tensor loc, Tensor scale, boolean validateArgs) {
        super("Normal", loc, scale, validateArgs);
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return loc.add(Tensors.standardNormal(loc, extendedShape(sampleShape)).mul(scale));
    }

    @Override
    Tensor density(Tensor value) {
        return value.sub(loc).square().div(scale.square().mul(2)).neg().sub(scale.log()).sub(LOG_SQRT_TWO_PI);
    }

    @Override
    Tensor cumulative(Tensor value) {
        return value.sub(loc).mul(scale.reciprocal()).div(Math.sqrt(2)).erf().add(1).mul(0.5);
    }

    @Override
    public Tensor entropy() {
        return scale.log().add(0.5 + LOG_SQRT_TWO_PI);
    }

    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Tensor variance() {
        return scale.square();
    }

    @Override
    public Tensor stddev() {
        return scale;
    }

    @Override
    public Tensor icdf(Tensor value) {
        return loc.add(scale.mul(InverseErf.of(value.mul(2).sub(1))).mul(Math.sqrt(2)));
    }

    @Override
    public Normal expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Normal(Tensors.expandTo(loc, shape), Tensors.expandTo(scale, shape), validatesArgs());
    }
}
