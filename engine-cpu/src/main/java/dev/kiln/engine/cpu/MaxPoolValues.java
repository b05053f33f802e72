package dev.kiln.engine.cpu;

import dev.kiln.engine.Pool2dGeometry;

/**
 * One plane's max pooling without the maxima's positions, for a forward pass that records no gradient (inference):
 * per output row, the window's input rows are folded into one row of column maxima (a loop over whole rows, which the
 * JIT vectorizes), then each window takes the maximum of its columns of that row. {@code Math.max} propagates NaN, as
 * PyTorch does; padding never wins. Finding the first position of each maximum cost about 17 ns an output of the
 * 20 ns that 3 x 3 windows took on one thread (branches or branch-free integer keys alike); this takes 2-3 ns.
 */
final class MaxPoolValues {
    private MaxPoolValues() {
    }

    /** The F32 plane at {@code in[inBase ..]} pooled into {@code max[outBase ..]}; {@code rows} holds a width. */
    static void plane(Pool2dGeometry g, MaxPoolColumns columns, float[] in, int inBase, float[] rows, float[] max,
                      int outBase) {
        int width = g.width();
        for (int oh = 0; oh < g.outH(); oh++) {
            int top = oh * g.strideH() - g.padH();
            int r0 = Math.max(top, 0);
            int r1 = Math.min(top + g.kernelH(), g.height());
            System.arraycopy(in, inBase + r0 * width, rows, 0, width);
            for (int r = r0 + 1; r < r1; r++) {
                int at = inBase + r * width;
                for (int w = 0; w < width; w++) {
                    rows[w] = Math.max(rows[w], in[at + w]);
                }
            }
            acrossColumns(g, columns, rows, max, outBase + oh * g.outW());
        }
    }

    /** One output row from its row of column maxima: the full windows 2 or 3 wide in straight-line code. */
    private static void acrossColumns(Pool2dGeometry g, MaxPoolColumns columns, float[] rows, float[] max, int to) {
        int stride = g.strideW();
        int pad = g.padW();
        for (int ow = 0; ow < columns.fullFrom(); ow++) {
            max[to + ow] = clipped(g, rows, ow);
        }
        if (g.kernelW() == 3) {
            for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                int c = ow * stride - pad;
                max[to + ow] = Math.max(Math.max(rows[c], rows[c + 1]), rows[c + 2]);
            }
        } else if (g.kernelW() == 2) {
            for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                int c = ow * stride - pad;
                max[to + ow] = Math.max(rows[c], rows[c + 1]);
            }
        } else {
            for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                max[to + ow] = clipped(g, rows, ow);
            }
        }
        for (int ow = columns.fullTo(); ow < g.outW(); ow++) {
            max[to + ow] = clipped(g, rows, ow);
        }
    }

    /** Output column ow's maximum over its window's columns inside the input. */
    private static float clipped(Pool2dGeometry g, float[] rows, int ow) {
        int left = ow * g.strideW() - g.padW();
        int c0 = Math.max(left, 0);
        int c1 = Math.min(left + g.kernelW(), g.width());
        float m = rows[c0];
        for (int c = c0 + 1; c < c1; c++) {
            m = Math.max(m, rows[c]);
        }
        return m;
    }

    /** {@link #plane} in doubles. */
    static void plane(Pool2dGeometry g, MaxPoolColumns columns, double[] in, int inBase, double[] rows, double[] max,
                      int outBase) {
        int width = g.width();
        for (int oh = 0; oh < g.outH(); oh++) {
            int top = oh * g.strideH() - g.padH();
            int r0 = Math.max(top, 0);
            int r1 = Math.min(top + g.kernelH(), g.height());
            System.arraycopy(in, inBase + r0 * width, rows, 0, width);
            for (int r = r0 + 1; r < r1; r++) {
                int at = inBase + r * width;
                for (int w = 0; w < width; w++) {
                    rows[w] = Math.max(rows[w], in[at + w]);
                }
            }
            acrossColumns(g, columns, rows, max, outBase + oh * g.outW());
        }
    }

    /** {@link #acrossColumns(Pool2dGeometry, MaxPoolColumns, float[], float[], int)} in doubles. */
    private static void acrossColumns(Pool2dGeometry g, MaxPoolColumns columns, double[] rows, double[] max, int to) {
        int stride = g.strideW();
        int pad = g.padW();
        for (int ow = 0; ow < columns.fullFrom(); ow++) {
            max[to + ow] = clipped(g, rows, ow);
        }
        if (g.kernelW() == 3) {
            for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                int c = ow * stride - pad;
                max[to + ow] = Math.max(Math.max(rows[c], rows[c + 1]), rows[c + 2]);
            }
        } else if (g.kernelW() == 2) {
            for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                int c = ow * stride - pad;
                max[to + ow] = Math.max(rows[c], rows[c + 1]);
            }
        } else {
            for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                max[to + ow] = clipped(g, rows, ow);
            }
        }
        for (int ow = columns.fullTo(); ow < g.outW(); ow++) {
            max[to + ow] = clipped(g, rows, ow);
        }
    }

    /** {@link #clipped(Pool2dGeometry, float[], int)} in doubles. */
    private static double clipped(Pool2dGeometry g, double[] rows, int ow) {
        int left = ow * g.strideW() - g.padW();
        int c0 = Math.max(left, 0);
        int c1 = Math.min(left + g.kernelW(), g.width());
        double m = rows[c0];
        for (int c = c0 + 1; c < c1; c++) {
            m = Math.max(m, rows[c]);
        }
        return m;
    }
}
