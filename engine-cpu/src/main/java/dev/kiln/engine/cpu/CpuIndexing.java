package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Index selection, gather and their scatter-add mirrors, with tensors viewed as [outer, n, inner]
 * around the indexed axis. Additions parallelise over the outer dimension only, where no two threads
 * can add to the same element.
 */
final class CpuIndexing {
    private final Parallel parallel;

    CpuIndexing(Parallel parallel) {
        this.parallel = parallel;
    }

    void indexSelect(Tensor src, int axis, Tensor index, Tensor out) {
        StridedCopy.select((CpuStorage) src.storage(), CpuElementwise.offset(src), (int) src.shape().outer(axis),
                src.dim(axis), (int) src.shape().inner(axis), Data.indices(index), (CpuStorage) out.storage(),
                CpuElementwise.offset(out), parallel);
    }

    void indexAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        int outer = (int) dst.shape().outer(axis);
        int n = dst.dim(axis);
        int inner = (int) dst.shape().inner(axis);
        long[] idx = Data.indices(index);
        int m = idx.length;
        Data dd = Data.of(dst);
        Data sd = Data.of(src);
        if (inner == 1) {
            addAlongLastAxis(outer, n, idx, sd, dd);
            return;
        }
        boolean floating = dst.dtype() == DType.F32 || dst.dtype() == DType.F64;
        if (floating && src.dtype() == dst.dtype()) {
            addRows(outer, n, inner, idx, dst, src);
            return;
        }
        parallel.forRange(outer, (long) m * inner, (s, e) -> {
            for (int o = s; o < e; o++) {
                for (int j = 0; j < m; j++) {
                    int to = (o * n + (int) idx[j]) * inner;
                    int from = (o * m + j) * inner;
                    for (int i = 0; i < inner; i++) {
                        dd.set(to + i, dd.get(to + i) + sd.get(from + i));
                    }
                }
            }
        });
    }

    /**
     * indexAdd along the last axis (fold, and unfold's gradient), a row at a time: the general loop's division and
     * inner loop for every element made unfold 4 to 8 times slower.
     */
    private void addAlongLastAxis(int outer, int n, long[] idx, Data sd, Data dd) {
        int m = idx.length;
        parallel.forRange(outer, m, (s, e) -> {
            for (int o = s; o < e; o++) {
                int to = o * n;
                int from = o * m;
                for (int j = 0; j < m; j++) {
                    int t = to + (int) idx[j];
                    dd.set(t, dd.get(t) + sd.get(from + j));
                }
            }
        });
    }

    /**
     * Floating indexAdd of rows longer than one element (an embedding's sparse gradient into its table): each row
     * is read, added to in the dtype and written back in bulk, where the general loop reads and writes element by
     * element through Data's doubles. Duplicate indices add in the same order, and a float sum rounded through a
     * double equals the float sum, so the bits are the general loop's.
     */
    private void addRows(int outer, int n, int inner, long[] idx, Tensor dst, Tensor src) {
        int m = idx.length;
        CpuStorage ds = (CpuStorage) dst.storage();
        CpuStorage ss = (CpuStorage) src.storage();
        int dstBase = CpuElementwise.offset(dst);
        int srcBase = CpuElementwise.offset(src);
        boolean f32 = dst.dtype() == DType.F32;
        parallel.forRange(outer, (long) m * inner, (s, e) -> {
            for (int o = s; o < e; o++) {
                int to = dstBase + o * n * inner;
                int from = srcBase + o * m * inner;
                if (f32) {
                    addFloatRows(ds.f32, to, ss.f32, from, idx, inner);
                } else {
                    addDoubleRows(ds.f64, to, ss.f64, from, idx, inner);
                }
            }
        });
    }

    /** dst[to + idx[j] * inner + i] += src[from + j * inner + i], j in order. */
    private static void addFloatRows(FloatBuffer dst, int to, FloatBuffer src, int from, long[] idx, int inner) {
        float[] row = new float[inner];
        float[] add = new float[inner];
        for (int j = 0; j < idx.length; j++) {
            int at = to + (int) idx[j] * inner;
            dst.get(at, row, 0, inner);
            src.get(from + j * inner, add, 0, inner);
            for (int i = 0; i < inner; i++) {
                row[i] += add[i];
            }
            dst.put(at, row, 0, inner);
        }
    }

    /** As {@link #addFloatRows} for F64. */
    private static void addDoubleRows(DoubleBuffer dst, int to, DoubleBuffer src, int from, long[] idx, int inner) {
        double[] row = new double[inner];
        double[] add = new double[inner];
        for (int j = 0; j < idx.length; j++) {
            int at = to + (int) idx[j] * inner;
            dst.get(at, row, 0, inner);
            src.get(from + j * inner, add, 0, inner);
            for (int i = 0; i < inner; i++) {
                row[i] += add[i];
            }
            dst.put(at, row, 0, inner);
        }
    }

    void gather(Tensor src, int axis, Tensor index, Tensor out) {
        int n = src.dim(axis);
        int inner = (int) src.shape().inner(axis);
        int m = index.dim(axis);
        long[] idx = Data.indices(index);
        Data sd = Data.of(src);
        Data od = Data.of(out);
        // Integers are copied as longs: through doubles, I64 values beyond 2^53 would round.
        boolean floating = src.dtype().isFloating();
        parallel.forRange(idx.length, 2, (s, e) -> {
            for (int q = s; q < e; q++) {
                int o = q / (m * inner);
                int at = (o * n + (int) idx[q]) * inner + q % inner;
                if (floating) {
                    od.set(q, sd.get(at));
                } else {
                    od.setLong(q, sd.getLong(at));
                }
            }
        });
    }

    void scatterAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        int outer = (int) dst.shape().outer(axis);
        int n = dst.dim(axis);
        int inner = (int) dst.shape().inner(axis);
        int m = index.dim(axis);
        long[] idx = Data.indices(index);
        Data dd = Data.of(dst);
        Data sd = Data.of(src);
        int perOuter = m * inner;
        // Integers add as longs (wrapping as PyTorch's): through doubles, I64 sums beyond 2^53 would round.
        boolean floating = dst.dtype().isFloating();
        parallel.forRange(outer, perOuter, (s, e) -> {
            for (int o = s; o < e; o++) {
                for (int q = o * perOuter; q < (o + 1) * perOuter; q++) {
                    int to = (o * n + (int) idx[q]) * inner + q % inner;
                    if (floating) {
                        dd.set(to, dd.get(to) + sd.get(q));
                    } else {
                        dd.setLong(to, dd.getLong(to) + sd.getLong(q));
                    }
                }
            }
        });
    }
}
