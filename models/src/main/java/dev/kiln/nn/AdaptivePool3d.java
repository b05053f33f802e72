package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What {@link AdaptiveAvgPool3d} and {@link AdaptiveMaxPool3d} share: the output size (depth, height, width), the
 * input checks, and how they run. PyTorch's windows ({@code start = floor(i * depth / outD)} to
 * {@code end = ceil((i + 1) * depth / outD)} for output slice i, likewise rows and columns, see
 * {@link AdaptivePool2d}) are a product of per-axis windows, and maxima and means over them separate: each depth
 * slice is pooled over height and width by the 2-D adaptive pooling (input [batch, channels * depth, height, width],
 * a free view), then what that left over depth ({@link #poolDepth}), each where it changes the size. Height and width go first so that a maximum's
 * gradient goes to the first of tied maxima in (depth, height, width) order, as PyTorch's.
 */
abstract class AdaptivePool3d extends Module {
    private final int outD;
    private final int outH;
    private final int outW;
    private final AdaptivePool2d slicePooling;
    /** Whether the size was given as one int, which PyTorch's repr prints as given ({@code output_size=2}). */
    private final boolean oneSize;

    /** A cubic {@code outputSize} output. */
    AdaptivePool3d(int outputSize) {
        this(outputSize, outputSize, outputSize, true);
    }

    /** An {@code outD x outH x outW} output. */
    AdaptivePool3d(int outD, int outH, int outW) {
        this(outD, outH, outW, false);
    }

    /** @throws IllegalArgumentException naming the layer for an output size below 1 */
    private AdaptivePool3d(int outD, int outH, int outW, boolean oneSize) {
        if (outD < 1 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": output size must be at least 1, got ("
                    + outD + ", " + outH + ", " + outW + ")");
        }
        this.outD = outD;
        this.outH = outH;
        this.outW = outW;
        this.slicePooling = planes(outH, outW);
        this.oneSize = oneSize;
    }

    /** The 2-D adaptive pooling of each depth slice to {@code outH x outW}. */
    abstract AdaptivePool2d planes(int outH, int outW);

    /**
     * x [batch, channels, depth, positions] pooled over PyTorch's depth windows to [batch, channels, outD,
     * positions].
     */
    abstract Tensor poolDepth(Tensor x, int outD);

    /**
     * [batch, channels, depth, height, width] to [batch, channels, outD, outH, outW], or unbatched [channels, depth,
     * height, width] to [channels, outD, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or 5-D or has no
     *     elements to pool
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == 4;
        if (!unbatched && x.rank() != 5 || x.dim(-3) < 1 || x.dim(-2) < 1 || x.dim(-1) < 1) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, depth,"
                    + " height, width] or unbatched [channels, depth, height, width] with at least one element per"
                    + " channel");
        }
        Tensor batch = unbatched ? x.unsqueeze(0) : x;
        int[] dims = batch.shape().dims();
        Tensor planes = batch;
        if (dims[3] != outH || dims[4] != outW) {
            Tensor pooled = consume(batch.reshape(dims[0], dims[1] * dims[2], dims[3], dims[4]),
                    slicePooling::forward);
            planes = consume(pooled, p -> p.reshape(dims[0], dims[1], dims[2], outH, outW));
        }
        Tensor y = planes;
        if (dims[2] != outD) {
            Tensor pooled = consume(planes.reshape(dims[0], dims[1], dims[2], outH * outW),
                    slices -> poolDepth(slices, outD));
            y = consume(pooled, p -> p.reshape(dims[0], dims[1], outD, outH, outW));
        }
        releaseConsumed(planes, y, batch);
        return unbatched ? consume(y, t -> t.squeeze(0)) : y;
    }

    /** PyTorch's {@code extra_repr}, the size as given: {@code output_size=2} or {@code output_size=(1, 2, 3)}. */
    @Override
    protected String extraRepr() {
        return "output_size=" + (oneSize ? Integer.toString(outD) : PythonRepr.tuple(outD, outH, outW));
    }
}
