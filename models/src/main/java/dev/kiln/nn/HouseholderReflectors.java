package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * The right inverse of {@link Orthogonal}'s householder map without trivialization, as PyTorch 1.13's: the Householder
 * reflectors of the QR factorisation of tall Q [..., n, k] that LAPACK's {@code geqrf} computes (unblocked, its
 * {@code dgeqr2}/{@code dlarfg} reflections), below the diagonal, and on the diagonal the signs of R's diagonal,
 * negated where a column needs no reflection (tau 0): the householder map, which always reflects with
 * {@code tau = 2 / (1 + |v|^2)}, then gives the Q of the factorisation with a positive diagonal of R. Computed on the
 * host in F64, without gradients: it only sets the original's value (geqrf is no public op of Kiln's).
 */
final class HouseholderReflectors {
    private HouseholderReflectors() {
    }

    /** The reflectors and signs of tall q [..., n, k], same shape and dtype. */
    static Tensor of(Tensor q) {
        int n = q.dim(-2);
        int k = q.dim(-1);
        double[] a = q.toDoubleArray();
        for (int offset = 0; offset < a.length; offset += n * k) {
            factor(a, offset, n, k);
        }
        return Tensor.fromArray(a, q.shape().dims()).to(q.dtype());
    }

    /** One row-major [n, k] matrix at offset, in place: reflectors below the diagonal, signs on it. */
    private static void factor(double[] a, int offset, int n, int k) {
        for (int j = 0; j < k; j++) {
            double alpha = a[offset + j * k + j];
            double xnorm = 0;
            for (int i = j + 1; i < n; i++) {
                xnorm = Math.hypot(xnorm, a[offset + i * k + j]);
            }
            if (xnorm == 0) {
                // dlarfg's tau = 0, no reflection; the map reflects anyway, which the negated sign undoes.
                a[offset + j * k + j] = -Math.signum(alpha);
                continue;
            }
            double beta = -Math.copySign(Math.hypot(alpha, xnorm), alpha);
            double tau = (beta - alpha) / beta;
            double scale = 1 / (alpha - beta);
            for (int i = j + 1; i < n; i++) {
                a[offset + i * k + j] *= scale;
            }
            reflectTrailingColumns(a, offset, n, k, j, tau);
            a[offset + j * k + j] = Math.signum(beta);
        }
    }

    /** Applies {@code I - tau v v^T}, v = (1, column j below the diagonal), to the columns after j, rows j on. */
    private static void reflectTrailingColumns(double[] a, int offset, int n, int k, int j, double tau) {
        for (int c = j + 1; c < k; c++) {
            double w = a[offset + j * k + c];
            for (int i = j + 1; i < n; i++) {
                w += a[offset + i * k + j] * a[offset + i * k + c];
            }
            w *= tau;
            a[offset + j * k + c] -= w;
            for (int i = j + 1; i < n; i++) {
                a[offset + i * k + c] -= w * a[offset + i * k + j];
            }
        }
    }
}
