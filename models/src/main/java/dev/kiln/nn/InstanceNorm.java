package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * Instance normalisation, the common part of {@link InstanceNorm1d} and {@link InstanceNorm2d}: each sample's
 * channel is normalised by its own mean and <em>biased</em> variance over its positions,
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, eps 1e-5, as PyTorch's {@code torch.nn.InstanceNorm*d}
 * with {@code track_running_stats=False}: the same in training and evaluation mode. An unbatched input (no batch
 * axis) is taken as a batch of one, as PyTorch does.
 *
 * <p>Without the affine (PyTorch's default {@code affine=False}) there are no parameters; with it, {@code weight}
 * [channels] (ones) and {@code bias} [channels] (zeros). Running statistics ({@code track_running_stats=True}) are
 * not supported and refused.
 */
public abstract class InstanceNorm extends Module {
    private final int numFeatures;
    private final double eps;

    InstanceNorm(int numFeatures, double eps, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException(name() + ": needs numFeatures > 0 and eps > 0, got " + numFeatures + ", "
                    + eps);
        }
        if (trackRunningStats) {
            throw new IllegalArgumentException(name() + ": trackRunningStats=true is not supported; each sample is "
                    + "normalised by its own statistics (PyTorch's default track_running_stats=False)");
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        registerParameter("weight", affine ? unscoped(() -> Tensor.ones(DType.F32, numFeatures)) : null);
        registerParameter("bias", affine ? unscoped(() -> Tensor.zeros(DType.F32, numFeatures)) : null);
    }

    /** The class name, for messages. */
    abstract String name();

    /** The batched input shape this layer takes, for messages, e.g. {@code [batch, 16, height, width]}. */
    abstract String expectedShape();

    /** Axes after the channel axis: 1 for [batch, channels, length], 2 for [batch, channels, height, width]. */
    abstract int spatialAxes();

    public int numFeatures() {
        return numFeatures;
    }

    /** [channels], or null without the affine. */
    public Tensor weight() {
        return param("weight");
    }

    /** [channels], or null without the affine. */
    public Tensor bias() {
        return param("bias");
    }

    /**
     * [batch, channels, *spatial] to the same shape, or unbatched [channels, *spatial] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has another rank or other
     *     channels, or a single position per channel (whose variance is no statistic)
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == spatialAxes() + 1;
        if (!unbatched && x.rank() != spatialAxes() + 2 || x.dim(unbatched ? 0 : 1) != numFeatures) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be " + expectedShape()
                    + " or unbatched without the batch axis");
        }
        Tensor batch = unbatched ? x.unsqueeze(0) : x;
        if (batch.shape().inner(1) == 1) {
            throw new IllegalArgumentException(this + ": input " + x.shape()
                    + " must have more than 1 position per channel to normalise");
        }
        Tensor normalised = GroupNormalization.normalise(batch, numFeatures, eps);
        Tensor y = weight() == null ? normalised : GroupNormalization.affine(normalised, weight(), bias());
        return unbatched ? y.squeeze(0) : y;
    }

    @Override
    public String toString() {
        return name() + "(" + numFeatures + ", eps=" + eps + (weight() == null ? "" : ", affine=True") + ")";
    }
}
