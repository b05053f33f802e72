package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Channel shuffle (ShuffleNet), like PyTorch's {@code torch.nn.ChannelShuffle(groups)}: input
 * [batch, channels, ...] (e.g. [batch, channels, height, width]) with channels = groups * n, output the same shape,
 * whose channels are the input's read as [groups, n] and transposed, so that output channel {@code j * groups + i}
 * is input channel {@code i * n + j}: after a grouped convolution, each group of the next one sees every group's
 * channels. The gradient is the inverse permutation (PyTorch 1.13 has none). No parameters.
 */
public class ChannelShuffle extends Module {
    private final int groups;

    /** @throws IllegalArgumentException naming the layer for fewer than 1 group */
    public ChannelShuffle(int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("ChannelShuffle: groups must be at least 1, got " + groups);
        }
        this.groups = groups;
    }

    public int groups() {
        return groups;
    }

    /**
     * [batch, channels, ...] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has fewer than 3 dimensions, as
     *     in PyTorch, or channels that are not a multiple of the groups
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, ...] with at"
                    + " least one axis after the channels");
        }
        int channels = x.dim(1);
        if (channels % groups != 0) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " has " + channels
                    + " channels, which " + groups + " groups do not divide");
        }
        int[] dims = x.shape().dims();
        // The positions per channel counted, not inferred (-1), which an empty input would leave undetermined.
        int positions = (int) x.shape().inner(1);
        return Temporaries.freedWithoutGradients(
                () -> x.reshape(x.dim(0), groups, channels / groups, positions).transpose(1, 2).reshape(dims));
    }

    /** PyTorch's {@code extra_repr}: {@code groups=2}. */
    @Override
    protected String extraRepr() {
        return "groups=" + groups;
    }
}
