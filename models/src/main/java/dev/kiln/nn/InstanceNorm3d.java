package dev.kiln.nn;

/**
 * Instance normalisation of volumes, like PyTorch's {@code torch.nn.InstanceNorm3d(num_features)}: input
 * [batch, channels, depth, height, width] (or unbatched [channels, depth, height, width]), output the same shape;
 * each sample's channel is normalised over its whole volume, as in 3-D U-Nets for medical scans. Statistics,
 * parameters and running statistics as described in {@link InstanceNorm}.
 */
public class InstanceNorm3d extends InstanceNorm {
    /** eps 1e-5, momentum 0.1, no affine, no running statistics (PyTorch's defaults). */
    public InstanceNorm3d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false);
    }

    /** PyTorch's arguments in PyTorch's order; the momentum applies only with {@code trackRunningStats}. */
    public InstanceNorm3d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    String name() {
        return "InstanceNorm3d";
    }

    @Override
    String expectedShape() {
        return "[batch, " + numFeatures() + ", depth, height, width]";
    }

    @Override
    int spatialAxes() {
        return 3;
    }
}
