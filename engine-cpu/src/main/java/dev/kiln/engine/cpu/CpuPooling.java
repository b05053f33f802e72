package dev.kiln.engine.cpu;

import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Max and average pooling over [batch, channels, height, width] in plain Java, split over the
 * batch * channels planes (each plane is independent: no two threads write one element). Planes are read
 * into arrays and written back in bulk, several at a time, and every output pixel's window comes from a
 * table made once per call. Max pooling's forward goes to {@link MaxPoolF32} (F32) or {@link MaxPoolDoubles}
 * (the rest), its F32 backward to {@link MaxPoolF32}.
 */
final class CpuPooling {
    /** Elements read or written per bulk transfer, at least one plane. */
    private static final int BLOCK = 1 << 14;

    private final Parallel parallel;
    private final MaxPoolF32 maxF32;
    private final MaxPoolDoubles maxDoubles;

    CpuPooling(Parallel parallel) {
        this.parallel = parallel;
        this.maxF32 = new MaxPoolF32(parallel);
        this.maxDoubles = new MaxPoolDoubles(parallel);
    }

    /** Each output pixel's window on the input, clipped to the unpadded plane: rows [h0, h1), columns [w0, w1). */
    private static final class Windows {
        final int width;
        final int inPlane;
        final int outPlane;
        final int[] h0;
        final int[] h1;
        final int[] w0;
        final int[] w1;

        Windows(Pool2dGeometry g) {
            width = g.width();
            inPlane = g.height() * g.width();
            outPlane = g.outH() * g.outW();
            h0 = new int[outPlane];
            h1 = new int[outPlane];
            w0 = new int[outPlane];
            w1 = new int[outPlane];
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int p = oh * g.outW() + ow;
                    int hStart = oh * g.strideH() - g.padH();
                    int wStart = ow * g.strideW() - g.padW();
                    h0[p] = Math.max(hStart, 0);
                    h1[p] = Math.min(hStart + g.kernelH(), g.height());
                    w0[p] = Math.max(wStart, 0);
                    w1[p] = Math.min(wStart + g.kernelW(), g.width());
                }
            }
        }

        /** Planes per bulk transfer. */
        int planesPerBlock() {
            return Math.max(1, BLOCK / Math.max(inPlane, outPlane));
        }
    }

    /** One thread's arrays for a block of planes: input planes, output planes, output positions. */
    private record Scratch(double[] in, double[] out, long[] positions) {
        static Scratch of(Windows w) {
            int planes = w.planesPerBlock();
            return new Scratch(new double[planes * w.inPlane], new double[planes * w.outPlane], new long[planes * w.outPlane]);
        }
    }

    /** A body run on planes [first, first + count) with its thread's scratch arrays. */
    private interface PlaneBlock {
        void run(Scratch scratch, int first, int count);
    }

    /** Splits the planes over the threads, and each thread's share into blocks of {@link Windows#planesPerBlock}. */
    private void forBlocks(Pool2dGeometry g, Windows w, long workPerPlane, PlaneBlock body) {
        int perBlock = w.planesPerBlock();
        parallel.forRange(g.batch() * g.channels(), workPerPlane, (start, end) -> {
            Scratch scratch = Scratch.of(w);
            for (int first = start; first < end; first += perBlock) {
                body.run(scratch, first, Math.min(perBlock, end - first));
            }
        });
    }

    private static long windowWork(Pool2dGeometry g) {
        return (long) g.outH() * g.outW() * g.kernelH() * g.kernelW();
    }

    /** out = max over each window; indices = flat position {@code h * width + w} of that max in its plane. */
    void maxForward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        if (MaxPoolF32.takesForward(input)) {
            maxF32.forward(input, g, out, indices);
            return;
        }
        maxDoubles.forward(input, g, out, indices);
    }

    /** out = max over each window, without the positions: for a forward pass that records no gradient. */
    void maxValues(Tensor input, Pool2dGeometry g, Tensor out) {
        if (MaxPoolF32.takesForward(input)) {
            maxF32.values(input, g, out);
            return;
        }
        maxDoubles.values(input, g, out);
    }

    /** gradInput = 0, then each gradOut element is added at its recorded index. */
    void maxBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        if (MaxPoolF32.takesBackward(gradOut)) {
            maxF32.backward(gradOut, indices, g, gradInput);
            return;
        }
        Data go = Data.of(gradOut);
        Data gi = Data.of(gradInput);
        Windows w = new Windows(g);
        forBlocks(g, w, (long) w.inPlane + w.outPlane, (scratch, first, count) -> {
            double[] planes = scratch.in();
            double[] grad = scratch.out();
            long[] at = scratch.positions();
            go.read(first * w.outPlane, grad, 0, count * w.outPlane);
            Data.readIndices(indices, first * w.outPlane, at, count * w.outPlane);
            Arrays.fill(planes, 0, count * w.inPlane, 0);
            for (int k = 0; k < count; k++) {
                for (int p = 0; p < w.outPlane; p++) {
                    planes[k * w.inPlane + (int) at[k * w.outPlane + p]] += grad[k * w.outPlane + p];
                }
            }
            gi.write(first * w.inPlane, planes, 0, count * w.inPlane);
        });
    }

    /** Each output pixel's {@link Pool2dGeometry#avgDivisor}, row-major. */
    private static double[] avgDivisors(Pool2dGeometry g) {
        double[] divisors = new double[g.outH() * g.outW()];
        for (int oh = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++) {
                divisors[oh * g.outW() + ow] = g.avgDivisor(oh, ow);
            }
        }
        return divisors;
    }

    /** out = sum over each window / its divisor: padding counts as zeros. */
    void avgForward(Tensor input, Pool2dGeometry g, Tensor out) {
        Data in = Data.of(input);
        Data o = Data.of(out);
        Windows w = new Windows(g);
        double[] divisors = avgDivisors(g);
        boolean columns = columnWindows(g);
        forBlocks(g, w, windowWork(g), (scratch, first, count) -> {
            double[] planes = scratch.in();
            double[] mean = scratch.out();
            in.read(first * w.inPlane, planes, 0, count * w.inPlane);
            for (int k = 0; k < count; k++) {
                if (columns) {
                    averageRows(w, planes, k * w.inPlane, mean, k * w.outPlane, divisors);
                    continue;
                }
                for (int p = 0; p < w.outPlane; p++) {
                    double sum = 0;
                    for (int h = w.h0[p]; h < w.h1[p]; h++) {
                        for (int x = w.w0[p]; x < w.w1[p]; x++) {
                            sum += planes[k * w.inPlane + h * w.width + x];
                        }
                    }
                    mean[k * w.outPlane + p] = sum / divisors[p];
                }
            }
            o.write(first * w.outPlane, mean, 0, count * w.outPlane);
        });
    }

    /** gradInput = 0, then each gradOut element / its window's divisor is added over its window. */
    void avgBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput) {
        Data go = Data.of(gradOut);
        Data gi = Data.of(gradInput);
        Windows w = new Windows(g);
        double[] divisors = avgDivisors(g);
        boolean columns = columnWindows(g);
        forBlocks(g, w, windowWork(g) + w.inPlane, (scratch, first, count) -> {
            double[] planes = scratch.in();
            double[] grad = scratch.out();
            go.read(first * w.outPlane, grad, 0, count * w.outPlane);
            Arrays.fill(planes, 0, count * w.inPlane, 0);
            for (int k = 0; k < count; k++) {
                if (columns) {
                    spreadRows(w, grad, k * w.outPlane, planes, k * w.inPlane, divisors);
                    continue;
                }
                for (int p = 0; p < w.outPlane; p++) {
                    double share = grad[k * w.outPlane + p] / divisors[p];
                    for (int h = w.h0[p]; h < w.h1[p]; h++) {
                        for (int x = w.w0[p]; x < w.w1[p]; x++) {
                            planes[k * w.inPlane + h * w.width + x] += share;
                        }
                    }
                }
            }
            gi.write(first * w.inPlane, planes, 0, count * w.inPlane);
        });
    }

    /**
     * Windows one column wide at stride 1 without column padding (LocalResponseNorm's [size, 1] windows across the
     * channels): each output row is then a sum of whole input rows, which {@link #averageRows} and
     * {@link #spreadRows} add row by row, where the general loops' tiny loop per window cost about 20 ns an output.
     * They add in the general loops' order, so the values are the same.
     */
    private static boolean columnWindows(Pool2dGeometry g) {
        return g.kernelW() == 1 && g.strideW() == 1 && g.padW() == 0;
    }

    /** One plane's averages over column windows: mean's row = the sum of its window's input rows / its divisor. */
    private static void averageRows(Windows w, double[] planes, int inBase, double[] mean, int outBase,
                                    double[] divisors) {
        int width = w.width;
        for (int p = 0; p < w.outPlane; p += width) {
            int row = outBase + p;
            Arrays.fill(mean, row, row + width, 0);
            for (int h = w.h0[p]; h < w.h1[p]; h++) {
                int in = inBase + h * width;
                for (int x = 0; x < width; x++) {
                    mean[row + x] += planes[in + x];
                }
            }
            double divisor = divisors[p];
            for (int x = 0; x < width; x++) {
                mean[row + x] /= divisor;
            }
        }
    }

    /**
     * One plane's gradient over column windows: each gradient row / its divisor (divided in place, once) added to
     * its window's input rows.
     */
    private static void spreadRows(Windows w, double[] grad, int outBase, double[] planes, int inBase,
                                   double[] divisors) {
        int width = w.width;
        for (int p = 0; p < w.outPlane; p += width) {
            int row = outBase + p;
            double divisor = divisors[p];
            for (int x = 0; x < width; x++) {
                grad[row + x] /= divisor;
            }
            for (int h = w.h0[p]; h < w.h1[p]; h++) {
                int in = inBase + h * width;
                for (int x = 0; x < width; x++) {
                    planes[in + x] += grad[row + x];
                }
            }
        }
    }
}
