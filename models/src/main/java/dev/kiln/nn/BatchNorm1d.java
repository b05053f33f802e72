package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * Batch normalisation over the batch axis, like PyTorch's {@code torch.nn.BatchNorm1d(features)}:
 * input [batch, features], output the same shape.
 *
 * <p>Training mode normalises with the batch mean and the <em>biased</em> batch variance, then updates
 * the running statistics with momentum 0.1 as PyTorch does:
 * {@code running = (1 - momentum) * running + momentum * batchStat}, where the variance entered is the
 * <em>unbiased</em> one (divided by batch - 1). Evaluation mode normalises with the running statistics.
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, eps 1e-5.
 *
 * <p>Parameters {@code weight} [features] (ones) and {@code bias} [features] (zeros); buffers
 * {@code running_mean} (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (I64
 * scalar), named as in PyTorch so that state dicts carry over.
 */
public class BatchNorm1d extends Module {
    private final int features;
    private final double eps;
    private final double momentum;
    /** Cached value of {@code num_batches_tracked}; -1 when it must be read back from the buffer. */
    private long batches = -1;

    /** eps 1e-5, momentum 0.1 (PyTorch's defaults). */
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1);
    }

    public BatchNorm1d(int features, double eps, double momentum) {
        if (features <= 0) {
            throw new IllegalArgumentException("BatchNorm1d: features must be positive, got " + features);
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm1d: needs eps > 0 and momentum in [0, 1], got eps=" + eps
                    + ", momentum=" + momentum);
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        registerParameter("weight", unscoped(() -> Tensor.ones(DType.F32, features)));
        registerParameter("bias", unscoped(() -> Tensor.zeros(DType.F32, features)));
        registerBuffer("running_mean", unscoped(() -> Tensor.zeros(DType.F32, features)));
        registerBuffer("running_var", unscoped(() -> Tensor.ones(DType.F32, features)));
        registerBuffer("num_batches_tracked", unscoped(() -> Tensor.zeros(DType.I64)));
        batches = 0;
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return param("bias");
    }

    /** [features]. */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** [features], unbiased estimates. */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** Training batches seen so far. */
    public long numBatchesTracked() {
        if (batches < 0) {
            batches = buffer("num_batches_tracked").toLongArray()[0];
        }
        return batches;
    }

    @Override
    void stateChanged() {
        batches = -1;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != features) {
            throw new IllegalArgumentException("BatchNorm1d(" + features + "): input " + x.shape() + " must be [batch, "
                    + features + "]");
        }
        Tensor weight = weight();
        Tensor bias = bias();
        if (!isTraining()) {
            Tensor scale = weight.div(runningVar().add(eps).sqrt());
            return x.sub(runningMean()).mul(scale).add(bias);
        }
        int n = x.dim(0);
        if (n < 2) {
            throw new IllegalArgumentException("BatchNorm1d: expected more than 1 value per feature when training, got input "
                    + x.shape());
        }
        Tensor mean = x.mean(0, true);
        Tensor centred = x.sub(mean);
        Tensor var = centred.square().mean(0, true);
        Tensor y = centred.div(var.add(eps).sqrt()).mul(weight).add(bias);
        updateRunningStats(mean, var, n);
        return y;
    }

    private void updateRunningStats(Tensor mean, Tensor biasedVar, int n) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor rm = runningMean();
            Tensor rv = runningVar();
            rm.assign(rm.mul(1 - momentum).add(mean.reshape(features).mul(momentum)));
            rv.assign(rv.mul(1 - momentum).add(biasedVar.reshape(features).mul(momentum * n / (n - 1.0))));
            long next = numBatchesTracked() + 1;
            buffer("num_batches_tracked").assign(Tensor.fromArray(new long[] {next}));
            batches = next;
        }
    }

    @Override
    public String toString() {
        return "BatchNorm1d(" + features + ", eps=" + eps + ", momentum=" + momentum + ")";
    }
}
