package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Tensor;

/**
 * Adaptive average pooling, like PyTorch's {@code torch.nn.AdaptiveAvgPool2d(output_size)}: input
 * [batch, channels, height, width] (or unbatched [channels, height, width]) to [batch, channels, outH, outW]
 * whatever the input's height and width, each output pixel the mean of its window (PyTorch's windows, see
 * {@link AdaptivePool2d}). {@code AdaptiveAvgPool2d(1)} is {@link GlobalAvgPool2d}. No parameters.
 */
public class AdaptiveAvgPool2d extends AdaptivePool2d {
    /** A square {@code outputSize x outputSize} output. */
    public AdaptiveAvgPool2d(int outputSize) {
        this(outputSize, outputSize);
    }

    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveAvgPool2d(int outH, int outW) {
        super(outH, outW);
    }

    @Override
    Tensor poolEvenly(Tensor x, int kernelH, int kernelW) {
        int[] kernel = {kernelH, kernelW};
        return F.avgPool2d(x, kernel, kernel, new int[] {0, 0});
    }

    /**
     * PyTorch's {@code F.interpolate(mode='area')} is this pooling: two matrix products, a window's mean being a mean
     * of its columns' means.
     */
    @Override
    Tensor poolUnevenly(Tensor x, int outH, int outW) {
        return F.interpolate(x, new int[] {outH, outW}, InterpolationMode.AREA, false);
    }
}
