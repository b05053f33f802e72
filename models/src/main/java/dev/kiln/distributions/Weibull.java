package dev.kiln.distributions;

import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.PowerTransform;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The two-parameter Weibull distribution of scale lambda and shape k ({@code concentration}), as PyTorch's
 * {@code torch.distributions.Weibull(scale, concentration)}: both positive, broadcast to the batch shape; values are
 * positive; events are scalars. As in PyTorch it is an Exponential(1) pushed through x^(1/k) and then lambda x
 * ({@link TransformedDistribution}): logProb, cdf, icdf and the reparameterised {@code rsample} are the transformed
 * base's.
 * <pre>
 * logProb(x) = log(k / lambda) + (k - 1) log(x / lambda) - (x / lambda)^k      (through the transforms)
 * cdf(x)     = 1 - exp(-(x / lambda)^k)
 * mean       = lambda Gamma(1 + 1/k),  variance = lambda^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2)
 * entropy    = gamma (1 - 1/k) + log(lambda / k) + 1   (gamma Euler's),  mode = lambda ((k - 1) / k)^(1/k)
 * </pre>
 * The mode is NaN for k below 1, as PyTorch's.
 */
public final class Weibull extends TransformedDistribution {
    private final Tensor scale;
    private final Tensor concentration;

    /** Weibull(scale, concentration), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Weibull(Tensor scale, Tensor concentration) {
        this(scale, concentration, defaultValidateArgs());
    }

    /** Weibull(scale, concentration) with F32 scalar parameters. */
    public Weibull(double scale, double concentration) {
        this(Tensor.scalar(scale), Tensor.scalar(concentration));
    }

    /** Weibull(scale, concentration), checking that both are positive when {@code validateArgs}. */
    public Weibull(Tensor scale, Tensor concentration, boolean validateArgs) {
        this(Tensors.broadcastAll("Weibull", scale, concentration), validateArgs);
    }

    private Weibull(Tensor[] parameters, boolean validateArgs) {
        super(new Exponential(parameters[0].fullLike(1), validateArgs),
                List.of(new PowerTransform(parameters[1].reciprocal()),
                        new AffineTransform(parameters[0].fullLike(0, Shape.scalar()), parameters[0])),
                validateArgs);
        this.scale = parameters[0];
        this.concentration = parameters[1];
        checkParameter("scale", scale, Constraint.positive());
        checkParameter("concentration", concentration, Constraint.positive());
    }

    /** The scale lambda, broadcast to the batch shape. */
    public Tensor scale() {
        return scale;
    }

    /** The shape k, broadcast to the batch shape. */
    public Tensor concentration() {
        return concentration;
    }

    @Override
    public Tensor entropy() {
        Tensor inverse = concentration.reciprocal();
        return inverse.neg().add(1).mul(Gumbel.EULER_GAMMA).add(scale.mul(inverse).log()).add(1);
    }

    @Override
    public Tensor mean() {
        return scale.mul(concentration.reciprocal().add(1).lgamma().exp());
    }

    @Override
    public Tensor variance() {
        Tensor inverse = concentration.reciprocal();
        Tensor second = inverse.mul(2).add(1).lgamma().exp();
        Tensor firstSquared = inverse.add(1).lgamma().mul(2).exp();
        return scale.square().mul(second.sub(firstSquared));
    }

    @Override
    public Tensor mode() {
        // A power of a negative base (k below 1) is NaN, as PyTorch's.
        return scale.mul(concentration.sub(1).div(concentration).log().div(concentration).exp());
    }

    @Override
    public Constraint support() {
        return Constraint.positive();
    }

    @Override
    public Weibull expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Weibull(Tensors.expandTo(scale, shape), Tensors.expandTo(concentration, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "Weibull(scale: " + scale.shape() + ", concentration: " + concentration.shape() + ")";
    }
}
