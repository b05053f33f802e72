package dev.kiln.nn;

import static dev.kiln.nn.Module.consume;
import static dev.kiln.nn.Module.releaseConsumed;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * What {@link GroupNorm} and {@link InstanceNorm} share: each sample's channels [batch, channels, *] split into
 * groups of consecutive channels, each group normalised by its own mean and <em>biased</em> variance over its
 * channels and every position, then an optional weight and bias per channel.
 */
final class GroupNormalization {
    private GroupNormalization() {
    }

    /**
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} per sample and group of {@code channels / groups}
     * consecutive channels: x [batch, channels, *] to the same shape; weight and bias [channels], or both null for
     * no affine.
     */
    static Tensor normalise(Tensor x, int groups, double eps, Tensor weight, Tensor bias) {
        // An empty batch is no batch of one-value groups: F.groupNorm gives it an empty output, as PyTorch does.
        if (x.size() > 0 && x.size() == (long) x.dim(0) * groups) {
            return withAffine(normaliseOneValueGroups(x, groups, eps), weight, bias);
        }
        // One op on the backend's fused kernels: the affine applied as each channel is written, its gradients
        // summed in the backward pass over x and gradOut, where batch norm of the groups and then an inference batch
        // norm of the (sample, channel)s for the affine made five passes over the values.
        return F.groupNorm(x, groups, weight, bias, eps);
    }

    /**
     * Groups of one value each, which batch norm refuses: each normalises to 0 (NaN for an infinite one), with the
     * gradient of the same arithmetic, as PyTorch's group norm.
     */
    private static Tensor normaliseOneValueGroups(Tensor x, int groups, double eps) {
        Tensor grouped = x.reshape(x.dim(0), groups, 1);
        Tensor centred = consume(grouped.mean(-1, true), grouped::sub);
        Tensor normalised = centred.div(Math.sqrt(eps));
        releaseConsumed(centred, normalised);
        return normalised.reshape(x.shape().dims());
    }

    /** [channels] repeated for each of {@code batch} samples: [batch * channels], sample after sample. */
    private static Tensor perSample(Tensor perChannel, int batch) {
        int channels = perChannel.dim(0);
        return perChannel.reshape(1, channels).expand(batch, channels).reshape(batch * channels);
    }

    /** {@code y * weight + bias} as {@link #affine}, or y itself when weight is null. */
    private static Tensor withAffine(Tensor y, Tensor weight, Tensor bias) {
        return weight == null ? y : affine(y, weight, bias);
    }

    /**
     * {@code y * weight + bias}, weight and bias [channels] applied along axis 1 of y [batch, channels, *]: batch
     * norm in inference mode of each (sample, channel) as a channel of [1, batch * channels, positions, 1], with
     * running mean 0, running variance 1 and eps 0, whose invStd {@code 1 / sqrt(1 + 0)} is exactly 1. So the map
     * is one pass over contiguous runs where a product and a sum broadcast along axis 1 make two, and the backward
     * pass sums the weight's and bias's gradients in the backend's batch-norm backward where recorded ops need a
     * product and six reductions.
     */
    private static Tensor affine(Tensor y, Tensor weight, Tensor bias) {
        int batch = y.dim(0);
        int instances = batch * y.dim(1);
        try (Tensor zeroMean = y.fullLike(0, Shape.of(instances));
             Tensor unitVariance = y.fullLike(1, Shape.of(instances))) {
            return consume(y, t -> F.batchNorm(t.reshape(1, instances, -1, 1), zeroMean, unitVariance,
                    perSample(weight, batch), perSample(bias, batch), false, 0, 0).reshape(t.shape().dims()));
        }
    }
}
