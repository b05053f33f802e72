package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Resize of the spatial axes of [N, C, ...] in the forms PyTorch's interpolate exports: nearest with asymmetric
 * coordinates rounded down (mode "nearest"), linear (1-D to 3-D) and cubic (2-D, a = -0.75) with half-pixel
 * coordinates or aligned corners. By its scales input (used as given, as PyTorch uses a scale factor) or its sizes
 * input; batch and channels keep their size. Runs as {@link F#interpolate}.
 */
final class ResizeConverter implements OnnxConverter {
    @Override
    public OnnxStep compile(OnnxNode node) {
        String mode = node.stringAttr("mode", "nearest");
        String coordinates = node.stringAttr("coordinate_transformation_mode", "half_pixel");
        boolean nearest = mode.equals("nearest");
        if (nearest && (!coordinates.equals("asymmetric") || !node.stringAttr("nearest_mode", "round_prefer_floor")
                .equals("floor"))) {
            throw node.error("nearest resizing runs with coordinate_transformation_mode asymmetric and nearest_mode "
                    + "floor (PyTorch's mode 'nearest'), got " + coordinates + " and "
                    + node.stringAttr("nearest_mode", "round_prefer_floor"));
        }
        if (!nearest && !coordinates.equals("half_pixel") && !coordinates.equals("align_corners")) {
            throw node.error(mode + " resizing runs with coordinate_transformation_mode half_pixel or align_corners, "
                    + "got " + coordinates);
        }
        if (mode.equals("cubic") && node.floatAttr("cubic_coeff_a", -0.75f) != -0.75f) {
            throw node.error("cubic resizing runs with cubic_coeff_a -0.75 (PyTorch's), got "
                    + node.floatAttr("cubic_coeff_a", -0.75f));
        }
        if (!nearest && !mode.equals("linear") && !mode.equals("cubic")) {
            throw node.error("mode " + mode + " is not supported; Kiln resizes nearest, linear and cubic");
        }
        if (node.intAttr("antialias", 0) != 0) {
            throw node.error("antialias 1 is not supported");
        }
        boolean alignCorners = coordinates.equals("align_corners");
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            InterpolationMode m = interpolation(node, mode, x.rank() - 2);
            boolean bySizes = in.length > 3 && in[3] != null;
            double[] given = bySizes ? in[3].doubles() : in[2].doubles();
            if (given.length != x.rank() || given[0] != (bySizes ? x.dim(0) : 1)
                    || given[1] != (bySizes ? x.dim(1) : 1)) {
                throw node.error((bySizes ? "sizes " : "scales ") + Arrays.toString(given) + " must give one entry "
                        + "per axis of " + x.shape() + " and keep its batch and channels");
            }
            double[] spatial = Arrays.copyOfRange(given, 2, given.length);
            return OnnxValue.of(bySizes
                    ? F.interpolate(x, Arrays.stream(spatial).mapToInt(d -> (int) d).toArray(), m, alignCorners)
                    : F.interpolate(x, spatial, m, alignCorners));
        };
    }

    private static InterpolationMode interpolation(OnnxNode node, String mode, int spatialAxes) {
        if (mode.equals("nearest")) {
            return InterpolationMode.NEAREST;
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
