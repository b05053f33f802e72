package dev.kiln.distributions;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * A probability distribution over tensors, as PyTorch's {@code torch.distributions.Distribution}: a batch of
 * independent distributions of {@link #batchShape()}, each over events of {@link #eventShape()}. Parameters are
 * tensors, broadcast to one another, through which gradients flow into log-probabilities, entropies, moments,
 * divergences ({@link KL}) and reparameterised samples; everything is composed of public tensor operations, so it
 * runs on every backend.
 *
 * <p>Shapes: {@code sample(s)} and {@code rsample(s)} give [s..., batch..., event...]; {@code logProb(value)} and
 * {@code cdf(value)} take values whose last axes are the event's and whose others broadcast with the batch, and give
 * [value's batch axes broadcast with batch...]; {@code icdf(p)} takes probabilities shaped as cdf gives them and gives
 * values of that shape; {@code entropy()} is [batch...]; {@code mean()}, {@code variance()}, {@code stddev()} and
 * {@code mode()} are [batch..., event...]; {@code expand(b)} is the distribution of batch shape b (the same event);
 * {@code enumerateSupport(expand)} is [n, batch..., event...], or [n, 1 for each batch axis..., event...] without
 * expand. Where a family lacks cdf, icdf, mode, expand or enumerateSupport (as in PyTorch 1.13) they throw
 * {@link UnsupportedOperationException} naming the distribution and the method.
 *
 * <p>Validation, as PyTorch's {@code validate_args}: on by default ({@link #setDefaultValidateArgs}), the constructor
 * checks each parameter against its constraint and {@code logProb} and {@code cdf} check that values lie in the
 * {@link #support()}; each check reads one number back from the device, a wait on a GPU that turning validation off
 * saves. Shapes are always checked. Bad parameters and values throw {@link IllegalArgumentException} naming the
 * distribution, the parameter, its shape, the constraint and the first value outside it.
 */
public abstract class Distribution {
    private static volatile boolean validateByDefault = true;

    private final Shape batchShape;
    private final Shape eventShape;
    private final boolean validateArgs;

    /** A distribution of these shapes that checks its parameters and values when {@code validateArgs}. */
    protected Distribution(Shape batchShape, Shape eventShape, boolean validateArgs) {
        this.batchShape = batchShape;
        this.eventShape = eventShape;
        this.validateArgs = validateArgs;
    }

    /** Whether distributions made without an explicit choice validate (PyTorch's default: true). */
    public static boolean defaultValidateArgs() {
        return validateByDefault;
    }

    /** Sets whether distributions made from now on without an explicit choice validate their arguments. */
    public static void setDefaultValidateArgs(boolean validate) {
        validateByDefault = validate;
    }

    /** The shape of the batch of independent distributions. */
    public Shape batchShape() {
        return batchShape;
    }

    /** The shape of one event (a single draw of one distribution of the batch). */
    public Shape eventShape() {
        return eventShape;
    }

    /** Whether this distribution checks its parameters and the values it scores. */
    public boolean validatesArgs() {
        return validateArgs;
    }

    /** Whether {@link #rsample} gives reparameterised draws, through which gradients flow to the parameters. */
    public boolean hasRsample() {
        return false;
    }

    /**
     * Draws [sampleShape..., batch..., event...] from the engine's seeded stream ({@code Engine.seed}), without a
     * graph: the draws themselves, detached from the parameters.
     */
    public Tensor sample(int... sampleShape) {
        try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            return scope.keep(draw(sampleShape));
        }
    }

    /**
     * Reparameterised draws [sampleShape..., batch..., event...]: a differentiable function of the parameters and of
     * parameter-free noise from the engine's seeded stream, so that gradients of a function of the draws reach the
     * parameters (the reparameterisation trick).
     *
     * @throws UnsupportedOperationException where {@link #hasRsample()} is false (discrete distributions): score
     *     the detached {@link #sample} with {@code logProb} instead (REINFORCE)
     */
    public Tensor rsample(int... sampleShape) {
        throw new UnsupportedOperationException(this + " has no reparameterised sample (hasRsample() is false): use"
                + " sample(), which has no gradient, with a score-function estimator such as logProb(sample) * reward");
    }

    /** Draws without gradients: {@link #rsample} by default, called with gradients off. */
    protected Tensor draw(int... sampleShape) {
        return rsample(sampleShape);
    }

    /** The log of the density (or mass) at {@code value}: [value's batch axes broadcast with batch...]. */
    public abstract Tensor logProb(Tensor value);

    /**
     * The cumulative distribution function at {@code value}: [value's batch axes broadcast with batch...].
     *
     * @throws UnsupportedOperationException where the distribution has no closed form for it
     */
    public Tensor cdf(Tensor value) {
        throw new UnsupportedOperationException(this + " has no cdf");
    }

    /**
     * The inverse of the cumulative distribution function at probabilities {@code value} in [0, 1], shaped as
     * {@link #cdf} gives them: values of their shape broadcast with the batch; unchecked, as in PyTorch.
     *
     * @throws UnsupportedOperationException where the distribution has no closed form for it
     */
    public Tensor icdf(Tensor value) {
        throw new UnsupportedOperationException(this + " has no icdf");
    }

    /** The entropy of each distribution of the batch, in nats: [batch...]. */
    public abstract Tensor entropy();

    /** The mean: [batch..., event...]. */
    public abstract Tensor mean();

    /** The variance: [batch..., event...]. */
    public abstract Tensor variance();

    /**
     * The most probable value: [batch..., event...] (NaN where there is none, as PyTorch's).
     *
     * @throws UnsupportedOperationException where the distribution does not define it (as PyTorch 1.13)
     */
    public Tensor mode() {
        throw new UnsupportedOperationException(this + " has no mode");
    }

    /** The standard deviation: the square root of {@link #variance()}. */
    public Tensor stddev() {
        return variance().sqrt();
    }

    /** The set that values lie in, which {@code logProb} checks values against when validating. */
    public abstract Constraint support();

    /**
     * The same distribution over the batch shape {@code batchShape}, to which this one's broadcasts (PyTorch's
     * {@code expand}): its parameters broadcast to it, gradients flowing back to this one's; validation as this one's.
     *
     * @throws IllegalArgumentException naming both shapes where the batch shape does not broadcast to it
     * @throws UnsupportedOperationException where the distribution does not offer it
     */
    public Distribution expand(int... batchShape) {
        throw new UnsupportedOperationException(this + " has no expand");
    }

    /** Whether {@link #enumerateSupport} lists the values (a finite support of the same values across the batch). */
    public boolean hasEnumerateSupport() {
        return false;
    }

    /**
     * Every value of the support, along a new first axis: [n, batch..., event...] when {@code expand}, else
     * [n, 1 for each batch axis..., event...] (PyTorch's {@code enumerate_support}).
     *
     * @throws UnsupportedOperationException where {@link #hasEnumerateSupport()} is false
     */
    public Tensor enumerateSupport(boolean expand) {
        throw new UnsupportedOperationException(this + " has no enumerateSupport: its support is not finite");
    }

    /**
     * {@code batchShape} after checking that this distribution's batch shape broadcasts to it, as PyTorch's tensors
     * expand: each axis equal or 1, new axes in front.
     */
    protected final Shape expandedBatch(int... batchShape) {
        Shape target = Shape.of(batchShape);
        Shape own = this.batchShape;
        boolean fits = own.rank() <= target.rank();
        for (int i = 1; fits && i <= own.rank(); i++) {
            int size = own.dim(own.rank() - i);
            fits = size == 1 || size == target.dim(target.rank() - i);
        }
        if (!fits) {
            throw new IllegalArgumentException(this + ".expand: batch shape " + own + " does not broadcast to "
                    + target);
        }
        return target;
    }

    /** {@code values} [n] of the support as [n, batch...] when {@code expand}, else [n, 1 for each batch axis...]. */
    protected final Tensor enumerated(Tensor values, boolean expand) {
        int[] dims = new int[batchShape.rank() + 1];
        Arrays.fill(dims, 1);
        dims[0] = values.dim(0);
        Tensor column = values.reshape(dims);
        return expand ? column.expand(Tensors.concat(new int[] {values.dim(0)}, batchShape.dims())) : column;
    }

    /** [sampleShape..., batch..., event...], the shape of draws (PyTorch's {@code _extended_shape}). */
    protected final int[] extendedShape(int... sampleShape) {
        for (int size : sampleShape) {
            if (size < 0) {
                throw new IllegalArgumentException(this + ": sample shape " + Arrays.toString(sampleShape)
                        + " must not hold a negative size");
            }
        }
        return Tensors.concat(sampleShape, batchShape.dims(), eventShape.dims());
    }

    /** Throws naming {@code name} unless {@code value} satisfies {@code constraint}, when validating. */
    protected final void checkParameter(String name, Tensor value, Constraint constraint) {
        if (validateArgs) {
            constraint.require(toString(), "parameter " + name, value);
        }
    }

    /**
     * {@code value} itself, after checking that its last axes are the event's and its others broadcast with the
     * batch, and, when validating, that it lies in the {@link #support()} (PyTorch's {@code _validate_sample}).
     */
    protected final Tensor checkedValue(String method, Tensor value) {
        int batchAxes = value.rank() - eventShape.rank();
        if (batchAxes < 0 || !Tensors.trailing(value.shape(), batchAxes).equals(eventShape)) {
            throw new IllegalArgumentException(this + "." + method + ": value " + value.shape()
                    + " must end in the event shape " + eventShape);
        }
        try {
            Shape.broadcast(method, Tensors.leading(value.shape(), batchAxes), batchShape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + "." + method + ": value " + value.shape()
                    + " does not broadcast with the batch shape " + batchShape + " (event shape " + eventShape + ")", e);
        }
        if (validateArgs) {
            support().require(this + "." + method, "value", value);
        }
        return value;
    }
}
