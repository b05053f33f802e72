package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch's {@code F.interpolate}: the checks, the output size, and the resampling of each spatial axis by
 * {@link InterpolationWeights}' rules. The nearest modes copy elements: one {@link TrailingAxesGather} over the spatial
 * axes. The others (antialiased too) are separable linear maps: one matrix product per spatial axis that does not
 * merely copy ({@link SeparableMaps}), the last axis first, recorded as one op whose gradient is the transposed
 * products in reverse order.
 */
final class InterpolateOps {
    private static final String OP = "interpolate";

    private InterpolateOps() {
    }

    static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, InterpolationMode mode, boolean alignCorners,
            boolean recomputeScaleFactor, boolean antialias) {
        Checks.open(OP, x);
        check(x, size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias);
        int axes = x.rank() - 2;
        int[] out = new int[axes];
        Double[] used = new Double[axes];
        for (int a = 0; a < axes; a++) {
            out[a] = size != null ? perAxis(size, a) : outputSize(x, a, perAxis(scaleFactor, a));
            boolean recomputed = size != null || recomputeScaleFactor || mode == InterpolationMode.AREA;
            used[a] = recomputed ? null : perAxis(scaleFactor, a);
        }
        return switch (mode) {
            case NEAREST, NEAREST_EXACT -> nearest(x, out, used, mode);
            default -> separable(x, out, used, mode, alignCorners, antialias);
        };
    }

    private static int perAxis(int[] values, int axis) {
        return values[values.length == 1 ? 0 : axis];
    }

    private static double perAxis(double[] values, int axis) {
        return values[values.length == 1 ? 0 : axis];
    }

    /** {@code floor(in * scaleFactor)}, as PyTorch computes the output size from a factor. */
    private static int outputSize(Tensor x, int axis, double scaleFactor) {
        double size = Math.floor(x.dim(axis + 2) * scaleFactor);
        if (size < 1) {
            throw new IllegalArgumentException(OP + ": scaleFactor " + scaleFactor + " leaves axis " + (axis + 2)
                    + " of input " + x.shape() + " empty (floor(" + x.dim(axis + 2) + " * " + scaleFactor + ") = "
                    + (long) size + ")");
        }
        return Checks.dimension(OP, "axis " + (axis + 2) + " of " + x.shape() + " scaled by " + scaleFactor, (long) size);
    }

    /** The nearest modes: the spatial axes, flattened, gathered at once. */
    private static Tensor nearest(Tensor x, int[] out, Double[] used, InterpolationMode mode) {
        long[] sources = {0};
        for (int a = 0; a < out.length; a++) {
            int in = x.dim(a + 2);
            int[] axis = mode == InterpolationMode.NEAREST ? InterpolationWeights.nearest(in, out[a], used[a])
                    : InterpolationWeights.nearestExact(in, out[a], used[a]);
            sources = TrailingAxesGather.extended(OP, sources, in, axis);
        }
        int[] dims = x.shape().dims();
        System.arraycopy(out, 0, dims, 2, out.length);
        return TrailingAxesGather.select(OP, x, Shape.of(dims), 2, sources);
    }

    /** The interpolating modes and area: one matrix per spatial axis that does not merely copy. */
    private static Tensor separable(Tensor x, int[] out, Double[] used, InterpolationMode mode, boolean alignCorners,
            boolean antialias) {
        double[][][] maps = new double[out.length][][];
        for (int a = 0; a < out.length; a++) {
            maps[a] = axisMap(mode, antialias, x.dim(a + 2), out[a], alignCorners, used[a]);
        }
        return Composite.op(OP, x, () -> {
            Tensor y = x;
            for (int a = maps.length - 1; a >= 0; a--) {
                y = maps[a] == null ? y : SeparableMaps.apply(y, a + 2, maps[a]);
            }
            return y;
        }, (output, g) -> {
            Tensor gradient = g;
            for (int a = 0; a < maps.length; a++) {
                gradient = maps[a] == null ? gradient : SeparableMaps.applyTransposed(gradient, a + 2, maps[a]);
            }
            return gradient;
        });
    }

    /** The [out, in] matrix of one axis, or null where it would copy the axis. */
    private static double[][] axisMap(InterpolationMode mode, boolean antialias, int in, int out, boolean alignCorners,
            Double scaleFactor) {
        if (InterpolationWeights.copies(mode, antialias, in, out, alignCorners, scaleFactor)) {
            return null;
        }
        if (antialias) {
            return InterpolationWeights.antialiased(in, out, alignCorners, scaleFactor,
                    mode == InterpolationMode.BICUBIC);
        }
        return switch (mode) {
            case BICUBIC -> InterpolationWeights.cubic(in, out, alignCorners, scaleFactor);
            case AREA -> InterpolationWeights.area(in, out);
            default -> InterpolationWeights.linear(in, out, alignCorners, scaleFactor);
        };
    }

    private static void check(Tensor x, int[] size, double[] scaleFactor, InterpolationMode mode,
            boolean alignCorners, boolean recomputeScaleFactor, boolean antialias) {
        if (mode == null) {
            throw new IllegalArgumentException(OP + ": mode must be one of " + Arrays.toString(InterpolationMode.values())
                    + ", got null");
        }
        if (!mode.takesRank(x.rank())) {
            throw new IllegalArgumentException(OP + ": mode '" + mode.pytorchName() + "' takes a " + mode.ranks()
                    + " input [batch, channels, spatial axes...], got " + x.shape());
        }
        if (alignCorners && !mode.alignsCorners()) {
            throw new IllegalArgumentException(OP + ": alignCorners applies only to modes 'linear', 'bilinear', "
                    + "'bicubic' and 'trilinear', got mode '" + mode.pytorchName() + "'");
        }
        if (antialias && mode != InterpolationMode.BILINEAR && mode != InterpolationMode.BICUBIC) {
            throw new IllegalArgumentException(OP + ": antialias applies only to modes 'bilinear' and 'bicubic', got "
                    + "mode '" + mode.pytorchName() + "'");
        }
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException(OP + ": give exactly one of size and scaleFactor, got size "
                    + Arrays.toString(size) + " and scaleFactor " + Arrays.toString(scaleFactor));
        }
        if (recomputeScaleFactor && size != null) {
            throw new IllegalArgumentException(OP + ": recomputeScaleFactor needs a scaleFactor, got size "
                    + Arrays.toString(size));
        }
        Checks.floating(OP, x);
        int axes = x.rank() - 2;
        int given = size != null ? size.length : scaleFactor.length;
        if (given != 1 && given != axes) {
            throw new IllegalArgumentException(OP + ": " + (size != null ? "size " + Arrays.toString(size)
                    : "scaleFactor " + Arrays.toString(scaleFactor)) + " must have 1 or " + axes
                    + " entries, one per spatial axis of input " + x.shape());
        }
        if (size != null && Arrays.stream(size).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException(OP + ": size must be at least 1 on each axis, got "
                    + Arrays.toString(size));
        }
        if (scaleFactor != null && Arrays.stream(scaleFactor).anyMatch(s -> !(s > 0) || Double.isInfinite(s))) {
            throw new IllegalArgumentException(OP + ": scaleFactor must be positive and finite on each axis, got "
                    + Arrays.toString(scaleFactor));
        }
    }
}
