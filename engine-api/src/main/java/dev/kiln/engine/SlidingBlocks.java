package dev.kiln.engine;

/**
 * The sliding local blocks of PyTorch's {@code unfold} and {@code fold}: a {@code kernelH x kernelW} window whose taps
 * lie {@code dilation} apart, slid {@code stride} apart over an image of {@code height x width} with {@code padding}
 * zeros on each side, {@code blocksH x blocksW} positions in all. Build it with {@link #of}, which checks that at least
 * one block fits.
 */
record SlidingBlocks(int height, int width, int kernelH, int kernelW, int dilationH, int dilationW, int padH, int padW,
                     int strideH, int strideW) {

    /**
     * The blocks of {@code op} on an image of {@code size} (height, width); {@code kernel}, {@code dilation},
     * {@code padding} and {@code stride} hold one value (both axes) or two (height, width), null meaning 1, 0 and 1
     * where there is a default (the kernel has none). {@code image} names the image in messages ("input [1, 2, 4, 4]").
     *
     * @throws IllegalArgumentException naming {@code op} for a parameter out of range, a kernel larger than the
     *     padded image, or more taps times blocks than a dimension holds
     */
    static SlidingBlocks of(String op, String image, int[] size, int[] kernel, int[] dilation, int[] padding,
                            int[] stride) {
        if (kernel == null || kernel.length == 0) {
            throw new IllegalArgumentException(op + ": a kernel size is required");
        }
        int[] k = Conv2dGeometry.pair(op, "kernel", kernel, 1);
        int[] d = Conv2dGeometry.pair(op, "dilation", dilation, 1);
        int[] p = Conv2dGeometry.pair(op, "padding", padding, 0);
        int[] s = Conv2dGeometry.pair(op, "stride", stride, 1);
        long spanH = (long) d[0] * (k[0] - 1) + 1;
        long spanW = (long) d[1] * (k[1] - 1) + 1;
        long paddedH = size[0] + 2L * p[0];
        long paddedW = size[1] + 2L * p[1];
        if (spanH > paddedH || spanW > paddedW) {
            throw new IllegalArgumentException(op + ": the kernel " + k[0] + " x " + k[1] + " with dilation " + d[0]
                    + " x " + d[1] + " spans " + spanH + " x " + spanW + ", more than the " + image + " padded by "
                    + p[0] + " x " + p[1] + " to " + paddedH + " x " + paddedW);
        }
        Checks.dimension(op, image + " padded by " + p[0] + " x " + p[1], paddedH * paddedW);
        SlidingBlocks b = new SlidingBlocks(size[0], size[1], k[0], k[1], d[0], d[1], p[0], p[1], s[0], s[1]);
        Checks.dimension(op, image + " with " + b.describe() + ": taps times blocks", b.taps() * b.blocks());
        return b;
    }

    /** Height of the padded image, {@code height + 2 padH}. */
    int paddedH() {
        return height + 2 * padH;
    }

    /** Width of the padded image, {@code width + 2 padW}. */
    int paddedW() {
        return width + 2 * padW;
    }

    /** Block rows: {@code (paddedH - dilationH (kernelH - 1) - 1) / strideH + 1}. */
    int blocksH() {
        return (paddedH() - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    /** Block columns, as {@link #blocksH}. */
    int blocksW() {
        return (paddedW() - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }

    /** All blocks, PyTorch's L: {@code blocksH * blocksW}. */
    long blocks() {
        return (long) blocksH() * blocksW();
    }

    /** Taps of the kernel: {@code kernelH * kernelW}. */
    int taps() {
        return kernelH * kernelW;
    }

    /**
     * Where each tap of each block reads the padded image, flattened: entry
     * {@code (ki kernelW + kj) L + bi blocksW + bj} is pixel
     * {@code (bi strideH + ki dilationH, bj strideW + kj dilationW)} as {@code row * paddedW + column}. The entries
     * follow the rows of an unfolded channel (tap by tap, each tap's blocks in row-major order), so one selection along
     * the flattened pixels of each channel unfolds it.
     */
    long[] index() {
        int rows = blocksH();
        int columns = blocksW();
        int rowLength = paddedW();
        long[] index = new long[(int) (taps() * blocks())];
        int at = 0;
        for (int ki = 0; ki < kernelH; ki++) {
            for (int kj = 0; kj < kernelW; kj++) {
                for (int bi = 0; bi < rows; bi++) {
                    long start = ((long) bi * strideH + (long) ki * dilationH) * rowLength + (long) kj * dilationW;
                    for (int bj = 0; bj < columns; bj++) {
                        index[at++] = start + (long) bj * strideW;
                    }
                }
            }
        }
        return index;
    }

    /** The parameters as PyTorch's messages give them. */
    String describe() {
        return "kernel " + kernelH + " x " + kernelW + ", dilation " + dilationH + " x " + dilationW + ", padding "
                + padH + " x " + padW + " and stride " + strideH + " x " + strideW;
    }

    /** The height and width of an image given as one value or two, each at least 1. */
    static int[] size(String op, int[] size) {
        if (size == null || size.length == 0) {
            throw new IllegalArgumentException(op + ": an output size is required");
        }
        return Conv2dGeometry.pair(op, "output size", size, 1);
    }
}
