package dev.kiln.nn;

/**
 * Instance normalisation of sequences, like PyTorch's {@code torch.nn.InstanceNorm1d(num_features)}: input
 * [batch, channels, length] (or unbatched [channels, length]), output the same shape; each sample's channel is
 * normalised over its length. Statistics, parameters and running statistics as described in
 * {@link InstanceNorm}.
 */
public class InstanceNorm1d extends InstanceNorm {
    /** eps 1e-5, momentum 0.1, no affine, no running statistics (PyTorch's defaults). */
    public InstanceNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false);
    }

    /** PyTorch's arguments in PyTorch's order; the momentum applies only with {@code trackRunningStats}. */
    public InstanceNorm1d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
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
