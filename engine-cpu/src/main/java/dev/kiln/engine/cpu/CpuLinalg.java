package dev.kiln.engine.cpu;

import static org.bytedeco.openblas.global.openblas.CblasLeft;
import static org.bytedeco.openblas.global.openblas.CblasLower;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasNonUnit;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUnit;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgeev;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgeqrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgesdd;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgetrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgetrs;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dorgqr;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dpotrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dsyevd;
import static org.bytedeco.openblas.global.openblas.LAPACKE_set_nancheck;
import static org.bytedeco.openblas.global.openblas.LAPACKE_sgeev;
import static org.bytedeco.openblas.global.openblas.LAPACKE_sgeqrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_sgesdd;
import static org.bytedeco.openblas.global.openblas.LAPACKE_sgetrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_sgetrs;
import static org.bytedeco.openblas.global.openblas.LAPACKE_sorgqr;
import static org.bytedeco.openblas.global.openblas.LAPACKE_spotrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_ssyevd;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;
import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;
import static org.bytedeco.openblas.global.openblas.cblas_dtrsm;
import static org.bytedeco.openblas.global.openblas.cblas_strsm;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import org.bytedeco.javacpp.IntPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU's {@code Backend} factorisations and solves through OpenBLAS's LAPACK and BLAS ({@code potrf},
 * {@code getrf}, {@code getrs}, {@code trsm}, {@code geqrf} with {@code orgqr}, {@code syevd}, {@code gesdd},
 * {@code geev}), one call per matrix, the batch split over Kiln's threads (OpenBLAS runs each call on one thread, as
 * {@link CpuBackend} sets it).
 */
final class CpuLinalg {
    private final Parallel parallel;
    private final CpuCopy copies;

    private static final Logger LOG = LoggerFactory.getLogger(CpuLinalg.class);

    /**
     * The binding, or null where OpenBLAS's LAPACK JNI library ({@code libjniopenblas}, beside the
     * {@code openblas_nolapack} one the rest of the backend uses) does not load: logged once, the caller then runs
     * the Backend SPI's host loops.
     */
    static CpuLinalg bindOrNull(Parallel parallel, CpuCopy copies) {
        try {
            return new CpuLinalg(parallel, copies);
        } catch (LinkageError e) {
            LOG.warn("OpenBLAS's LAPACK did not load ({}): linear algebra runs the Backend SPI's host loops instead",
                    e.toString());
            return null;
        }
    }

    private CpuLinalg(Parallel parallel, CpuCopy copies) {
        this.parallel = parallel;
        this.copies = copies;
        // LAPACKE would refuse a matrix holding NaN with a negative info; LAPACK itself, as PyTorch calls it, factors
        // it and reports the pivot that is not positive (potrf) or lets NaN through (getrf).
        LAPACKE_set_nancheck(0);
    }

    /**
     * Cholesky through {@code potrf}: a row-major symmetric matrix read column-major is itself, and the upper factor
     * that column-major {@code potrf} writes is, read row-major, the lower one; the strictly upper part, left as a's,
     * is then zeroed.
     */
    void cholesky(Tensor a, Tensor lower, Tensor info) {
        int n = a.dim(-1);
        copies.copy(a, lower);
        CpuStorage l = (CpuStorage) lower.storage();
        IntBuffer infos = ((CpuStorage) info.storage()).i32;
        forEachMatrix(a.dim(0), (long) n * n * n / 3, b -> {
            long base = lower.offset() + (long) b * n * n;
            int result = call(() -> l.dtype() == DType.F32
                    ? LAPACKE_spotrf(LAPACK_COL_MAJOR, (byte) 'U', n, l.floatPointer(base), n)
                    : LAPACKE_dpotrf(LAPACK_COL_MAJOR, (byte) 'U', n, l.doublePointer(base), n));
            infos.put((int) info.offset() + b, result);
            zeroAboveDiagonal(l, base, n);
        });
    }

    private static void zeroAboveDiagonal(CpuStorage s, long base, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int at = Math.toIntExact(base + (long) i * n + j);
                if (s.dtype() == DType.F32) {
                    s.f32.put(at, 0f);
                } else {
                    s.f64.put(at, 0d);
                }
            }
        }
    }

    /** {@code trsm} in place on a copy of b. */
    void solveTriangular(Tensor a, Tensor b, boolean upper, boolean transpose, boolean unitriangular,
                         Tensor out) {
        int n = a.dim(-1);
        int k = b.dim(-1);
        copies.copy(b, out);
        CpuStorage t = (CpuStorage) a.storage();
        CpuStorage x = (CpuStorage) out.storage();
        int uplo = upper ? CblasUpper : CblasLower;
        int trans = transpose ? CblasTrans : CblasNoTrans;
        int diag = unitriangular ? CblasUnit : CblasNonUnit;
        forEachMatrix(a.dim(0), (long) n * n * k, i -> {
            long tBase = a.offset() + (long) i * n * n;
            long xBase = out.offset() + (long) i * n * k;
            call(() -> {
                if (x.dtype() == DType.F32) {
                    cblas_strsm(CblasRowMajor, CblasLeft, uplo, trans, diag, n, k, 1f, t.floatPointer(tBase), n,
                            x.floatPointer(xBase), k);
                } else {
                    cblas_dtrsm(CblasRowMajor, CblasLeft, uplo, trans, diag, n, k, 1d, t.doublePointer(tBase), n,
                            x.doublePointer(xBase), k);
                }
                return 0;
            });
        });
    }

    /** {@code getrf} on a copy of a, square or not; LAPACKE's row-major layout gives the row pivots of a itself. */
    void luFactor(Tensor a, Tensor lu, Tensor pivots, Tensor info) {
        int height = a.dim(-2);
        int n = a.dim(-1);
        int k = Math.min(height, n);
        copies.copy(a, lu);
        CpuStorage m = (CpuStorage) lu.storage();
        IntBuffer infos = ((CpuStorage) info.storage()).i32;
        forEachMatrix(a.dim(0), (long) height * n * k, b -> {
            long base = lu.offset() + (long) b * height * n;
            IntPointer rows = pivots(pivots, (long) b * k);
            int result = call(() -> m.dtype() == DType.F32
                    ? LAPACKE_sgetrf(LAPACK_ROW_MAJOR, height, n, m.floatPointer(base), n, rows)
                    : LAPACKE_dgetrf(LAPACK_ROW_MAJOR, height, n, m.doublePointer(base), n, rows));
            infos.put((int) info.offset() + b, result);
        });
    }

    /** {@code getrs} in place on a copy of b. */
    void luSolve(Tensor lu, Tensor pivots, Tensor b, boolean adjoint, Tensor out) {
        int n = lu.dim(-1);
        int k = b.dim(-1);
        copies.copy(b, out);
        CpuStorage m = (CpuStorage) lu.storage();
        CpuStorage x = (CpuStorage) out.storage();
        byte trans = (byte) (adjoint ? 'T' : 'N');
        forEachMatrix(lu.dim(0), (long) n * n * k * 2, i -> {
            long base = lu.offset() + (long) i * n * n;
            long xBase = out.offset() + (long) i * n * k;
            IntPointer rows = pivots(pivots, (long) i * n);
            call(() -> x.dtype() == DType.F32
                    ? LAPACKE_sgetrs(LAPACK_ROW_MAJOR, trans, n, k, m.floatPointer(base), n, rows,
                            x.floatPointer(xBase), k)
                    : LAPACKE_dgetrs(LAPACK_ROW_MAJOR, trans, n, k, m.doublePointer(base), n, rows,
                            x.doublePointer(xBase), k));
        });
    }

    /**
     * QR through {@code geqrf} on a copy of each matrix in a work array {@code [m, max(n, k)]}, R read from it, then
     * {@code orgqr} in place forming Q's k columns from the reflections.
     */
    void qr(Tensor a, Tensor q, Tensor r) {
        int m = a.dim(-2);
        int n = a.dim(-1);
        int k = r.dim(-2);
        forEachMatrix(a.dim(0), (long) m * n * n * 2, b -> {
            if (a.dtype() == DType.F64) {
                qrF64(a, q, r, b, m, n, k);
            } else {
                qrF32(a, q, r, b, m, n, k);
            }
        });
    }

    private static void qrF64(Tensor a, Tensor q, Tensor r, int b, int m, int n, int k) {
        int width = Math.max(n, k);
        double[] work = new double[m * width];
        double[] tau = new double[Math.min(m, n)];
        DoubleBuffer in = ((CpuStorage) a.storage()).f64;
        int aBase = Math.toIntExact(a.offset()) + b * m * n;
        for (int i = 0; i < m; i++) {
            in.get(aBase + i * n, work, i * width, n);
        }
        call(() -> LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m, n, work, width, tau));
        DoubleBuffer rs = ((CpuStorage) r.storage()).f64;
        int rBase = Math.toIntExact(r.offset()) + b * k * n;
        for (int i = 0; i < k; i++) {
            for (int c = 0; c < n; c++) {
                rs.put(rBase + i * n + c, c >= i ? work[i * width + c] : 0);
            }
        }
        if (q != null) {
            call(() -> LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m, k, tau.length, work, width, tau));
            DoubleBuffer qs = ((CpuStorage) q.storage()).f64;
            int qBase = Math.toIntExact(q.offset()) + b * m * k;
            for (int i = 0; i < m; i++) {
                qs.put(qBase + i * k, work, i * width, k);
            }
        }
    }

    /** {@link #qrF64} in F32, through {@code sgeqrf} and {@code sorgqr}. */
    private static void qrF32(Tensor a, Tensor q, Tensor r, int b, int m, int n, int k) {
        int width = Math.max(n, k);
        float[] work = new float[m * width];
        float[] tau = new float[Math.min(m, n)];
        FloatBuffer in = ((CpuStorage) a.storage()).f32;
        int aBase = Math.toIntExact(a.offset()) + b * m * n;
        for (int i = 0; i < m; i++) {
            in.get(aBase + i * n, work, i * width, n);
        }
        call(() -> LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, m, n, work, width, tau));
        FloatBuffer rs = ((CpuStorage) r.storage()).f32;
        int rBase = Math.toIntExact(r.offset()) + b * k * n;
        for (int i = 0; i < k; i++) {
            for (int c = 0; c < n; c++) {
                rs.put(rBase + i * n + c, c >= i ? work[i * width + c] : 0);
            }
        }
        if (q != null) {
            call(() -> LAPACKE_sorgqr(LAPACK_ROW_MAJOR, m, k, tau.length, work, width, tau));
            FloatBuffer qs = ((CpuStorage) q.storage()).f32;
            int qBase = Math.toIntExact(q.offset()) + b * m * k;
            for (int i = 0; i < m; i++) {
                qs.put(qBase + i * k, work, i * width, k);
            }
        }
    }

    /**
     * Symmetric eigen-decompositions through {@code syevd} in place on a copy of a (the vectors' tensor, or a scratch
     * copy when only the values are wanted): LAPACKE's row-major layout reads the named triangle of the row-major
     * matrix and leaves the eigenvectors as its columns.
     */
    void eigh(Tensor a, boolean upper, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        int n = a.dim(-1);
        Tensor work = eigenvectors != null ? eigenvectors : Tensor.empty(a.shape(), a.dtype(), a.backend());
        try {
            copies.copy(a, work);
            CpuStorage m = (CpuStorage) work.storage();
            CpuStorage w = (CpuStorage) eigenvalues.storage();
            IntBuffer infos = ((CpuStorage) info.storage()).i32;
            byte jobz = (byte) (eigenvectors != null ? 'V' : 'N');
            byte uplo = (byte) (upper ? 'U' : 'L');
            forEachMatrix(a.dim(0), (long) n * n * n * 4, b -> {
                long base = work.offset() + (long) b * n * n;
                long valueBase = eigenvalues.offset() + (long) b * n;
                int result = call(() -> m.dtype() == DType.F32
                        ? LAPACKE_ssyevd(LAPACK_ROW_MAJOR, jobz, uplo, n, m.floatPointer(base), n,
                                w.floatPointer(valueBase))
                        : LAPACKE_dsyevd(LAPACK_ROW_MAJOR, jobz, uplo, n, m.doublePointer(base), n,
                                w.doublePointer(valueBase)));
                infos.put((int) info.offset() + b, result);
            });
        } finally {
            if (work != eigenvectors) {
                work.close();
            }
        }
    }

    /**
     * SVD through {@code gesdd} on a scratch copy of a (it destroys its input), U and Vh written in place, all of
     * them, the first k, or none, as u's and vh's shapes ask.
     */
    void svd(Tensor a, Tensor u, Tensor s, Tensor vh, Tensor info) {
        int m = a.dim(-2);
        int n = a.dim(-1);
        int k = Math.min(m, n);
        int uColumns = u == null ? 1 : u.dim(-1);
        int vhRows = vh == null ? 1 : vh.dim(-2);
        byte jobz = (byte) (u == null ? 'N' : uColumns == m && vhRows == n ? 'A' : 'S');
        Tensor work = Tensor.empty(a.shape(), a.dtype(), a.backend());
        try {
            copies.copy(a, work);
            CpuStorage w = (CpuStorage) work.storage();
            CpuStorage values = (CpuStorage) s.storage();
            CpuStorage left = u == null ? null : (CpuStorage) u.storage();
            CpuStorage right = vh == null ? null : (CpuStorage) vh.storage();
            IntBuffer infos = ((CpuStorage) info.storage()).i32;
            forEachMatrix(a.dim(0), (long) m * n * k * 8, b -> {
                long base = work.offset() + (long) b * m * n;
                long sBase = s.offset() + (long) b * k;
                long uBase = u == null ? 0 : u.offset() + (long) b * m * uColumns;
                long vBase = vh == null ? 0 : vh.offset() + (long) b * vhRows * n;
                int result = call(() -> w.dtype() == DType.F32
                        ? LAPACKE_sgesdd(LAPACK_ROW_MAJOR, jobz, m, n, w.floatPointer(base), n,
                                values.floatPointer(sBase), left == null ? null : left.floatPointer(uBase), uColumns,
                                right == null ? null : right.floatPointer(vBase), n)
                        : LAPACKE_dgesdd(LAPACK_ROW_MAJOR, jobz, m, n, w.doublePointer(base), n,
                                values.doublePointer(sBase), left == null ? null : left.doublePointer(uBase), uColumns,
                                right == null ? null : right.doublePointer(vBase), n));
                infos.put((int) info.offset() + b, result);
            });
        } finally {
            work.close();
        }
    }

    /** The I32 pivots of one matrix, {@code start} elements into the tensor. */
    private static IntPointer pivots(Tensor pivots, long start) {
        return ((CpuStorage) pivots.storage()).intPointer(pivots.offset() + start);
    }

    private void forEachMatrix(int batch, long workPerMatrix, IntConsumer body) {
        parallel.forRange(batch, workPerMatrix, (start, end) -> {
            for (int b = start; b < end; b++) {
                body.accept(b);
            }
        });
    }

    private static int call(IntSupplier lapack) {
        OpenBlasCalls.enter();
        try {
            return lapack.getAsInt();
        } finally {
            OpenBlasCalls.leave();
        }
    }

    /**
     * General eigen-decompositions through {@code geev} (right vectors only) on a scratch copy of a (it destroys its
     * input), as PyTorch's CPU calls it, so the order and the vectors' phases are PyTorch's: LAPACK's real pairs
     * (wr, wi) and its packed vectors (a complex pair's real and imaginary parts in two adjacent columns) are spread
     * into the (real, imaginary) layout, the pair's second vector the conjugate of its first.
     */
    void eig(Tensor a, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        int batch = a.dim(0);
        int n = a.dim(-1);
        Tensor work = Tensor.empty(a.shape(), a.dtype(), a.backend());
        Tensor parts = Tensor.empty(Shape.of(batch, 2, n), a.dtype(), a.backend());
        Tensor packed = eigenvectors == null ? null : Tensor.empty(a.shape(), a.dtype(), a.backend());
        try {
            copies.copy(a, work);
            CpuStorage m = (CpuStorage) work.storage();
            CpuStorage w = (CpuStorage) parts.storage();
            CpuStorage vr = packed == null ? null : (CpuStorage) packed.storage();
            IntBuffer infos = ((CpuStorage) info.storage()).i32;
            byte jobvr = (byte) (packed != null ? 'V' : 'N');
            int ldvr = packed != null ? n : 1;
            forEachMatrix(batch, (long) n * n * n * 10, b -> {
                long base = work.offset() + (long) b * n * n;
                long real = parts.offset() + (long) b * 2 * n;
                long vBase = packed == null ? 0 : packed.offset() + (long) b * n * n;
                int result = call(() -> m.dtype() == DType.F32
                        ? LAPACKE_sgeev(LAPACK_ROW_MAJOR, (byte) 'N', jobvr, n, m.floatPointer(base), n,
                                w.floatPointer(real), w.floatPointer(real + n), null, 1,
                                vr == null ? null : vr.floatPointer(vBase), ldvr)
                        : LAPACKE_dgeev(LAPACK_ROW_MAJOR, (byte) 'N', jobvr, n, m.doublePointer(base), n,
                                w.doublePointer(real), w.doublePointer(real + n), null, 1,
                                vr == null ? null : vr.doublePointer(vBase), ldvr));
                infos.put((int) info.offset() + b, result);
                spreadEigenpairs(w, real, vr, vBase, n, (CpuStorage) eigenvalues.storage(),
                        eigenvalues.offset() + (long) b * n * 2, eigenvectors == null ? null
                                : (CpuStorage) eigenvectors.storage(),
                        eigenvectors == null ? 0 : eigenvectors.offset() + (long) b * n * n * 2);
            });
        } finally {
            work.close();
            parts.close();
            if (packed != null) {
                packed.close();
            }
        }
    }

    /** One matrix's wr, wi (at {@code real}, n apart) and packed vectors into the (real, imaginary) layouts. */
    private static void spreadEigenpairs(CpuStorage w, long real, CpuStorage vr, long vBase, int n, CpuStorage values,
                                         long valueBase, CpuStorage vectors, long vectorBase) {
        for (int j = 0; j < n; j++) {
            double im = get(w, real + n + j);
            put(values, valueBase + 2L * j, get(w, real + j));
            put(values, valueBase + 2L * j + 1, im);
            if (vectors == null) {
                continue;
            }
            // Column j of a pair's second member is the first's conjugate: LAPACK's columns j - 1 and j.
            int first = im < 0 ? j - 1 : j;
            double sign = im < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) {
                long at = vectorBase + ((long) i * n + j) * 2;
                put(vectors, at, get(vr, vBase + (long) i * n + first));
                put(vectors, at + 1, im == 0 ? 0 : sign * get(vr, vBase + (long) i * n + first + 1));
            }
        }
    }

    private static double get(CpuStorage s, long index) {
        return s.dtype() == DType.F32 ? s.f32.get((int) index) : s.f64.get((int) index);
    }

    private static void put(CpuStorage s, long index, double value) {
        if (s.dtype() == DType.F32) {
            s.f32.put((int) index, (float) value);
        } else {
            s.f64.put((int) index, value);
        }
    }
}
