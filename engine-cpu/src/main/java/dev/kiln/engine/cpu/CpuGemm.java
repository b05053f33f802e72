package dev.kiln.engine.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/** GEMM through OpenBLAS on the tensors' off-heap memory: no copy on the way in or out. */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     Tensor a, long offsetA, Tensor b, long offsetB, double beta, Tensor c, long offsetC) {
        if (m == 0 || n == 0) {
            return;
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        CpuStorage sa = (CpuStorage) a.storage();
        CpuStorage sb = (CpuStorage) b.storage();
        CpuStorage sc = (CpuStorage) c.storage();
        if (k == 0) {
            scale(c, offsetC, (long) m * n, beta);
            return;
        }
        OpenBlasCalls.enter();
        try {
            if (c.dtype() == DType.F32) {
                cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha,
                        sa.floatPointer(a.offset() + offsetA), Math.max(1, lda),
                        sb.floatPointer(b.offset() + offsetB), Math.max(1, ldb), (float) beta,
                        sc.floatPointer(c.offset() + offsetC), Math.max(1, n));
            } else {
                cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha,
                        sa.doublePointer(a.offset() + offsetA), Math.max(1, lda),
                        sb.doublePointer(b.offset() + offsetB), Math.max(1, ldb), beta,
                        sc.doublePointer(c.offset() + offsetC), Math.max(1, n));
            }
        } finally {
            OpenBlasCalls.leave();
        }
    }

    /** C = beta C, the whole product when the inner dimension is empty. */
    private static void scale(Tensor c, long offset, long count, double beta) {
        Data d = Data.of(c);
        for (int i = (int) offset; i < offset + count; i++) {
            d.set(i, beta == 0 ? 0 : beta * d.get(i));
        }
    }
}
