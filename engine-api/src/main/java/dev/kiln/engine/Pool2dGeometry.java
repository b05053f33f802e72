package dev.kiln.engine;

/**
 * The sizes of one 2-D pooling (PyTorch's {@code MaxPool2d}/{@code AvgPool2d} without dilation or
 * ceil mode): input {@code [batch, channels, height, width]}, output {@code [batch, channels, outH, outW]}.
 * Build it with {@link #of}, which checks the shapes.
 */
public record Pool2dGeometry(int batch, int channels, int height, int width,
                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    /**
     * The geometry of {@code op} on an input of this shape; {@code kernel}, {@code stride} and
     * {@code padding} each hold one value (both axes) or two (height, width). A null or empty stride
     * means the kernel size (PyTorch's default); a null padding means 0.
     *
     * @throws IllegalArgumentException naming {@code op} and the shape when they do not fit together
     */
    public static Pool2dGeometry of(String op, Shape input, int[] kernel, int[] stride, int[] padding) {
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
        if (k[0] > input.dim(2) + 2L * p[0] || k[1] > input.dim(3) + 2L * p[1]) {
            throw new IllegalArgumentException(op + ": input " + input + " and kernel " + k[0] + " x " + k[1]
                    + ": the kernel is larger than the padded input " + (input.dim(2) + 2 * p[0]) + " x "
                    + (input.dim(3) + 2 * p[1]));
        }
        return new Pool2dGeometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3), k[0], k[1], s[0], s[1], p[0], p[1]);
    }

    /** Output height: {@code (height + 2 padH - kernelH) / strideH + 1}. */
    public int outH() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    /** Output width: {@code (width + 2 padW - kernelW) / strideW + 1}. */
    public int outW() {
        return (width + 2 * padW - kernelW) / strideW + 1;
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
