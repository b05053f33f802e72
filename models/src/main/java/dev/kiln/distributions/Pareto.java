package dev.kiln.distributions;

import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.ExpTransform;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The Pareto (type I) distribution of scale x_m and shape {@code alpha}, as PyTorch's
 * {@code torch.distributions.Pareto(scale, alpha)}: both positive, broadcast to the batch shape; values are at least
 * the scale; events are scalars. As in PyTorch it is an Exponential(alpha) pushed through exp and then x_m x
 * ({@link TransformedDistribution}): logProb, cdf, icdf and the reparameterised {@code rsample} are the transformed
 * base's.
 * <pre>
 * logProb(x) = log(alpha) + alpha log(x_m) - (alpha + 1) log(x)      (through the transforms)
 * cdf(x)     = 1 - (x_m / x)^alpha,  mode = x_m
 * mean       = alpha x_m / (alpha - 1)  (infinite for alpha &lt;= 1)
 * variance   = x_m^2 alpha / ((alpha - 1)^2 (alpha - 2))  (infinite for alpha &lt;= 2)
 * entropy    = log(x_m / alpha) + 1 + 1 / alpha
 * </pre>
 */
public final class Pareto extends TransformedDistribution {
    private final Tensor scale;
    private final Tensor alpha;

    /** Pareto(scale, alpha), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Pareto(Tensor scale, Tensor alpha) {
        this(scale, alpha, defaultValidateArgs());
    }

    /** Pareto(scale, alpha) with F32 scalar parameters. */
    public Pareto(double scale, double alpha) {
        this(Tensor.scalar(scale), Tensor.scalar(alpha));
    }

    /** Pareto(scale, alpha), checking that both are positive when {@code validateArgs}. */
    public Pareto(Tensor scale, Tensor alpha, boolean validateArgs) {
        this(Tensors.broadcastAll("Pareto", scale, alpha), validateArgs);
    }

    private Pareto(Tensor[] parameters, boolean validateArgs) {
        super(new Exponential(parameters[1], validateArgs), List.of(new ExpTransform(),
                new AffineTransform(parameters[0].fullLike(0, Shape.scalar()), parameters[0])), validateArgs);
        this.scale = parameters[0];
        this.alpha = parameters[1];
        checkParameter("alpha", alpha, Constraint.positive());
        checkParameter("scale", scale, Constraint.positive());
    }

    /** The scale x_m (the least value), broadcast to the batch shape. */
    public Tensor scale() {
        return scale;
    }

    /** The shape alpha (the tail index), broadcast to the batch shape. */
    public Tensor alpha() {
        return alpha;
    }

    @Override
    public Tensor entropy() {
        return scale.div(alpha).log().add(alpha.reciprocal().add(1));
    }

    /** Infinite where alpha &lt;= 1 (PyTorch's clamp of alpha to 1 or more, whose gradient passes above 1). */
    @Override
    public Tensor mean() {
        Tensor a = alpha.clampMin(1);
        return a.mul(scale).div(a.sub(1));
    }

    /** Infinite where alpha &lt;= 2 (PyTorch's clamp of alpha to 2 or more). */
    @Override
    public Tensor variance() {
        Tensor a = alpha.clampMin(2);
        return scale.square().mul(a).div(a.sub(1).square().mul(a.sub(2)));
    }

    @Override
    public Tensor mode() {
        return scale;
    }

    @Override
    public Constraint support() {
        return Constraint.atLeast(scale, "scale");
    }

    @Override
    public Pareto expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Pareto(Tensors.expandTo(scale, shape), Tensors.expandTo(alpha, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "Pareto(scale: " + scale.shape() + ", alpha: " + alpha.shape() + ")";
    }
}
