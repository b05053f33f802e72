package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * Instance normalisation, the common part of {@link InstanceNorm1d}, {@link InstanceNorm2d} and
 * {@link InstanceNorm3d}, as PyTorch's {@code torch.nn.InstanceNorm*d}: each sample's channel is normalised by its
 * own mean and <em>biased</em> variance over its positions, {@code y = (x - mean) / sqrt(var + eps) * weight + bias},
 * eps 1e-5. An unbatched input (no batch axis) is taken as a batch of one, as PyTorch does.
 *
 * <p>Without the affine (PyTorch's default {@code affine=False}) there are no parameters; with it, {@code weight}
 * [channels] (ones) and {@code bias} [channels] (zeros).
 *
 * <p>Without running statistics (PyTorch's default {@code track_running_stats=False}) training and evaluation mode
 * are the same. With them, training mode also updates buffers {@code running_mean} (zeros) and {@code running_var}
 * (ones) with momentum 0.1, {@code running = (1 - momentum) * running + momentum * stat}, where stat is the batch's
 * mean of each sample's channel mean, or of its <em>unbiased</em> variance; evaluation mode normalises with them
 * instead. The buffer {@code num_batches_tracked} is there for PyTorch's state dicts and, as in PyTorch, stays 0.
 * Inside a {@link Checkpoint} the running statistics are updated by the forward pass only, not again when the
 * backward pass recomputes it.
 */
public abstract class InstanceNorm extends NormBase {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final boolean trackRunningStats;

    InstanceNorm(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0 || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(name() + ": needs numFeatures > 0, eps > 0 and momentum in [0, 1], got "
                    + numFeatures + ", eps=" + eps + ", momentum=" + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
        registerAffine(numFeatures, affine);
        if (trackRunningStats) {
            registerRunningStatistics(numFeatures);
        }
    }

    /**
     * Axes after the channel axis: 1 for [batch, channels, length], 2 for [batch, channels, height, width], 3 for
     * [batch, channels, depth, height, width].
     */
    abstract int spatialAxes();

    public int numFeatures() {
        return numFeatures;
    }

    /** Added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    /**
     * [batch, channels, *spatial] to the same shape, or unbatched [channels, *spatial] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has another rank or other
     *     channels, or when its own statistics are to be used and it has a single position per channel (whose
     *     variance is no statistic)
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == spatialAxes() + 1;
        if (!unbatched && x.rank() != spatialAxes() + 2 || x.dim(unbatched ? 0 : 1) != numFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be " + expectedShape()
                    + " or unbatched without the batch axis");
        }
        Tensor batch = unbatched ? x.unsqueeze(0) : x;
        Tensor y;
        if (isTraining() || !trackRunningStats) {
            if (batch.shape().inner(1) == 1) {
                throw new IllegalArgumentException(describe() + ": input " + x.shape()
                        + " must have more than 1 position per channel to normalise");
            }
            if (trackRunningStats && !Checkpoint.isRecomputing()) {
                updateRunningStatistics(batch);
            }
            y = GroupNormalization.normalise(batch, numFeatures, eps, weight(), bias());
        } else {
            y = normaliseWithRunningStatistics(batch);
        }
        return unbatched ? y.squeeze(0) : y;
    }

    private void updateRunningStatistics(Tensor x) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor positions = x.reshape(x.dim(0), numFeatures, -1);
            blend(runningMean(), positions.mean(2, false).mean(0, false));
            blend(runningVar(), positions.var(new int[] {2}, 1, false).mean(0, false));
        }
    }

    private void blend(Tensor running, Tensor statistic) {
        running.assign(running.mul(1 - momentum).add(statistic.to(running.dtype()).mul(momentum)));
    }

    /**
     * Batch norm's inference of x viewed as [batch, channels, positions, 1]: the running statistics and the affine
     * per channel, in one fused op.
     */
    private Tensor normaliseWithRunningStatistics(Tensor x) {
        Tensor positions = x.reshape(x.dim(0), numFeatures, -1, 1);
        Tensor y = F.batchNorm(positions, runningMean(), runningVar(), weight(), bias(), false, 0, eps);
        return y.reshape(x.shape().dims());
    }

    /** PyTorch's {@code extra_repr}: {@code 3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False}. */
    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + PythonRepr.number(eps) + ", momentum=" + PythonRepr.number(momentum)
                + ", affine=" + PythonRepr.bool(weight() != null) + ", track_running_stats="
                + PythonRepr.bool(trackRunningStats);
    }
}
