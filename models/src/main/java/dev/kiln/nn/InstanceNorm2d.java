package dev.kiln.nn;

/**
 * Instance normalisation of images, like PyTorch's {@code torch.nn.InstanceNorm2d(num_features)}: input
 * [batch, channels, height, width] (or unbatched [channels, height, width]), output the same shape; each sample's
 * channel is normalised over its pixels, as in style transfer. Statistics, parameters and running statistics as
 * described in {@link InstanceNorm}.
 */
public class InstanceNorm2d extends InstanceNorm {
    /** eps 1e-5, momentum 0.1, no affine, no running statistics (PyTorch's defaults). */
    public InstanceNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false);
    }

    /** PyTorch's arguments in PyTorch's order; the momentum applies only with {@code trackRunningStats}. */
    public InstanceNorm2d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    String name() {
        return "InstanceNorm2d";
    }

    @Override
    String expectedShape() {
        return "[batch, " + numFeatures() + ", height, width]";
    }

    @Override
    int spatialAxes() {
        return 2;
    }
}
