package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Adaptive max pooling, like PyTorch's {@code torch.nn.AdaptiveMaxPool2d(output_size)} without
 * {@code return_indices}: input [batch, channels, height, width] (or unbatched [channels, height, width]) to
 * [batch, channels, outH, outW] whatever the input's height and width, each output pixel the maximum of its
 * window (PyTorch's windows, see {@link AdaptivePool2d}). No parameters.
 */
public class AdaptiveMaxPool2d extends AdaptivePool2d {
    /** A square {@code outputSize x outputSize} output. */
    public AdaptiveMaxPool2d(int outputSize) {
        super(outputSize);
    }

    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveMaxPool2d(int outH, int outW) {
        super(outH, outW);
    }

    @Override
    Tensor poolEvenly(Tensor x, int kernelH, int kernelW) {
        int[] kernel = {kernelH, kernelW};
        return F.maxPool2d(x, kernel, kernel, new int[] {0, 0});
    }

    /**
     * Reduced across each window's columns and then across its rows, a slice per window: in that order a maximum's
     * gradient goes, as in PyTorch, to the window's first maximum in row-major order (the first row holding the
     * maximum, and that row's first), or to its last NaN (the last row holding one, and that row's last). An axis
     * already of its output size (the one row of {@link AdaptiveMaxPool1d}) is left as it is.
     */
    @Override
    Tensor poolUnevenly(Tensor x, int outH, int outW) {
        Tensor columns = x.dim(3) == outW ? x : poolAxis(x, 3, outW);
        if (x.dim(2) == outH) {
            return columns;
        }
        Tensor rows = poolAxis(columns, 2, outH);
        releaseConsumed(columns, rows, x);
        return rows;
    }

    /**
     * {@code axis} (2 or 3) of x [N, C, H, W] reduced to {@code out} windows of PyTorch's adaptive pooling, each by a
     * max pooling of its whole length: the first maximum, or the last NaN, as PyTorch's kernels take them.
     */
    static Tensor poolAxis(Tensor x, int axis, int out) {
        int in = x.dim(axis);
        List<Tensor> windows = new ArrayList<>(out);
        for (int i = 0; i < out; i++) {
            int start = windowStart(i, in, out);
            int length = windowEnd(i, in, out) - start;
            int[] kernel = axis == 3 ? new int[] {1, length} : new int[] {length, 1};
            windows.add(consume(x.narrow(axis, start, length),
                    window -> F.maxPool2d(window, kernel, kernel, new int[] {0, 0})));
        }
        Tensor pooled = Tensor.cat(windows, axis);
        windows.forEach(w -> releaseConsumed(w, pooled));
        return pooled;
    }
}
