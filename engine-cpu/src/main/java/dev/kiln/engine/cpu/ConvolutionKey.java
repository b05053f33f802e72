package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.GroupedConv2dGeometry;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One convolution as the CPU backend's choice of kernel sees it: its geometry ({@code groups} 1 for a plain
 * convolution), the direction, and whether a bias (forward) or bias gradient (backward-filter) comes with it.
 */
record ConvolutionKey(GroupedConv2dGeometry geometry, Direction direction, boolean bias) {
    /** {@link #text}'s form, with the whole convolution's channels (not one group's). */
    private static final String FORM = "conv2d %s%s input %dx%dx%dx%d, %d output channels, kernel %dx%d, stride %dx%d,"
            + " padding %dx%d, dilation %dx%d, groups %d";
    /** {@link #FORM} with each number a group of up to 9 digits (an int) and the direction and bias as groups. */
    private static final Pattern TEXT = Pattern.compile(String.format(Locale.ROOT, FORM.replace("%d", "(\\d{1,9})"),
            "(forward|backward_data|backward_filter)", "( with bias)?"));

    /** What a call computes: the output, the input's gradient, or the weight's (and bias's) gradient. */
    enum Direction {
        FORWARD, BACKWARD_DATA, BACKWARD_FILTER
    }

    /**
     * The key as text that {@link #parse} reads back, for {@link CpuBackend#tuningChoices}: e.g. {@code conv2d forward
     * with bias input 64x1x28x28, 6 output channels, kernel 5x5, stride 1x1, padding 0x0, dilation 1x1, groups 1}.
     */
    String text() {
        Conv2dGeometry c = geometry.group();
        return String.format(Locale.ROOT, FORM, direction.name().toLowerCase(Locale.ROOT), bias ? " with bias" : "",
                c.batch(), geometry.inChannels(), c.height(), c.width(), geometry.outChannels(), c.kernelH(),
                c.kernelW(), c.strideH(), c.strideW(), c.padH(), c.padW(), c.dilationH(), c.dilationW(),
                geometry.groups());
    }

    /**
     * The key whose {@link #text} is {@code text}.
     *
     * @throws IllegalArgumentException naming the text when it is not of that form, or its groups (at least 1) do not
     *     divide both channel counts
     */
    static ConvolutionKey parse(String text) {
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a CPU convolution's tuning key: '" + text + "', expected e.g. '"
                    + new ConvolutionKey(new GroupedConv2dGeometry(new Conv2dGeometry(64, 1, 28, 28, 6, 5, 5, 1, 1,
                    0, 0, 1, 1), 1), Direction.FORWARD, true).text() + "'");
        }
        int[] v = new int[14];
        for (int i = 0; i < v.length; i++) {
            v[i] = Integer.parseInt(m.group(i + 3));
        }
        int groups = v[13];
        if (groups < 1 || v[1] % groups != 0 || v[4] % groups != 0) {
            throw new IllegalArgumentException("CPU convolution's tuning key '" + text + "': groups " + groups
                    + " must be at least 1 and divide the " + v[1] + " input and " + v[4] + " output channels");
        }
        Conv2dGeometry group = new Conv2dGeometry(v[0], v[1] / groups, v[2], v[3], v[4] / groups, v[5], v[6], v[7],
                v[8], v[9], v[10], v[11], v[12]);
        return new ConvolutionKey(new GroupedConv2dGeometry(group, groups),
                Direction.valueOf(m.group(1).toUpperCase(Locale.ROOT)), m.group(2) != null);
    }

    @Override
    public String toString() {
        return direction + (bias ? " with bias" : "") + " of " + geometry;
    }
}
