package dev.kiln.engine;

import java.util.function.Function;

/**
 * 1-D max and average pooling ({@link F#maxPool1d}, {@link F#maxPool1dWithIndices}, {@link F#avgPool1d}): the 2-D
 * pooling with a window of height 1 over a view of the input [batch, channels, length] as
 * [batch, channels, 1, length], so values, indices and gradients are the 2-D ones'. An unbatched input
 * [channels, length] (accepted by PyTorch 1.13) is viewed as a batch of one. The checks come first, so that an error
 * names the 1-D op and the length rather than the view's height and width.
 */
final class Pool1dOps {
    private static final String MAX = "maxPool1d";
    private static final String AVG = "avgPool1d";

    private Pool1dOps() {
    }

    /**
     * See {@link F#maxPool1d(Tensor, int, int, int, int, boolean)}. PyTorch 1.13's {@code max_pool1d} has a kernel of
     * its own for a CPU input that records no gradient, which gives an empty output where no window fits; one that
     * records a gradient takes {@code max_pool1d_with_indices}, which refuses it (so does Kiln, on every backend).
     */
    static Tensor maxPool1d(Tensor input, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        boolean recordsGradient = input.requiresGrad() && Autograd.isEnabled();
        long windows = check(MAX, input, kernel, stride, padding, dilation, ceilMode, !recordsGradient);
        if (windows == 0) {
            int[] dims = input.shape().dims();
            dims[dims.length - 1] = 0;
            return input.emptyLike(Shape.of(dims), input.dtype());
        }
        return onRows(input, rows -> F.maxPool2d(rows, new int[] {1, kernel}, new int[] {1, stride},
                new int[] {0, padding}, new int[] {1, dilation}, ceilMode));
    }

    /** See {@link F#maxPool1dWithIndices(Tensor, int, int, int, int, boolean)}. */
    static F.MaxPoolOutput maxPool1dWithIndices(Tensor input, int kernel, int stride, int padding, int dilation,
                                                boolean ceilMode) {
        check(MAX, input, kernel, stride, padding, dilation, ceilMode, false);
        boolean unbatched = input.rank() == 2;
        Tensor rows = (unbatched ? input.unsqueeze(0) : input).unsqueeze(2);
        F.MaxPoolOutput pooled = F.maxPool2dWithIndices(rows, new int[] {1, kernel}, new int[] {1, stride},
                new int[] {0, padding}, new int[] {1, dilation}, ceilMode);
        Tensor out = pooled.output().squeeze(2);
        Tensor indices = pooled.indices().squeeze(2);
        return unbatched ? new F.MaxPoolOutput(out.squeeze(0), indices.squeeze(0)) : new F.MaxPoolOutput(out, indices);
    }

    /** See {@link F#avgPool1d(Tensor, int, int, int, boolean, boolean)}. */
    static Tensor avgPool1d(Tensor input, int kernel, int stride, int padding, boolean ceilMode,
                            boolean countIncludePad) {
        check(AVG, input, kernel, stride, padding, 1, ceilMode, false);
        return onRows(input, rows -> F.avgPool2d(rows, new int[] {1, kernel}, new int[] {1, stride},
                new int[] {0, padding}, ceilMode, countIncludePad));
    }

    /** Pools the [batch, channels, 1, length] view of a 3-D or 2-D input and drops the axes the view added. */
    private static Tensor onRows(Tensor input, Function<Tensor, Tensor> pool2d) {
        if (input.rank() == 2) {
            return pool2d.apply(input.unsqueeze(0).unsqueeze(2)).squeeze(2).squeeze(0);
        }
        return pool2d.apply(input.unsqueeze(2)).squeeze(2);
    }

    /** The number of windows after checking the input and settings: at least 1, or 0 where {@code noWindowsAllowed}. */
    private static long check(String op, Tensor input, int kernel, int stride, int padding, int dilation,
                              boolean ceilMode, boolean noWindowsAllowed) {
        Checks.open(op, input);
        if (input.rank() != 3 && input.rank() != 2) {
            throw new IllegalArgumentException(op + ": input " + input.shape()
                    + ": expected a 3-D input [batch, channels, length] or a 2-D one [channels, length], got rank "
                    + input.rank());
        }
        if (kernel < 1 || stride < 1 || dilation < 1) {
            throw new IllegalArgumentException(op + ": kernel " + kernel + ", stride " + stride + " and dilation "
                    + dilation + " must each be at least 1");
        }
        if (padding < 0 || 2L * padding > kernel) {
            throw new IllegalArgumentException(op + ": padding " + padding + " must be between 0 and half the kernel "
                    + kernel);
        }
        long length = input.dim(input.rank() - 1);
        long windows = PoolOutputSize.of(length, kernel, stride, padding, dilation, ceilMode);
        if (windows < 1 && !(windows == 0 && noWindowsAllowed)) {
            long span = (long) dilation * (kernel - 1) + 1;
            throw new IllegalArgumentException(op + ": input " + input.shape() + " (kernel " + kernel + ", stride "
                    + stride + ", padding " + padding + (op.equals(MAX) ? ", dilation " + dilation : "")
                    + (ceilMode ? ", ceil mode" : "")
                    + "): the output length " + windows + " is too small: the kernel spans " + span
                    + ", more than the length " + length + " padded by " + padding + " on each end"
                    + (ceilMode ? " by the stride or more" : ""));
        }
        return windows;
    }
}
