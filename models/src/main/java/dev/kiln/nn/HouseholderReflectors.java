package dev.kiln.nn;

import dev.kiln.engine.Linalg;
import dev.kiln.engine.Tensor;

/**
 * The right inverse of {@link Orthogonal}'s householder map without trivialization, as PyTorch 1.13's: the Householder
 * reflectors of the QR factorisation of tall Q [..., n, k] that LAPACK's {@code geqrf} computes ({@link Linalg#geqrf}),
 * below the diagonal, and on the diagonal the signs of R's diagonal, negated where a column needs no reflection
 * (tau 0): the householder map, which always reflects with {@code tau = 2 / (1 + |v|^2)}, then gives the Q of the
 * factorisation with a positive diagonal of R. Without gradients: it only sets the original's value.
 */
final class HouseholderReflectors {
    private HouseholderReflectors() {
    }

    /** The reflectors and signs of tall q [..., n, k], same shape and dtype. */
    static Tensor of(Tensor q) {
        int n = q.dim(-2);
        int k = q.dim(-1);
        Linalg.Geqrf factored = Linalg.geqrf(q);
        double[] a = factored.a().toDoubleArray();
        double[] tau = factored.tau().toDoubleArray();
        factored.a().close();
        factored.tau().close();
        for (int matrix = 0; matrix * n * k < a.length; matrix++) {
            for (int j = 0; j < k; j++) {
                int diagonal = matrix * n * k + j * k + j;
                // tau 0: dlarfg's no reflection, where the map reflects anyway, which the negated sign undoes.
                a[diagonal] = tau[matrix * k + j] == 0 ? -Math.signum(a[diagonal]) : Math.signum(a[diagonal]);
            }
        }
        return Tensor.fromArray(a, q.shape().dims()).to(q.dtype());
    }
}
