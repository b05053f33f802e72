package dev.kiln.engine;

import java.util.Arrays;

/**
 * The Backend SPI's default QR factorisation ({@link Backend#qr}) on the host, in F64, one matrix at a time: LAPACK's
 * unblocked {@code geqr2} and {@code org2r}, with its reflections (each column's leading element sent to
 * {@code -sign(alpha) |x|}), so that Q and R carry LAPACK's signs, as PyTorch's.
 */
final class QrOnHost {
    private QrOnHost() {
    }

    static void qr(Backend backend, Tensor a, Tensor q, Tensor r) {
        int m = a.dim(-2);
        int n = a.dim(-1);
        int k = r.dim(-2);
        int reflections = Math.min(m, n);
        double[] values = LinalgOnHost.read(backend, a);
        double[] rs = new double[a.dim(0) * k * n];
        double[] qs = q == null ? null : new double[a.dim(0) * m * k];
        double[] tau = new double[reflections];
        for (int b = 0; b < a.dim(0); b++) {
            int base = b * m * n;
            factor(values, base, m, n, tau);
            upperTriangle(values, base, n, rs, b * k * n, k);
            if (qs != null) {
                formQ(values, base, m, n, tau, qs, b * m * k, k);
            }
        }
        LinalgOnHost.write(backend, rs, r);
        if (q != null) {
            LinalgOnHost.write(backend, qs, q);
        }
    }

    /**
     * LAPACK's {@code geqrf} of {@code a} {@code [..., m, n]} on the host: the factored matrices (R on and above the
     * diagonal, the reflectors' v below it) and tau {@code [..., min(m, n)]}, in a's dtype on its backend.
     */
    static Tensor[] geqrf(Tensor a) {
        int m = a.dim(-2);
        int n = a.dim(-1);
        int reflections = Math.min(m, n);
        double[] values = LinalgOnHost.read(a.backend(), a);
        int matrices = m * n == 0 ? 0 : values.length / (m * n);
        double[] taus = new double[matrices * reflections];
        double[] tau = new double[reflections];
        for (int b = 0; b < matrices; b++) {
            factor(values, b * m * n, m, n, tau);
            System.arraycopy(tau, 0, taus, b * reflections, reflections);
        }
        int[] tauDims = Arrays.copyOf(a.shape().dims(), a.rank() - 1);
        tauDims[tauDims.length - 1] = reflections;
        Tensor factored = a.fullLike(0, a.shape());
        Tensor tauTensor = a.fullLike(0, Shape.of(tauDims));
        LinalgOnHost.write(a.backend(), values, factored);
        LinalgOnHost.write(a.backend(), taus, tauTensor);
        return new Tensor[] {factored, tauTensor};
    }

    /**
     * {@code geqr2}: for each column j, the reflection {@code H = I - tau v v^T} (v's leading 1 not stored) that sends
     * the column from the diagonal down to {@code (beta, 0, ...)}, applied to the columns right of it; R on and above
     * the diagonal, the v below it.
     */
    private static void factor(double[] a, int base, int m, int n, double[] tau) {
        for (int j = 0; j < tau.length; j++) {
            double alpha = a[base + j * n + j];
            double below = 0;
            for (int i = j + 1; i < m; i++) {
                below = Math.hypot(below, a[base + i * n + j]);
            }
            if (below == 0) {
                // Nothing below the diagonal: LAPACK's dlarfg takes H = I, leaving the sign of alpha.
                tau[j] = 0;
                continue;
            }
            double beta = -Math.copySign(Math.hypot(alpha, below), alpha);
            tau[j] = (beta - alpha) / beta;
            double scale = 1 / (alpha - beta);
            for (int i = j + 1; i < m; i++) {
                a[base + i * n + j] *= scale;
            }
            a[base + j * n + j] = beta;
            for (int c = j + 1; c < n; c++) {
                reflect(a, base, n, m, j, tau[j], a, base, n, c);
            }
        }
    }

    /**
     * Applies the reflection of column j (v stored below {@code a}'s diagonal from row j + 1, its leading 1 implied)
     * to column c of the row-major matrix {@code t} of width {@code width}, rows j to m - 1.
     */
    private static void reflect(double[] a, int base, int n, int m, int j, double tau, double[] t, int tBase,
                                int width, int c) {
        double dot = t[tBase + j * width + c];
        for (int i = j + 1; i < m; i++) {
            dot += a[base + i * n + j] * t[tBase + i * width + c];
        }
        dot *= tau;
        t[tBase + j * width + c] -= dot;
        for (int i = j + 1; i < m; i++) {
            t[tBase + i * width + c] -= dot * a[base + i * n + j];
        }
    }

    /** R: the first k rows of the factored matrix on and above the diagonal (rows past n, where k > n, stay 0). */
    private static void upperTriangle(double[] a, int base, int n, double[] r, int rBase, int k) {
        for (int i = 0; i < k; i++) {
            for (int c = i; c < n; c++) {
                r[rBase + i * n + c] = a[base + i * n + c];
            }
        }
    }

    /** {@code org2r}: Q, {@code [m, k]}, the first k columns of {@code H_1 ... H_r}, applied to the identity's. */
    private static void formQ(double[] a, int base, int m, int n, double[] tau, double[] q, int qBase, int k) {
        for (int i = 0; i < Math.min(m, k); i++) {
            q[qBase + i * k + i] = 1;
        }
        for (int j = tau.length - 1; j >= 0; j--) {
            for (int c = j; c < k; c++) {
                reflect(a, base, n, m, j, tau[j], q, qBase, k, c);
            }
        }
    }
}
