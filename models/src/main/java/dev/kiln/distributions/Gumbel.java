package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Gumbel (type-I extreme value) distribution, as PyTorch's {@code torch.distributions.Gumbel(loc, scale)}: loc
 * (real, the mode) and scale (positive) broadcast to the batch shape; events are scalars. {@code rsample} is
 * {@code loc - scale log(-log(u))} with u uniform in [tiny, 1 - eps) (the dtype's smallest normal number and machine
 * epsilon, as PyTorch's base Uniform).
 * <pre>
 * logProb(x) = (z - exp(z)) - log(scale) with z = (loc - x) / scale
 * cdf(x)     = exp(-exp(z)),  icdf(p) = loc - scale log(-log(p))
 * entropy    = log(scale) + 1 + gamma,  mean = loc + scale gamma,  variance = (pi scale)^2 / 6  (gamma Euler's)
 * </pre>
 */
public final class Gumbel extends LocationScale {
    /** The Euler-Mascheroni constant. */
    static final double EULER_GAMMA = 0.57721566490153286060;

    /** Gumbel(loc, scale), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Gumbel(Tensor loc, Tensor scale) {
        this(loc, scale, defaultValidateArgs());
    }

    /** Gumbel(loc, scale) with F32 scalar parameters. */
    public Gumbel(double loc, double scale) {
        this(Tensor.scalar(loc), Tensor.scalar(scale));
    }

    /** Gumbel(loc, scale), checking that scale is positive and loc not NaN when {@code validateArgs}. */
    public Gumbel(Tensor loc, Tensor scale, boolean validateArgs) {
        super("Gumbel", loc, scale, validateArgs);
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        double tiny = Finfo.tiny(loc.dtype());
        Tensor u = Tensors.uniform(loc, tiny, 1 - Finfo.eps(loc.dtype()), extendedShape(sampleShape));
        return loc.sub(u.log().neg().log().mul(scale));
    }

    @Override
    Tensor density(Tensor value) {
        Tensor z = loc.sub(value).div(scale);
        return z.sub(z.exp()).sub(scale.log());
    }

    @Override
    Tensor cumulative(Tensor value) {
        return loc.sub(value).div(scale).exp().neg().exp();
    }

    @Override
    public Tensor icdf(Tensor value) {
        return loc.sub(value.log().neg().log().mul(scale));
    }

    @Override
    public Tensor entropy() {
        return scale.log().add(1 + EULER_GAMMA);
    }

    @Override
    public Tensor mean() {
        return loc.add(scale.mul(EULER_GAMMA));
    }

    @Override
    public Tensor variance() {
        return stddev().square();
    }

    @Override
    public Tensor stddev() {
        return scale.mul(Math.PI / Math.sqrt(6));
    }

    @Override
    public Gumbel expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Gumbel(Tensors.expandTo(loc, shape), Tensors.expandTo(scale, shape), validatesArgs());
    }
}
