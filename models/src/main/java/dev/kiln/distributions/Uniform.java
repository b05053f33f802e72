package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The continuous uniform distribution on [low, high), as PyTorch's {@code torch.distributions.Uniform(low, high)}:
 * low and high broadcast to the batch shape, low below high; events are scalars. {@code rsample} is
 * {@code low + u (high - low)} with u uniform in [0, 1).
 * <pre>
 * logProb(x) = -log(high - low) inside [low, high), -infinity outside (without validation, which refuses it)
 * cdf(x)     = (x - low) / (high - low) clamped to [0, 1],  icdf(p) = low + p (high - low)
 * entropy    = log(high - low),  mean = (low + high) / 2,  variance = (high - low)^2 / 12
 * </pre>
 */
public final class Uniform extends Distribution {
    private final Tensor low;
    private final Tensor high;

    /** Uniform on [low, high), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Uniform(Tensor low, Tensor high) {
        this(low, high, defaultValidateArgs());
    }

    /** Uniform on [low, high) with F32 scalar bounds. */
    public Uniform(double low, double high) {
        this(Tensor.scalar(low), Tensor.scalar(high));
    }

    /** Uniform on [low, high), checking that low is below high when {@code validateArgs}. */
    public Uniform(Tensor low, Tensor high, boolean validateArgs) {
        this(Tensors.broadcastAll("Uniform", low, high), validateArgs);
    }

    private Uniform(Tensor[] bounds, boolean validateArgs) {
        super(bounds[0].shape(), Shape.scalar(), validateArgs);
        this.low = bounds[0];
        this.high = bounds[1];
        checkParameter("low", low, Constraint.lessThan(high, "high"));
    }

    /** The lower bound (included), broadcast to the batch shape. */
    public Tensor low() {
        return low;
    }

    /** The upper bound (excluded), broadcast to the batch shape. */
    public Tensor high() {
        return high;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return low.add(Tensors.uniform(low, 0, 1, extendedShape(sampleShape)).mul(high.sub(low)));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        // The indicator of [low, high) carries no gradient; its log is 0 inside and -infinity outside.
        return low.le(x).mul(high.gt(x)).log().sub(high.sub(low).log());
    }

    @Override
    public Tensor cdf(Tensor value) {
        return checkedValue("cdf", value).sub(low).div(high.sub(low)).clamp(0, 1);
    }

    @Override
    public Tensor entropy() {
        return high.sub(low).log();
    }

    @Override
    public Tensor mean() {
        return high.add(low).div(2);
    }

    @Override
    public Tensor variance() {
        return high.sub(low).square().div(12);
    }

    @Override
    public Tensor stddev() {
        return high.sub(low).div(Math.sqrt(12));
    }

    @Override
    public Constraint support() {
        return Constraint.halfOpenInterval(low, high);
    }

    @Override
    public Tensor icdf(Tensor value) {
        return value.mul(high.sub(low)).add(low);
    }

    /** NaN: every value of the interval is as likely (PyTorch's). */
    @Override
    public Tensor mode() {
        return high.mul(Double.NaN);
    }

    @Override
    public Uniform expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new Uniform(Tensors.expandTo(low, shape), Tensors.expandTo(high, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "Uniform(low: " + low.shape() + ", high: " + high.shape() + ")";
    }
}
