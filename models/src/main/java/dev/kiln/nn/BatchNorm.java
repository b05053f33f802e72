package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/**
 * Batch normalisation per channel (axis 1), the common part of {@link BatchNorm1d}, {@link BatchNorm2d} and
 * {@link BatchNorm3d}.
 *
 * <p>Training mode normalises with the batch mean and the <em>biased</em> batch variance over every axis but
 * the channel axis, then updates the running statistics with momentum 0.1 as PyTorch does:
 * {@code running = (1 - momentum) * running + momentum * batchStat}, where the variance entered is the
 * <em>unbiased</em> one. A momentum of null is PyTorch's {@code momentum=None}, the cumulative average: batch k
 * enters with factor 1/k, so that the running statistics are the plain means over every batch so far (it reads the
 * batch count from the device each training step, as PyTorch does, so a recorded CUDA graph refuses it). Evaluation
 * mode normalises with the running statistics. Inside a {@link Checkpoint} the statistics are updated once, by the
 * forward pass, and not again when the backward pass recomputes it (PyTorch updates them twice).
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, eps 1e-5. The arithmetic is the engine's fused
 * {@link F#batchNorm} op.
 *
 * <p>A frozen batch norm ({@link #isFrozen()}: weight and bias both untrainable, as after {@link #freeze()})
 * behaves as in evaluation mode even when the model is in training mode: it normalises with the running
 * statistics and leaves them and {@code num_batches_tracked} alone. Fine-tuning on a small data set would
 * otherwise drag statistics learnt on the large one towards a few batches, which PyTorch users prevent by
 * calling {@code eval()} on each frozen batch norm after every {@code model.train()}.
 *
 * <p>Parameters {@code weight} [channels] (ones) and {@code bias} [channels] (zeros); buffers
 * {@code running_mean} (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (I64 scalar),
 * named as in PyTorch so that state dicts carry over.
 */
public abstract class BatchNorm extends NormBase {
    private final int channels;
    private final double eps;
    /** Null: the cumulative average. */
    private Double momentum;

    BatchNorm(int channels, double eps, Double momentum) {
        if (channels <= 0) {
            throw new IllegalArgumentException(name() + ": channels must be positive, got " + channels);
        }
        if (!(eps > 0) || !validMomentum(momentum)) {
            throw new IllegalArgumentException(name() + ": needs eps > 0 and momentum in [0, 1] or null (cumulative),"
                    + " got eps=" + eps + ", momentum=" + momentum);
        }
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        registerAffine(channels, true);
        registerRunningStatistics(channels);
    }

    /** Whether x has the rank this layer takes (its channel count is checked separately). */
    abstract boolean acceptsRank(int rank);

    public int channels() {
        return channels;
    }

    /** The running statistics' update factor in [0, 1], or null for their cumulative average. */
    public Double momentum() {
        return momentum;
    }

    /** Sets {@link #momentum()}, as assigning PyTorch's {@code module.momentum}. */
    public void setMomentum(Double momentum) {
        if (!validMomentum(momentum)) {
            throw new IllegalArgumentException(name() + ": momentum must be in [0, 1] or null (cumulative), got "
                    + momentum);
        }
        this.momentum = momentum;
    }

    private static boolean validMomentum(Double momentum) {
        return momentum == null || momentum >= 0 && momentum <= 1;
    }

    /** Running mean 0, running variance 1 and no batch counted, as PyTorch's {@code reset_running_stats()}. */
    public void resetRunningStats() {
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            runningMean().assign(Tensor.zeros(runningMean().dtype(), channels));
            runningVar().assign(Tensor.ones(runningVar().dtype(), channels));
            Tensor count = buffer("num_batches_tracked");
            count.assign(Tensor.zeros(DType.I64, count.shape().dims()));
        }
    }

    /** Training batches seen so far (read from the device). */
    public long numBatchesTracked() {
        return buffer("num_batches_tracked").toLongArray()[0];
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * This layer followed by {@code activation} (null: none) as one op, the activation applied in place and the
     * normalised values not kept: what {@link Sequential} runs for a batch norm followed by a
     * {@link FusableActivation}, and {@link BasicBlock} for its first normalisation and ReLU.
     */
    Tensor forward(Tensor x, FusableActivation activation) {
        return forward(x, null, activation);
    }

    /**
     * {@code activation(this(x) + residual)} as one op (residual or activation null: none), keeping only its
     * output: what {@link BasicBlock} runs for its second normalisation, shortcut and ReLU.
     */
    Tensor forward(Tensor x, Tensor residual, FusableActivation activation) {
        if (!acceptsRank(x.rank()) || x.dim(1) != channels) {
            throw new IllegalArgumentException(name() + "(" + channels + "): input " + x.shape() + " must be "
                    + expectedShape());
        }
        if (x.rank() == 5) {
            // F.batchNorm takes [batch, channels, height, width]: a volume viewed as [.., depth, height * width].
            Tensor images = images(x);
            Tensor residualImages = residual == null ? null : images(residual);
            Tensor y = normalised(images, residualImages, activation);
            releaseConsumed(images, y);
            if (residualImages != null) {
                releaseConsumed(residualImages, y);
            }
            return consume(y, t -> t.reshape(x.shape().dims()));
        }
        return normalised(x, residual, activation);
    }

    /** [batch, channels, depth, height, width] viewed as [batch, channels, depth, height * width]. */
    private static Tensor images(Tensor volume) {
        return volume.reshape(volume.dim(0), volume.dim(1), volume.dim(2), volume.dim(3) * volume.dim(4));
    }

    /**
     * x [batch, channels] or [batch, channels, height, width] normalised, as
     * {@link #forward(Tensor, Tensor, FusableActivation)} says.
     */
    private Tensor normalised(Tensor x, Tensor residual, FusableActivation activation) {
        boolean batchStatistics = isTraining() && !isFrozen();
        // A checkpoint's recomputation normalises as its forward pass did, which has updated the statistics already.
        boolean updating = batchStatistics && !Checkpoint.isRecomputing();
        double factor = updating ? updateFactor() : 0;
        Tensor mean = batchStatistics && !updating ? null : runningMean();
        Tensor var = batchStatistics && !updating ? null : runningVar();
        UnaryOp op = activation == null ? null : activation.op();
        double param = activation == null ? 0 : activation.param();
        Tensor y;
        if (residual != null) {
            y = F.batchNormResidual(x, residual, mean, var, weight(), bias(), batchStatistics, factor, eps, op, param);
        } else if (activation == null) {
            y = F.batchNorm(x, mean, var, weight(), bias(), batchStatistics, factor, eps);
        } else {
            y = F.batchNorm(x, mean, var, weight(), bias(), batchStatistics, factor, eps, op, param);
        }
        if (updating) {
            countBatch();
        }
        return y;
    }

    /** The weight of this batch's statistics in the running ones: the momentum, or 1 / (batches so far + 1). */
    private double updateFactor() {
        return momentum != null ? momentum : 1.0 / (numBatchesTracked() + 1);
    }

    /**
     * Adds one on the device: no upload (on a GPU, uploads queue for a few pinned staging buffers), no read, and
     * a recorded step graph counts every replay.
     */
    private void countBatch() {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor count = buffer("num_batches_tracked");
            count.addInPlace(Tensor.ones(DType.I64, count.shape().dims()), 1);
        }
    }

    /** PyTorch's {@code extra_repr}; momentum None is the cumulative average. */
    @Override
    protected String extraRepr() {
        return channels + ", eps=" + PythonRepr.number(eps) + ", momentum="
                + (momentum == null ? "None" : PythonRepr.number(momentum)) + ", affine=True, track_running_stats=True";
    }

    /** The epsilon added to the variance. */
    public double eps() {
        return eps;
    }
}
