package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;

/** Sum, max and argmax over one axis of a tensor viewed as [outer, n, inner]. */
final class CpuReductions {
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

    void argmax(Tensor x, int axis, Tensor out) {
        int outer = (int) x.shape().outer(axis);
        int n = x.dim(axis);
        int inner = (int) x.shape().inner(axis);
        Data xd = Data.of(x);
        Data od = Data.of(out);
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
}
