package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;

/** Sum, max and argmax over one axis of a tensor viewed as [outer, n, inner]. */
final class CpuReductions {
    private static final int SEGMENT = 1 << 14;

    private final Parallel parallel;

    CpuReductions(Parallel parallel) {
        this.parallel = parallel;
    }

    void reduce(ReduceOp op, Tensor x, int axis, Tensor out) {
        int outer = (int) x.shape().outer(axis);
        int n = x.dim(axis);
        int inner = (int) x.shape().inner(axis);
        if (op == ReduceOp.SUM && x.dtype() == DType.F32 && inner > 1) {
            sumF32(x, out, outer, n, inner);
            return;
        }
        if (op == ReduceOp.SUM && x.dtype() == DType.F32) {
            sumRunsF32(x, out, outer, n);
            return;
        }
        Data xd = Data.of(x);
        Data od = Data.of(out);
        boolean max = op == ReduceOp.MAX;
        parallel.forRange(outer * inner, n, (s, e) -> {
            for (int q = s; q < e; q++) {
                int o = q / inner;
                int i = q % inner;
                int base = o * n * inner + i;
                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                for (int k = 0; k < n; k++) {
                    double v = xd.get(base + k * inner);
                    acc = max ? (v > acc || Double.isNaN(v) ? v : acc) : acc + v;
                }
                od.set(q, acc);
            }
        });
    }

    /** Sums rows into a row: the bias-gradient shape of every dense layer, kept cache-friendly. */
    private void sumF32(Tensor x, Tensor out, int outer, int n, int inner) {
        FloatBuffer xs = CpuElementwise.f32(x);
        FloatBuffer os = CpuElementwise.f32(out);
        int xo = CpuElementwise.offset(x);
        int oo = CpuElementwise.offset(out);
        parallel.forRange(inner, (long) outer * n, (s, e) -> {
            float[][] t = Chunks.scratch();
            float[] sum = t[0];
            float[] row = t[1];
            for (int o = 0; o < outer; o++) {
                int base = xo + o * n * inner;
                for (int c = s; c < e; c += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, e - c);
                    java.util.Arrays.fill(sum, 0, len, 0f);
                    for (int k = 0; k < n; k++) {
                        xs.get(base + k * inner + c, row, 0, len);
                        for (int i = 0; i < len; i++) {
                            sum[i] += row[i];
                        }
                    }
                    os.put(oo + o * inner + c, sum, 0, len);
                }
            }
        });
    }

    /**
     * Sums each of {@code outer} runs of n contiguous F32 values (a loss's sum, a row's sum), in double. A run is
     * summed in segments of {@value #SEGMENT} values, in parallel when there are few runs, and the segments' sums
     * are added in order, so the result does not depend on the thread count; within a segment, four running sums
     * let the additions overlap (one chain of dependent additions ran at 3.5 ns a value).
     */
    private void sumRunsF32(Tensor x, Tensor out, int outer, int n) {
        FloatBuffer xs = CpuElementwise.f32(x);
        int xo = CpuElementwise.offset(x);
        int segments = (n + SEGMENT - 1) / SEGMENT;
        double[] partial = new double[outer * segments];
        parallel.forRange(outer * segments, Math.min(n, SEGMENT), (s, e) -> {
            float[] v = Chunks.scratch()[0];
            for (int q = s; q < e; q++) {
                int start = q % segments * SEGMENT;
                partial[q] = runSum(xs, xo + (long) q / segments * n + start, Math.min(SEGMENT, n - start), v);
            }
        });
        Data od = Data.of(out);
        for (int o = 0; o < outer; o++) {
            double sum = 0;
            for (int k = 0; k < segments; k++) {
                sum += partial[o * segments + k];
            }
            od.set(o, sum);
        }
    }

    /** The sum of {@code len} F32 values from {@code from}, read through the scratch chunk {@code v}. */
    private static double runSum(FloatBuffer xs, long from, int len, float[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int c = 0; c < len; c += Chunks.SIZE) {
            int m = Math.min(Chunks.SIZE, len - c);
            xs.get(Math.toIntExact(from + c), v, 0, m);
            int i = 0;
            for (; i + 3 < m; i += 4) {
                s0 += v[i];
                s1 += v[i + 1];
                s2 += v[i + 2];
                s3 += v[i + 3];
            }
            for (; i < m; i++) {
                s0 += v[i];
            }
        }
        return (s0 + s1) + (s2 + s3);
    }

    void argmax(Tensor x, int axis, Tensor out) {
        int outer = (int) x.shape().outer(axis);
        int n = x.dim(axis);
        int inner = (int) x.shape().inner(axis);
        Data xd = Data.of(x);
        Data od = Data.of(out);
        if (!x.dtype().isFloating()) {
            integerArgmax(xd, od, outer, n, inner);
            return;
        }
        parallel.forRange(outer * inner, n, (s, e) -> {
            for (int q = s; q < e; q++) {
                int base = (q / inner) * n * inner + q % inner;
                int best = 0;
                double bestValue = xd.get(base);
                for (int k = 1; k < n; k++) {
                    double v = xd.get(base + k * inner);
                    if (v > bestValue || (Double.isNaN(v) && !Double.isNaN(bestValue))) {
                        bestValue = v;
                        best = k;
                    }
                }
                od.set(q, best);
            }
        });
    }

    /** argmax of integers compared as longs: through doubles, I64 values beyond 2^53 would tie. */
    private void integerArgmax(Data xd, Data od, int outer, int n, int inner) {
        parallel.forRange(outer * inner, n, (s, e) -> {
            for (int q = s; q < e; q++) {
                int base = (q / inner) * n * inner + q % inner;
                int best = 0;
                long bestValue = xd.getLong(base);
                for (int k = 1; k < n; k++) {
                    long v = xd.getLong(base + k * inner);
                    if (v > bestValue) {
                        bestValue = v;
                        best = k;
                    }
                }
                od.set(q, best);
            }
        });
    }
}
