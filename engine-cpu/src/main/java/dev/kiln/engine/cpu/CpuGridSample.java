package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Bilinear and nearest grid sampling of input [N, C, H, W] at grid [N, Ho, Wo, 2] (PyTorch 1.13's grid_sampler_2d):
 * each point's taps (flat positions, weights and their derivatives) worked out once for all channels, then each
 * channel's plane read at them. A batch item is sampled by one thread, so that the backward pass adds the input's
 * gradient into that item's own array with no two threads writing one element: other dtypes than F32 the whole item
 * in double, F32 a channel's plane at a time in float (see {@link #forwardF32}), in arrays each thread keeps from call
 * to call (allocating and zeroing them took half the time of a [1, 1, 28, 28] sampling). Against the item in double,
 * F32 [8, 32, 64, 64] at a [8, 64, 64, 2] grid, zeros padding, 2 threads, medians of 3 alternating sittings
 * (2026-12-06, PyTorch 1.13 after the arrow): nearest forward 1.47 -> 0.47 ms (0.83), backward 3.23 -> 0.56 (0.94);
 * bilinear forward 2.68 -> 1.62 (2.99), backward with gradients to input and grid unchanged (5.5-5.9, as PyTorch).
 *
 * <p>As the composition ({@code GridSampleOps}) a tap outside the input reads position 0 with weight 0, and the
 * coordinates follow its padding rules: a clipped coordinate, at the edge included, passes no gradient.
 */
final class CpuGridSample {
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final Parallel parallel;

    CpuGridSample(Parallel parallel) {
        this.parallel = parallel;
    }

    /** The sampling: input and grid of one batch item and where they lie. */
    private record Layout(int channels, int height, int width, int points, GridSampleMode mode,
                          GridSamplePadding padding, boolean alignCorners) {
        static Layout of(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                         boolean alignCorners) {
            return new Layout(input.dim(1), input.dim(2), input.dim(3), grid.dim(1) * grid.dim(2), mode, padding,
                    alignCorners);
        }

        int plane() {
            return height * width;
        }

        int values() {
            return channels * plane();
        }

        int outputs() {
            return channels * points;
        }

        /**
         * The work of one batch item in {@link Parallel}'s elements: a point of a channel cost about as much as 64
         * elements of ReLU (a [1, 1, 28, 28] item took 11 us on one thread).
         */
        long work() {
            return 64L * outputs() + values();
        }

        /** This thread's taps for the layout, a tap off the input at {@code outside}. */
        Taps taps(Workspace w, int outside) {
            return w.taps(new Axis(width, padding, alignCorners), new Axis(height, padding, alignCorners),
                    mode == GridSampleMode.BILINEAR, points, outside);
        }
    }

    /** The SPI's gridSample2dForward. */
    void forward(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding, boolean alignCorners,
                 Tensor out) {
        Layout l = Layout.of(input, grid, mode, padding, alignCorners);
        if (input.dtype() == DType.F32) {
            forwardF32(input, grid, l, out);
            return;
        }
        Data in = Data.of(input);
        Data at = Data.of(grid);
        Data o = Data.of(out);
        parallel.forRange(input.dim(0), l.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            double[] v = w.values(l.values());
            double[] g = w.grid(2 * l.points());
            double[] y = w.outputs(l.outputs());
            Taps taps = l.taps(w, 0);
            for (int item = start; item < end; item++) {
                in.read(item * l.values(), v, 0, l.values());
                at.read(item * 2 * l.points(), g, 0, 2 * l.points());
                taps.locate(g, false);
                for (int c = 0; c < l.channels(); c++) {
                    taps.sample(v, c * l.plane(), y, c * l.points());
                }
                o.write(item * l.outputs(), y, 0, l.outputs());
            }
        });
    }

    /** The SPI's gridSample2dBackward: gradInput and gradGrid where not null. */
    void backward(Tensor input, Tensor grid, Tensor gradOut, GridSampleMode mode, GridSamplePadding padding,
                  boolean alignCorners, Tensor gradInput, Tensor gradGrid) {
        Layout l = Layout.of(input, grid, mode, padding, alignCorners);
        if (input.dtype() == DType.F32) {
            backwardF32(input, grid, gradOut, l, gradInput, gradGrid);
            return;
        }
        Data in = Data.of(input);
        Data at = Data.of(grid);
        Data go = Data.of(gradOut);
        Data gi = gradInput == null ? null : Data.of(gradInput);
        Data gg = gradGrid == null ? null : Data.of(gradGrid);
        // Nearest sampling's grid gradient is zero.
        boolean slopes = gg != null && mode == GridSampleMode.BILINEAR;
        parallel.forRange(input.dim(0), 2 * l.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            // The input's values, then its gradient, share one array: the grid's gradient reads them first.
            double[] v = w.values(l.values());
            double[] g = w.grid(2 * l.points());
            double[] d = w.outputs(l.outputs());
            double[] dg = w.gridGradient(2 * l.points());
            Taps taps = l.taps(w, 0);
            for (int item = start; item < end; item++) {
                at.read(item * 2 * l.points(), g, 0, 2 * l.points());
                go.read(item * l.outputs(), d, 0, l.outputs());
                taps.locate(g, slopes);
                if (gg != null) {
                    Arrays.fill(dg, 0, 2 * l.points(), 0);
                    if (slopes) {
                        in.read(item * l.values(), v, 0, l.values());
                        for (int c = 0; c < l.channels(); c++) {
                            taps.slopes(v, c * l.plane(), d, c * l.points(), dg);
                        }
                        taps.chain(dg);
                    }
                    gg.write(item * 2 * l.points(), dg, 0, 2 * l.points());
                }
                if (gi != null) {
                    Arrays.fill(v, 0, l.values(), 0);
                    for (int c = 0; c < l.channels(); c++) {
                        taps.spread(d, c * l.points(), v, c * l.plane());
                    }
                    gi.write(item * l.values(), v, 0, l.values());
                }
            }
        });
    }

    /**
     * F32, a channel at a time: its plane read into a float array with a zero after it (the taps outside), sampled
     * into the channel's outputs (bilinear's weighted sum in float, as PyTorch's) and written out; a channel's data stays in the
     * first-level cache, where a batch item's in double did not fit the second.
     */
    private void forwardF32(Tensor input, Tensor grid, Layout l, Tensor out) {
        FloatBuffer in = CpuElementwise.f32(input);
        int inOffset = CpuElementwise.offset(input);
        FloatBuffer o = CpuElementwise.f32(out);
        int outOffset = CpuElementwise.offset(out);
        Data at = Data.of(grid);
        parallel.forRange(grid.dim(0), l.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            float[] v = w.plane(l.plane() + 1);
            float[] y = w.pointValues(l.points());
            double[] g = w.grid(2 * l.points());
            Taps taps = l.taps(w, l.plane());
            for (int item = start; item < end; item++) {
                at.read(item * 2 * l.points(), g, 0, 2 * l.points());
                taps.locate(g, false);
                for (int c = 0; c < l.channels(); c++) {
                    in.get(inOffset + item * l.values() + c * l.plane(), v, 0, l.plane());
                    taps.sample(v, y);
                    o.put(outOffset + item * l.outputs() + c * l.points(), y, 0, l.points());
                }
            }
        });
    }

    /**
     * F32 backward, a channel at a time as {@link #forwardF32}: the grid's gradient summed over the channels in
     * double, the input's added up in float in a plane of its own.
     */
    private void backwardF32(Tensor input, Tensor grid, Tensor gradOut, Layout l, Tensor gradInput,
                             Tensor gradGrid) {
        FloatBuffer in = CpuElementwise.f32(input);
        int inOffset = CpuElementwise.offset(input);
        FloatBuffer go = CpuElementwise.f32(gradOut);
        int goOffset = CpuElementwise.offset(gradOut);
        FloatBuffer gi = gradInput == null ? null : CpuElementwise.f32(gradInput);
        int giOffset = gradInput == null ? 0 : CpuElementwise.offset(gradInput);
        Data at = Data.of(grid);
        Data gg = gradGrid == null ? null : Data.of(gradGrid);
        boolean slopes = gg != null && l.mode() == GridSampleMode.BILINEAR;
        parallel.forRange(grid.dim(0), 2 * l.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            float[] v = w.plane(l.plane() + 1);
            float[] dv = w.planeGradient(l.plane() + 1);
            float[] d = w.pointValues(l.points());
            double[] g = w.grid(2 * l.points());
            double[] dg = w.gridGradient(2 * l.points());
            Taps taps = l.taps(w, l.plane());
            for (int item = start; item < end; item++) {
                at.read(item * 2 * l.points(), g, 0, 2 * l.points());
                taps.locate(g, slopes);
                Arrays.fill(dg, 0, 2 * l.points(), 0);
                for (int c = 0; c < l.channels(); c++) {
                    go.get(goOffset + item * l.outputs() + c * l.points(), d, 0, l.points());
                    if (slopes) {
                        in.get(inOffset + item * l.values() + c * l.plane(), v, 0, l.plane());
                        taps.slopes(v, d, dg);
                    }
                    if (gi != null) {
                        Arrays.fill(dv, 0, l.plane(), 0);
                        taps.spread(d, dv);
                        gi.put(giOffset + item * l.values() + c * l.plane(), dv, 0, l.plane());
                    }
                }
                if (slopes) {
                    taps.chain(dg);
                }
                if (gg != null) {
                    gg.write(item * 2 * l.points(), dg, 0, 2 * l.points());
                }
            }
        });
    }

    /** A thread's arrays, grown as calls need: the batch item's values, grid, outputs and taps. */
    private static final class Workspace {
        private static final int VALUES = 0;
        private static final int GRID = 1;
        private static final int OUTPUTS = 2;
        private static final int GRID_GRADIENT = 3;
        private static final int PLANE = 0;
        private static final int PLANE_GRADIENT = 1;
        private static final int POINT_VALUES = 2;

        private final ScratchArrays arrays = new ScratchArrays(4, 3);
        private Taps taps;

        double[] values(int length) {
            return arrays.doubles(VALUES, length);
        }

        double[] grid(int length) {
            return arrays.doubles(GRID, length);
        }

        double[] outputs(int length) {
            return arrays.doubles(OUTPUTS, length);
        }

        double[] gridGradient(int length) {
            return arrays.doubles(GRID_GRADIENT, length);
        }

        /** A plane and the zero after it. */
        float[] plane(int length) {
            float[] plane = arrays.floats(PLANE, length);
            plane[length - 1] = 0;
            return plane;
        }

        /** A plane's gradient and the slot after it, which takes the taps outside. */
        float[] planeGradient(int length) {
            return arrays.floats(PLANE_GRADIENT, length);
        }

        /** A channel's values at the points. */
        float[] pointValues(int length) {
            return arrays.floats(POINT_VALUES, length);
        }

        /** The points' taps, kept for the next call as {@link ScratchArrays}' arrays are, up to the same limit. */
        Taps taps(Axis x, Axis y, boolean bilinear, int points, int outside) {
            int taps4 = 4 * points;
            Taps t = taps != null && taps.position.length >= taps4 ? taps : new Taps(taps4, points);
            if (t.position.length <= ScratchArrays.KEPT_BYTES / Double.BYTES) {
                taps = t;
            }
            t.reset(x, y, bilinear ? 4 : 1, points, outside);
            return t;
        }
    }

    /**
     * One input axis: a grid value's source coordinate along it, padded, and {@link #slope}, the coordinate's
     * derivative by the grid value (0 where clipped).
     */
    private static final class Axis {
        final int size;
        final GridSamplePadding padding;
        final double scale;
        final double shift;
        final double low;
        final double span;
        double slope;

        Axis(int size, GridSamplePadding padding, boolean alignCorners) {
            this.size = size;
            this.padding = padding;
            this.scale = alignCorners ? (size - 1) / 2.0 : size / 2.0;
            this.shift = (size - 1) / 2.0;
            this.low = alignCorners ? 0 : -0.5;
            this.span = alignCorners ? size - 1 : size;
        }

        /** The coordinate of grid value g, setting {@link #slope}. */
        double coordinate(double g) {
            double x = g * scale + shift;
            slope = scale;
            return switch (padding) {
                case ZEROS -> x;
                case BORDER -> clipped(x);
                case REFLECTION -> clipped(reflected(x));
            };
        }

        /** x mirrored at low and low + span until it lies between them, as the composition's reflected. */
        private double reflected(double x) {
            if (span == 0) {
                slope = 0;
                return 0;
            }
            double distance = Math.abs(x - low);
            slope *= Math.signum(x - low);
            if (distance <= span) {
                // At most one reflection, as below without its division: most points of a grid lie here.
                return distance + low;
            }
            double extra = distance - Math.floor(distance / (2 * span)) * (2 * span);
            if (extra > span) {
                slope = -slope;
                return 2 * span - extra + low;
            }
            return extra + low;
        }

        /**
         * x clamped into [0, size - 1], passing a gradient strictly inside only; NaN (a NaN grid value, an infinite
         * one reflected) is 0, as PyTorch's clip_coordinates, where Math.max kept it NaN and the point read nothing.
         */
        private double clipped(double x) {
            if (x > 0 && x < size - 1) {
                return x;
            }
            slope = 0;
            return x > 0 ? size - 1 : 0;
        }

        /** Whether integer-valued position i lies on the axis. */
        boolean holds(double i) {
            return i >= 0 && i <= size - 1;
        }
    }

    /**
     * The taps of every point of one batch item, worked out once for all channels: bilinear's four corners
     * (row-major: upper left, upper right, lower left, lower right) or nearest's one, each a flat position in a
     * channel's plane, a weight, and (for the grid's gradient) the weight's derivatives by the x and y coordinates,
     * with the coordinates' derivatives by the grid values; a tap outside the input has weight and derivatives 0
     * and position {@code outside}: 0 in the double path, the zero the F32 path keeps after its plane, which lets
     * nearest sampling read it unweighted and keeps the gradient of the taps outside away from the plane's values.
     * A bilinear point at a non-finite coordinate (zeros padding; the others clip it) has its four taps outside and
     * is listed in {@link #nonFinite}: it samples NaN, as PyTorch's NaN weights make it, passes the input no
     * gradient, and its grid gradient is NaN along the other axis, whose derivative PyTorch takes with those weights.
     */
    private static final class Taps {
        final int[] position;
        final double[] weight;
        /** The weights rounded to float, for the F32 path's arithmetic in float. */
        final float[] floatWeight;
        final double[] byX;
        final double[] byY;
        final double[] slopeX;
        final double[] slopeY;
        /** {@code 2 * p + axis} (0 for x, 1 for y) of each axis at a non-finite coordinate, bilinear only. */
        private final int[] nonFinite;
        private int nonFiniteCount;
        private Axis x;
        private Axis y;
        private int count;
        private int points;
        private int outside;

        Taps(int capacity, int points) {
            this.position = new int[capacity];
            this.weight = new double[capacity];
            this.floatWeight = new float[capacity];
            this.byX = new double[capacity];
            this.byY = new double[capacity];
            this.slopeX = new double[points];
            this.slopeY = new double[points];
            this.nonFinite = new int[2 * points];
        }

        /** Taps of {@code count} corners for {@code points} points, one off the input at position {@code outside}. */
        void reset(Axis x, Axis y, int count, int points, int outside) {
            this.x = x;
            this.y = y;
            this.count = count;
            this.points = points;
            this.outside = outside;
        }

        /** The taps of grid g [points, 2], with the derivatives where {@code derivatives}. */
        void locate(double[] g, boolean derivatives) {
            nonFiniteCount = 0;
            for (int p = 0; p < points; p++) {
                double ix = x.coordinate(g[2 * p]);
                slopeX[p] = x.slope;
                double iy = y.coordinate(g[2 * p + 1]);
                slopeY[p] = y.slope;
                if (count == 1) {
                    nearest(p, Math.rint(ix), Math.rint(iy));
                } else {
                    bilinear(4 * p, ix, iy, derivatives);
                    listNonFinite(p, ix, iy);
                }
            }
        }

        /** Lists each axis of point p whose coordinate is not finite: its taps all lie outside. */
        private void listNonFinite(int p, double ix, double iy) {
            if (!Double.isFinite(ix)) {
                nonFinite[nonFiniteCount++] = 2 * p;
            }
            if (!Double.isFinite(iy)) {
                nonFinite[nonFiniteCount++] = 2 * p + 1;
            }
        }

        private void nearest(int k, double px, double py) {
            boolean inside = x.holds(px) && y.holds(py);
            position[k] = inside ? (int) py * x.size + (int) px : outside;
            weight[k] = inside ? 1 : 0;
        }

        /** The corners around (ix, iy) from tap k on: each axis's two weights, 0 for a neighbour outside. */
        private void bilinear(int k, double ix, double iy, boolean derivatives) {
            double x0 = Math.floor(ix);
            double y0 = Math.floor(iy);
            boolean left = x.holds(x0);
            boolean right = x.holds(x0 + 1);
            boolean upper = y.holds(y0);
            boolean lower = y.holds(y0 + 1);
            double tx = ix - x0;
            double ty = iy - y0;
            double wl = left ? 1 - tx : 0;
            double wr = right ? tx : 0;
            double wu = upper ? 1 - ty : 0;
            double wd = lower ? ty : 0;
            int cl = (int) x0;
            int ru = (int) y0 * x.size;
            int rd = ru + x.size;
            position[k] = upper && left ? ru + cl : outside;
            position[k + 1] = upper && right ? ru + cl + 1 : outside;
            position[k + 2] = lower && left ? rd + cl : outside;
            position[k + 3] = lower && right ? rd + cl + 1 : outside;
            weight[k] = wu * wl;
            weight[k + 1] = wu * wr;
            weight[k + 2] = wd * wl;
            weight[k + 3] = wd * wr;
            for (int t = k; t < k + 4; t++) {
                floatWeight[t] = (float) weight[t];
            }
            if (derivatives) {
                double sl = left ? -1 : 0;
                double sr = right ? 1 : 0;
                double su = upper ? -1 : 0;
                double sd = lower ? 1 : 0;
                byX[k] = wu * sl;
                byX[k + 1] = wu * sr;
                byX[k + 2] = wd * sl;
                byX[k + 3] = wd * sr;
                byY[k] = su * wl;
                byY[k + 1] = su * wr;
                byY[k + 2] = sd * wl;
                byY[k + 3] = sd * wr;
            }
        }

        /** out[outBase + p] = the sample of the plane at {@code base} of v at each point p. */
        void sample(double[] v, int base, double[] out, int outBase) {
            if (count == 1) {
                for (int p = 0; p < points; p++) {
                    out[outBase + p] = weight[p] * v[base + position[p]];
                }
                return;
            }
            for (int p = 0, k = 0; p < points; p++, k += 4) {
                out[outBase + p] = weight[k] * v[base + position[k]] + weight[k + 1] * v[base + position[k + 1]]
                        + weight[k + 2] * v[base + position[k + 2]] + weight[k + 3] * v[base + position[k + 3]];
            }
            for (int i = 0; i < nonFiniteCount; i++) {
                out[outBase + (nonFinite[i] >> 1)] = Double.NaN;
            }
        }

        /** Adds each point's gradient d[dBase + p], weighted, to its taps in the plane at {@code base} of dv. */
        void spread(double[] d, int dBase, double[] dv, int base) {
            for (int p = 0; p < points; p++) {
                double dOut = d[dBase + p];
                for (int k = count * p; k < count * (p + 1); k++) {
                    dv[base + position[k]] += weight[k] * dOut;
                }
            }
        }

        /**
         * Adds to dg [points, 2] each point's gradient d[dBase + p] times its sample's derivatives by the x and y
         * coordinates, from the plane at {@code base} of v (bilinear).
         */
        void slopes(double[] v, int base, double[] d, int dBase, double[] dg) {
            for (int p = 0, k = 0; p < points; p++, k += 4) {
                double v0 = v[base + position[k]];
                double v1 = v[base + position[k + 1]];
                double v2 = v[base + position[k + 2]];
                double v3 = v[base + position[k + 3]];
                double dOut = d[dBase + p];
                dg[2 * p] += dOut * (byX[k] * v0 + byX[k + 1] * v1 + byX[k + 2] * v2 + byX[k + 3] * v3);
                dg[2 * p + 1] += dOut * (byY[k] * v0 + byY[k + 1] * v1 + byY[k + 2] * v2 + byY[k + 3] * v3);
            }
        }

        /** out[p] = the sample of plane v at each point p, v's zero at {@code outside}. */
        void sample(float[] v, float[] out) {
            if (count == 1) {
                for (int p = 0; p < points; p++) {
                    out[p] = v[position[p]];
                }
                return;
            }
            for (int p = 0, k = 0; p < points; p++, k += 4) {
                out[p] = floatWeight[k] * v[position[k]] + floatWeight[k + 1] * v[position[k + 1]]
                        + floatWeight[k + 2] * v[position[k + 2]] + floatWeight[k + 3] * v[position[k + 3]];
            }
            for (int i = 0; i < nonFiniteCount; i++) {
                out[nonFinite[i] >> 1] = Float.NaN;
            }
        }

        /** Adds each point's gradient d[p], weighted, to its taps in plane dv (the taps outside to its last slot). */
        void spread(float[] d, float[] dv) {
            if (count == 1) {
                for (int p = 0; p < points; p++) {
                    dv[position[p]] += d[p];
                }
                return;
            }
            for (int p = 0, k = 0; p < points; p++, k += 4) {
                float dOut = d[p];
                dv[position[k]] += floatWeight[k] * dOut;
                dv[position[k + 1]] += floatWeight[k + 1] * dOut;
                dv[position[k + 2]] += floatWeight[k + 2] * dOut;
                dv[position[k + 3]] += floatWeight[k + 3] * dOut;
            }
        }

        /** {@link #slopes(double[], int, double[], int, double[])} from plane v and the points' gradients d. */
        void slopes(float[] v, float[] d, double[] dg) {
            for (int p = 0, k = 0; p < points; p++, k += 4) {
                double v0 = v[position[k]];
                double v1 = v[position[k + 1]];
                double v2 = v[position[k + 2]];
                double v3 = v[position[k + 3]];
                double dOut = d[p];
                dg[2 * p] += dOut * (byX[k] * v0 + byX[k + 1] * v1 + byX[k + 2] * v2 + byX[k + 3] * v3);
                dg[2 * p + 1] += dOut * (byY[k] * v0 + byY[k + 1] * v1 + byY[k + 2] * v2 + byY[k + 3] * v3);
            }
        }

        /**
         * dg [points, 2], derivatives by the coordinates, as derivatives by the grid values; NaN along the other axis
         * of a non-finite coordinate.
         */
        void chain(double[] dg) {
            for (int p = 0; p < points; p++) {
                dg[2 * p] *= slopeX[p];
                dg[2 * p + 1] *= slopeY[p];
            }
            for (int i = 0; i < nonFiniteCount; i++) {
                dg[nonFinite[i] ^ 1] = Double.NaN;
            }
        }
    }
}
