package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * What {@link BatchNorm} and {@link InstanceNorm} share, PyTorch's {@code _NormBase}: the affine parameters
 * {@code weight} [channels] (ones) and {@code bias} [channels] (zeros), the buffers {@code running_mean} (zeros),
 * {@code running_var} (ones) and {@code num_batches_tracked} (I64 scalar), named as in PyTorch so that state dicts
 * carry over, and the names and shapes their messages give. A batch norm always has all of them; an instance norm
 * the affine and the running statistics only when asked for.
 */
abstract class NormBase extends Module {
    /** The class name, for messages. */
    abstract String name();

    /** The (batched) input shape this layer takes, for messages, e.g. {@code [batch, 16, height, width]}. */
    abstract String expectedShape();

    /** {@code weight} and {@code bias} when {@code affine}, else both null; after the layer's argument checks. */
    final void registerAffine(int channels, boolean affine) {
        registerParameter("weight", affine ? unscoped(() -> Tensor.ones(DType.F32, channels)) : null);
        registerParameter("bias", affine ? unscoped(() -> Tensor.zeros(DType.F32, channels)) : null);
    }

    /** {@code running_mean}, {@code running_var} and {@code num_batches_tracked}; after {@link #registerAffine}. */
    final void registerRunningStatistics(int channels) {
        registerBuffer("running_mean", unscoped(() -> Tensor.zeros(DType.F32, channels)));
        registerBuffer("running_var", unscoped(() -> Tensor.ones(DType.F32, channels)));
        registerBuffer("num_batches_tracked", unscoped(() -> Tensor.zeros(DType.I64)));
    }

    /** [channels], ones at first; null for an instance norm without the affine. */
    public Tensor weight() {
        return param("weight");
    }

    /** [channels], zeros at first; null for an instance norm without the affine. */
    public Tensor bias() {
        return param("bias");
    }

    /** [channels], zeros at first; null for an instance norm without running statistics. */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** [channels], unbiased estimates, ones at first; null for an instance norm without running statistics. */
    public Tensor runningVar() {
        return buffer("running_var");
    }
}
