package dev.kiln.engine.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemv;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import dev.kiln.engine.DType;

/**
 * A GEMM with one row of A or one column of B, as OpenBLAS's matrix-vector product, split over Kiln's threads by
 * output elements. OpenBLAS 0.3.31 sends such a GEMM through its blocked path, which copies the whole matrix into
 * packed panels first: one row through a [4096, 4096] weight took 17 ms on one thread there, and 3.7 ms as
 * {@code sgemv} (2.5 ms split over two threads; helper, 2026-12-06, 2 cores, AVX-512): the matrix is read once, in
 * place.
 */
final class OpenBlasGemv {
    private OpenBlasGemv() {
    }

    /** A vector starting at element {@code offset} of {@code storage}, its elements {@code inc} apart. */
    private record Vector(CpuStorage storage, long offset, int inc) {
    }

    /** The product, when m or n is 1; false (nothing done) otherwise. Arguments as {@link OpenBlasGemm#gemm}. */
    static boolean tryGemm(Parallel parallel, boolean transA, boolean transB, int m, int n, int k, double alpha,
                           OpenBlasGemm.Matrix a, OpenBlasGemm.Matrix b, double beta, OpenBlasGemm.Matrix c) {
        if (m == 1) {
            // c[1, n] = a[1, k] op(B)[k, n]: op(B)^T times A's row (or column, when A is stored transposed).
            gemv(parallel, !transB, n, k, alpha, b, new Vector(a.storage(), a.offset(), transA ? a.ld() : 1), beta,
                    new Vector(c.storage(), c.offset(), 1));
            return true;
        }
        if (n == 1) {
            // c[m, 1] = op(A)[m, k] b[k, 1]: op(A) times B's column (or row, when B is stored transposed).
            gemv(parallel, transA, m, k, alpha, a, new Vector(b.storage(), b.offset(), transB ? 1 : b.ld()), beta,
                    new Vector(c.storage(), c.offset(), c.ld()));
            return true;
        }
        return false;
    }

    /**
     * y[outputs] = alpha M x[inner] + beta y, with M stored row-major as [outputs, inner] or, when
     * {@code transposed}, as [inner, outputs]; split over threads by outputs, each part one call.
     */
    private static void gemv(Parallel parallel, boolean transposed, int outputs, int inner, double alpha,
                             OpenBlasGemm.Matrix matrix, Vector x, double beta, Vector y) {
        int parts = parallel.threads();
        long multiplyAdds = (long) outputs * inner;
        if (multiplyAdds < OpenBlasGemm.SPLIT_MIN || outputs < parts) {
            call(transposed, 0, outputs, inner, alpha, matrix, x, beta, y);
            return;
        }
        parallel.forRange(parts, multiplyAdds / parts, (start, end) -> {
            for (int part = start; part < end; part++) {
                int from = (int) ((long) outputs * part / parts);
                int to = (int) ((long) outputs * (part + 1) / parts);
                call(transposed, from, to - from, inner, alpha, matrix, x, beta, y);
            }
        });
    }

    /** Outputs [first, first + outputs) of the product. */
    private static void call(boolean transposed, int first, int outputs, int inner, double alpha,
                             OpenBlasGemm.Matrix matrix, Vector x, double beta, Vector y) {
        int trans = transposed ? CblasTrans : CblasNoTrans;
        int rows = transposed ? inner : outputs;
        int cols = transposed ? outputs : inner;
        long offset = matrix.offset() + (transposed ? first : (long) first * matrix.ld());
        long offsetY = y.offset() + (long) first * y.inc();
        OpenBlasCalls.enter();
        try {
            if (y.storage().dtype() == DType.F32) {
                cblas_sgemv(CblasRowMajor, trans, rows, cols, (float) alpha, matrix.storage().floatPointer(offset),
                        matrix.ld(), x.storage().floatPointer(x.offset()), x.inc(), (float) beta,
                        y.storage().floatPointer(offsetY), y.inc());
            } else {
                cblas_dgemv(CblasRowMajor, trans, rows, cols, alpha, matrix.storage().doublePointer(offset),
                        matrix.ld(), x.storage().doublePointer(x.offset()), x.inc(), beta,
                        y.storage().doublePointer(offsetY), y.inc());
            }
        } finally {
            OpenBlasCalls.leave();
        }
    }
}
