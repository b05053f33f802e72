package dev.kiln.nn;

/**
 * Batch normalisation of images per channel, like PyTorch's {@code torch.nn.BatchNorm2d(channels)}: input
 * [batch, channels, height, width], output the same shape; each channel's statistics are taken over the
 * batch and every pixel. Running averages and state-dict names as described in {@link BatchNorm}.
 */
public class BatchNorm2d extends BatchNorm {
    /** eps 1e-5, momentum 0.1 (PyTorch's defaults). */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5, 0.1);
    }

    /** @param momentum the running statistics' update factor in [0, 1], or null for their cumulative average */
    public BatchNorm2d(int channels, double eps, Double momentum) {
        super(channels, eps, momentum);
    }

    @Override
    String name() {
        return "BatchNorm2d";
    }

    @Override
    String expectedShape() {
        return "[batch, " + channels() + ", height, width]";
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }
}
