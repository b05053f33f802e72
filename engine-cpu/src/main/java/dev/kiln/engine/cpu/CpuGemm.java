package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;

/** GEMM through OpenBLAS on the tensors' off-heap memory: no copy on the way in or out. */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(Parallel parallel, boolean transA, boolean transB, int m, int n, int k, double alpha,
                     Tensor a, long offsetA, Tensor b, long offsetB, double beta, Tensor c, long offsetC) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(c, offsetC, (long) m * n, beta);
            return;
        }
        OpenBlasGemm.gemm(parallel, transA, transB, m, n, k, alpha,
                new OpenBlasGemm.Matrix((CpuStorage) a.storage(), a.offset() + offsetA, transA ? m : k),
                new OpenBlasGemm.Matrix((CpuStorage) b.storage(), b.offset() + offsetB, transB ? k : n), beta,
                new OpenBlasGemm.Matrix((CpuStorage) c.storage(), c.offset() + offsetC, n));
    }

    /** C = beta C, the whole product when the inner dimension is empty. */
    private static void scale(Tensor c, long offset, long count, double beta) {
        Data d = Data.of(c);
        for (int i = (int) offset; i < offset + count; i++) {
            d.set(i, beta == 0 ? 0 : beta * d.get(i));
        }
    }
}
