package dev.kiln.nn;

/**
 * Batch normalisation of volumes per channel, like PyTorch's {@code torch.nn.BatchNorm3d(channels)}: input
 * [batch, channels, depth, height, width], output the same shape; each channel's statistics are taken over the batch
 * and every element of its volume. It runs as {@link BatchNorm2d}'s op on the view [batch, channels, depth,
 * height * width]. Running averages and state-dict names as described in {@link BatchNorm}.
 */
public class BatchNorm3d extends BatchNorm {
    /** eps 1e-5, momentum 0.1 (PyTorch's defaults). */
    public BatchNorm3d(int channels) {
        this(channels, 1e-5, 0.1);
    }

    /** @param momentum the running statistics' update factor in [0, 1], or null for their cumulative average */
    public BatchNorm3d(int channels, double eps, Double momentum) {
        super(channels, eps, momentum);
    }

    @Override
    String name() {
        return "BatchNorm3d";
    }

    @Override
    String expectedShape() {
        return "[batch, " + channels() + ", depth, height, width]";
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 5;
    }
}
