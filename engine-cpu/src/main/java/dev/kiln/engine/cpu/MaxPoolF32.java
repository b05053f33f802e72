package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Max pooling on F32 tensors without the general path's detour through double[]: the forward for every geometry
 * (dilation 1), window by window in straight-line code for full 2 x 2 and 3 x 3 windows, and the backward for every
 * geometry. NaN wins at the window's last NaN in row-major window order, as PyTorch 1.13's CPU records it (a rare
 * second scan of the window); otherwise the first maximum in that order, as PyTorch's; padding never wins. The forward once
 * went through a table of each window's tap offsets, in doubles, nine passes for the maximum and nine for its
 * position: ResNet's 3 x 3 stride-2 pooling of [1, 64, 112, 112] took 4.0-4.3 ms on 2 threads, now 2.5-2.8 ms, of
 * which finding the positions is most (about 17 ns of 20 an output on one thread, whether by these selects, a loop
 * that stops at the first match or branch-free integer keys); {@link #values} skips them where no gradient is
 * recorded, 0.54 ms.
 */
final class MaxPoolF32 {
    /** Elements read or written per bulk transfer, at least one plane. */
    private static final int BLOCK = 1 << 14;

    private final Parallel parallel;

    MaxPoolF32(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Whether {@link #forward} takes this input: F32. */
    static boolean takesForward(Tensor input) {
        return input.dtype() == DType.F32;
    }

    /** Whether {@link #backward} takes this gradient: F32. */
    static boolean takesBackward(Tensor gradOut) {
        return gradOut.dtype() == DType.F32;
    }

    /** out = max over each window; indices = flat position {@code h * width + w} of that max in its plane. */
    void forward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        FloatBuffer in = CpuElementwise.f32(input);
        FloatBuffer o = CpuElementwise.f32(out);
        int inOffset = CpuElementwise.offset(input);
        int outOffset = CpuElementwise.offset(out);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        int perBlock = Math.max(1, BLOCK / Math.max(inPlane, outPlane));
        MaxPoolColumns columns = MaxPoolColumns.of(g);
        long work = (long) outPlane * g.kernelH() * g.kernelW();
        parallel.forRange(g.batch() * g.channels(), work, (start, end) -> {
            float[] planes = new float[perBlock * inPlane];
            float[] max = new float[perBlock * outPlane];
            long[] best = new long[perBlock * outPlane];
            for (int first = start; first < end; first += perBlock) {
                int count = Math.min(perBlock, end - first);
                in.get(inOffset + first * inPlane, planes, 0, count * inPlane);
                for (int k = 0; k < count; k++) {
                    maxPlane(g, columns, planes, k * inPlane, max, best, k * outPlane);
                }
                o.put(outOffset + first * outPlane, max, 0, count * outPlane);
                Data.writeIndices(indices, first * outPlane, best, count * outPlane);
            }
        });
    }

    /** out = max over each window, without the positions ({@link MaxPoolValues}). */
    void values(Tensor input, Pool2dGeometry g, Tensor out) {
        FloatBuffer in = CpuElementwise.f32(input);
        FloatBuffer o = CpuElementwise.f32(out);
        int inOffset = CpuElementwise.offset(input);
        int outOffset = CpuElementwise.offset(out);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        int perBlock = Math.max(1, BLOCK / Math.max(inPlane, outPlane));
        MaxPoolColumns columns = MaxPoolColumns.of(g);
        parallel.forRange(g.batch() * g.channels(), (long) inPlane + outPlane * g.kernelW(), (start, end) -> {
            float[] planes = new float[perBlock * inPlane];
            float[] rows = new float[g.width()];
            float[] max = new float[perBlock * outPlane];
            for (int first = start; first < end; first += perBlock) {
                int count = Math.min(perBlock, end - first);
                in.get(inOffset + first * inPlane, planes, 0, count * inPlane);
                for (int k = 0; k < count; k++) {
                    MaxPoolValues.plane(g, columns, planes, k * inPlane, rows, max, k * outPlane);
                }
                o.put(outOffset + first * outPlane, max, 0, count * outPlane);
            }
        });
    }

    /**
     * One plane's windows, row by row: the windows clipped by the padding or the edge one at a time, the full
     * ones between them in straight-line code where the kernel is 2 x 2 or 3 x 3.
     */
    private static void maxPlane(Pool2dGeometry g, MaxPoolColumns columns, float[] in, int inBase, float[] max,
                                 long[] best, int outBase) {
        int width = g.width();
        int outW = g.outW();
        for (int oh = 0; oh < g.outH(); oh++) {
            int top = oh * g.strideH() - g.padH();
            int r0 = Math.max(top, 0);
            int r1 = Math.min(top + g.kernelH(), g.height());
            int to = outBase + oh * outW;
            for (int ow = 0; ow < columns.fullFrom(); ow++) {
                clipped(g, in, inBase, r0, r1, ow, max, best, to + ow);
            }
            boolean fullRows = r1 - r0 == g.kernelH();
            if (fullRows && g.kernelH() == 3 && g.kernelW() == 3) {
                full3x3(g, columns, in, inBase, r0 * width, max, best, to);
            } else if (fullRows && g.kernelH() == 2 && g.kernelW() == 2) {
                full2x2(g, columns, in, inBase, r0 * width, max, best, to);
            } else {
                for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
                    clipped(g, in, inBase, r0, r1, ow, max, best, to + ow);
                }
            }
            for (int ow = columns.fullTo(); ow < outW; ow++) {
                clipped(g, in, inBase, r0, r1, ow, max, best, to + ow);
            }
        }
    }

    /** Whether tap value {@code v} is the window's maximum {@code m} (not NaN: {@link #lastNan} takes those). */
    private static boolean hit(float v, float m) {
        return v == m;
    }

    /**
     * The plane position of the last NaN in row-major order in rows [r0, r1) and columns [c0, c1), a window whose
     * maximum is NaN: PyTorch 1.13's CPU kernels take a NaN wherever it comes ({@code val > max || isnan(val)}).
     */
    private static int lastNan(float[] in, int inBase, int width, int r0, int r1, int c0, int c1) {
        for (int h = r1 - 1; h >= r0; h--) {
            for (int w = c1 - 1; w >= c0; w--) {
                float v = in[inBase + h * width + w];
                if (v != v) {
                    return h * width + w;
                }
            }
        }
        throw new IllegalStateException("no NaN in a window whose maximum is NaN");
    }

    /**
     * Window (rows [r0, r1), column ow's clipped columns) by loops: the maximum by {@code Math.max} (an intrinsic
     * that propagates NaN), then the first position that holds it, or the last NaN.
     */
    private static void clipped(Pool2dGeometry g, float[] in, int inBase, int r0, int r1, int ow, float[] max,
                                long[] best, int to) {
        int width = g.width();
        int left = ow * g.strideW() - g.padW();
        int c0 = Math.max(left, 0);
        int c1 = Math.min(left + g.kernelW(), width);
        float m = in[inBase + r0 * width + c0];
        for (int h = r0; h < r1; h++) {
            for (int w = c0; w < c1; w++) {
                m = Math.max(m, in[inBase + h * width + w]);
            }
        }
        max[to] = m;
        if (m != m) {
            best[to] = lastNan(in, inBase, width, r0, r1, c0, c1);
            return;
        }
        for (int h = r0; h < r1; h++) {
            for (int w = c0; w < c1; w++) {
                if (hit(in[inBase + h * width + w], m)) {
                    best[to] = h * width + w;
                    return;
                }
            }
        }
    }

    /** Full 3 x 3 windows of one output row, top row at plane offset {@code row}: selects from the last tap back. */
    private static void full3x3(Pool2dGeometry g, MaxPoolColumns columns, float[] in, int inBase, int row,
                                float[] max, long[] best, int to) {
        int width = g.width();
        int stride = g.strideW();
        for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
            int p0 = row + ow * stride - g.padW();
            int p3 = p0 + width;
            int p6 = p3 + width;
            float v0 = in[inBase + p0];
            float v1 = in[inBase + p0 + 1];
            float v2 = in[inBase + p0 + 2];
            float v3 = in[inBase + p3];
            float v4 = in[inBase + p3 + 1];
            float v5 = in[inBase + p3 + 2];
            float v6 = in[inBase + p6];
            float v7 = in[inBase + p6 + 1];
            float v8 = in[inBase + p6 + 2];
            float m = Math.max(Math.max(Math.max(v0, v1), Math.max(v2, v3)),
                    Math.max(Math.max(v4, v5), Math.max(Math.max(v6, v7), v8)));
            int at = p6 + 2;
            at = hit(v7, m) ? p6 + 1 : at;
            at = hit(v6, m) ? p6 : at;
            at = hit(v5, m) ? p3 + 2 : at;
            at = hit(v4, m) ? p3 + 1 : at;
            at = hit(v3, m) ? p3 : at;
            at = hit(v2, m) ? p0 + 2 : at;
            at = hit(v1, m) ? p0 + 1 : at;
            at = hit(v0, m) ? p0 : at;
            if (m != m) {
                at = lastNan(in, inBase, width, row / width, row / width + 3, p0 - row, p0 - row + 3);
            }
            max[to + ow] = m;
            best[to + ow] = at;
        }
    }

    /** Full 2 x 2 windows of one output row, as {@link #full3x3}. */
    private static void full2x2(Pool2dGeometry g, MaxPoolColumns columns, float[] in, int inBase, int row,
                                float[] max, long[] best, int to) {
        int width = g.width();
        int stride = g.strideW();
        for (int ow = columns.fullFrom(); ow < columns.fullTo(); ow++) {
            int p0 = row + ow * stride - g.padW();
            int p2 = p0 + width;
            float v0 = in[inBase + p0];
            float v1 = in[inBase + p0 + 1];
            float v2 = in[inBase + p2];
            float v3 = in[inBase + p2 + 1];
            float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
            int at = p2 + 1;
            at = hit(v2, m) ? p2 : at;
            at = hit(v1, m) ? p0 + 1 : at;
            at = hit(v0, m) ? p0 : at;
            if (m != m) {
                at = lastNan(in, inBase, width, row / width, row / width + 2, p0 - row, p0 - row + 2);
            }
            max[to + ow] = m;
            best[to + ow] = at;
        }
    }

    /** gradInput = 0, then each gradOut element is added at its recorded index (I32 or I64); any window geometry. */
    void backward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        FloatBuffer go = CpuElementwise.f32(gradOut);
        FloatBuffer gi = CpuElementwise.f32(gradInput);
        int goOffset = CpuElementwise.offset(gradOut);
        int giOffset = CpuElementwise.offset(gradInput);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        int perBlock = Math.max(1, BLOCK / Math.max(inPlane, outPlane));
        parallel.forRange(g.batch() * g.channels(), (long) inPlane + outPlane, (start, end) -> {
            float[] planes = new float[perBlock * inPlane];
            float[] grad = new float[perBlock * outPlane];
            long[] at = new long[perBlock * outPlane];
            for (int first = start; first < end; first += perBlock) {
                int count = Math.min(perBlock, end - first);
                go.get(goOffset + first * outPlane, grad, 0, count * outPlane);
                Data.readIndices(indices, first * outPlane, at, count * outPlane);
                Arrays.fill(planes, 0, count * inPlane, 0f);
                for (int k = 0; k < count; k++) {
                    int inBase = k * inPlane;
                    int outBase = k * outPlane;
                    for (int p = 0; p < outPlane; p++) {
                        planes[inBase + (int) at[outBase + p]] += grad[outBase + p];
                    }
                }
                gi.put(giOffset + first * inPlane, planes, 0, count * inPlane);
            }
        });
    }
}
