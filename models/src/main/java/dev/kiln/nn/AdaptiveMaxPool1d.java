package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Adaptive max pooling over one axis, like PyTorch's {@code torch.nn.AdaptiveMaxPool1d(output_size)} without
 * {@code return_indices}: input [batch, channels, length] (or unbatched [channels, length]) to
 * [batch, channels, outputSize] whatever the length, output i the maximum of input positions
 * {@code floor(i * length / outputSize)} to {@code ceil((i + 1) * length / outputSize)}; its gradient goes to the
 * window's first maximum, as in PyTorch. No parameters.
 */
public class AdaptiveMaxPool1d extends AdaptivePool1d {
    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveMaxPool1d(int outputSize) {
        super("AdaptiveMaxPool1d", outputSize);
    }

    @Override
    Tensor poolEvenly(Tensor x, int kernelH, int kernelW) {
        int[] kernel = {kernelH, kernelW};
        return F.maxPool2d(x, kernel, kernel, new int[] {0, 0});
    }

    /** A slice per window along the length, each reduced to its maximum; the height is 1 already. */
    @Override
    Tensor poolUnevenly(Tensor x, int outH, int outW) {
        return AdaptiveMaxPool2d.poolAxis(x, 3, outW);
    }
}
