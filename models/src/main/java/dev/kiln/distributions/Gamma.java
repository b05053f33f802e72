package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Special;
import dev.kiln.engine.Tensor;

/**
 * The gamma distribution of shape {@code concentration} (alpha) and inverse scale {@code rate}, as PyTorch's
 * {@code torch.distributions.Gamma(concentration, rate)}: both positive, broadcast to the batch shape; values are 0
 * or more; events are scalars. {@code rsample} is {@code x / rate} for x ~ Gamma(alpha, 1) drawn by Marsaglia and
 * Tsang's rejection method with PyTorch's implicit reparameterisation gradient ({@link StandardGamma}: a few rounds of
 * tensor operations over the elements still waiting, each reading back which it accepted), clamped from below to the
 * dtype's smallest normal number before and after the division by the rate (where the second clamp acts the gradient
 * is 0; PyTorch's is the unclamped value's).
 * <pre>
 * logProb(x) = alpha log(rate) + (alpha - 1) log(x) - rate x - lgamma(alpha)   ((alpha - 1) log(x) is 0 where alpha is 1)
 * entropy    = alpha - log(rate) + lgamma(alpha) + (1 - alpha) digamma(alpha)
 * mean       = alpha / rate,  variance = alpha / rate^2,  mode = max((alpha - 1) / rate, 0)
 * </pre>
 * {@code cdf(x) = P(alpha, rate x)}, the regularized lower incomplete gamma function ({@link Special#gammainc}), which
 * PyTorch 1.13 lacks: differentiable in x and rate, not in alpha (as PyTorch's gammainc; its backward refuses).
 */
public class Gamma extends Distribution {
    private final Tensor concentration;
    private final Tensor rate;

    /** Gamma(concentration, rate), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Gamma(Tensor concentration, Tensor rate) {
        this(concentration, rate, defaultValidateArgs());
    }

    /** Gamma(concentration, rate) with F32 scalar parameters. */
    public Gamma(double concentration, double rate) {
        this(Tensor.scalar(concentration), Tensor.scalar(rate));
    }

    /** Gamma(concentration, rate), checking that both are positive when {@code validateArgs}. */
    public Gamma(Tensor concentration, Tensor rate, boolean validateArgs) {
        this(Tensors.broadcastAll("Gamma", concentration, rate), validateArgs, true);
    }

    /** Broadcast parameters, checked here when {@code checkParameters} (a subclass that names them checks them). */
    Gamma(Tensor[] parameters, boolean validateArgs, boolean checkParameters) {
        super(parameters[0].shape(), Shape.scalar(), validateArgs);
        this.concentration = parameters[0];
        this.rate = parameters[1];
        if (checkParameters) {
            checkParameter("concentration", concentration, Constraint.positive());
            checkParameter("rate", rate, Constraint.positive());
        }
    }

    /** The shape parameter alpha, broadcast to the batch shape. */
    public Tensor concentration() {
        return concentration;
    }

    /** The rate (inverse scale), broadcast to the batch shape. */
    public Tensor rate() {
        return rate;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        Shape shape = Shape.of(extendedShape(sampleShape));
        // Clamped again after the division, as PyTorch's rsample clamps its value: a large rate would take the
        // standard draws' smallest normal number below it, even to 0.
        Tensor value = StandardGamma.sample(Tensors.expandTo(concentration, shape)).div(rate);
        return value.clampMin(Finfo.tiny(value.dtype()));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return concentration.mul(rate.log()).add(xlogy(concentration.sub(1), x)).sub(rate.mul(x))
                .sub(concentration.lgamma());
    }

    /**
     * {@code a log(x)}, 0 where a and x are both 0 (PyTorch's {@code xlogy}): x is read as 1 there, which keeps NaN out
     * of the value and the gradient; elsewhere the gradient with respect to a is log(x), as PyTorch's.
     */
    private static Tensor xlogy(Tensor a, Tensor x) {
        return a.mul(Tensor.where(a.eq(0).mul(x.eq(0)), x.fullLike(1), x).log());
    }

    @Override
    public Tensor entropy() {
        return concentration.sub(rate.log()).add(concentration.lgamma())
                .add(concentration.neg().add(1).mul(concentration.digamma()));
    }

    @Override
    public Tensor mean() {
        return concentration.div(rate);
    }

    @Override
    public Tensor variance() {
        return concentration.div(rate.square());
    }

    /** The density's peak, 0 where alpha &lt;= 1 (PyTorch's clamp, whose gradient passes at alpha = 1). */
    @Override
    public Tensor mode() {
        return concentration.sub(1).div(rate).clampMin(0);
    }

    @Override
    public Tensor cdf(Tensor value) {
        return Special.gammainc(concentration, rate.mul(checkedValue("cdf", value)));
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegative();
    }

    @Override
    public Gamma expand(int... batchShape) {
        Shape target = expandedBatch(batchShape);
        return new Gamma(Tensors.expandTo(concentration, target), Tensors.expandTo(rate, target), validatesArgs());
    }

    @Override
    public String toString() {
        return "Gamma(concentration: " + concentration.shape() + ", rate: " + rate.shape() + ")";
    }
}
