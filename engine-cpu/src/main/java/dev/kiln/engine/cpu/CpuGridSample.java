package dev.kiln.engine.cpu;

import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Bilinear and nearest grid sampling of input [N, C, H, W] at grid [N, Ho, Wo, 2] (PyTorch 1.13's grid_sampler_2d):
 * one pass per output point over all channels, its taps (flat positions and weights) worked out once per point. Each
 * batch item is read into double arrays and sampled by one thread, so that the backward pass adds the input's
 * gradient into that item's own array with no two threads writing one element. In double whatever the dtype.
 *
 * <p>As the composition ({@code GridSampleOps}) a tap outside the input reads position 0 with weight 0, and the
 * coordinates follow its padding rules: a clipped coordinate, at the edge included, passes no gradient.
 */
final class CpuGridSample {
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

        /** The work of one batch item, in elements. */
        long work() {
            return 4L * channels * points + (long) channels * plane();
        }

        Taps taps() {
            return new Taps(new Axis(width, padding, alignCorners), new Axis(height, padding, alignCorners),
                    mode == GridSampleMode.BILINEAR);
        }
    }

    /** The SPI's gridSample2dForward. */
    void forward(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding, boolean alignCorners,
                 Tensor out) {
        Layout l = Layout.of(input, grid, mode, padding, alignCorners);
        Data in = Data.of(input);
        Data at = Data.of(grid);
        Data o = Data.of(out);
        int values = l.channels() * l.plane();
        int outputs = l.channels() * l.points();
        parallel.forRange(input.dim(0), l.work(), (start, end) -> {
            double[] v = new double[values];
            double[] g = new double[2 * l.points()];
            double[] y = new double[outputs];
            Taps taps = l.taps();
            for (int item = start; item < end; item++) {
                in.read(item * values, v, 0, values);
                at.read(item * 2 * l.points(), g, 0, 2 * l.points());
                for (int p = 0; p < l.points(); p++) {
                    taps.locate(g[2 * p], g[2 * p + 1]);
                    for (int c = 0; c < l.channels(); c++) {
                        y[c * l.points() + p] = taps.sample(v, c * l.plane());
                    }
                }
                o.write(item * outputs, y, 0, outputs);
            }
        });
    }

    /** The SPI's gridSample2dBackward: gradInput and gradGrid where not null. */
    void backward(Tensor input, Tensor grid, Tensor gradOut, GridSampleMode mode, GridSamplePadding padding,
                  boolean alignCorners, Tensor gradInput, Tensor gradGrid) {
        Layout l = Layout.of(input, grid, mode, padding, alignCorners);
        Data in = Data.of(input);
        Data at = Data.of(grid);
        Data go = Data.of(gradOut);
        Data gi = gradInput == null ? null : Data.of(gradInput);
        Data gg = gradGrid == null ? null : Data.of(gradGrid);
        int values = l.channels() * l.plane();
        int outputs = l.channels() * l.points();
        parallel.forRange(input.dim(0), 2 * l.work(), (start, end) -> {
            double[] v = new double[values];
            double[] g = new double[2 * l.points()];
            double[] d = new double[outputs];
            double[] dv = new double[gi == null ? 0 : values];
            double[] dg = new double[gg == null ? 0 : 2 * l.points()];
            Taps taps = l.taps();
            for (int item = start; item < end; item++) {
                if (gg != null) {
                    in.read(item * values, v, 0, values);
                }
                at.read(item * 2 * l.points(), g, 0, 2 * l.points());
                go.read(item * outputs, d, 0, outputs);
                Arrays.fill(dv, 0);
                for (int p = 0; p < l.points(); p++) {
                    taps.locate(g[2 * p], g[2 * p + 1]);
                    double gx = 0;
                    double gy = 0;
                    for (int c = 0; c < l.channels(); c++) {
                        double dOut = d[c * l.points() + p];
                        int base = c * l.plane();
                        if (gi != null) {
                            taps.spread(dOut, dv, base);
                        }
                        if (gg != null) {
                            gx += dOut * taps.slopeX(v, base);
                            gy += dOut * taps.slopeY(v, base);
                        }
                    }
                    if (gg != null) {
                        dg[2 * p] = gx * taps.x.slope;
                        dg[2 * p + 1] = gy * taps.y.slope;
                    }
                }
                if (gi != null) {
                    gi.write(item * values, dv, 0, values);
                }
                if (gg != null) {
                    gg.write(item * 2 * l.points(), dg, 0, 2 * l.points());
                }
            }
        });
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
            double extra = distance - Math.floor(distance / (2 * span)) * (2 * span);
            if (extra > span) {
                slope = -slope;
                return 2 * span - extra + low;
            }
            return extra + low;
        }

        /** x clamped into [0, size - 1], passing a gradient strictly inside only. */
        private double clipped(double x) {
            if (x > 0 && x < size - 1) {
                return x;
            }
            slope = 0;
            return Math.min(Math.max(x, 0), size - 1);
        }

        /** Whether integer-valued position i lies on the axis. */
        boolean holds(double i) {
            return i >= 0 && i <= size - 1;
        }
    }

    /**
     * A point's taps: bilinear's four corners (row-major: upper left, upper right, lower left, lower right) or
     * nearest's one, each a flat position in a channel's plane, a weight, and the weight's derivatives by the x and y
     * coordinates; a tap outside the input has position 0 and weight and derivatives 0.
     */
    private static final class Taps {
        final Axis x;
        final Axis y;
        final int count;
        final int[] position = new int[4];
        final double[] weight = new double[4];
        final double[] byX = new double[4];
        final double[] byY = new double[4];

        Taps(Axis x, Axis y, boolean bilinear) {
            this.x = x;
            this.y = y;
            this.count = bilinear ? 4 : 1;
        }

        /** The taps of grid point (gx, gy). */
        void locate(double gx, double gy) {
            double ix = x.coordinate(gx);
            double iy = y.coordinate(gy);
            if (count == 1) {
                set(0, Math.rint(ix), Math.rint(iy), 1, 0, 0);
                return;
            }
            double x0 = Math.floor(ix);
            double y0 = Math.floor(iy);
            double tx = ix - x0;
            double ty = iy - y0;
            set(0, x0, y0, (1 - tx) * (1 - ty), -(1 - ty), -(1 - tx));
            set(1, x0 + 1, y0, tx * (1 - ty), 1 - ty, -tx);
            set(2, x0, y0 + 1, (1 - tx) * ty, -ty, 1 - tx);
            set(3, x0 + 1, y0 + 1, tx * ty, ty, tx);
        }

        private void set(int k, double px, double py, double w, double dx, double dy) {
            boolean inside = x.holds(px) && y.holds(py);
            position[k] = inside ? (int) py * x.size + (int) px : 0;
            weight[k] = inside ? w : 0;
            byX[k] = inside ? dx : 0;
            byY[k] = inside ? dy : 0;
        }

        /** The sampled value of the plane at {@code base} of v. */
        double sample(double[] v, int base) {
            double sum = 0;
            for (int k = 0; k < count; k++) {
                sum += weight[k] * v[base + position[k]];
            }
            return sum;
        }

        /** Adds the weighted {@code dOut} to the taps of the plane at {@code base} of dv. */
        void spread(double dOut, double[] dv, int base) {
            for (int k = 0; k < count; k++) {
                dv[base + position[k]] += weight[k] * dOut;
            }
        }

        /** The sample's derivative by the x coordinate. */
        double slopeX(double[] v, int base) {
            double sum = 0;
            for (int k = 0; k < count; k++) {
                sum += byX[k] * v[base + position[k]];
            }
            return sum;
        }

        /** The sample's derivative by the y coordinate. */
        double slopeY(double[] v, int base) {
            double sum = 0;
            for (int k = 0; k < count; k++) {
                sum += byY[k] * v[base + position[k]];
            }
            return sum;
        }
    }
}
