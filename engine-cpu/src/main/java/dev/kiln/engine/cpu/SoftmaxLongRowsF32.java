package dev.kiln.engine.cpu;

import java.nio.FloatBuffer;

/**
 * F32 softmax and log-softmax, forward and backward, of rows longer than {@link Chunks#SIZE} values (a language
 * model's vocabulary): each row in pieces of at most that many values, as {@link CpuSoftmax}'s blocks of short rows
 * compute them (exp(x - max) by {@link FloatExp}, sums in double), one pass for the row's maximum and one for its sum
 * of exponentials, then the outputs; the rows over the threads.
 */
final class SoftmaxLongRowsF32 {
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(2);

    private final Parallel parallel;

    SoftmaxLongRowsF32(Parallel parallel) {
        this.parallel = parallel;
    }

    /** {@code out = softmax(x)} or log-softmax over rows of {@code c} values, F32 tensors at their offsets. */
    void softmax(FloatBuffer xs, int xo, boolean log, FloatBuffer os, int oo, int rows, int c) {
        parallel.forRange(rows, c * 4L, (s, e) -> {
            float[] v = WORK.get()[0];
            for (int r = s; r < e; r++) {
                int x = xo + r * c;
                int o = oo + r * c;
                float max = SoftmaxPieces.max(xs, x, c, v);
                double sum = SoftmaxPieces.expSum(xs, x, c, max, log ? null : os, o, v);
                if (log) {
                    writeShifted(xs, x, os, o, c, max, (float) Math.log(sum), v);
                } else {
                    SoftmaxPieces.divideInPlace(os, o, c, (float) sum, v);
                }
            }
        });
    }

    /**
     * The gradient of {@link #softmax}: softmax's gx = y (g - sum(g y)), log-softmax's g - exp(y) sum(g), the row's
     * sum in double.
     */
    void softmaxBackward(FloatBuffer ys, int yo, FloatBuffer gys, int gyo, boolean log, FloatBuffer gxs, int gxo,
                         int rows, int c) {
        parallel.forRange(rows, c * 4L, (s, e) -> {
            float[][] w = WORK.get();
            float[] yv = w[0];
            float[] g = w[1];
            for (int r = s; r < e; r++) {
                int y = yo + r * c;
                int gy = gyo + r * c;
                int gx = gxo + r * c;
                double total = 0;
                for (int j = 0; j < c; j += Chunks.SIZE) {
                    int n = Math.min(Chunks.SIZE, c - j);
                    gys.get(gy + j, g, 0, n);
                    if (log) {
                        total += RunningSums.sum(g, 0, n);
                    } else {
                        ys.get(y + j, yv, 0, n);
                        total += RunningSums.dot(yv, g, 0, n);
                    }
                }
                float rowTotal = (float) total;
                for (int j = 0; j < c; j += Chunks.SIZE) {
                    int n = Math.min(Chunks.SIZE, c - j);
                    ys.get(y + j, yv, 0, n);
                    gys.get(gy + j, g, 0, n);
                    if (log) {
                        FloatExp.expBlock(yv, n);
                        for (int i = 0; i < n; i++) {
                            g[i] -= yv[i] * rowTotal;
                        }
                    } else {
                        for (int i = 0; i < n; i++) {
                            g[i] = yv[i] * (g[i] - rowTotal);
                        }
                    }
                    gxs.put(gx + j, g, 0, n);
                }
            }
        });
    }

    /** os[o, o + c) = xs[x, x + c) - max - logSum, each subtraction in float as the short rows' path. */
    private static void writeShifted(FloatBuffer xs, int x, FloatBuffer os, int o, int c, float max, float logSum,
                                     float[] v) {
        for (int j = 0; j < c; j += Chunks.SIZE) {
            int n = Math.min(Chunks.SIZE, c - j);
            xs.get(x + j, v, 0, n);
            SoftmaxPieces.subtract(v, 0, n, max);
            SoftmaxPieces.subtract(v, 0, n, logSum);
            os.put(o + j, v, 0, n);
        }
    }
}
