package dev.kiln.engine;

import java.nio.IntBuffer;

/**
 * The Backend SPI's default symmetric eigen-decomposition ({@link Backend#eigh}) on the host, in F64, one matrix at a
 * time: cyclic Jacobi rotations, each zeroing one off-diagonal pair, sweeping until the off-diagonal part is below
 * rounding, then the values sorted ascending with their vectors. Jacobi is slower than LAPACK's divide and conquer but
 * short and accurate to the last digits, which is what a backend without a solver needs from it.
 */
final class EighOnHost {
    private static final int MAX_SWEEPS = 100;

    private EighOnHost() {
    }

    static void eigh(Backend backend, Tensor a, boolean upper, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        int n = a.dim(-1);
        int batch = a.dim(0);
        double[] m = LinalgOnHost.read(backend, a);
        double[] values = new double[batch * n];
        double[] vectors = new double[batch * n * n];
        int[] failures = new int[batch];
        for (int b = 0; b < batch; b++) {
            symmetrise(m, b * n * n, n, upper);
            // Off-diagonal squares that underflowed or overflowed would pass for converged.
            int exponent = LinalgOnHost.scaleToOne(m, b * n * n, n * n);
            failures[b] = jacobi(m, b * n * n, n, vectors);
            sortAscending(m, b * n * n, n, vectors, values, b * n);
            for (int i = 0; i < n; i++) {
                values[b * n + i] = Math.scalb(values[b * n + i], exponent);
            }
        }
        LinalgOnHost.write(backend, values, eigenvalues);
        if (eigenvectors != null) {
            LinalgOnHost.write(backend, vectors, eigenvectors);
        }
        backend.copyFromHost(IntBuffer.wrap(failures), info);
    }

    /** Copies the triangle that is read over the other. */
    private static void symmetrise(double[] m, int base, int n, boolean upper) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (upper) {
                    m[base + j * n + i] = m[base + i * n + j];
                } else {
                    m[base + i * n + j] = m[base + j * n + i];
                }
            }
        }
    }

    /**
     * Diagonalises the symmetric matrix at {@code base} in place by rotations {@code A <- J^T A J}, accumulating
     * {@code V <- V J} from the identity; returns 0, or the number of off-diagonal pairs still above rounding after the
     * last sweep (LAPACK's info counts values not converged).
     */
    private static int jacobi(double[] m, int base, int n, double[] v) {
        for (int i = 0; i < n; i++) {
            v[base + i * n + i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            if (offDiagonalConverged(m, base, n)) {
                return 0;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(m, base, n, v, p, q);
                }
            }
        }
        return offDiagonalConverged(m, base, n) ? 0 : n;
    }

    private static boolean offDiagonalConverged(double[] m, int base, int n) {
        double off = 0;
        double diagonal = 0;
        for (int i = 0; i < n; i++) {
            diagonal += m[base + i * n + i] * m[base + i * n + i];
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    off += m[base + i * n + j] * m[base + i * n + j];
                }
            }
        }
        return off <= 1e-32 * (diagonal + off) || off < Double.MIN_NORMAL;
    }

    /** The rotation in the (p, q) plane that zeroes {@code A[p][q]}, with the smaller angle (Rutishauser's form). */
    private static void rotate(double[] m, int base, int n, double[] v, int p, int q) {
        double apq = m[base + p * n + q];
        if (apq == 0) {
            return;
        }
        double theta = (m[base + q * n + q] - m[base + p * n + p]) / (2 * apq);
        double t = Math.copySign(1, theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) {
            double akp = m[base + k * n + p];
            double akq = m[base + k * n + q];
            m[base + k * n + p] = c * akp - s * akq;
            m[base + k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) {
            double apk = m[base + p * n + k];
            double aqk = m[base + q * n + k];
            m[base + p * n + k] = c * apk - s * aqk;
            m[base + q * n + k] = s * apk + c * aqk;
        }
        // The rotation zeroes A[p][q] in exact arithmetic; what the products leave there is rounding, which further
        // sweeps cannot remove and which can hold the off-diagonal sum above the convergence bound for good.
        m[base + p * n + q] = 0;
        m[base + q * n + p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[base + k * n + p];
            double vkq = v[base + k * n + q];
            v[base + k * n + p] = c * vkp - s * vkq;
            v[base + k * n + q] = s * vkp + c * vkq;
        }
    }

    /** The diagonal into {@code values} ascending, the columns of V permuted alike (a stable insertion sort). */
    private static void sortAscending(double[] m, int base, int n, double[] v, double[] values, int valueBase) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 1; i < n; i++) {
            int key = order[i];
            int j = i - 1;
            while (j >= 0 && m[base + order[j] * n + order[j]] > m[base + key * n + key]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = key;
        }
        double[] column = new double[n * n];
        for (int i = 0; i < n; i++) {
            values[valueBase + i] = m[base + order[i] * n + order[i]];
            for (int k = 0; k < n; k++) {
                column[k * n + i] = v[base + k * n + order[i]];
            }
        }
        System.arraycopy(column, 0, v, base, n * n);
    }
}
