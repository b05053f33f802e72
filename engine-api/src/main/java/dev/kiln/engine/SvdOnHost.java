package dev.kiln.engine;

import java.nio.IntBuffer;

/**
 * The Backend SPI's default singular value decomposition ({@link Backend#svd}) on the host, in F64, one matrix at a
 * time: one-sided Jacobi (Hestenes) on the columns of A, or of A^T where A is wide, rotating pairs of columns until
 * all are orthogonal; their norms are the singular values, the normalised columns the left vectors, the accumulated
 * rotations the right ones. Columns the rotations leave no direction for (zero singular values, or those a full
 * factorisation adds) are completed by Gram-Schmidt from the standard basis.
 */
final class SvdOnHost {
    private static final int MAX_SWEEPS = 100;

    private SvdOnHost() {
    }

    static void svd(Backend backend, Tensor a, Tensor u, Tensor s, Tensor vh, Tensor info) {
        int m = a.dim(-2);
        int n = a.dim(-1);
        int k = Math.min(m, n);
        boolean wide = m < n;
        int rows = Math.max(m, n);
        double[] values = LinalgOnHost.read(backend, a);
        double[] singular = new double[a.dim(0) * k];
        int uColumns = u == null ? 0 : u.dim(-1);
        int vhRows = vh == null ? 0 : vh.dim(-2);
        double[] us = new double[a.dim(0) * m * uColumns];
        double[] vhs = new double[a.dim(0) * vhRows * n];
        int[] failures = new int[a.dim(0)];
        for (int b = 0; b < a.dim(0); b++) {
            // Column dot products that underflowed to 0 or overflowed would pass for orthogonal, the columns' norms
            // for the singular values.
            int exponent = LinalgOnHost.scaleToOne(values, b * m * n, m * n);
            // columns[j]: column j of A (or of A^T when wide), rows long.
            double[][] columns = new double[k][rows];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double x = values[(b * m + i) * n + j];
                    if (wide) {
                        columns[i][j] = x;
                    } else {
                        columns[j][i] = x;
                    }
                }
            }
            double[][] rotations = identity(k);
            failures[b] = orthogonalise(columns, rotations);
            int[] order = descending(columns);
            double[][] left = new double[k][];
            double[][] right = new double[k][];
            for (int j = 0; j < k; j++) {
                double norm = norm(columns[order[j]]);
                singular[b * k + j] = norm;
                left[j] = scaled(columns[order[j]], norm == 0 ? 0 : 1 / norm);
                right[j] = rotations[order[j]];
            }
            // A = L S R^T for tall A; for wide A^T = L S R^T, so A = R S L^T: U is R and V is L. The normalised
            // columns L lack a direction where a singular value is zero; the rotations R are always orthonormal.
            double[][] uColumnsOf = wide ? right : complete(left, m, singular, b * k, uColumns);
            double[][] vColumnsOf = wide ? complete(left, n, singular, b * k, vhRows) : right;
            for (int j = 0; j < uColumns; j++) {
                for (int i = 0; i < m; i++) {
                    us[(b * m + i) * uColumns + j] = uColumnsOf[j][i];
                }
            }
            for (int j = 0; j < vhRows; j++) {
                System.arraycopy(vColumnsOf[j], 0, vhs, (b * vhRows + j) * n, n);
            }
            for (int j = 0; j < k; j++) {
                singular[b * k + j] = Math.scalb(singular[b * k + j], exponent);
            }
        }
        LinalgOnHost.write(backend, singular, s);
        if (u != null) {
            LinalgOnHost.write(backend, us, u);
            LinalgOnHost.write(backend, vhs, vh);
        }
        backend.copyFromHost(IntBuffer.wrap(failures), info);
    }

    /**
     * Rotates pairs of columns until every pair is orthogonal to rounding, applying the same rotations to
     * {@code rotations}' columns; returns 0, or the number of columns where sweeps ran out.
     */
    private static int orthogonalise(double[][] columns, double[][] rotations) {
        int k = columns.length;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < k - 1; p++) {
                for (int q = p + 1; q < k; q++) {
                    rotated |= rotate(columns, rotations, p, q);
                }
            }
            if (!rotated) {
                return 0;
            }
        }
        return k;
    }

    /** The rotation of columns p and q that makes them orthogonal, unless they already are to rounding. */
    private static boolean rotate(double[][] columns, double[][] rotations, int p, int q) {
        double alpha = dot(columns[p], columns[p]);
        double beta = dot(columns[q], columns[q]);
        double gamma = dot(columns[p], columns[q]);
        if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
            return false;
        }
        double zeta = (beta - alpha) / (2 * gamma);
        double t = Math.copySign(1, zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        double c = 1 / Math.sqrt(1 + t * t);
        double s = c * t;
        turn(columns[p], columns[q], c, s);
        turn(rotations[p], rotations[q], c, s);
        return true;
    }

    private static void turn(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            x[i] = c * xi - s * y[i];
            y[i] = s * xi + c * y[i];
        }
    }

    /** The column indices by descending norm (a stable insertion sort). */
    private static int[] descending(double[][] columns) {
        int k = columns.length;
        double[] norms = new double[k];
        int[] order = new int[k];
        for (int j = 0; j < k; j++) {
            norms[j] = norm(columns[j]);
            order[j] = j;
        }
        for (int i = 1; i < k; i++) {
            int key = order[i];
            int j = i - 1;
            while (j >= 0 && norms[order[j]] < norms[key]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = key;
        }
        return order;
    }

    /**
     * {@code wanted} orthonormal columns of length {@code length}: the normalised ones where their singular value is
     * not zero, and Gram-Schmidt completions from the standard basis elsewhere (past them, or in their place).
     */
    private static double[][] complete(double[][] normalised, int length, double[] singular, int base, int wanted) {
        double[][] out = new double[wanted][];
        for (int j = 0; j < wanted; j++) {
            boolean known = j < normalised.length && singular[base + j] > 0;
            out[j] = known ? normalised[j] : orthogonalComplement(out, j, length);
        }
        return out;
    }

    private static double[] orthogonalComplement(double[][] basis, int count, int length) {
        double[] best = null;
        double bestNorm = -1;
        for (int e = 0; e < length; e++) {
            double[] x = new double[length];
            x[e] = 1;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < count; j++) {
                    double d = dot(basis[j], x);
                    for (int i = 0; i < length; i++) {
                        x[i] -= d * basis[j][i];
                    }
                }
            }
            double norm = norm(x);
            if (norm > bestNorm) {
                best = x;
                bestNorm = norm;
            }
        }
        return scaled(best, 1 / bestNorm);
    }

    private static double[][] identity(int k) {
        double[][] eye = new double[k][k];
        for (int i = 0; i < k; i++) {
            eye[i][i] = 1;
        }
        return eye;
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    private static double[] scaled(double[] x, double factor) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * factor;
        }
        return y;
    }
}
