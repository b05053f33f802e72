package dev.kiln.engine.cpu;

import java.nio.FloatBuffer;

/**
 * The fused softmax cross-entropy of F32 logits in float, as {@link CpuSoftmax}'s F32 softmax: exp(x - max) by
 * {@link FloatExp} over blocks of whole rows (rows longer than {@link Chunks#SIZE} a piece at a time), sums in double.
 * The loss is log(sum) + max - x[target] in double from the floats, the probabilities exp(x - max) / sum in float.
 */
final class CrossEntropyF32 {
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(3);

    private final Parallel parallel;

    CrossEntropyF32(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * losses[r] = -log softmax(logits[r])[targets[r]] and probs = softmax(logits), for logits, probs [rows, c] and
     * losses [rows], F32 at their offsets; targets already checked to lie in [0, c).
     */
    void crossEntropy(FloatBuffer xs, int xo, long[] targets, FloatBuffer ls, int lo, FloatBuffer ps, int po, int rows,
                      int c) {
        if (c <= Chunks.SIZE) {
            rowBlocks(xs, xo, targets, ls, lo, ps, po, rows, c);
        } else {
            longRows(xs, xo, targets, ls, lo, ps, po, rows, c);
        }
    }

    private void rowBlocks(FloatBuffer xs, int xo, long[] targets, FloatBuffer ls, int lo, FloatBuffer ps, int po,
                           int rows, int c) {
        int rowsPerBlock = Chunks.SIZE / c;
        parallel.forRange(rows, c * 4L, (s, e) -> {
            float[][] w = WORK.get();
            float[] v = w[0];
            float[] max = w[1];
            float[] target = w[2];
            for (int first = s; first < e; first += rowsPerBlock) {
                int count = Math.min(rowsPerBlock, e - first);
                int n = count * c;
                xs.get(xo + first * c, v, 0, n);
                for (int i = 0; i < count; i++) {
                    int base = i * c;
                    target[i] = v[base + (int) targets[first + i]];
                    max[i] = SoftmaxPieces.subtractMax(v, base, c);
                }
                FloatExp.expBlock(v, n);
                for (int i = 0; i < count; i++) {
                    int base = i * c;
                    double sum = RunningSums.sum(v, base, c);
                    ls.put(lo + first + i, loss(sum, max[i], target[i]));
                    SoftmaxPieces.divide(v, base, c, (float) sum);
                }
                ps.put(po + first * c, v, 0, n);
            }
        });
    }

    private void longRows(FloatBuffer xs, int xo, long[] targets, FloatBuffer ls, int lo, FloatBuffer ps, int po,
                          int rows, int c) {
        parallel.forRange(rows, c * 4L, (s, e) -> {
            float[] v = WORK.get()[0];
            for (int r = s; r < e; r++) {
                int x = xo + r * c;
                int p = po + r * c;
                float max = SoftmaxPieces.max(xs, x, c, v);
                double sum = SoftmaxPieces.expSum(xs, x, c, max, ps, p, v);
                ls.put(lo + r, loss(sum, max, xs.get(x + (int) targets[r])));
                SoftmaxPieces.divideInPlace(ps, p, c, (float) sum, v);
            }
        });
    }

    /**
     * gradLogits = (probs - onehot(targets)) g, g the row's (or the one shared) loss gradient times {@code scale},
     * rounded to float first as {@link CpuElementwise#affine} rounds it; each product in double, as the double path.
     *
     * @param gradStride 1 for a gradient per row, 0 for one gradient for every row
     */
    void backward(FloatBuffer ps, int po, long[] targets, FloatBuffer gs, int go, int gradStride, double scale,
                  FloatBuffer os, int oo, int rows, int c) {
        float factor = (float) scale;
        parallel.forRange(rows, c * 2L, (s, e) -> {
            float[] v = WORK.get()[0];
            for (int r = s; r < e; r++) {
                double g = (float) (gs.get(go + r * gradStride) * factor);
                int target = (int) targets[r];
                for (int j = 0; j < c; j += Chunks.SIZE) {
                    int n = Math.min(Chunks.SIZE, c - j);
                    ps.get(po + r * c + j, v, 0, n);
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) (v[i] * g);
                    }
                    if (target >= j && target < j + n) {
                        v[target - j] = (float) ((ps.get(po + r * c + target) - 1.0) * g);
                    }
                    os.put(oo + r * c + j, v, 0, n);
                }
            }
        });
    }

    /**
     * log(sum) + max - target in double: NaN for a row holding NaN or +inf (max - max is NaN there), +inf for a target
     * of -inf beside finite values, as the double path's.
     */
    private static float loss(double sum, float max, float target) {
        if (max == Float.NEGATIVE_INFINITY) {
            return Float.NaN;
        }
        return (float) (Math.log(sum) + max - target);
    }
}
