package dev.kiln.engine;

import java.util.Arrays;

/**
 * The sizes of a 3-D max pooling (PyTorch's {@code max_pool3d}), checked where built: input [batch, channels, depth,
 * height, width], output [batch, channels, outD, outH, outW]; kernel, stride, padding and dilation per axis (depth,
 * height, width). Window o of an axis reads the taps {@code o * stride - padding + t * dilation}, t below the kernel,
 * those outside the input being padding. A dilated window may cover padding alone (its taps skip over the input); as
 * in PyTorch, its maximum is minus infinity.
 */
record Pool3dGeometry(int batch, int channels, int[] inSize, int[] outSize, int[] kernel, int[] stride, int[] padding,
                      int[] dilation, boolean ceilMode) {
    static final String[] AXES = {"depth", "height", "width"};

    /**
     * {@code op} on an input of this shape; kernel, stride, padding and dilation each hold one value (all three axes)
     * or three (depth, height, width). A null or empty stride is the kernel, a null padding 0, a null dilation 1.
     * Output sizes are PyTorch's: {@code (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1}, rounded up in
     * ceil mode less a last window that would start in the far padding ({@link PoolOutputSize}: in ceil mode a
     * kernel's span may exceed the padded input by less than the stride).
     *
     * @throws IllegalArgumentException naming {@code op} and the input shape when the input is not 5-D, a setting is
     *     out of range, a padding exceeds half its kernel, an output size is below 1 (a kernel's span exceeds
     *     the padded input, in ceil mode by the stride or more)
     */
    static Pool3dGeometry of(String op, Shape input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                             boolean ceilMode) {
        if (input.rank() != 5) {
            throw new IllegalArgumentException(op + ": input " + input
                    + ": expected a 5-D input [batch, channels, depth, height, width]");
        }
        if (kernel == null || kernel.length == 0) {
            throw new IllegalArgumentException(op + ": a kernel size is required");
        }
        int[] k = VolumeGeometry.triple(op, "kernel", kernel, 1);
        int[] s = stride == null || stride.length == 0 ? k : VolumeGeometry.triple(op, "stride", stride, 1);
        int[] p = VolumeGeometry.triple(op, "padding", padding, 0);
        int[] d = VolumeGeometry.triple(op, "dilation", dilation, 1);
        for (int a = 0; a < 3; a++) {
            if (2L * p[a] > k[a]) {
                throw new IllegalArgumentException(op + ": input " + input + ": padding " + Arrays.toString(p)
                        + " must be at most half the kernel " + Arrays.toString(k) + " on each axis");
            }
        }
        int[] in = {input.dim(2), input.dim(3), input.dim(4)};
        Checks.dimension(op, "a channel's volume of input " + input, (long) in[0] * in[1] * in[2]);
        return sized(op, input, in, k, s, p, d, ceilMode);
    }

    /**
     * A 2-D max pooling ({@code max_pool2d} with {@code dilation}) of an input [batch, channels, height, width], as
     * the 3-D one of its view [batch, channels, 1, height, width] with a window of one along the depth; kernel,
     * stride, padding and dilation each hold one value (both axes) or two (height, width), a null or empty stride
     * being the kernel, a null padding 0, a null dilation 1. Output sizes as {@link #of}; errors name {@code op} and
     * the 4-D input.
     *
     * @throws IllegalArgumentException naming {@code op} and the input shape when the input is not 4-D, a setting is
     *     out of range, a padding exceeds half its kernel, an output size is below 1 (a kernel's span exceeds
     *     the padded input, in ceil mode by the stride or more)
     */
    static Pool3dGeometry plane(String op, Shape input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                boolean ceilMode) {
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
        int[] d = Conv2dGeometry.pair(op, "dilation", dilation, 1);
        if (2L * p[0] > k[0] || 2L * p[1] > k[1]) {
            throw new IllegalArgumentException(op + ": input " + input + ": padding " + p[0] + " x " + p[1]
                    + " must be at most half the kernel " + k[0] + " x " + k[1]);
        }
        Checks.dimension(op, "a channel's plane of input " + input, (long) input.dim(2) * input.dim(3));
        return sized(op, input, new int[] {1, input.dim(2), input.dim(3)}, new int[] {1, k[0], k[1]},
                new int[] {1, s[0], s[1]}, new int[] {0, p[0], p[1]}, new int[] {1, d[0], d[1]}, ceilMode);
    }

    /** The geometry of checked settings, with each axis's output size. */
    private static Pool3dGeometry sized(String op, Shape input, int[] in, int[] k, int[] s, int[] p, int[] d,
                                        boolean ceilMode) {
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            out[a] = outSize(op, input, a, in[a], k[a], s[a], p[a], d[a], ceilMode);
        }
        return new Pool3dGeometry(input.dim(0), input.dim(1), in, out, k, s, p, d, ceilMode);
    }

    /** {@link PoolOutputSize} along axis a, after checking that it is at least 1. */
    private static int outSize(String op, Shape input, int a, int in, int k, int s, int p, int d, boolean ceilMode) {
        long windows = PoolOutputSize.of(in, k, s, p, d, ceilMode);
        if (windows < 1) {
            throw new IllegalArgumentException(op + ": input " + input + ": the output " + AXES[a] + " " + windows
                    + " is too small: the kernel's span " + ((long) d * (k - 1) + 1) + " along the " + AXES[a]
                    + " (kernel " + k + ", stride " + s + ", padding " + p + ", dilation " + d
                    + ") is larger than the padded input's " + (in + 2L * p)
                    + (ceilMode ? " by the stride " + s + " or more" : ""));
        }
        return Checks.dimension(op, "the output " + AXES[a], windows);
    }

    /** The first tap of window o that lies inside an axis of {@code in} elements, or -1 when none does. */
    private static int firstTap(int o, int in, int k, int s, int p, int d) {
        for (int t = 0; t < k; t++) {
            long position = (long) o * s - p + (long) t * d;
            if (position >= 0 && position < in) {
                return (int) position;
            }
        }
        return -1;
    }

    /**
     * The input positions along {@code axis} that the taps of each window read, window by window ({@code outSize *
     * kernel} of them): a tap in the padding reads the window's first tap inside the input instead, which changes
     * neither the window's maximum nor where it first occurs; a window of padding alone reads element 0, its maximum
     * and index being replaced afterwards ({@link #paddingAloneIndices}).
     */
    long[] taps(int axis) {
        int k = kernel[axis];
        long[] positions = new long[outSize[axis] * k];
        for (int o = 0; o < outSize[axis]; o++) {
            int first = Math.max(0, firstTap(o, inSize[axis], k, stride[axis], padding[axis], dilation[axis]));
            for (int t = 0; t < k; t++) {
                long position = (long) o * stride[axis] - padding[axis] + (long) t * dilation[axis];
                positions[o * k + t] = position >= 0 && position < inSize[axis] ? position : first;
            }
        }
        return positions;
    }

    /**
     * For each output position of a channel (depth, height, width order, {@code outD * outH * outW}), -1 where the
     * window holds an input element, and PyTorch's index where it covers padding alone along some axis: the flat
     * position of the window's first tap at or past the start of each axis, which may lie beyond the input (PyTorch's
     * kernels start their search there and find nothing). Null when every window holds an input element.
     */
    long[] paddingAloneIndices() {
        long[][] starts = new long[3][];
        boolean[][] alone = new boolean[3][];
        boolean any = false;
        for (int a = 0; a < 3; a++) {
            starts[a] = new long[outSize[a]];
            alone[a] = new boolean[outSize[a]];
            for (int o = 0; o < outSize[a]; o++) {
                starts[a][o] = firstTapFromStart(o, a);
                alone[a][o] = firstTap(o, inSize[a], kernel[a], stride[a], padding[a], dilation[a]) < 0;
                any |= alone[a][o];
            }
        }
        if (!any) {
            return null;
        }
        long[] indices = new long[outSize[0] * outSize[1] * outSize[2]];
        int i = 0;
        for (int od = 0; od < outSize[0]; od++) {
            for (int oh = 0; oh < outSize[1]; oh++) {
                for (int ow = 0; ow < outSize[2]; ow++, i++) {
                    boolean empty = alone[0][od] || alone[1][oh] || alone[2][ow];
                    indices[i] = empty ? (starts[0][od] * inSize[1] + starts[1][oh]) * inSize[2] + starts[2][ow] : -1;
                }
            }
        }
        return indices;
    }

    /** The first tap of window o along {@code axis} at or past position 0, inside the input or not. */
    private long firstTapFromStart(int o, int axis) {
        long start = (long) o * stride[axis] - padding[axis];
        int d = dilation[axis];
        return start >= 0 ? start : start + (-start + d - 1) / d * d;
    }

    /** Whether the windows along {@code axis} are one element wide and move by one: the axis needs no pooling. */
    boolean windowOfOne(int axis) {
        return kernel[axis] == 1 && stride[axis] == 1 && padding[axis] == 0;
    }

    /** Elements of one channel's input volume. */
    long inVolume() {
        return (long) inSize[0] * inSize[1] * inSize[2];
    }

    Shape inputShape() {
        return Shape.of(batch, channels, inSize[0], inSize[1], inSize[2]);
    }

    Shape outputShape() {
        return Shape.of(batch, channels, outSize[0], outSize[1], outSize[2]);
    }
}
