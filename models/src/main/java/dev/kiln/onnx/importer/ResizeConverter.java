package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Resize of the spatial axes of [N, C, ...] in the forms PyTorch's interpolate exports: nearest with asymmetric
 * coordinates rounded down (mode "nearest") or half-pixel ones rounded half up ("nearest-exact"), linear (1-D to 3-D)
 * and cubic (2-D, a = -0.75) with half-pixel coordinates (pytorch_half_pixel's too, but for an output axis of length
 * 1) or aligned corners; from opset 18 antialiased linear and cubic (2-D; cubic with a = -0.5, PyTorch's
 * {@code antialias=True}), the {@code axes} the scales or sizes list, and {@code keep_aspect_ratio_policy}; from opset
 * 19 half_pixel_symmetric coordinates where they are half_pixel's (each output size the input's times its scale). By
 * its scales input (used as given, as PyTorch uses a scale factor) or its sizes input; batch and channels keep their
 * size. Runs as {@link F#interpolate}.
 */
final class ResizeConverter implements OnnxConverter {
    private static final List<String> POLICIES = List.of("stretch", "not_larger", "not_smaller");
    private static final List<String> COORDINATES = List.of("half_pixel", "pytorch_half_pixel", "align_corners",
            "half_pixel_symmetric");

    /** The node's checked attributes; {@code axes} null for every axis. */
    private record Settings(String mode, boolean alignCorners, boolean symmetric, boolean pytorchHalfPixel,
            boolean antialias, String policy, int[] axes) {
    }

    @Override
    public OnnxStep compile(OnnxNode node) {
        String mode = node.stringAttr("mode", "nearest");
        String coordinates = node.stringAttr("coordinate_transformation_mode", "half_pixel");
        boolean antialias = node.intAttr("antialias", 0) != 0;
        checkMode(node, mode, coordinates, antialias);
        String policy = node.stringAttr("keep_aspect_ratio_policy", "stretch");
        if (!POLICIES.contains(policy)) {
            throw node.error("keep_aspect_ratio_policy " + policy + " is not one of ONNX's " + POLICIES);
        }
        Settings s = new Settings(mode, coordinates.equals("align_corners"),
                coordinates.equals("half_pixel_symmetric"), coordinates.equals("pytorch_half_pixel"), antialias, policy,
                node.intsAttr("axes", null));
        return (in, floatType) -> {
            Tensor y = resize(node, s, in[0].tensor(floatType), in.length > 3 && in[3] != null ? in[3] : in[2],
                    in.length > 3 && in[3] != null);
            if (s.pytorchHalfPixel()) {
                checkLongerThanOne(node, in[0].shape(), y);
            }
            return OnnxValue.of(y);
        };
    }

    private static void checkMode(OnnxNode node, String mode, String coordinates, boolean antialias) {
        boolean nearest = mode.equals("nearest");
        if (nearest && nearestMode(node, coordinates) == null) {
            throw node.error("nearest resizing runs with coordinate_transformation_mode asymmetric and nearest_mode "
                    + "floor (PyTorch's mode 'nearest'), or half_pixel or pytorch_half_pixel and round_prefer_ceil "
                    + "(PyTorch's 'nearest-exact'), got " + coordinates + " and "
                    + node.stringAttr("nearest_mode", "round_prefer_floor"));
        }
        if (!nearest && !COORDINATES.contains(coordinates)) {
            throw node.error(mode + " resizing runs with coordinate_transformation_mode " + COORDINATES + ", got "
                    + coordinates);
        }
        if (!nearest && !mode.equals("linear") && !mode.equals("cubic")) {
            throw node.error("mode " + mode + " is not supported; Kiln resizes nearest, linear and cubic");
        }
        if (antialias && nearest) {
            throw node.error("antialias 1 with mode nearest; Kiln antialiases linear and cubic resizing, as ONNX "
                    + "Runtime");
        }
        // PyTorch's antialiased bicubic filter (Pillow's) is Keys's cubic with a = -0.5, its plain one a = -0.75.
        float a = antialias ? -0.5f : -0.75f;
        if (mode.equals("cubic") && node.floatAttr("cubic_coeff_a", -0.75f) != a) {
            throw node.error("cubic resizing runs with cubic_coeff_a -0.75 (PyTorch's), antialiased -0.5 (PyTorch's "
                    + "antialias), got " + node.floatAttr("cubic_coeff_a", -0.75f)
                    + (antialias ? " with antialias 1" : ""));
        }
        // Kiln's antialiased filters (PyTorch's, Pillow's) leave the taps outside the input out and renormalise the
        // rest, ONNX's exclude_outside 1; its plain ones read the edge values there, exclude_outside 0.
        if (antialias != (node.intAttr("exclude_outside", 0) != 0)) {
            throw node.error("exclude_outside " + node.intAttr("exclude_outside", 0) + " with antialias "
                    + (antialias ? 1 : 0) + "; Kiln resizes with exclude_outside 0, antialiased with 1 (PyTorch's "
                    + "antialias)");
        }
    }

    private static Tensor resize(OnnxNode node, Settings s, Tensor x, OnnxValue scalesOrSizes, boolean bySizes) {
        int rank = x.rank();
        double[] given = scalesOrSizes.doubles();
        int[] axes = axes(node, s.axes(), given.length, rank);
        double[] full = new double[rank];
        for (int k = 0; k < rank; k++) {
            full[k] = bySizes ? x.dim(k) : 1;
        }
        for (int i = 0; i < axes.length; i++) {
            full[axes[i]] = given[i];
        }
        InterpolationMode m = interpolation(node, s.mode(), rank - 2);
        if (bySizes && !s.policy().equals("stretch")) {
            return keepingAspect(node, s, x, axes, full, m);
        }
        checkBatchAndChannels(node, bySizes ? "sizes " : "scales ", given, full, x);
        double[] spatial = Arrays.copyOfRange(full, 2, rank);
        if (bySizes) {
            return F.interpolate(x, Arrays.stream(spatial).mapToInt(d -> (int) d).toArray(), null, m,
                    s.alignCorners(), false, s.antialias());
        }
        if (s.symmetric()) {
            checkWholeSizes(node, given, x, spatial);
        }
        return F.interpolate(x, null, spatial, m, s.alignCorners(), false, s.antialias());
    }

    /**
     * pytorch_half_pixel coordinates are half_pixel's but on an output axis of length 1, which reads the input's first
     * entry (half_pixel, and PyTorch, its middle): refused there.
     */
    private static void checkLongerThanOne(OnnxNode node, int[] input, Tensor y) {
        for (int k = 2; k < y.rank(); k++) {
            if (y.dim(k) == 1 && input[k] != 1) {
                throw node.error("coordinate_transformation_mode pytorch_half_pixel resizes axis " + k + " of "
                        + Arrays.toString(input) + " to length 1; Kiln runs it where it equals half_pixel, on output "
                        + "axes longer than 1");
            }
        }
    }

    /** The axes the scales or sizes list: the attribute's (from the end when negative), else every axis. */
    private static int[] axes(OnnxNode node, int[] attribute, int count, int rank) {
        int[] axes = attribute;
        if (axes == null) {
            axes = new int[rank];
            Arrays.setAll(axes, k -> k);
        }
        if (axes.length != count) {
            throw node.error(count + " scales or sizes for axes " + Arrays.toString(axes) + " of an input of rank "
                    + rank + "; ONNX gives one per axis listed");
        }
        return Arrays.stream(axes).map(a -> ShapeConverters.axis(node, a, rank)).toArray();
    }

    private static void checkBatchAndChannels(OnnxNode node, String what, double[] given, double[] full, Tensor x) {
        boolean sizes = what.startsWith("sizes");
        if (full[0] != (sizes ? x.dim(0) : 1) || full[1] != (sizes ? x.dim(1) : 1)) {
            throw node.error(what + Arrays.toString(given) + " must keep the batch and channels of " + x.shape());
        }
    }

    /**
     * Half-pixel-symmetric coordinates shift the source positions by how far the output size falls short of the input
     * size times the scale; where it does not, on every axis, they are half_pixel's, which Kiln runs.
     */
    private static void checkWholeSizes(OnnxNode node, double[] given, Tensor x, double[] spatial) {
        for (int k = 0; k < spatial.length; k++) {
            double exact = x.dim(k + 2) * spatial[k];
            if (Math.abs(exact - Math.floor(exact)) > 1e-6 * Math.max(1, exact)) {
                throw node.error("coordinate_transformation_mode half_pixel_symmetric with scales "
                        + Arrays.toString(given) + " on " + x.shape() + ": axis " + (k + 2) + "'s " + x.dim(k + 2)
                        + " x " + spatial[k] + " = " + exact + " is not a whole size; Kiln runs "
                        + "half_pixel_symmetric where it equals half_pixel, on whole sizes");
            }
        }
    }

    /**
     * Sizes under keep_aspect_ratio_policy not_larger (not_smaller): one scale for the listed axes, the smallest
     * (largest) of size / input size, and each output size the input's times it, rounded. The source positions
     * follow that scale, not output / input size; a resize by that scale on the input with its last entries repeated
     * (which clamped coordinates read anyway), cut to the rounded sizes, gives both.
     */
    private static Tensor keepingAspect(OnnxNode node, Settings s, Tensor x, int[] axes, double[] sizes,
            InterpolationMode m) {
        boolean smaller = s.policy().equals("not_larger");
        double scale = smaller ? Double.POSITIVE_INFINITY : 0;
        for (int a : axes) {
            double ratio = sizes[a] / x.dim(a);
            scale = smaller ? Math.min(scale, ratio) : Math.max(scale, ratio);
        }
        int rank = x.rank();
        double[] scales = new double[rank];
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            int axis = k;
            boolean listed = Arrays.stream(axes).anyMatch(a -> a == axis);
            scales[k] = listed ? scale : 1;
            out[k] = listed ? (int) Math.round(scale * x.dim(k)) : x.dim(k);
        }
        checkBatchAndChannels(node, "sizes ", sizes, Arrays.stream(out).asDoubleStream().toArray(), x);
        int[] spatialOut = Arrays.copyOfRange(out, 2, rank);
        if (s.alignCorners()) {
            return F.interpolate(x, spatialOut, null, m, true, false, s.antialias());
        }
        if (s.antialias() || s.symmetric()) {
            throw node.error("keep_aspect_ratio_policy " + s.policy() + " with "
                    + (s.antialias() ? "antialias 1" : "half_pixel_symmetric coordinates")
                    + "; Kiln keeps the aspect ratio in the other forms");
        }
        return byScaleTo(x, Arrays.copyOfRange(scales, 2, rank), spatialOut, m);
    }

    /**
     * {@code x} resized by {@code scales} to {@code out}, which may exceed floor(input size x scale) by one: the
     * input's last entry repeated past its end first, as many times as the cubic filter and the rounding reach.
     */
    private static Tensor byScaleTo(Tensor x, double[] scales, int[] out, InterpolationMode m) {
        int[] pads = new int[2 * scales.length];
        for (int k = 0; k < scales.length; k++) {
            pads[2 * (scales.length - 1 - k) + 1] = (int) Math.ceil(2 / scales[k]) + 2;
        }
        Tensor y = F.interpolate(F.pad(x, pads, PaddingMode.REPLICATE), null, scales, m, false, false, false);
        for (int k = 0; k < out.length; k++) {
            y = y.narrow(k + 2, 0, out[k]);
        }
        return y;
    }

    /**
     * The nearest mode of the node's coordinates and rounding, null for one Kiln does not run: asymmetric coordinates
     * rounded down, PyTorch's nearest; half-pixel ones rounded half up, floor((o + 0.5) / scale), its nearest-exact.
     */
    private static InterpolationMode nearestMode(OnnxNode node, String coordinates) {
        String rounding = node.stringAttr("nearest_mode", "round_prefer_floor");
        if (coordinates.equals("asymmetric") && rounding.equals("floor")) {
            return InterpolationMode.NEAREST;
        }
        boolean halfPixel = coordinates.equals("half_pixel") || coordinates.equals("pytorch_half_pixel");
        return halfPixel && rounding.equals("round_prefer_ceil") ? InterpolationMode.NEAREST_EXACT : null;
    }

    private static InterpolationMode interpolation(OnnxNode node, String mode, int spatialAxes) {
        if (mode.equals("nearest")) {
            return nearestMode(node, node.stringAttr("coordinate_transformation_mode", "half_pixel"));
        }
        if (mode.equals("cubic") && spatialAxes == 2) {
            return InterpolationMode.BICUBIC;
        }
        if (mode.equals("linear") && spatialAxes >= 1 && spatialAxes <= 3) {
            return new InterpolationMode[] {InterpolationMode.LINEAR, InterpolationMode.BILINEAR,
                InterpolationMode.TRILINEAR}[spatialAxes - 1];
        }
        throw node.error(mode + " resizing of " + spatialAxes + " spatial axes is not supported");
    }
}
