package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/** Softmax, log-softmax and the fused softmax cross-entropy over the last axis, stable for large inputs. */
final class CpuSoftmax {
    private final Parallel parallel;

    CpuSoftmax(Parallel parallel) {
        this.parallel = parallel;
    }

    void softmax(Tensor x, boolean log, Tensor out) {
        int c = x.dim(-1);
        int rows = c == 0 ? 0 : (int) (x.size() / c);
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

    void softmaxBackward(Tensor y, Tensor gy, boolean log, Tensor gx) {
        int c = y.dim(-1);
        int rows = c == 0 ? 0 : (int) (y.size() / c);
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

    void crossEntropy(Tensor logits, Tensor targets, Tensor losses, Tensor probs) {
        int c = logits.dim(1);
        int rows = logits.dim(0);
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
        Data pd = Data.of(probs);
        Data gd = Data.of(gradLosses);
        Data od = Data.of(gradLogits);
        long[] t = Data.indices(targets);
        int gradStride = gradLosses.size() == 1 ? 0 : 1;
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
