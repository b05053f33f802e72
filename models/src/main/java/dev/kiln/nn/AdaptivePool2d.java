package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What {@link AdaptiveAvgPool2d} and {@link AdaptiveMaxPool2d} share: the output size, the input checks, and
 * PyTorch's windows, {@code start = floor(i * height / outH)} to {@code end = ceil((i + 1) * height / outH)} for
 * output row i (likewise columns), which may differ in size and overlap by one. An input that the output size
 * divides evenly is pooled by {@code height / outH x width / outW} windows in one op; any other by the subclass's
 * {@link #poolUnevenly}.
 */
abstract class AdaptivePool2d extends Module {
    private final int outH;
    private final int outW;
    /** Whether the size was given as one int, which PyTorch's repr prints as given ({@code output_size=2}). */
    private final boolean oneSize;

    /** A square {@code outputSize x outputSize} output. */
    AdaptivePool2d(int outputSize) {
        this(outputSize, outputSize, true);
    }

    /** An {@code outH x outW} output. */
    AdaptivePool2d(int outH, int outW) {
        this(outH, outW, false);
    }

    /** @throws IllegalArgumentException naming the layer for an output size below 1 */
    private AdaptivePool2d(int outH, int outW, boolean oneSize) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": output size must be at least 1, got ("
                    + outH + ", " + outW + ")");
        }
        this.outH = outH;
        this.outW = outW;
        this.oneSize = oneSize;
    }

    /** The output's height. */
    int outH() {
        return outH;
    }

    /** The output's width. */
    int outW() {
        return outW;
    }

    /** Whether it pools to 1 x 1, each channel to its mean or maximum. */
    boolean global() {
        return outH == 1 && outW == 1;
    }

    /** Pools x [batch, channels, height, width] by non-overlapping {@code kernelH x kernelW} windows. */
    abstract Tensor poolEvenly(Tensor x, int kernelH, int kernelW);

    /** Pools x [batch, channels, height, width] by PyTorch's windows to [batch, channels, outH, outW]. */
    abstract Tensor poolUnevenly(Tensor x, int outH, int outW);

    /** The first input position of output position {@code o}'s window: {@code floor(o * in / out)}. */
    static int windowStart(int o, int in, int out) {
        return (int) ((long) o * in / out);
    }

    /** One past the last input position of output position {@code o}'s window: {@code ceil((o + 1) * in / out)}. */
    static int windowEnd(int o, int in, int out) {
        return (int) (((long) (o + 1) * in + out - 1) / out);
    }

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
            throw new IllegalArgumentException(describe() + ": input " + x.shape()
                    + " must be [batch, channels, height, width] or unbatched [channels, height, width] with at least one pixel");
        }
        Tensor batch = unbatched ? x.unsqueeze(0) : x;
        int height = batch.dim(2);
        int width = batch.dim(3);
        Tensor y = height % outH == 0 && width % outW == 0
                ? poolEvenly(batch, height / outH, width / outW)
                : poolUnevenly(batch, outH, outW);
        return unbatched ? y.squeeze(0) : y;
    }

    /** PyTorch's {@code extra_repr}, the size as given: {@code output_size=1} or {@code output_size=(2, 2)}. */
    @Override
    protected String extraRepr() {
        return "output_size=" + (oneSize ? Integer.toString(outH) : PythonRepr.tuple(outH, outW));
    }
}
