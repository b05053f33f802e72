package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Laplace distribution, as PyTorch's {@code torch.distributions.Laplace(loc, scale)}: loc (real, the mean and
 * median) and scale (positive) broadcast to the batch shape; events are scalars. {@code rsample} is
 * {@code loc - scale sign(u) log(1 - |u|)} with u uniform in [eps - 1, 1), eps the dtype's machine epsilon.
 * <pre>
 * logProb(x) = -log(2 scale) - |x - loc| / scale
 * cdf(x)     = 1/2 - sign(x - loc) (exp(-|x - loc| / scale) - 1) / 2
 * icdf(p)    = loc - scale sign(p - 1/2) log(1 - 2 |p - 1/2|),  mode = loc
 * entropy    = 1 + log(2 scale),  variance = 2 scale^2
 * </pre>
 */
public final class Laplace extends LocationScale {
    /** Laplace(loc, scale), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Laplace(Tensor loc, Tensor scale) {
        this(loc, scale, defaultValidateArgs());
    }

    /** Laplace(loc, scale) with F32 scalar parameters. */
    public Laplace(double loc, double scale) {
        this(Tensor.scalar(loc), Tensor.scalar(scale));
    }

    /** Laplace(loc, scale), checking that scale is positive and loc not NaN when {@code validateArgs}. */
    public Laplace(Tensor loc, Tensor scale, boolean validateArgs) {
        super("Laplace", loc, scale, validateArgs);
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        // As PyTorch: u starts at eps - 1, so that log(1 - |u|) stays finite.
        Tensor u = Tensors.uniform(loc, Finfo.eps(loc.dtype()) - 1, 1, extendedShape(sampleShape));
        return loc.sub(scale.mul(u.sign()).mul(u.abs().neg().log1p()));
    }

    @Override
    Tensor density(Tensor value) {
        return scale.mul(2).log().neg().sub(value.sub(loc).abs().div(scale));
    }

    @Override
    Tensor cumulative(Tensor value) {
        Tensor centred = value.sub(loc);
        return centred.sign().mul(centred.abs().neg().div(scale).expm1()).mul(-0.5).add(0.5);
    }

    @Override
    public Tensor entropy() {
        return scale.mul(2).log().add(1);
    }

    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Tensor variance() {
        return scale.square().mul(2);
    }

    @Override
    public Tensor stddev() {
        return scale.mul(Math.sqrt(2));
    }

    @Override
    public Tensor icdf(Tensor value) {
        Tensor term = value.sub(0.5);
        return loc.sub(scale.mul(term.sign()).mul(term.abs().mul(-2).log1p()));
    }

    @Override
    public Laplace expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Laplace(Tensors.expandTo(loc, shape), Tensors.expandTo(scale, shape), validatesArgs());
    }
}
