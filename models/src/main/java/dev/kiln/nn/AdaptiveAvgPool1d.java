package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Adaptive average pooling over one axis, like PyTorch's {@code torch.nn.AdaptiveAvgPool1d(output_size)}: input
 * [batch, channels, length] (or unbatched [channels, length]) to [batch, channels, outputSize] whatever the length,
 * output i the mean of input positions {@code floor(i * length / outputSize)} to
 * {@code ceil((i + 1) * length / outputSize)}, windows that may differ in size and overlap by one. No parameters.
 */
public class AdaptiveAvgPool1d extends AdaptivePool1d {
    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveAvgPool1d(int outputSize) {
        super("AdaptiveAvgPool1d", outputSize);
    }

    @Override
    Tensor poolEvenly(Tensor x, int kernelH, int kernelW) {
        int[] kernel = {kernelH, kernelW};
        return F.avgPool2d(x, kernel, kernel, new int[] {0, 0});
    }

    /** The means over the windows as matrix products ({@link SeparableMaps}), the map of the one row 1 x 1. */
    @Override
    Tensor poolUnevenly(Tensor x, int outH, int outW) {
        return SeparableMaps.apply(x, SeparableMaps.averaging(x.dim(2), outH), SeparableMaps.averaging(x.dim(3), outW));
    }
}
