package dev.kiln.nn;

/**
 * Instance normalisation of sequences, like PyTorch's {@code torch.nn.InstanceNorm1d(num_features)}: input
 * [batch, channels, length] (or unbatched [channels, length]), output the same shape; each sample's channel is
 * normalised over its length. Statistics and parameters as described in {@link InstanceNorm}.
 */
public class InstanceNorm1d extends InstanceNorm {
    /** eps 1e-5, no affine, no running statistics (PyTorch's defaults). */
    public InstanceNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, false, false);
    }

    /** @throws IllegalArgumentException for {@code trackRunningStats} true, which is not supported */
    public InstanceNorm1d(int numFeatures, double eps, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, affine, trackRunningStats);
    }

    @Override
    String name() {
        return "InstanceNorm1d";
    }

    @Override
    String expectedShape() {
        return "[batch, " + numFeatures() + ", length]";
    }

    @Override
    int spatialAxes() {
        return 1;
    }
}
