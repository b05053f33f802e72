package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link AdaptiveAvgPool2d} and {@link AdaptiveMaxPool2d} share: the output size, the input checks, and
 * PyTorch's windows, {@code start = floor(i * height / outH)} to {@code end = ceil((i + 1) * height / outH)} for
 * output row i (likewise columns), which may differ in size and overlap by one. An input that the output size
 * divides evenly is pooled by {@code height / outH x width / outW} windows in one op; any other is reduced across
 * each window's columns and then across its rows, a slice per window, as both the mean and the maximum over a
 * rectangle can be. In that order a maximum's gradient goes, as in PyTorch, to the window's first maximum in
 * row-major order: the first row holding the maximum, and that row's first.
 */
abstract class AdaptivePool2d extends Module {
    private final int outH;
    private final int outW;

    /** @throws IllegalArgumentException naming the layer for an output size below 1 */
    AdaptivePool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": output size must be at least 1, got ("
                    + outH + ", " + outW + ")");
        }
        this.outH = outH;
        this.outW = outW;
    }

    /** Pools x [batch, channels, height, width] by non-overlapping {@code kernelH x kernelW} windows. */
    abstract Tensor poolEvenly(Tensor x, int kernelH, int kernelW);

    /** Reduces {@code axis} of x to size 1: the window's mean or maximum. */
    abstract Tensor reduce(Tensor window, int axis);

    /**
     * [batch, channels, height, width] to [batch, channels, outH, outW], or unbatched [channels, height, width] to
     * [channels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 3-D or 4-D or has no
     *     pixels
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == 3;
        if (!unbatched && x.rank() != 4 || x.dim(-2) < 1 || x.dim(-1) < 1) {
            throw new IllegalArgumentException(this + ": input " + x.shape()
                    + " must be [batch, channels, height, width] or unbatched [channels, height, width] with at least one pixel");
        }
        Tensor batch = unbatched ? x.unsqueeze(0) : x;
        int height = batch.dim(2);
        int width = batch.dim(3);
        Tensor y = height % outH == 0 && width % outW == 0
                ? poolEvenly(batch, height / outH, width / outW)
                : consume(poolAxis(batch, 3, outW), columns -> poolAxis(columns, 2, outH));
        return unbatched ? y.squeeze(0) : y;
    }

    /** {@code axis} of x reduced to {@code out} windows of PyTorch's adaptive pooling. */
    private Tensor poolAxis(Tensor x, int axis, int out) {
        int in = x.dim(axis);
        List<Tensor> windows = new ArrayList<>(out);
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out);
            int end = (int) (((long) (i + 1) * in + out - 1) / out);
            windows.add(consume(x.narrow(axis, start, end - start), window -> reduce(window, axis)));
        }
        Tensor pooled = Tensor.cat(windows, axis);
        windows.forEach(w -> releaseConsumed(w, pooled));
        return pooled;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(output_size=(" + outH + ", " + outW + "))";
    }
}
