package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Adaptive max pooling of volumes, like PyTorch's {@code torch.nn.AdaptiveMaxPool3d(output_size)} without
 * {@code return_indices}: input [batch, channels, depth, height, width] (or unbatched [channels, depth, height,
 * width]) to [batch, channels, outD, outH, outW] whatever the input's size, each output element the maximum of its
 * window (PyTorch's windows, see {@link AdaptivePool3d}); the gradient goes to the first of tied maxima in (depth,
 * height, width) order, as in PyTorch. No parameters.
 */
public class AdaptiveMaxPool3d extends AdaptivePool3d {
    /** A cubic {@code outputSize x outputSize x outputSize} output. */
    public AdaptiveMaxPool3d(int outputSize) {
        super(outputSize);
    }

    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveMaxPool3d(int outD, int outH, int outW) {
        super(outD, outH, outW);
    }

    @Override
    AdaptivePool2d planes(int outH, int outW) {
        return new AdaptiveMaxPool2d(outH, outW);
    }

    /** Evenly divided: one max pooling; otherwise a maximum per window ({@link AdaptiveMaxPool2d#poolAxis}). */
    @Override
    Tensor poolDepth(Tensor x, int outD) {
        int depth = x.dim(2);
        if (depth % outD == 0) {
            int[] kernel = {depth / outD, 1};
            return F.maxPool2d(x, kernel, kernel, new int[] {0, 0});
        }
        return AdaptiveMaxPool2d.poolAxis(x, 2, outD);
    }
}
