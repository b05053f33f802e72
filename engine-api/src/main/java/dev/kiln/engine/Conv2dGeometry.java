package dev.kiln.engine;

import java.util.Arrays;

/**
 * The sizes of one 2-D convolution (PyTorch's {@code Conv2d} without groups): input
 * {@code [batch, inChannels, height, width]}, weight {@code [outChannels, inChannels, kernelH, kernelW]},
 * output {@code [batch, outChannels, outH, outW]}. Build it with {@link #of}, which checks the shapes, so a
 * backend only ever sees a geometry whose output is at least 1 x 1.
 */
public record Conv2dGeometry(int batch, int inChannels, int height, int width,
                             int outChannels, int kernelH, int kernelW,
                             int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    /**
     * The geometry of {@code op} on an input and weight of these shapes; {@code stride}, {@code padding}
     * and {@code dilation} each hold one value (both axes) or two (height, width).
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not fit together
     */
    public static Conv2dGeometry of(String op, Shape input, Shape weight, int[] stride, int[] padding, int[] dilation) {
        String shapes = op + ": input " + input + " and weight " + weight;
        if (input.rank() != 4 || weight.rank() != 4) {
            throw new IllegalArgumentException(shapes + ": expected a 4-D input [batch, channels, height, width]"
                    + " and a 4-D weight [outChannels, inChannels, kernelH, kernelW]");
        }
        if (input.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException(shapes + ": the input has " + input.dim(1)
                    + " channels but the weight expects " + weight.dim(1));
        }
        return sized(op, shapes, input, weight, stride, padding, dilation);
    }

    /**
     * {@link #of} for 4-D shapes whose channels fit, checking the rest: the per-axis parameters, the kernel and the
     * output size; messages start with {@code shapes}, which names the op and the shapes its caller was given.
     */
    static Conv2dGeometry sized(String op, String shapes, Shape input, Shape weight, int[] stride, int[] padding,
                                int[] dilation) {
        int[] s = pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] d = pair(op, "dilation", dilation, 1);
        long footprint = Math.max((long) d[0] * (weight.dim(2) - 1) + 1, (long) d[1] * (weight.dim(3) - 1) + 1);
        long padded = Math.max(input.dim(2) + 2L * p[0], input.dim(3) + 2L * p[1]);
        if (footprint > Integer.MAX_VALUE || padded > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(shapes + ": padding " + Arrays.toString(p) + " and dilation "
                    + Arrays.toString(d) + " give a padded input or kernel footprint beyond " + Integer.MAX_VALUE);
        }
        Conv2dGeometry g = new Conv2dGeometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                weight.dim(0), weight.dim(2), weight.dim(3), s[0], s[1], p[0], p[1], d[0], d[1]);
        if (weight.dim(2) < 1 || weight.dim(3) < 1) {
            throw new IllegalArgumentException(shapes + ": the kernel must be at least 1 x 1");
        }
        if (g.effectiveKernelH() > input.dim(2) + 2 * p[0] || g.effectiveKernelW() > input.dim(3) + 2 * p[1]) {
            throw new IllegalArgumentException(shapes + ": the kernel " + g.effectiveKernelH() + " x " + g.effectiveKernelW()
                    + " (with dilation " + d[0] + " x " + d[1] + ") is larger than the padded input "
                    + (input.dim(2) + 2 * p[0]) + " x " + (input.dim(3) + 2 * p[1]));
        }
        return g;
    }

    /**
     * The convolution whose input gradient {@code op}, a transposed convolution (PyTorch's
     * {@code conv_transpose2d} without groups), computes: for an input {@code [batch, inChannels, height, width]}
     * and a weight {@code [inChannels, outChannels, kernelH, kernelW]} (PyTorch's layout), the convolution from
     * {@code [batch, outChannels, outH, outW]} back to the input's shape, with
     * {@code outH = (height - 1) strideH - 2 padH + dilationH (kernelH - 1) + outputPaddingH + 1} (likewise outW).
     * Its {@link #inputShape()} is the transposed convolution's output shape, its {@link #outputShape()} the
     * transposed convolution's input shape. {@code outputPadding} holds one value or two, each below the stride
     * on its axis (it picks among the output sizes that a strided convolution maps to the same input size; one
     * below the dilation alone, which PyTorch also takes, has no such convolution: {@link F#convTranspose2d} crops
     * and extends another's output for it).
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not fit together
     */
    public static Conv2dGeometry transposed(String op, Shape input, Shape weight, int[] stride, int[] padding,
                                            int[] outputPadding, int[] dilation) {
        Shape output = transposedOutput(op, input, weight, stride, padding, outputPadding, dilation);
        int[] s = pair(op, "stride", stride, 1);
        int[] extra = pair(op, "output padding", outputPadding, 0);
        if (extra[0] >= s[0] || extra[1] >= s[1]) {
            throw new IllegalArgumentException(op + ": output padding " + Arrays.toString(extra)
                    + " must be below the stride " + Arrays.toString(s) + " on each axis for a convolution's input"
                    + " gradient to compute it");
        }
        return of(op, output, weight, s, pair(op, "padding", padding, 0), pair(op, "dilation", dilation, 1));
    }

    /**
     * The output shape of {@code op}, a transposed convolution of an input {@code [batch, inChannels, height, width]}
     * by a weight {@code [inChannels, outChannels, kernelH, kernelW]}, as {@link #transposed} gives it, with output
     * padding below the stride or the dilation on each axis, PyTorch's rule.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not fit together
     */
    static Shape transposedOutput(String op, Shape input, Shape weight, int[] stride, int[] padding,
                                  int[] outputPadding, int[] dilation) {
        String shapes = op + ": input " + input + " and weight " + weight;
        if (input.rank() != 4 || weight.rank() != 4) {
            throw new IllegalArgumentException(shapes + ": expected a 4-D input [batch, channels, height, width]"
                    + " and a 4-D weight [inChannels, outChannels, kernelH, kernelW]");
        }
        if (input.dim(1) != weight.dim(0)) {
            throw new IllegalArgumentException(shapes + ": the input has " + input.dim(1)
                    + " channels but the weight expects " + weight.dim(0));
        }
        int[] s = pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] d = pair(op, "dilation", dilation, 1);
        int[] extra = pair(op, "output padding", outputPadding, 0);
        checkOutputPadding(op, extra, s, d);
        if (weight.dim(2) < 1 || weight.dim(3) < 1) {
            throw new IllegalArgumentException(shapes + ": the kernel must be at least 1 x 1");
        }
        long outH = (input.dim(2) - 1L) * s[0] - 2L * p[0] + (long) d[0] * (weight.dim(2) - 1) + extra[0] + 1;
        long outW = (input.dim(3) - 1L) * s[1] - 2L * p[1] + (long) d[1] * (weight.dim(3) - 1) + extra[1] + 1;
        if (outH < 1 || outW < 1 || outH > Integer.MAX_VALUE || outW > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(shapes + ": stride " + Arrays.toString(s) + ", padding "
                    + Arrays.toString(p) + ", dilation " + Arrays.toString(d) + " and output padding "
                    + Arrays.toString(extra) + " give an output of " + outH + " x " + outW);
        }
        return Shape.of(input.dim(0), weight.dim(1), (int) outH, (int) outW);
    }

    /**
     * Refuses a transposed convolution's output padding that is not below its stride or its dilation on each axis
     * (height, width), as PyTorch does; any number of axes, the three of a volume too.
     *
     * @throws IllegalArgumentException naming {@code op}, the output padding, the stride and the dilation
     */
    public static void checkOutputPadding(String op, int[] outputPadding, int[] stride, int[] dilation) {
        for (int a = 0; a < outputPadding.length; a++) {
            if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                throw new IllegalArgumentException(op + ": output padding " + Arrays.toString(outputPadding)
                        + " must be below the stride " + Arrays.toString(stride) + " or the dilation "
                        + Arrays.toString(dilation) + " on each axis");
            }
        }
    }

    /** Height of the kernel's footprint on the input: {@code dilationH * (kernelH - 1) + 1}. */
    public int effectiveKernelH() {
        return dilationH * (kernelH - 1) + 1;
    }

    /** Width of the kernel's footprint on the input: {@code dilationW * (kernelW - 1) + 1}. */
    public int effectiveKernelW() {
        return dilationW * (kernelW - 1) + 1;
    }

    /** Output height: {@code (height + 2 padH - effectiveKernelH) / strideH + 1}. */
    public int outH() {
        return (height + 2 * padH - effectiveKernelH()) / strideH + 1;
    }

    /** Output width: {@code (width + 2 padW - effectiveKernelW) / strideW + 1}. */
    public int outW() {
        return (width + 2 * padW - effectiveKernelW()) / strideW + 1;
    }

    /** Input shape {@code [batch, inChannels, height, width]}. */
    public Shape inputShape() {
        return Shape.of(batch, inChannels, height, width);
    }

    /** Weight shape {@code [outChannels, inChannels, kernelH, kernelW]}. */
    public Shape weightShape() {
        return Shape.of(outChannels, inChannels, kernelH, kernelW);
    }

    /** Output shape {@code [batch, outChannels, outH, outW]}. */
    public Shape outputShape() {
        return Shape.of(batch, outChannels, outH(), outW());
    }

    /**
     * Reads a per-axis parameter given as one value or as (height, width); null or empty means
     * {@code fallback} on both axes. Values must be at least {@code minimum}.
     */
    static int[] pair(String op, String what, int[] values, int fallback) {
        int[] hw;
        if (values == null || values.length == 0) {
            hw = new int[] {fallback, fallback};
        } else if (values.length == 1) {
            hw = new int[] {values[0], values[0]};
        } else if (values.length == 2) {
            hw = values.clone();
        } else {
            throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 values (height, width), got "
                    + Arrays.toString(values));
        }
        int minimum = what.endsWith("padding") ? 0 : 1;
        if (hw[0] < minimum || hw[1] < minimum) {
            throw new IllegalArgumentException(op + ": " + what + " must be at least " + minimum + ", got "
                    + Arrays.toString(values));
        }
        return hw;
    }
}
