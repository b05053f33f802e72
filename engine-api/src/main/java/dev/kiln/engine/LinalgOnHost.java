package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The Backend SPI's default factorisations and solves ({@link Backend#cholesky}, {@link Backend#solveTriangular},
 * {@link Backend#luFactor}, {@link Backend#luSolve}): the tensors copied to the host, the textbook loops run there in
 * F64 one matrix at a time, and the results copied back, so that any backend with working copies runs them. Loops
 * through kernels would take several launches per row; a host round trip of an n x n matrix costs less for the small
 * matrices these serve until a backend brings its own solver.
 */
final class LinalgOnHost {
    private LinalgOnHost() {
    }

    static void cholesky(Backend backend, Tensor a, Tensor lower, Tensor info) {
        int n = a.dim(-1);
        double[] m = read(backend, a);
        int[] failures = new int[a.dim(0)];
        for (int b = 0; b < failures.length; b++) {
            failures[b] = choleskyInPlace(m, b * n * n, n);
        }
        write(backend, m, lower);
        backend.copyFromHost(IntBuffer.wrap(failures), info);
    }

    /**
     * Replaces the matrix at {@code base} with its lower Cholesky factor (zeros above the diagonal) column by column;
     * returns 0, or k where the k-th pivot (from 1) is zero or negative, leaving NaN from that column on.
     */
    private static int choleskyInPlace(double[] m, int base, int n) {
        for (int j = 0; j < n; j++) {
            double pivot = m[base + j * n + j];
            for (int k = 0; k < j; k++) {
                pivot -= m[base + j * n + k] * m[base + j * n + k];
            }
            // NaN is let through, as OpenBLAS's potrf and PyTorch's CPU let it through: it propagates, info stays 0.
            if (pivot <= 0) {
                for (int i = j; i < n; i++) {
                    for (int c = j; c <= i; c++) {
                        m[base + i * n + c] = Double.NaN;
                    }
                    zeroAbove(m, base, n, i);
                }
                return j + 1;
            }
            double root = Math.sqrt(pivot);
            m[base + j * n + j] = root;
            for (int i = j + 1; i < n; i++) {
                double s = m[base + i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= m[base + i * n + k] * m[base + j * n + k];
                }
                m[base + i * n + j] = s / root;
            }
            zeroAbove(m, base, n, j);
        }
        return 0;
    }

    private static void zeroAbove(double[] m, int base, int n, int row) {
        for (int c = row + 1; c < n; c++) {
            m[base + row * n + c] = 0;
        }
    }

    static void solveTriangular(Backend backend, Tensor a, Tensor b, boolean upper, boolean transpose,
                                boolean unitriangular, Tensor out) {
        int n = a.dim(-1);
        int k = b.dim(-1);
        double[] m = read(backend, a);
        double[] x = read(backend, b);
        for (int batch = 0; batch < a.dim(0); batch++) {
            substitute(m, batch * n * n, n, upper, transpose, unitriangular, x, batch * n * k, k);
        }
        write(backend, x, out);
    }

    /**
     * Solves {@code op(T) Y = X} in place, Y over X, for the triangular T at {@code base} (upper or lower as stored,
     * op(T) its transpose when asked) and the [n, k] right-hand sides at {@code xBase}: forward substitution where
     * op(T) is lower, backward where upper, each row of Y its row of X less multiples of the rows already solved (whole
     * rows at a time, so that the inner loop runs along contiguous memory).
     */
    private static void substitute(double[] t, int base, int n, boolean upper, boolean transpose, boolean unit,
                                   double[] x, int xBase, int k) {
        boolean lowerSystem = upper == transpose;
        for (int step = 0; step < n; step++) {
            int i = lowerSystem ? step : n - 1 - step;
            int row = xBase + i * k;
            int from = lowerSystem ? 0 : i + 1;
            int to = lowerSystem ? i : n;
            for (int j = from; j < to; j++) {
                double factor = element(t, base, n, i, j, transpose);
                int solved = xBase + j * k;
                for (int col = 0; col < k; col++) {
                    x[row + col] -= factor * x[solved + col];
                }
            }
            if (!unit) {
                double diagonal = element(t, base, n, i, i, transpose);
                for (int col = 0; col < k; col++) {
                    x[row + col] /= diagonal;
                }
            }
        }
    }

    private static double element(double[] t, int base, int n, int i, int j, boolean transpose) {
        return transpose ? t[base + j * n + i] : t[base + i * n + j];
    }

    static void luFactor(Backend backend, Tensor a, Tensor lu, Tensor pivots, Tensor info) {
        int height = a.dim(-2);
        int n = a.dim(-1);
        int k = Math.min(height, n);
        int batch = a.dim(0);
        double[] m = read(backend, a);
        int[] rows = new int[batch * k];
        int[] zeros = new int[batch];
        for (int b = 0; b < batch; b++) {
            zeros[b] = luInPlace(m, b * height * n, height, n, rows, b * k);
        }
        write(backend, m, lu);
        backend.copyFromHost(IntBuffer.wrap(rows), pivots);
        backend.copyFromHost(IntBuffer.wrap(zeros), info);
    }

    /**
     * LAPACK's {@code getf2} on the {@code [height, n]} matrix at {@code base}: in each of the first min(height, n)
     * columns the first element of largest magnitude on or below the diagonal is the pivot, its row swapped into place,
     * the multipliers stored below the diagonal. Returns 0, or k where U's k-th diagonal element (from 1) is the first
     * exactly zero one.
     */
    private static int luInPlace(double[] m, int base, int height, int n, int[] pivots, int pivotBase) {
        int info = 0;
        for (int c = 0; c < Math.min(height, n); c++) {
            int p = c;
            for (int i = c + 1; i < height; i++) {
                if (Math.abs(m[base + i * n + c]) > Math.abs(m[base + p * n + c])) {
                    p = i;
                }
            }
            pivots[pivotBase + c] = p + 1;
            double pivot = m[base + p * n + c];
            if (pivot != 0) {
                swapRows(m, base, n, c, p);
                for (int i = c + 1; i < height; i++) {
                    m[base + i * n + c] /= pivot;
                }
            } else if (info == 0) {
                info = c + 1;
            }
            for (int i = c + 1; i < height; i++) {
                double factor = m[base + i * n + c];
                for (int j = c + 1; j < n; j++) {
                    m[base + i * n + j] -= factor * m[base + c * n + j];
                }
            }
        }
        return info;
    }

    static void luSolve(Backend backend, Tensor lu, Tensor pivots, Tensor b, boolean adjoint, Tensor out) {
        int n = lu.dim(-1);
        int k = b.dim(-1);
        double[] m = read(backend, lu);
        double[] x = read(backend, b);
        int[] rows = new int[Math.toIntExact(pivots.size())];
        backend.copyToHost(pivots, IntBuffer.wrap(rows));
        for (int batch = 0; batch < lu.dim(0); batch++) {
            int base = batch * n * n;
            int xBase = batch * n * k;
            if (adjoint) {
                // a^T = U^T L^T P: solve with U^T, then L^T, then undo the row swaps last to first.
                substitute(m, base, n, true, true, false, x, xBase, k);
                substitute(m, base, n, false, true, true, x, xBase, k);
                for (int i = n - 1; i >= 0; i--) {
                    swapRows(x, xBase, k, i, rows[batch * n + i] - 1);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    swapRows(x, xBase, k, i, rows[batch * n + i] - 1);
                }
                substitute(m, base, n, false, false, true, x, xBase, k);
                substitute(m, base, n, true, false, false, x, xBase, k);
            }
        }
        write(backend, x, out);
    }

    private static void swapRows(double[] m, int base, int width, int r, int s) {
        if (r == s) {
            return;
        }
        for (int j = 0; j < width; j++) {
            double t = m[base + r * width + j];
            m[base + r * width + j] = m[base + s * width + j];
            m[base + s * width + j] = t;
        }
    }

    /**
     * Divides the {@code size} values at {@code base} by the power of 2 nearest their largest magnitude, exactly, so
     * that the squares and products of squares the host loops form (convergence tests, norms) neither underflow
     * (entries below about 1e-154) nor overflow (above about 1e154); returns the exponent that scales the results
     * back. Zero, infinite or NaN values are left as they are (exponent 0).
     */
    static int scaleToOne(double[] m, int base, int size) {
        double largest = 0;
        for (int i = base; i < base + size; i++) {
            largest = Math.max(largest, Math.abs(m[i]));
        }
        if (largest == 0 || !Double.isFinite(largest)) {
            return 0;
        }
        int exponent = Math.getExponent(largest);
        for (int i = base; i < base + size; i++) {
            m[i] = Math.scalb(m[i], -exponent);
        }
        return exponent;
    }

    /** The F32 or F64 tensor's values, widened to double. */
    static double[] read(Backend backend, Tensor t) {
        int size = Math.toIntExact(t.size());
        double[] values = new double[size];
        if (t.dtype() == DType.F64) {
            backend.copyToHost(t, DoubleBuffer.wrap(values));
        } else {
            float[] floats = new float[size];
            backend.copyToHost(t, FloatBuffer.wrap(floats));
            for (int i = 0; i < size; i++) {
                values[i] = floats[i];
            }
        }
        return values;
    }

    /** {@code values} into the F32 or F64 tensor, rounded to its dtype. */
    static void write(Backend backend, double[] values, Tensor t) {
        if (t.dtype() == DType.F64) {
            backend.copyFromHost(DoubleBuffer.wrap(values), t);
        } else {
            float[] floats = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                floats[i] = (float) values[i];
            }
            backend.copyFromHost(FloatBuffer.wrap(floats), t);
        }
    }
}
