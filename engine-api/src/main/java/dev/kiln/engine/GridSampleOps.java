package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's {@code F.grid_sample} on [N, C, H, W] or [N, C, D, H, W], composed of Tensor ops so that every backend runs
 * it and its gradients (to the input and to the grid) are differentiable again. Each grid point is unnormalised per
 * axis, clipped or reflected as the padding mode says, and split into taps (the two neighbouring pixels with linear
 * weights, or the nearest one); every combination of one tap per axis is a flat index into the input, flattened per
 * (batch, channel), read with one {@code gather} and weighted. A tap outside the input reads pixel 0 with weight 0,
 * which is how zeros padding leaves it out. Where no gradient is wanted the intermediates are freed at once; otherwise
 * the graph of the steps keeps what they save until the caller's scope closes.
 *
 * <p>PyTorch 1.13's coordinate rules: x = ((g + 1) / 2) (size - 1) with alignCorners, else ((g + 1) size - 1) / 2;
 * border clips x into [0, size - 1]; reflection mirrors it at 0 and size - 1 (alignCorners) or at -0.5 and
 * size - 0.5, then clips. A clipped coordinate, at the edge included, passes no gradient, as PyTorch's kernels.
 */
final class GridSampleOps {
    private static final String OP = "gridSample";

    private GridSampleOps() {
    }

    /** One pixel position along one axis (float, unchecked) and its weight (null: weight 1). */
    private record Tap(Tensor position, Tensor weight) {
    }

    static Tensor gridSample(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                             boolean alignCorners) {
        check(input, grid, mode, padding);
        if (!Tensor.recordsFrom(input, grid)) {
            return Composite.untracked(() -> sampled(input, grid, mode, padding, alignCorners));
        }
        return sampled(input, grid, mode, padding, alignCorners);
    }

    private static Tensor sampled(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                                  boolean alignCorners) {
        int batch = input.dim(0);
        int channels = input.dim(1);
        int axes = input.rank() - 2;
        int[] sizes = Arrays.copyOfRange(input.shape().dims(), 2, input.rank());
        int plane = Checks.dimension(OP, "the spatial positions of input " + input.shape(), input.shape().inner(1));
        int points = Checks.dimension(OP, "the sampling points of grid " + grid.shape(),
                grid.shape().inner(0) / axes);
        Tensor coordinates = grid.reshape(batch, points, axes);
        List<List<Tap>> taps = new ArrayList<>();
        for (int a = 0; a < axes; a++) {
            // The grid's first component is x, along the last axis.
            Tensor g = coordinates.narrow(2, axes - 1 - a, 1).reshape(batch, 1, points);
            Tensor x = source(g, sizes[a], padding, alignCorners);
            taps.add(mode == GridSampleMode.NEAREST ? List.of(new Tap(x.round(), null)) : linearTaps(x));
        }
        Tensor values = input.reshape(batch, channels, plane);
        Tensor sum = accumulate(values, taps, sizes, 0, null, null, null);
        int[] dims = Arrays.copyOf(grid.shape().dims(), axes + 2);
        dims[1] = channels;
        System.arraycopy(grid.shape().dims(), 1, dims, 2, axes);
        return sum.reshape(dims);
    }

    /** The lower neighbour with weight 1 - t and the upper one with weight t, t the distance past the lower. */
    private static List<Tap> linearTaps(Tensor x) {
        Tensor lower = x.floor();
        Tensor t = x.sub(lower);
        return List.of(new Tap(lower, t.neg().add(1)), new Tap(lower.add(1), t));
    }

    /**
     * The weighted values of every combination of one tap per axis from {@code axis} on, given the flat index, weight
     * and in-bounds mask of the taps chosen on the axes before it (null before the first); summed.
     */
    private static Tensor accumulate(Tensor values, List<List<Tap>> taps, int[] sizes, int axis, Tensor index,
                                     Tensor weight, Tensor inside) {
        if (axis == sizes.length) {
            return read(values, index, weight == null ? inside : weight.mul(inside));
        }
        Tensor sum = null;
        for (Tap tap : taps.get(axis)) {
            Tensor p = tap.position();
            Tensor valid = p.ge(0).mul(p.le(sizes[axis] - 1));
            // Out of bounds (or NaN) reads position 0, weighted by 0.
            Tensor clamped = Tensor.where(valid, p, p.fullLike(0, Shape.of())).to(DType.I64);
            Tensor flat = index == null ? clamped : ElementwiseOps.integerArithmetic(BinaryOp.ADD,
                    ElementwiseOps.integerArithmetic(BinaryOp.MUL, index, index.fullLike(sizes[axis], Shape.of())),
                    clamped);
            Tensor w = weight == null ? tap.weight() : tap.weight() == null ? weight : weight.mul(tap.weight());
            Tensor in = inside == null ? valid : inside.mul(valid);
            Tensor term = accumulate(values, taps, sizes, axis + 1, flat, w, in);
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }

    /** values [N, C, plane] at flat index [N, 1, P] for every channel, times weight [N, 1, P]. */
    private static Tensor read(Tensor values, Tensor index, Tensor weight) {
        int plane = values.dim(2);
        Tensor everyChannel = values.dim(1) == 1 ? index
                : index.expand(index.dim(0), values.dim(1), index.dim(2));
        // Every index was masked into [0, plane): the gather need not read them back to check.
        return values.gather(2, everyChannel.withValueRange(0, plane - 1)).mul(weight);
    }

    /** The pixel coordinate of normalised grid coordinates g along an axis of {@code size}, padded. */
    private static Tensor source(Tensor g, int size, GridSamplePadding padding, boolean alignCorners) {
        double scale = alignCorners ? (size - 1) / 2.0 : size / 2.0;
        Tensor x = ElementwiseOps.affine(g, scale, (size - 1) / 2.0);
        return switch (padding) {
            case ZEROS -> x;
            case BORDER -> clipped(x, size);
            case REFLECTION -> clipped(alignCorners ? reflected(x, 0, size - 1) : reflected(x, -0.5, size), size);
        };
    }

    /** x clamped into [0, size - 1]; the gradient passes strictly inside only, as PyTorch's clip_coordinates. */
    private static Tensor clipped(Tensor x, int size) {
        Tensor inside = x.gt(0).mul(x.lt(size - 1));
        return Tensor.where(inside, x, x.detach().clamp(0, size - 1));
    }

    /** x mirrored at low and low + span until it lies between them; 0 for an empty span, as PyTorch. */
    private static Tensor reflected(Tensor x, double low, double span) {
        if (span == 0) {
            return x.detach().fullLike(0);
        }
        Tensor distance = x.sub(low).abs();
        Tensor extra = distance.sub(distance.div(2 * span).floor().mul(2 * span));
        return Tensor.where(extra.gt(span), extra.neg().add(2 * span), extra).add(low);
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
