package dev.kiln.engine;

import java.util.Arrays;

/**
 * The sizes of a 3-D convolution (PyTorch's {@code conv3d}) or transposed convolution ({@code conv_transpose3d}),
 * checked where built: input [batch, inChannels, depth, height, width], output [batch, outChannels, outD, outH, outW],
 * kernel, stride, padding, dilation and (of a transposed one) output padding per axis (depth, height, width).
 * {@link #plane} gives a parameter's (height, width), the 2-D convolution's; {@link #taps} the depth axis that
 * {@link DepthTaps} turns into rows.
 */
record VolumeGeometry(String op, int batch, int inChannels, int outChannels, int[] inSize, int[] outSize,
                      int[] kernel, int[] stride, int[] padding, int[] dilation, int[] outputPadding) {
    private static final String[] AXES = {"depth", "height", "width"};

    /**
     * A convolution of an input [batch, inChannels, depth, height, width] by a weight [outChannels,
     * inChannels / groups, kernelD, kernelH, kernelW]: {@code out = (in + 2 padding - dilation (kernel - 1) - 1) /
     * stride + 1} per axis.
     *
     * @throws IllegalArgumentException naming op and both shapes when they do not fit together
     */
    static VolumeGeometry convolution(String op, Shape input, Shape weight, int[] stride, int[] padding,
                                      int[] dilation, int groups) {
        String shapes = op + ": input " + input + " and weight " + weight
                + (groups == 1 ? "" : " with groups " + groups);
        checkRanks(shapes, input, weight, "[outChannels, inChannels / groups, kernelD, kernelH, kernelW]");
        if (groups < 1) {
            throw new IllegalArgumentException(shapes + ": groups must be at least 1");
        }
        GroupedConv2dGeometry.checkChannels(shapes, input, weight, groups);
        int[] in = spatial(input);
        int[] k = spatial(weight);
        int[] s = triple(op, "stride", stride, 1);
        int[] p = triple(op, "padding", padding, 0);
        int[] d = triple(op, "dilation", dilation, 1);
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            long span = (long) d[a] * (k[a] - 1) + 1;
            long padded = in[a] + 2L * p[a];
            if (span > padded) {
                throw new IllegalArgumentException(shapes + ": the kernel's span " + span + " along the " + AXES[a]
                        + " (kernel " + k[a] + ", dilation " + d[a] + ") is larger than the padded input's " + padded);
            }
            out[a] = (int) ((padded - span) / s[a] + 1);
        }
        return new VolumeGeometry(op, input.dim(0), input.dim(1), weight.dim(0), in, out, k, s, p, d, new int[3]);
    }

    /**
     * A transposed convolution of an input [batch, inChannels, depth, height, width] by a weight [inChannels,
     * outChannels, kernelD, kernelH, kernelW]: {@code out = (in - 1) stride - 2 padding + dilation (kernel - 1)
     * + outputPadding + 1} per axis, the output padding below the stride or the dilation.
     *
     * @throws IllegalArgumentException naming op and both shapes when they do not fit together
     */
    static VolumeGeometry transposed(String op, Shape input, Shape weight, int[] stride, int[] padding,
                                     int[] outputPadding, int[] dilation) {
        String shapes = op + ": input " + input + " and weight " + weight;
        checkRanks(shapes, input, weight, "[inChannels, outChannels, kernelD, kernelH, kernelW]");
        if (input.dim(1) != weight.dim(0)) {
            throw new IllegalArgumentException(shapes + ": the input has " + input.dim(1)
                    + " channels but the weight expects " + weight.dim(0));
        }
        int[] in = spatial(input);
        int[] k = spatial(weight);
        int[] s = triple(op, "stride", stride, 1);
        int[] p = triple(op, "padding", padding, 0);
        int[] d = triple(op, "dilation", dilation, 1);
        int[] extra = triple(op, "output padding", outputPadding, 0);
        Conv2dGeometry.checkOutputPadding(op, extra, s, d);
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            long size = (in[a] - 1L) * s[a] - 2L * p[a] + (long) d[a] * (k[a] - 1) + extra[a] + 1;
            if (size < 1 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(shapes + ": stride " + Arrays.toString(s) + ", padding "
                        + Arrays.toString(p) + ", dilation " + Arrays.toString(d) + " and output padding "
                        + Arrays.toString(extra) + " give an output " + AXES[a] + " of " + size);
            }
            out[a] = (int) size;
        }
        return new VolumeGeometry(op, input.dim(0), input.dim(1), weight.dim(1), in, out, k, s, p, d, extra);
    }

    private static void checkRanks(String shapes, Shape input, Shape weight, String weightLayout) {
        if (input.rank() != 5 || weight.rank() != 5) {
            throw new IllegalArgumentException(shapes + ": expected a 5-D input [batch, channels, depth, height, width]"
                    + " and a 5-D weight " + weightLayout);
        }
        if (weight.dim(2) < 1 || weight.dim(3) < 1 || weight.dim(4) < 1) {
            throw new IllegalArgumentException(shapes + ": the kernel must be at least 1 x 1 x 1");
        }
    }

    /** (depth, height, width) of a 5-D shape. */
    private static int[] spatial(Shape s) {
        return new int[] {s.dim(2), s.dim(3), s.dim(4)};
    }

    /** One value for the three axes or three (depth, height, width), each at least {@code min}; null: {@code min}. */
    static int[] triple(String op, String what, int[] values, int min) {
        int[] dhw;
        if (values == null || values.length == 0) {
            dhw = new int[] {min, min, min};
        } else if (values.length == 1) {
            dhw = new int[] {values[0], values[0], values[0]};
        } else if (values.length == 3) {
            dhw = values.clone();
        } else {
            throw new IllegalArgumentException(op + ": " + what
                    + " must have 1 or 3 values (depth, height, width), got " + Arrays.toString(values));
        }
        for (int v : dhw) {
            if (v < min) {
                throw new IllegalArgumentException(op + ": " + what + " must be at least " + min + ", got "
                        + Arrays.toString(values));
            }
        }
        return dhw;
    }

    /** The (height, width) of a parameter: what the 2-D convolution of each depth slice takes. */
    static int[] plane(int[] dhw) {
        return new int[] {dhw[1], dhw[2]};
    }

    /**
     * The depth axis as {@link DepthTaps}: the input's depth read at the output's positions for a convolution, the
     * output's depth written from the input's positions for a transposed one.
     */
    DepthTaps taps(boolean transposed) {
        return transposed
                ? new DepthTaps(outSize[0], kernel[0], stride[0], padding[0], dilation[0], inSize[0])
                : new DepthTaps(inSize[0], kernel[0], stride[0], padding[0], dilation[0], outSize[0]);
    }

    /** Refuses a bias other than null or [outChannels] of the weight's dtype and backend. */
    void checkBias(Tensor weight, Tensor bias) {
        if (bias == null) {
            return;
        }
        Checks.compatible(op, weight, bias);
        if (bias.rank() != 1 || bias.dim(0) != outChannels) {
            throw new IllegalArgumentException(op + ": bias " + bias.shape() + " and weight " + weight.shape()
                    + ": the bias must be [" + outChannels + "]");
        }
    }
}
