package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Poisson distribution of rate {@code rate} (0 or more), as PyTorch's {@code torch.distributions.Poisson(rate)}:
 * the batch shape is rate's; values are whole counts in rate's (floating) dtype; events are scalars.
 * <pre>
 * logProb(k) = k log(rate) - rate - log(k!)      (k log(rate) taken as 0 at k = 0)
 * mean = variance = rate,  mode = floor(rate)
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} draws exact counts ({@link CountSampling}). PyTorch 1.13 has no entropy
 * for it, nor a cdf.
 */
public final class Poisson extends Distribution {
    private final Tensor rate;

    /** Poisson(rate), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Poisson(Tensor rate) {
        this(rate, defaultValidateArgs());
    }

    /** Poisson(rate) with an F32 scalar rate. */
    public Poisson(double rate) {
        this(Tensor.scalar(rate));
    }

    /** Poisson(rate), checking that rate is 0 or more when {@code validateArgs}. */
    public Poisson(Tensor rate, boolean validateArgs) {
        super(rate.shape(), Shape.scalar(), validateArgs);
        this.rate = rate;
        checkParameter("rate", rate, Constraint.nonNegative());
    }

    /** The rate (mean count). */
    public Tensor rate() {
        return rate;
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        return CountSampling.poisson(rate, Shape.of(extendedShape(sampleShape)));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor k = checkedValue("logProb", value);
        return k.mul(rate.log()).maskedFill(k.eq(0), 0).sub(rate).sub(k.add(1).lgamma());
    }

    /** PyTorch 1.13 has none. */
    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy (as in PyTorch 1.13)");
    }

    @Override
    public Tensor mean() {
        return rate;
    }

    @Override
    public Tensor mode() {
        return rate.floor();
    }

    @Override
    public Tensor variance() {
        return rate;
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegativeInteger();
    }

    @Override
    public Poisson expand(int... batchShape) {
        return new Poisson(Tensors.expandTo(rate, expandedBatch(batchShape)), validatesArgs());
    }

    @Override
    public String toString() {
        return "Poisson(rate: " + rate.shape() + ")";
    }
}
