package dev.kiln.engine.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kiln.engine.DType;

/**
 * Row-major {@code C = alpha op(A) op(B) + beta C} through OpenBLAS on storage, split over Kiln's threads.
 * OpenBLAS runs on one thread ({@link CpuBackend} sets it so): a product worth splitting is cut into one block
 * of C's rows per thread (of its columns when it has fewer rows than columns), each block one OpenBLAS call
 * on a {@link Parallel} thread. So the CPU backend has one pool, whose workers stay awake between the ops of a
 * step, instead of OpenBLAS's beside Kiln's. Measured alone, with 20 us of other work between calls (2 cores,
 * AVX-512): 128 x 512 x 784 (W1's first layer) 297 us split against 300 us on OpenBLAS's two threads when
 * nothing else competes, 128 x 10 x 512 4-5 us against 27-50 us. A product with one row or column goes to
 * {@link OpenBlasGemv}, a few rows against a transposed B to {@link SkinnyGemm}.
 */
final class OpenBlasGemm {
    /** Products of fewer multiply-adds than this stay on the calling thread. */
    static final long SPLIT_MIN = 1 << 17;

    private OpenBlasGemm() {
    }

    /** A row-major matrix starting at element {@code offset} of {@code storage}, rows {@code ld} elements apart. */
    record Matrix(CpuStorage storage, long offset, int ld) {
    }

    /** C = alpha op(A) op(B) + beta C with op(A) [m, k], op(B) [k, n], C [m, n]; every size at least 1. */
    static void gemm(Parallel parallel, boolean transA, boolean transB, int m, int n, int k, double alpha,
                     Matrix a, Matrix b, double beta, Matrix c) {
        if (OpenBlasGemv.tryGemm(parallel, transA, transB, m, n, k, alpha, a, b, beta, c)) {
            return;
        }
        if (SkinnyGemm.applies(transA, transB, m, k, c.storage().dtype())) {
            SkinnyGemm.gemm(parallel, m, n, k, alpha, a, b, beta, c);
            return;
        }
        int parts = parallel.threads();
        long multiplyAdds = (long) m * n * k;
        if (multiplyAdds < SPLIT_MIN || Math.max(m, n) < parts) {
            call(transA, transB, m, n, k, alpha, a, b, beta, c);
            return;
        }
        boolean byRows = m >= n;
        int length = byRows ? m : n;
        parallel.forRange(parts, multiplyAdds / parts, (start, end) -> {
            for (int part = start; part < end; part++) {
                int from = (int) ((long) length * part / parts);
                int to = (int) ((long) length * (part + 1) / parts);
                if (byRows) {
                    call(transA, transB, to - from, n, k, alpha, shift(a, from, transA ? 1 : a.ld()), b, beta,
                            shift(c, from, c.ld()));
                } else {
                    call(transA, transB, m, to - from, k, alpha, a, shift(b, from, transB ? b.ld() : 1), beta,
                            shift(c, from, 1));
                }
            }
        });
    }

    /** The matrix {@code index} rows or columns on, each {@code step} elements. */
    static Matrix shift(Matrix x, int index, long step) {
        return new Matrix(x.storage(), x.offset() + index * step, x.ld());
    }

    static void call(boolean transA, boolean transB, int m, int n, int k, double alpha, Matrix a, Matrix b,
                             double beta, Matrix c) {
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        OpenBlasCalls.enter();
        try {
            if (c.storage().dtype() == DType.F32) {
                cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha,
                        a.storage().floatPointer(a.offset()), a.ld(), b.storage().floatPointer(b.offset()), b.ld(),
                        (float) beta, c.storage().floatPointer(c.offset()), c.ld());
            } else {
                cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha,
                        a.storage().doublePointer(a.offset()), a.ld(), b.storage().doublePointer(b.offset()), b.ld(),
                        beta, c.storage().doublePointer(c.offset()), c.ld());
            }
        } finally {
            OpenBlasCalls.leave();
        }
    }
}
