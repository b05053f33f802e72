package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * A distribution whose last {@code reinterpretedBatchNdims} batch axes are read as event axes, as PyTorch's
 * {@code torch.distributions.Independent(base, reinterpreted_batch_ndims)}: for a base of batch shape [b..., r...]
 * (r the reinterpreted axes) and event shape [e...], the batch shape is [b...] and the event shape [r..., e...].
 * {@code logProb} and {@code entropy} are the base's summed over the reinterpreted axes; samples, moments and
 * {@code hasRsample} are the base's. A diagonal Gaussian over a latent vector is
 * {@code new Independent(new Normal(mean, std), 1)}. The base checks the values it scores.
 */
public final class Independent extends Distribution {
    private final Distribution base;
    private final int reinterpreted;

    /**
     * The base with its last {@code reinterpretedBatchNdims} batch axes as event axes.
     *
     * @throws IllegalArgumentException where the base has fewer batch axes, or the count is negative
     */
    public Independent(Distribution base, int reinterpretedBatchNdims) {
        super(Tensors.leading(base.batchShape(), batchAxes(base, reinterpretedBatchNdims)),
                eventShape(base, reinterpretedBatchNdims), base.validatesArgs());
        this.base = base;
        this.reinterpreted = reinterpretedBatchNdims;
    }

    /** How many of the base's batch axes stay batch axes, after checking the count. */
    private static int batchAxes(Distribution base, int reinterpreted) {
        int rank = base.batchShape().rank();
        if (reinterpreted < 0 || reinterpreted > rank) {
            throw new IllegalArgumentException("Independent: reinterpretedBatchNdims must be in [0, " + rank
                    + "], the batch axes of " + base + " (batch shape " + base.batchShape() + "), got " + reinterpreted);
        }
        return rank - reinterpreted;
    }

    /** The base's reinterpreted batch axes, then its event axes. */
    private static Shape eventShape(Distribution base, int reinterpreted) {
        int start = batchAxes(base, reinterpreted);
        return Shape.of(Tensors.concat(Tensors.trailing(base.batchShape(), start).dims(),
                base.eventShape().dims()));
    }

    /** The distribution whose batch axes are reinterpreted. */
    public Distribution base() {
        return base;
    }

    /** How many of the base's last batch axes are event axes here. */
    public int reinterpretedBatchNdims() {
        return reinterpreted;
    }

    @Override
    public boolean hasRsample() {
        return base.hasRsample();
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return base.rsample(sampleShape);
    }

    @Override
    public Tensor sample(int... sampleShape) {
        return base.sample(sampleShape);
    }

    @Override
    public Tensor logProb(Tensor value) {
        return Tensors.sumRightmost(base.logProb(value), reinterpreted);
    }

    @Override
    public Tensor entropy() {
        return Tensors.sumRightmost(base.entropy(), reinterpreted);
    }

    @Override
    public Tensor mean() {
        return base.mean();
    }

    @Override
    public Tensor variance() {
        return base.variance();
    }

    @Override
    public Tensor stddev() {
        return base.stddev();
    }

    @Override
    public Constraint support() {
        return Constraint.independent(base.support(), reinterpreted);
    }

    @Override
    public Tensor mode() {
        return base.mode();
    }

    /** The base expanded to {@code batchShape} followed by its reinterpreted axes. */
    @Override
    public Independent expand(int... batchShape) {
        Shape batch = expandedBatch(batchShape);
        Shape reinterpretedAxes = Tensors.leading(eventShape(), reinterpreted);
        return new Independent(base.expand(Tensors.concat(batch.dims(), reinterpretedAxes.dims())), reinterpreted);
    }

    @Override
    public String toString() {
        return "Independent(" + base + ", " + reinterpreted + ")";
    }
}
