package dev.kiln.nn;

/**
 * Batch normalisation over the batch axis, like PyTorch's {@code torch.nn.BatchNorm1d(features)}:
 * input [batch, features], output the same shape. Statistics, running averages and state-dict names as
 * described in {@link BatchNorm}.
 */
public class BatchNorm1d extends BatchNorm {
    /** eps 1e-5, momentum 0.1 (PyTorch's defaults). */
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1);
    }

    /** @param momentum the running statistics' update factor in [0, 1], or null for their cumulative average */
    public BatchNorm1d(int features, double eps, Double momentum) {
        super(features, eps, momentum);
    }

    @Override
    String name() {
        return "BatchNorm1d";
    }

    @Override
    String expectedShape() {
        return "[batch, " + channels() + "]";
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2;
    }
}
