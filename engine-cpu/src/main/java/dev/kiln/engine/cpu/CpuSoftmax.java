package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;

/**
 * Softmax, log-softmax and the fused softmax cross-entropy over the last axis, stable for large inputs. In F32 they run
 * in float over blocks of rows copied into arrays, as PyTorch's vectorised kernels: exp(x - max) by {@link FloatExp},
 * sums in double, each row's steps by {@link SoftmaxRows}; rows longer than {@link Chunks#SIZE} values a piece at a
 * time ({@link SoftmaxLongRowsF32}, {@link CrossEntropyF32}). F64, per value in double.
 */
final class CpuSoftmax {
    /** The F32 path's arrays: a block of whole rows, and its shifted copy or the gradient's rows. */
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(2);
    /** The row steps of the F32 blocks: on the Vector API where {@link VectorPath} has it on. */
    private static final SoftmaxRows ROWS = VectorPath.softmaxRows();

    private final Parallel parallel;
    private final SoftmaxLongRowsF32 longRows;
    private final CrossEntropyF32 crossEntropyF32;

    CpuSoftmax(Parallel parallel) {
        this.parallel = parallel;
        this.longRows = new SoftmaxLongRowsF32(parallel);
        this.crossEntropyF32 = new CrossEntropyF32(parallel);
    }

    void softmax(Tensor x, boolean log, Tensor out) {
        int c = x.dim(-1);
        int rows = c == 0 ? 0 : (int) (x.size() / c);
        if (x.dtype() == DType.F32 && c > 0) {
            if (c <= Chunks.SIZE) {
                softmaxRowBlocksF32(x, log, out, rows, c);
            } else {
                longRows.softmax(CpuElementwise.f32(x), CpuElementwise.offset(x), log, CpuElementwise.f32(out),
                        CpuElementwise.offset(out), rows, c);
            }
            return;
        }
        Data xd = Data.of(x);
        Data od = Data.of(out);
        parallel.forRange(rows, c * 4L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int base = r * c;
                double logSum = logSumExp(xd, base, c);
                for (int j = 0; j < c; j++) {
                    double logP = xd.get(base + j) - logSum;
                    od.set(base + j, log ? logP : Math.exp(logP));
                }
            }
        });
    }

    /**
     * The log of the row's sum of exponentials, for softmax and cross-entropy: -inf for a row all -inf (whose outputs
     * x - logSum are then NaN), NaN for a row holding +inf (exp(inf - inf) is NaN) or NaN, so that such a row is NaN
     * throughout, as PyTorch's.
     */
    private static double logSumExp(Data d, int base, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, d.get(base + j));
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(d.get(base + j) - max);
        }
        return max + Math.log(sum);
    }

    /**
     * F32 softmax of rows of {@code c} values, at most {@link Chunks#SIZE}: as many whole rows at a time as an array
     * holds. Each row: x - max (NaN throughout for a row holding NaN or +inf, or all -inf), exp, then divided by the
     * exps' sum, or, for log-softmax, x - max - log(sum).
     */
    private void softmaxRowBlocksF32(Tensor x, boolean log, Tensor out, int rows, int c) {
        FloatBuffer xs = CpuElementwise.f32(x);
        FloatBuffer os = CpuElementwise.f32(out);
        int xo = CpuElementwise.offset(x);
        int oo = CpuElementwise.offset(out);
        int rowsPerBlock = Chunks.SIZE / c;
        parallel.forRange(rows, c * 4L, (s, e) -> {
            float[][] w = WORK.get();
            float[] v = w[0];
            float[] shifted = w[1];
            for (int first = s; first < e; first += rowsPerBlock) {
                int n = Math.min(rowsPerBlock, e - first) * c;
                xs.get(xo + first * c, v, 0, n);
                ROWS.subtractMaxima(v, n, c);
                if (log) {
                    System.arraycopy(v, 0, shifted, 0, n);
                }
                FloatExp.expBlock(v, n);
                if (log) {
                    ROWS.subtractLogSums(v, shifted, n, c);
                } else {
                    ROWS.divideBySums(v, n, c);
                }
                os.put(oo + first * c, log ? shifted : v, 0, n);
            }
        });
    }

    void softmaxBackward(Tensor y, Tensor gy, boolean log, Tensor gx) {
        int c = y.dim(-1);
        int rows = c == 0 ? 0 : (int) (y.size() / c);
        if (y.dtype() == DType.F32 && c > 0) {
            if (c <= Chunks.SIZE) {
                softmaxBackwardRowBlocksF32(y, gy, log, gx, rows, c);
            } else {
                longRows.softmaxBackward(CpuElementwise.f32(y), CpuElementwise.offset(y), CpuElementwise.f32(gy),
                        CpuElementwise.offset(gy), log, CpuElementwise.f32(gx), CpuElementwise.offset(gx), rows, c);
            }
            return;
        }
        Data yd = Data.of(y);
        Data gyd = Data.of(gy);
        Data gxd = Data.of(gx);
        parallel.forRange(rows, c * 4L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int base = r * c;
                if (log) {
                    // d logsoftmax: g - softmax * sum(g)
                    double sum = 0;
                    for (int j = 0; j < c; j++) {
                        sum += gyd.get(base + j);
                    }
                    for (int j = 0; j < c; j++) {
                        gxd.set(base + j, gyd.get(base + j) - Math.exp(yd.get(base + j)) * sum);
                    }
                } else {
                    // d softmax: y * (g - sum(g * y))
                    double dot = 0;
                    for (int j = 0; j < c; j++) {
                        dot += gyd.get(base + j) * yd.get(base + j);
                    }
                    for (int j = 0; j < c; j++) {
                        gxd.set(base + j, yd.get(base + j) * (gyd.get(base + j) - dot));
                    }
                }
            }
        });
    }

    /**
     * F32 softmax backward by blocks of whole rows: softmax's gx = y (g - sum(g y)), log-softmax's g - exp(y) sum(g),
     * the row's sum in double.
     */
    private void softmaxBackwardRowBlocksF32(Tensor y, Tensor gy, boolean log, Tensor gx, int rows, int c) {
        FloatBuffer ys = CpuElementwise.f32(y);
        FloatBuffer gys = CpuElementwise.f32(gy);
        FloatBuffer gxs = CpuElementwise.f32(gx);
        int yo = CpuElementwise.offset(y);
        int gyo = CpuElementwise.offset(gy);
        int gxo = CpuElementwise.offset(gx);
        int rowsPerBlock = Chunks.SIZE / c;
        parallel.forRange(rows, c * 4L, (s, e) -> {
            float[][] w = WORK.get();
            float[] yv = w[0];
            float[] g = w[1];
            for (int first = s; first < e; first += rowsPerBlock) {
                int n = Math.min(rowsPerBlock, e - first) * c;
                ys.get(yo + first * c, yv, 0, n);
                gys.get(gyo + first * c, g, 0, n);
                if (log) {
                    FloatExp.expBlock(yv, n);
                    ROWS.logSoftmaxGradient(yv, g, n, c);
                } else {
                    ROWS.softmaxGradient(yv, g, n, c);
                }
                gxs.put(gxo + first * c, g, 0, n);
            }
        });
    }

    void crossEntropy(Tensor logits, Tensor targets, Tensor losses, Tensor probs) {
        int c = logits.dim(1);
        int rows = logits.dim(0);
        if (logits.dtype() == DType.F32 && c > 0) {
            crossEntropyF32.crossEntropy(CpuElementwise.f32(logits), CpuElementwise.offset(logits),
                    Data.indices(targets), CpuElementwise.f32(losses), CpuElementwise.offset(losses),
                    CpuElementwise.f32(probs), CpuElementwise.offset(probs), rows, c);
            return;
        }
        Data xd = Data.of(logits);
        Data pd = Data.of(probs);
        Data ld = Data.of(losses);
        long[] t = Data.indices(targets);
        parallel.forRange(rows, c * 4L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int base = r * c;
                double logSum = logSumExp(xd, base, c);
                for (int j = 0; j < c; j++) {
                    pd.set(base + j, Math.exp(xd.get(base + j) - logSum));
                }
                ld.set(r, logSum - xd.get(base + (int) t[r]));
            }
        });
    }

    /** The scaled gradient rounded as {@link CpuElementwise#affine} rounds it (in F32 a float product). */
    void crossEntropyBackward(Tensor probs, Tensor targets, Tensor gradLosses, double scale, Tensor gradLogits) {
        boolean f32 = gradLosses.dtype() == DType.F32;
        int c = probs.dim(1);
        int rows = probs.dim(0);
        int gradStride = gradLosses.size() == 1 ? 0 : 1;
        if (f32 && probs.dtype() == DType.F32 && gradLogits.dtype() == DType.F32 && c > 0) {
            crossEntropyF32.backward(CpuElementwise.f32(probs), CpuElementwise.offset(probs), Data.indices(targets),
                    CpuElementwise.f32(gradLosses), CpuElementwise.offset(gradLosses), gradStride, scale,
                    CpuElementwise.f32(gradLogits), CpuElementwise.offset(gradLogits), rows, c);
            return;
        }
        Data pd = Data.of(probs);
        Data gd = Data.of(gradLosses);
        Data od = Data.of(gradLogits);
        long[] t = Data.indices(targets);
        parallel.forRange(rows, c * 2L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int base = r * c;
                double g = f32 ? (float) (gd.get(r * gradStride) * (float) scale) : gd.get(r * gradStride) * scale;
                for (int j = 0; j < c; j++) {
                    double onehot = j == t[r] ? 1 : 0;
                    od.set(base + j, (pd.get(base + j) - onehot) * g);
                }
            }
        });
    }
}
