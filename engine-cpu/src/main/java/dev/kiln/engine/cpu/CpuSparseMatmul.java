package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;

/**
 * {@link dev.kiln.engine.Backend#sparseMatmulAdd} in F32 as compressed sparse rows: the entries are grouped by output
 * row (a counting sort that keeps their order), then each output row is summed in a float[] from the dense rows its
 * entries name and written once, rows split over the threads without conflicts. The SPI's composite gathers, scales
 * and scatters an [nnz, k] temporary through single-threaded index adds: on a 10,000 x 10,000 matrix of 100,000
 * entries times [10,000, 64] on 2 threads it took 15.3 ms per product, this 4.7 ms (bench/SparseMmBench.java).
 * A matrix already in compressed rows ({@link dev.kiln.engine.Backend#sparseCsrMatmulAdd}) skips the sort.
 */
final class CpuSparseMatmul {
    private final Parallel parallel;

    CpuSparseMatmul(Parallel parallel) {
        this.parallel = parallel;
    }

    void addF32(Tensor rows, Tensor cols, Tensor values, Tensor dense, Tensor out) {
        long[] rowOf = Data.indices(rows);
        int[] start = new int[out.dim(0) + 1];
        int[] order = byRow(rowOf, out.dim(0), start);
        accumulate(start, order, Data.indices(cols), values, dense, out);
    }

    /** The same product of a matrix already in compressed rows: no sort, the entries read in their order. */
    void addCsrF32(Tensor crowIndices, Tensor cols, Tensor values, Tensor dense, Tensor out) {
        long[] crow = Data.indices(crowIndices);
        int[] start = new int[crow.length];
        for (int i = 0; i < crow.length; i++) {
            start[i] = (int) crow[i];
        }
        accumulate(start, null, Data.indices(cols), values, dense, out);
    }

    /**
     * Row i of out gains the entries {@code order[start[i]]} to {@code order[start[i + 1] - 1]} (p itself for a null
     * order), each summed in a float[] and written once.
     */
    private void accumulate(int[] start, int[] order, long[] colOf, Tensor values, Tensor dense, Tensor out) {
        int nnz = colOf.length;
        int n = out.dim(0);
        int k = out.dim(1);
        float[] v = new float[nnz];
        CpuElementwise.f32(values).get(CpuElementwise.offset(values), v, 0, nnz);
        FloatBuffer d = CpuElementwise.f32(dense);
        FloatBuffer o = CpuElementwise.f32(out);
        int dBase = CpuElementwise.offset(dense);
        int oBase = CpuElementwise.offset(out);
        parallel.forRange(n, (long) k * Math.max(1, nnz / Math.max(1, n)), (s, e) -> {
            float[] sum = new float[k];
            float[] row = new float[k];
            for (int i = s; i < e; i++) {
                if (start[i] == start[i + 1]) {
                    continue;
                }
                o.get(oBase + i * k, sum, 0, k);
                for (int p = start[i]; p < start[i + 1]; p++) {
                    int j = order == null ? p : order[p];
                    d.get(dBase + (int) colOf[j] * k, row, 0, k);
                    float w = v[j];
                    for (int q = 0; q < k; q++) {
                        sum[q] += w * row[q];
                    }
                }
                o.put(oBase + i * k, sum, 0, k);
            }
        });
    }

    /**
     * The entries ordered by row, those of one row in their own order; {@code start[i]} (n + 1 of them) is where row
     * i's begin.
     */
    private static int[] byRow(long[] rowOf, int n, int[] start) {
        for (long r : rowOf) {
            start[(int) r + 1]++;
        }
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] next = start.clone();
        int[] order = new int[rowOf.length];
        for (int j = 0; j < rowOf.length; j++) {
            order[next[(int) rowOf[j]]++] = j;
        }
        return order;
    }
}
