package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's {@code F.grid_sample} on [N, C, H, W] or [N, C, D, H, W], composed of Tensor ops so that every backend runs
 * it and its gradients (to the input and to the grid) are differentiable again. Each grid point is unnormalised per
 * axis and split into taps: pixel positions along the axis (the two neighbours, the four of the cubic kernel, or the
 * nearest one) with their weights, which carry the gradient to the grid. Every combination of one tap per axis is a
 * flat index into the input, flattened per (batch, channel), read with one {@code gather} and weighted. A tap outside
 * the input reads pixel 0; zeros padding multiplies it by 0. Where no gradient is wanted the intermediates are freed at
 * once; otherwise the graph of the steps keeps what they save until the caller's scope closes.
 *
 * <p>PyTorch 1.13's coordinate rules: x = ((g + 1) / 2) (size - 1) with alignCorners, else ((g + 1) size - 1) / 2;
 * border clips x into [0, size - 1]; reflection mirrors it at 0 and size - 1 (alignCorners) or at -0.5 and
 * size - 0.5, then clips. A clipped coordinate, at the edge included, passes no gradient, as PyTorch's kernels.
 * Bicubic sampling (A = -0.75) pads each of its tap positions instead of the point, as PyTorch does.
 *
 * <p>Bilinear and nearest sampling of a 4-D input go to the backend instead ({@link GridSample2dOps}), whose default
 * is this composition.
 */
final class GridSampleOps {
    private static final String OP = "gridSample";
    /** The cubic convolution kernel's parameter, as PyTorch's bicubic modes. */
    private static final double A = -0.75;

    private GridSampleOps() {
    }

    /**
     * One tap along an axis: its position times the axis's stride in the flattened input (I64, 0 where outside) and
     * its weight, zeros padding's in-bounds mask included (null: 1).
     */
    private record Tap(Tensor offset, Tensor weight) {
    }

    static Tensor gridSample(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                             boolean alignCorners) {
        check(input, grid, mode, padding);
        if (input.rank() == 4 && mode != GridSampleMode.BICUBIC) {
            return GridSample2dOps.gridSample(input, grid, mode, padding, alignCorners);
        }
        if (!Tensor.recordsFrom(input, grid)) {
            return Composite.untracked(() -> sampled(input, grid, mode, padding, alignCorners));
        }
        return sampled(input, grid, mode, padding, alignCorners);
    }

    /** The composition, recorded where gradients are on and an input requires one. */
    static Tensor sampled(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                          boolean alignCorners) {
        int batch = input.dim(0);
        int channels = input.dim(1);
        int axes = input.rank() - 2;
        int[] sizes = Arrays.copyOfRange(input.shape().dims(), 2, input.rank());
        int plane = Checks.dimension(OP, "the spatial positions of input " + input.shape(), input.shape().inner(1));
        int points = Checks.dimension(OP, "the sampling points of grid " + grid.shape(),
                grid.shape().inner(0) / axes);
        // [axes, N, P]: each component a view along the leading axis.
        Tensor components = grid.reshape(batch, points, axes).permute(2, 0, 1);
        List<List<Tap>> taps = new ArrayList<>();
        List<Tensor> coordinates = new ArrayList<>();
        int stride = plane;
        for (int a = 0; a < axes; a++) {
            stride /= sizes[a];
            // The grid's first component is x, along the last axis.
            Tensor g = components.narrow(0, axes - 1 - a, 1).reshape(batch, 1, points);
            Tensor x = ElementwiseOps.affine(g, alignCorners ? (sizes[a] - 1) / 2.0 : sizes[a] / 2.0,
                    (sizes[a] - 1) / 2.0);
            // PyTorch 1.13's 5-D kernel clips a NaN coordinate (std::min(size - 1, std::max(NaN, 0))) to the axis's
            // last position, its vectorised 4-D kernel to 0.
            int nanTo = axes == 3 ? sizes[a] - 1 : 0;
            taps.add(taps(x, new Axis(sizes[a], stride, padding == GridSamplePadding.ZEROS, nanTo), mode, padding,
                    alignCorners));
            coordinates.add(x);
        }
        Tensor values = input.reshape(batch, channels, plane);
        Tensor sum = accumulate(values, taps, 0, null, null);
        if (padding == GridSamplePadding.ZEROS && mode != GridSampleMode.NEAREST) {
            sum = sum.add(nonFinite(coordinates));
        }
        int[] dims = Arrays.copyOf(grid.shape().dims(), axes + 2);
        dims[1] = channels;
        System.arraycopy(grid.shape().dims(), 1, dims, 2, axes);
        return sum.reshape(dims);
    }

    /**
     * NaN at each point with a non-finite coordinate, 0 elsewhere [N, 1, P], as PyTorch 1.13's 4-D CPU kernel samples
     * such a point under zeros padding (its taps read nothing, but their weights are NaN): the NaN of axis a times
     * the sum of the other axes' coordinates, so that the grid's gradient there is NaN along the other axes and 0
     * along a, as PyTorch's, and the input's 0.
     */
    private static Tensor nonFinite(List<Tensor> coordinates) {
        Tensor sum = null;
        for (int a = 0; a < coordinates.size(); a++) {
            Tensor x = coordinates.get(a).detach();
            Tensor nan = Tensor.where(x.isfinite(), x.fullLike(0, Shape.of()), x.fullLike(Double.NaN, Shape.of()));
            Tensor others = null;
            for (int b = 0; b < coordinates.size(); b++) {
                others = b == a ? others : others == null ? coordinates.get(b) : others.add(coordinates.get(b));
            }
            Tensor term = nan.mul(others);
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }

    /**
     * An input axis: its size, its stride in the flattened input, whether a tap outside it reads zero, and where
     * border and reflection padding put a NaN coordinate.
     */
    private record Axis(int size, int stride, boolean zeros, int nanTo) {
    }

    /** The taps of unnormalised coordinates x along {@code axis}. */
    private static List<Tap> taps(Tensor x, Axis axis, GridSampleMode mode, GridSamplePadding padding,
                                  boolean alignCorners) {
        if (mode == GridSampleMode.BICUBIC) {
            Tensor lower = x.detach().floor();
            Tensor t = x.sub(lower);
            Tensor[] weights = {outerCubic(ElementwiseOps.affine(t, 1, 1)), innerCubic(t),
                innerCubic(ElementwiseOps.affine(t, -1, 1)), outerCubic(ElementwiseOps.affine(t, -1, 2))};
            List<Tap> taps = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                Tensor position = padded(ElementwiseOps.affine(lower, 1, k - 1), axis, padding, alignCorners);
                taps.add(tap(position, axis, weights[k]));
            }
            return taps;
        }
        Tensor p = padded(x, axis, padding, alignCorners);
        if (mode == GridSampleMode.NEAREST) {
            return List.of(tap(p.detach().round(), axis, null));
        }
        Tensor lower = p.detach().floor();
        Tensor t = p.sub(lower);
        return List.of(tap(lower, axis, ElementwiseOps.affine(t, -1, 1)),
                tap(ElementwiseOps.affine(lower, 1, 1), axis, t));
    }

    /**
     * A tap at integer-valued {@code position}: outside the axis (or NaN) it reads position 0, weighted by 0 with zeros
     * padding (not by the weight times 0, which is NaN at a non-finite coordinate and would pass the input a NaN
     * gradient: {@link #nonFinite} makes such a point NaN); border and reflection weight an outside tap 0 themselves
     * (a bilinear upper neighbour at the edge).
     */
    private static Tap tap(Tensor position, Axis axis, Tensor weight) {
        Tensor valid = position.ge(0).mul(position.le(axis.size() - 1));
        Tensor zero = position.fullLike(0, Shape.of());
        Tensor index = Tensor.where(valid, position, zero).to(DType.I64);
        Tensor offset = axis.stride() == 1 ? index
                : ElementwiseOps.integerArithmetic(BinaryOp.MUL, index, index.fullLike(axis.stride(), Shape.of()));
        if (!axis.zeros()) {
            return new Tap(offset, weight);
        }
        return new Tap(offset, weight == null ? valid : Tensor.where(valid, weight, zero));
    }

    /** The cubic convolution kernel on [0, 1]: ((A + 2) x - (A + 3)) x^2 + 1. */
    private static Tensor innerCubic(Tensor x) {
        return ElementwiseOps.affine(ElementwiseOps.affine(x, A + 2, -(A + 3)).mul(x).mul(x), 1, 1);
    }

    /** The cubic convolution kernel on [1, 2]: ((A x - 5A) x + 8A) x - 4A. */
    private static Tensor outerCubic(Tensor x) {
        Tensor inner = ElementwiseOps.affine(ElementwiseOps.affine(x, A, -5 * A).mul(x), 1, 8 * A);
        return ElementwiseOps.affine(inner.mul(x), 1, -4 * A);
    }

    /**
     * The weighted values of every combination of one tap per axis from {@code axis} on, given the flat index and the
     * weight (null: 1) of the taps chosen on the axes before it (index null before the first); summed.
     */
    private static Tensor accumulate(Tensor values, List<List<Tap>> taps, int axis, Tensor index, Tensor weight) {
        if (axis == taps.size()) {
            return read(values, index, weight);
        }
        Tensor sum = null;
        for (Tap tap : taps.get(axis)) {
            Tensor flat = index == null ? tap.offset()
                    : ElementwiseOps.integerArithmetic(BinaryOp.ADD, index, tap.offset());
            Tensor term = accumulate(values, taps, axis + 1, flat, times(weight, tap.weight()));
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }

    /** a * b where either may be null, standing for 1. */
    private static Tensor times(Tensor a, Tensor b) {
        return a == null ? b : b == null ? a : a.mul(b);
    }

    /** values [N, C, plane] at flat index [N, 1, P] for every channel, times weight [N, 1, P] (null: 1). */
    private static Tensor read(Tensor values, Tensor index, Tensor weight) {
        int plane = values.dim(2);
        Tensor everyChannel = values.dim(1) == 1 ? index
                : index.expand(index.dim(0), values.dim(1), index.dim(2));
        // Every index was masked into [0, plane): the gather need not read them back to check.
        Tensor read = values.gather(2, everyChannel.withValueRange(0, plane - 1));
        return weight == null ? read : read.mul(weight);
    }

    /** Coordinates x along {@code axis}, clipped or reflected into it as {@code padding} says. */
    private static Tensor padded(Tensor x, Axis axis, GridSamplePadding padding, boolean alignCorners) {
        int size = axis.size();
        return switch (padding) {
            case ZEROS -> x;
            case BORDER -> clipped(x, size, axis.nanTo());
            case REFLECTION -> clipped(alignCorners ? reflected(x, 0, size - 1) : reflected(x, -0.5, size), size,
                    axis.nanTo());
        };
    }

    /**
     * x clamped into [0, size - 1], NaN to {@code nanTo}; the gradient passes strictly inside only, as PyTorch's
     * clip_coordinates.
     */
    private static Tensor clipped(Tensor x, int size, int nanTo) {
        Tensor inside = x.gt(0).mul(x.lt(size - 1));
        return Tensor.where(inside, x, x.detach().nanToNum(nanTo, size - 1, 0).clamp(0, size - 1));
    }

    /** x mirrored at low and low + span until it lies between them; 0 for an empty span, as PyTorch. */
    private static Tensor reflected(Tensor x, double low, double span) {
        if (span == 0) {
            return x.detach().fullLike(0);
        }
        Tensor distance = ElementwiseOps.affine(x, 1, -low).abs();
        Tensor extra = distance.sub(distance.detach().div(2 * span).floor().mul(2 * span));
        return ElementwiseOps.affine(Tensor.where(extra.gt(span), ElementwiseOps.affine(extra, -1, 2 * span), extra),
                1, low);
    }

    private static void check(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding) {
        if (mode == null) {
            throw new IllegalArgumentException(OP + ": mode must be one of " + Arrays.toString(GridSampleMode.values())
                    + ", got null");
        }
        if (padding == null) {
            throw new IllegalArgumentException(OP + ": padding must be one of "
                    + Arrays.toString(GridSamplePadding.values()) + ", got null");
        }
        Checks.compatible(OP, input, grid);
        Checks.floating(OP, input);
        if (input.rank() != 4 && input.rank() != 5) {
            throw new IllegalArgumentException(OP + ": input must be [N, C, H, W] or [N, C, D, H, W], got "
                    + input.shape());
        }
        if (mode == GridSampleMode.BICUBIC && input.rank() != 4) {
            throw new IllegalArgumentException(OP + ": bicubic sampling takes a 4-D input [N, C, H, W], got "
                    + input.shape());
        }
        int axes = input.rank() - 2;
        String expected = axes == 2 ? "[N, Ho, Wo, 2]" : "[N, Do, Ho, Wo, 3]";
        if (grid.rank() != input.rank() || grid.dim(input.rank() - 1) != axes) {
            throw new IllegalArgumentException(OP + ": grid must be " + expected + " for input " + input.shape()
                    + ", got " + grid.shape());
        }
        if (grid.dim(0) != input.dim(0)) {
            throw new IllegalArgumentException(OP + ": grid " + grid.shape() + " has batch " + grid.dim(0)
                    + ", but input " + input.shape() + " has " + input.dim(0));
        }
        for (int a = 2; a < input.rank(); a++) {
            if (input.dim(a) < 1) {
                throw new IllegalArgumentException(OP + ": input " + input.shape() + " has an empty spatial axis " + a);
            }
        }
    }
}
