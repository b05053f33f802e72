package dev.kiln.nn;

import static dev.kiln.nn.Module.consume;
import static dev.kiln.nn.Module.releaseConsumed;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * What {@link GroupNorm} and {@link InstanceNorm} share: each sample's channels [batch, channels, *] split into
 * groups of consecutive channels, each group normalised by its own mean and <em>biased</em> variance over its
 * channels and every position, then an optional weight and bias per channel.
 */
final class GroupNormalization {
    private GroupNormalization() {
    }

    /**
     * {@code (x - mean) / sqrt(var + eps)} per sample and group of {@code channels / groups} consecutive channels:
     * x [batch, channels, *] to the same shape.
     */
    static Tensor normalise(Tensor x, int groups, double eps) {
        if (x.size() == (long) x.dim(0) * groups) {
            return normaliseOneValueGroups(x, groups, eps);
        }
        // Each (sample, group) as a channel of one batch-norm input [1, batch * groups, positions, 1]: its batch
        // statistics are the group's, and the fused op (CPU loops, cuDNN) makes two passes where eight ops made ten.
        Tensor grouped = x.reshape(1, x.dim(0) * groups, -1, 1);
        Tensor normalised = F.batchNorm(grouped, null, null, null, null, true, 0, eps);
        return normalised.reshape(x.shape().dims());
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

    /** {@code y * weight + bias}, weight and bias [channels] applied along axis 1 of y [batch, channels, *]. */
    static Tensor affine(Tensor y, Tensor weight, Tensor bias) {
        int[] perChannel = perChannel(y.rank(), y.dim(1));
        return consume(consume(y, t -> t.mul(weight.reshape(perChannel))), t -> t.add(bias.reshape(perChannel)));
    }

    /** The shape [1, channels, 1, ...] of rank {@code rank}: a [channels] tensor viewed to broadcast along axis 1. */
    static int[] perChannel(int rank, int channels) {
        int[] dims = new int[rank];
        Arrays.fill(dims, 1);
        dims[1] = channels;
        return dims;
    }
}
