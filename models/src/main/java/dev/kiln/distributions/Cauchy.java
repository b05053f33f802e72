package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Cauchy (Lorentz) distribution, as PyTorch's {@code torch.distributions.Cauchy(loc, scale)}: loc (real, the
 * median and mode) and scale (positive, the half width at half maximum) broadcast to the batch shape; events are
 * scalars. {@code rsample} is {@code loc + scale tan(pi (u - 1/2))} with u uniform in [0, 1).
 * <pre>
 * logProb(x) = -log(pi) - log(scale) - log(1 + ((x - loc) / scale)^2)
 * cdf(x)     = atan((x - loc) / scale) / pi + 1/2,   icdf(p) = loc + scale tan(pi (p - 1/2))
 * entropy    = log(4 pi) + log(scale),  mean NaN,  variance infinity
 * </pre>
 */
public final class Cauchy extends LocationScale {
    private static final double LOG_PI = Math.log(Math.PI);

    /** Cauchy(loc, scale), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Cauchy(Tensor loc, Tensor scale) {
        this(loc, scale, defaultValidateArgs());
    }

    /** Cauchy(loc, scale) with F32 scalar parameters. */
    public Cauchy(double loc, double scale) {
        this(Tensor.scalar(loc), Tensor.scalar(scale));
    }

    /** Cauchy(loc, scale), checking that scale is positive and loc not NaN when {@code validateArgs}. */
    public Cauchy(Tensor loc, Tensor scale, boolean validateArgs) {
        super("Cauchy", loc, scale, validateArgs);
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor u = Tensors.uniform(loc, 0, 1, extendedShape(sampleShape));
        return loc.add(u.sub(0.5).mul(Math.PI).tan().mul(scale));
    }

    @Override
    Tensor density(Tensor value) {
        return value.sub(loc).div(scale).square().log1p().neg().sub(scale.log()).sub(LOG_PI);
    }

    @Override
    Tensor cumulative(Tensor value) {
        return value.sub(loc).div(scale).atan().div(Math.PI).add(0.5);
    }

    @Override
    public Tensor icdf(Tensor value) {
        return value.sub(0.5).mul(Math.PI).tan().mul(scale).add(loc);
    }

    @Override
    public Tensor entropy() {
        return scale.log().add(Math.log(4 * Math.PI));
    }

    /** NaN: the Cauchy distribution has no mean (PyTorch's). */
    @Override
    public Tensor mean() {
        return loc.fullLike(Double.NaN);
    }

    /** Infinity (PyTorch's). */
    @Override
    public Tensor variance() {
        return loc.fullLike(Double.POSITIVE_INFINITY);
    }

    @Override
    public Cauchy expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Cauchy(Tensors.expandTo(loc, shape), Tensors.expandTo(scale, shape), validatesArgs());
    }
}
