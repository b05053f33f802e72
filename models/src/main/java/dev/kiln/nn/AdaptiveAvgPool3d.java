package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Tensor;

/**
 * Adaptive average pooling of volumes, like PyTorch's {@code torch.nn.AdaptiveAvgPool3d(output_size)}: input
 * [batch, channels, depth, height, width] (or unbatched [channels, depth, height, width]) to
 * [batch, channels, outD, outH, outW] whatever the input's size, each output element the mean of its window
 * (PyTorch's windows, see {@link AdaptivePool3d}). {@code AdaptiveAvgPool3d(1)} is a video network's global pooling.
 * No parameters.
 */
public class AdaptiveAvgPool3d extends AdaptivePool3d {
    /** A cubic {@code outputSize x outputSize x outputSize} output. */
    public AdaptiveAvgPool3d(int outputSize) {
        super(outputSize);
    }

    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveAvgPool3d(int outD, int outH, int outW) {
        super(outD, outH, outW);
    }

    @Override
    AdaptivePool2d planes(int outH, int outW) {
        return new AdaptiveAvgPool2d(outH, outW);
    }

    /**
     * Evenly divided: one average pooling; otherwise the means as one matrix product, PyTorch's
     * {@code F.interpolate(mode='area')} of the depth axis alone.
     */
    @Override
    Tensor poolDepth(Tensor x, int outD) {
        int depth = x.dim(2);
        if (depth % outD == 0) {
            int[] kernel = {depth / outD, 1};
            return F.avgPool2d(x, kernel, kernel, new int[] {0, 0});
        }
        return F.interpolate(x, new int[] {outD, x.dim(3)}, InterpolationMode.AREA, false);
    }
}
