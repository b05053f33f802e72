package dev.kiln.distributions;

import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.PowerTransform;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The Kumaraswamy distribution on [0, 1] of concentrations a ({@code concentration1}) and b ({@code concentration0}),
 * a Beta-like law with a closed-form cdf, as PyTorch's {@code torch.distributions.Kumaraswamy(concentration1,
 * concentration0)}: both positive, broadcast to the batch shape; events are scalars. As in PyTorch it is a Uniform(0, 1)
 * pushed through u^(1/b), 1 - u and u^(1/a) ({@link TransformedDistribution}): logProb, cdf, icdf and the
 * reparameterised {@code rsample} are the transformed base's.
 * <pre>
 * logProb(x) = log(a b) + (a - 1) log(x) + (b - 1) log(1 - x^a)      (through the transforms)
 * cdf(x)     = 1 - (1 - x^a)^b
 * mean       = m1,  variance = m2 - m1^2,  m_n = b Gamma(1 + n/a) Gamma(b) / Gamma(1 + n/a + b)
 * entropy    = (1 - 1/b) + (1 - 1/a) (digamma(b + 1) + gamma) - log(a) - log(b)   (gamma Euler's)
 * mode       = ((a - 1) / (a b - 1))^(1/a), NaN where a or b is below 1 or both are 1
 * </pre>
 * The mode differs from PyTorch 1.13's, whose formula ({@code exp(log(1 - b) / b - log(1 - a b))}) takes logarithms
 * of negative numbers and is NaN for every a and b; this is the density's maximum.
 */
public final class Kumaraswamy extends TransformedDistribution {
    private final Tensor concentration1;
    private final Tensor concentration0;

    /** Kumaraswamy(concentration1, concentration0), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Kumaraswamy(Tensor concentration1, Tensor concentration0) {
        this(concentration1, concentration0, defaultValidateArgs());
    }

    /** Kumaraswamy(concentration1, concentration0) with F32 scalar parameters. */
    public Kumaraswamy(double concentration1, double concentration0) {
        this(Tensor.scalar(concentration1), Tensor.scalar(concentration0));
    }

    /** Kumaraswamy(concentration1, concentration0), checking that both are positive when {@code validateArgs}. */
    public Kumaraswamy(Tensor concentration1, Tensor concentration0, boolean validateArgs) {
        this(Tensors.broadcastAll("Kumaraswamy", concentration1, concentration0), validateArgs);
    }

    private Kumaraswamy(Tensor[] parameters, boolean validateArgs) {
        // The base is not validated: this checks values against [0, 1], whose ends the transforms take to the base's 1,
        // outside Uniform's [0, 1).
        super(new Uniform(parameters[1].fullLike(0), parameters[1].fullLike(1), false),
                List.of(new PowerTransform(parameters[1].reciprocal()),
                        new AffineTransform(parameters[1].fullLike(1, Shape.scalar()),
                                parameters[1].fullLike(-1, Shape.scalar())),
                        new PowerTransform(parameters[0].reciprocal())),
                validateArgs);
        this.concentration1 = parameters[0];
        this.concentration0 = parameters[1];
        checkParameter("concentration1", concentration1, Constraint.positive());
        checkParameter("concentration0", concentration0, Constraint.positive());
    }

    /** The first concentration a, broadcast to the batch shape. */
    public Tensor concentration1() {
        return concentration1;
    }

    /** The second concentration b, broadcast to the batch shape. */
    public Tensor concentration0() {
        return concentration0;
    }

    /** The n-th raw moment b Gamma(1 + n/a) Gamma(b) / Gamma(1 + n/a + b) (PyTorch's {@code _moments}). */
    private Tensor moment(int n) {
        Tensor arg = concentration1.reciprocal().mul(n).add(1);
        Tensor logValue = arg.lgamma().add(concentration0.lgamma())
                .sub(arg.add(concentration0).lgamma());
        return concentration0.mul(logValue.exp());
    }

    @Override
    public Tensor mean() {
        return moment(1);
    }

    @Override
    public Tensor variance() {
        return moment(2).sub(moment(1).square());
    }

    @Override
    public Tensor entropy() {
        Tensor t1 = concentration1.reciprocal().neg().add(1);
        Tensor t0 = concentration0.reciprocal().neg().add(1);
        Tensor h0 = concentration0.add(1).digamma().add(Gumbel.EULER_GAMMA);
        return t0.add(t1.mul(h0)).sub(concentration1.log()).sub(concentration0.log());
    }

    @Override
    public Tensor mode() {
        // At a = b = 1 the ratio is 0 / 0: NaN, as the flat density has no mode.
        Tensor ratio = concentration1.sub(1).div(concentration1.mul(concentration0).sub(1));
        Tensor mode = ratio.log().div(concentration1).exp();
        return mode.maskedFill(concentration0.lt(1).add(concentration1.lt(1)).gt(0), Double.NaN);
    }

    @Override
    public Constraint support() {
        return Constraint.unitInterval();
    }

    @Override
    public Kumaraswamy expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Kumaraswamy(Tensors.expandTo(concentration1, shape), Tensors.expandTo(concentration0, shape),
                validatesArgs());
    }

    @Override
    public String toString() {
        return "Kumaraswamy(concentration1: " + concentration1.shape() + ", concentration0: " + concentration0.shape()
                + ")";
    }
}
