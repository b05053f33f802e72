package dev.kiln.tests.ops;

/**
 * The matrices of {@code models/src/test/pytorch/linalg.py}, built on the host from parity.py's pattern
 * {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)}: row-major batches of n x n matrices.
 */
final class LinalgInputs {
    private LinalgInputs() {
    }

    /** The pattern's first {@code size} values for {@code seed}. */
    static double[] pattern(int seed, int size) {
        double[] v = new double[size];
        for (int k = 0; k < size; k++) {
            v[k] = 0.5 * Math.sin(0.7 * k + 1.3 * seed + 0.1);
        }
        return v;
    }

    /** {@code M M^T + n I} for M the pattern as {@code [batch, n, n]}: symmetric positive-definite. */
    static double[] spd(int seed, int batch, int n) {
        double[] m = pattern(seed, batch * n * n);
        double[] a = new double[m.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = i == j ? n : 0;
                    for (int k = 0; k < n; k++) {
                        s += m[(b * n + i) * n + k] * m[(b * n + j) * n + k];
                    }
                    a[(b * n + i) * n + j] = s;
                }
            }
        }
        return a;
    }

    /** The pattern plus {@code 2 I}: well conditioned, with row swaps in its LU. */
    static double[] general(int seed, int batch, int n) {
        return plusDiagonal(pattern(seed, batch * n * n), batch, n, 2);
    }

    /** The pattern's lower triangle plus {@code 2 I}. */
    static double[] lower(int seed, int batch, int n) {
        double[] m = pattern(seed, batch * n * n);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    m[(b * n + i) * n + j] = 0;
                }
            }
        }
        return plusDiagonal(m, batch, n, 2);
    }

    /** Each matrix transposed. */
    static double[] transposed(double[] m, int batch, int n) {
        double[] t = new double[m.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    t[(b * n + j) * n + i] = m[(b * n + i) * n + j];
                }
            }
        }
        return t;
    }

    /** {@code m + value I}, in place. */
    static double[] plusDiagonal(double[] m, int batch, int n, double value) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                m[(b * n + i) * n + i] += value;
            }
        }
        return m;
    }

    /** The pattern of {@code seed} plus 2 on each matrix's leading diagonal (the pattern alone has rank 2). */
    static double[] fullRank(int seed, int... dims) {
        int m = dims[dims.length - 2];
        int n = dims[dims.length - 1];
        double[] v = pattern(seed, java.util.Arrays.stream(dims).reduce(1, (x, y) -> x * y));
        for (int b = 0; b < v.length / (m * n); b++) {
            for (int i = 0; i < Math.min(m, n); i++) {
                v[(b * m + i) * n + i] += 2;
            }
        }
        return v;
    }
}
