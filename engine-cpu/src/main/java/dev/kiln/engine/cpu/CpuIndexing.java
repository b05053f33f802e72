package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;

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
