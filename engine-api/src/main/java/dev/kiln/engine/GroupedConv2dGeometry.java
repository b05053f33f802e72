package dev.kiln.engine;

/**
 * The sizes of one grouped 2-D convolution (PyTorch's {@code conv2d} with {@code groups}): input
 * {@code [batch, inChannels, height, width]}, weight {@code [outChannels, inChannels / groups, kernelH, kernelW]},
 * output {@code [batch, outChannels, outH, outW]}, where output channels {@code [k * outChannels / groups, (k + 1)
 * outChannels / groups)} see only input channels {@code [k * inChannels / groups, (k + 1) inChannels / groups)}.
 * {@link #group()} is the convolution of one group, whose input, weight and output are those channels;
 * {@link #depthwise()} says whether each group has one input channel (MobileNet's depthwise convolution,
 * {@code groups == inChannels}). Build it with {@link #of}, which checks the shapes.
 */
public record GroupedConv2dGeometry(Conv2dGeometry group, int groups) {

    /**
     * The geometry of {@code op} on an input and weight of these shapes in {@code groups} groups; {@code stride},
     * {@code padding} and {@code dilation} each hold one value (both axes) or two (height, width).
     *
     * @throws IllegalArgumentException naming {@code op}, both shapes and the groups when they do not fit together:
     *     groups below 1, output channels not divisible by the groups, input channels other than the weight's
     *     second dimension times the groups, or what {@link Conv2dGeometry#of} refuses
     */
    public static GroupedConv2dGeometry of(String op, Shape input, Shape weight, int[] stride, int[] padding,
                                           int[] dilation, int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException(op + ": groups must be at least 1, got " + groups);
        }
        String shapes = op + ": input " + input + " and weight " + weight + " with groups " + groups;
        if (input.rank() != 4 || weight.rank() != 4) {
            throw new IllegalArgumentException(shapes + ": expected a 4-D input [batch, channels, height, width]"
                    + " and a 4-D weight [outChannels, inChannels / groups, kernelH, kernelW]");
        }
        checkChannels(shapes, input, weight, groups);
        Shape groupInput = Shape.of(input.dim(0), weight.dim(1), input.dim(2), input.dim(3));
        Shape groupWeight = Shape.of(weight.dim(0) / groups, weight.dim(1), weight.dim(2), weight.dim(3));
        return new GroupedConv2dGeometry(
                Conv2dGeometry.sized(op, shapes, groupInput, groupWeight, stride, padding, dilation), groups);
    }

    /**
     * Refuses, in messages that start with {@code shapes}, a weight [outChannels, inChannels / groups, ...] whose
     * output channels {@code groups} does not divide, or an input [batch, channels, ...] whose channels are not the
     * weight's second dimension times {@code groups}: the check of every grouped convolution, 2-D or 3-D.
     */
    static void checkChannels(String shapes, Shape input, Shape weight, int groups) {
        if (weight.dim(0) % groups != 0) {
            throw new IllegalArgumentException(shapes + ": the weight's " + weight.dim(0)
                    + " output channels are not divisible by groups " + groups);
        }
        long expected = (long) weight.dim(1) * groups;
        if (input.dim(1) != expected) {
            throw new IllegalArgumentException(shapes + ": the input has " + input.dim(1)
                    + " channels but the weight expects " + expected
                    + (groups == 1 ? "" : " (" + weight.dim(1) + " per group, " + groups + " groups)"));
        }
    }

    /** Whether each group convolves one input channel: {@code groups == inChannels}. */
    public boolean depthwise() {
        return group.inChannels() == 1;
    }

    /** All input channels: {@code groups * group().inChannels()}. */
    public int inChannels() {
        return groups * group.inChannels();
    }

    /** All output channels: {@code groups * group().outChannels()}. */
    public int outChannels() {
        return groups * group.outChannels();
    }

    /** Input shape {@code [batch, inChannels, height, width]}. */
    public Shape inputShape() {
        return Shape.of(group.batch(), inChannels(), group.height(), group.width());
    }

    /** Weight shape {@code [outChannels, inChannels / groups, kernelH, kernelW]}. */
    public Shape weightShape() {
        return Shape.of(outChannels(), group.inChannels(), group.kernelH(), group.kernelW());
    }

    /** Output shape {@code [batch, outChannels, outH, outW]}. */
    public Shape outputShape() {
        return Shape.of(group.batch(), outChannels(), group.outH(), group.outW());
    }
}
