package dev.kiln.engine;

/**
 * The sizes of one 2-D pooling (PyTorch's {@code MaxPool2d}/{@code AvgPool2d} without dilation): input
 * {@code [batch, channels, height, width]}, output {@code [batch, channels, outH, outW]}. With {@code ceilMode}
 * the output size rounds up, so the last window may hang over the bottom or right edge (PyTorch's
 * {@code ceil_mode}); {@code countIncludePad} says whether average pooling counts the padding in its divisor
 * (PyTorch's {@code count_include_pad}; max pooling ignores it). Build it with {@link #of}, which checks the shapes.
 */
public record Pool2dGeometry(int batch, int channels, int height, int width,
                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                             boolean ceilMode, boolean countIncludePad) {

    /** {@link #of(String, Shape, int[], int[], int[], boolean, boolean)} rounding down and counting the padding. */
    public static Pool2dGeometry of(String op, Shape input, int[] kernel, int[] stride, int[] padding) {
        return of(op, input, kernel, stride, padding, false, true);
    }

    /**
     * The geometry of {@code op} on an input of this shape; {@code kernel}, {@code stride} and
     * {@code padding} each hold one value (both axes) or two (height, width). A null or empty stride
     * means the kernel size (PyTorch's default); a null padding means 0. {@code ceilMode} rounds the output size up
     * (less a last window that would start in the bottom or right padding), {@code countIncludePad} counts the
     * padding in average pooling's divisor. Sizes follow PyTorch's rule ({@link PoolOutputSize}): in ceil mode the
     * kernel may exceed the padded input by less than the stride, giving one window along that axis.
     *
     * @throws IllegalArgumentException naming {@code op} and the shape when they do not fit together, among them an
     *     output size below 1 (PyTorch's "Output size is too small")
     */
    public static Pool2dGeometry of(String op, Shape input, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                    boolean countIncludePad) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": input " + input
                    + ": expected a 4-D input [batch, channels, height, width]");
        }
        if (kernel == null || kernel.length == 0) {
            throw new IllegalArgumentException(op + ": a kernel size is required");
        }
        int[] k = Conv2dGeometry.pair(op, "kernel", kernel, 1);
        int[] s = stride == null || stride.length == 0 ? k : Conv2dGeometry.pair(op, "stride", stride, 1);
        int[] p = Conv2dGeometry.pair(op, "padding", padding, 0);
        if (input.dim(2) < 1 || input.dim(3) < 1) {
            throw new IllegalArgumentException(op + ": input " + input + ": height and width must be at least 1");
        }
        if (2L * p[0] > k[0] || 2L * p[1] > k[1]) {
            throw new IllegalArgumentException(op + ": input " + input + ": padding " + p[0] + " x " + p[1]
                    + " must be at most half the kernel " + k[0] + " x " + k[1]);
        }
        long outH = PoolOutputSize.of(input.dim(2), k[0], s[0], p[0], 1, ceilMode);
        long outW = PoolOutputSize.of(input.dim(3), k[1], s[1], p[1], 1, ceilMode);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": input " + input + " and kernel " + k[0] + " x " + k[1]
                    + " (stride " + s[0] + " x " + s[1] + ", padding " + p[0] + " x " + p[1]
                    + (ceilMode ? ", ceil mode" : "") + "): the output size "
                    + outH + " x " + outW + " is too small: the kernel is larger than the padded input "
                    + (input.dim(2) + 2 * p[0]) + " x " + (input.dim(3) + 2 * p[1])
                    + (ceilMode ? " by the stride or more" : ""));
        }
        return new Pool2dGeometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3), k[0], k[1], s[0], s[1], p[0], p[1],
                ceilMode, countIncludePad);
    }

    /**
     * Output height: {@code (height + 2 padH - kernelH) / strideH + 1}, rounded up in ceil mode, where a last
     * window that would start in the bottom padding is dropped; at least 1 (checked where built).
     */
    public int outH() {
        return outSize(height, kernelH, strideH, padH);
    }

    /** Output width, as {@link #outH}. */
    public int outW() {
        return outSize(width, kernelW, strideW, padW);
    }

    /** {@link PoolOutputSize}: every window, even in ceil mode, starts inside the input or its left padding. */
    private int outSize(int size, int kernel, int stride, int pad) {
        return (int) PoolOutputSize.of(size, kernel, stride, pad, 1, ceilMode);
    }

    /**
     * What average pooling divides window (oh, ow)'s sum by, as PyTorch does: its size clipped to the padded
     * input (only ceil mode's last windows reach beyond), then with {@code countIncludePad} false clipped to
     * the input as well. Without ceil mode and with the padding counted, {@code kernelH * kernelW}.
     */
    public int avgDivisor(int oh, int ow) {
        return divisorSpan(oh, height, kernelH, strideH, padH) * divisorSpan(ow, width, kernelW, strideW, padW);
    }

    private int divisorSpan(int window, int size, int kernel, int stride, int pad) {
        int start = window * stride - pad;
        int end = Math.min(start + kernel, size + pad);
        return countIncludePad ? end - start : Math.min(end, size) - Math.max(start, 0);
    }

    /** Input shape {@code [batch, channels, height, width]}. */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Output shape {@code [batch, channels, outH, outW]}. */
    public Shape outputShape() {
        return Shape.of(batch, channels, outH(), outW());
    }
}
