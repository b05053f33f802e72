package dev.kiln.onnx;

import dev.kiln.engine.InterpolationMode;
import dev.kiln.nn.ChannelShuffle;
import dev.kiln.nn.PixelShuffle;
import dev.kiln.nn.PixelUnshuffle;
import dev.kiln.nn.Upsample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Upsample (Resize with PyTorch's source positions; mode "area" as adaptive average pooling), PixelShuffle
 * (DepthToSpace in CRD order), PixelUnshuffle (SpaceToDepth, its channels reordered by Gather) and ChannelShuffle
 * (Reshape, Transpose, Reshape).
 */
final class ResamplingConverters {
    private ResamplingConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Upsample.class, ResamplingConverters::upsample);
        c.put(PixelShuffle.class, (m, x, g) -> g.node("DepthToSpace", imageInput(m.toString(), x, g),
                AttributeProto.ofInt("blocksize", g.outputShape()[2] / g.inputShape()[2]),
                AttributeProto.ofString("mode", "CRD")));
        c.put(PixelUnshuffle.class, ResamplingConverters::pixelUnshuffle);
        c.put(ChannelShuffle.class, ResamplingConverters::channelShuffle);
    }

    /**
     * Resize. Where factors are given and used as given, Resize takes them as its scales, which also set the source
     * positions as PyTorch's do; otherwise Resize takes output sizes behind the input's own batch and channel sizes
     * (floor(size * factor) of the input's spatial sizes, or the layer's fixed size) and derives the scales from the
     * sizes, as PyTorch does. PyTorch's modes as coordinate transforms: nearest takes the element at floor(o / scale)
     * (asymmetric, floor), nearest-exact at floor((o + 0.5) / scale) (half pixel, rounding halves up), and the
     * interpolating modes half pixel or, with align_corners, align_corners; bicubic with A = -0.75.
     */
    private static String upsample(Upsample m, String x, OnnxGraph g) {
        if (m.mode() == InterpolationMode.AREA) {
            return PoolingNdConverters.adaptive("Average", x, g);
        }
        List<AttributeProto> attributes = new ArrayList<>(switch (m.mode()) {
            case NEAREST -> List.of(AttributeProto.ofString("mode", "nearest"),
                    AttributeProto.ofString("coordinate_transformation_mode", "asymmetric"),
                    AttributeProto.ofString("nearest_mode", "floor"));
            case NEAREST_EXACT -> List.of(AttributeProto.ofString("mode", "nearest"),
                    AttributeProto.ofString("coordinate_transformation_mode", "half_pixel"),
                    AttributeProto.ofString("nearest_mode", "round_prefer_ceil"));
            case BICUBIC -> List.of(AttributeProto.ofString("mode", "cubic"),
                    AttributeProto.ofFloat("cubic_coeff_a", -0.75f));
            default -> List.of(AttributeProto.ofString("mode", "linear"));
        });
        if (m.mode().alignsCorners()) {
            attributes.add(AttributeProto.ofString("coordinate_transformation_mode",
                    m.alignCorners() ? "align_corners" : "half_pixel"));
        }
        AttributeProto[] attrs = attributes.toArray(AttributeProto[]::new);
        int[] in = g.inputShape();
        double[] factors = m.scaleFactor();
        if (factors != null && !m.recomputeScaleFactor() && !m.alignCorners()) {
            float[] scales = new float[in.length];
            for (int a = 0; a < in.length; a++) {
                scales[a] = a < 2 ? 1 : (float) factors[factors.length == 1 ? 0 : a - 2];
            }
            return g.node("Resize", List.of(x, "", g.constant(new long[] {in.length}, scales)), attrs);
        }
        String leading = g.node("Shape", x, AttributeProto.ofInt("start", 0), AttributeProto.ofInt("end", 2));
        String spatial = factors == null ? g.int64s(OnnxGraph.longs(Arrays.copyOfRange(g.outputShape(), 2, in.length)))
                : scaledSizes(factors, x, g);
        String sizes = g.node("Concat", List.of(leading, spatial), AttributeProto.ofInt("axis", 0));
        return g.node("Resize", List.of(x, "", "", sizes), attrs);
    }

    /**
     * floor(size * factor) of each spatial axis of x, in double as Kiln and PyTorch compute it, from x's Shape: the
     * output size where the factors are not Resize's scales, which follows a symbolic spatial size.
     */
    private static String scaledSizes(double[] factors, String x, OnnxGraph g) {
        double[] perAxis = new double[g.inputShape().length - 2];
        for (int a = 0; a < perAxis.length; a++) {
            perAxis[a] = factors[factors.length == 1 ? 0 : a];
        }
        String spatial = g.node("Cast", g.node("Shape", x, AttributeProto.ofInt("start", 2)),
                AttributeProto.ofInt("to", TensorProto.DOUBLE));
        String scaled = g.node("Floor", g.node("Mul", List.of(spatial, g.doubles(perAxis))));
        return g.node("Cast", scaled, AttributeProto.ofInt("to", TensorProto.INT64));
    }

    /**
     * SpaceToDepth, whose output channels run over (row offset, column offset, channel), gathered into PyTorch's order
     * (channel, row offset, column offset); no size is fixed but the channels'.
     */
    private static String pixelUnshuffle(PixelUnshuffle m, String x, OnnxGraph g) {
        int[] in = g.inputShape();
        int r = in[2] / g.outputShape()[2];
        int channels = in[1];
        long[] order = new long[channels * r * r];
        for (int c = 0; c < channels; c++) {
            for (int offset = 0; offset < r * r; offset++) {
                order[c * r * r + offset] = (long) offset * channels + c;
            }
        }
        String blocks = g.node("SpaceToDepth", imageInput(m.toString(), x, g), AttributeProto.ofInt("blocksize", r));
        return g.node("Gather", List.of(blocks, g.int64s(order)), AttributeProto.ofInt("axis", 1));
    }

    /** [batch, groups, channels / groups, rest] with the two group axes swapped, then the input's shape again. */
    private static String channelShuffle(ChannelShuffle m, String x, OnnxGraph g) {
        int channels = g.inputShape()[1];
        String split = g.node("Reshape", List.of(x, g.int64s(0, m.groups(), channels / m.groups(), -1)));
        String swapped = g.node("Transpose", split, AttributeProto.ofInts("perm", 0, 2, 1, 3));
        return g.node("Reshape", List.of(swapped, g.node("Shape", x)));
    }

    /**
     * {@code x} where it is a batch of images; DepthToSpace takes nothing else.
     *
     * @throws IllegalArgumentException naming the layer and the recorded input shape otherwise
     */
    private static String imageInput(String layer, String x, OnnxGraph g) {
        int[] in = g.inputShape();
        if (in.length != 4) {
            throw new IllegalArgumentException("ONNX export: " + layer + " at '" + g.path() + "' takes input "
                    + Arrays.toString(in) + "; only [batch, channels, height, width] is supported");
        }
        return x;
    }
}
