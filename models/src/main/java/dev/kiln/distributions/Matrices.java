package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The linear algebra of the multivariate normal over the last two axes of batches of matrices (leading axes
 * broadcast): diagonals and products as einsums, the Cholesky factorisation and triangular solves by {@link Linalg}.
 */
final class Matrices {
    private Matrices() {
    }

    /** The diagonals of [..., d, d] matrices: [..., d]. */
    static Tensor diagonal(Tensor m) {
        return m.diagonal(0, -2, -1);
    }

    /** {@code a b^T} of [..., d, k] and [..., e, k] matrices: [..., d, e]. */
    static Tensor timesTransposed(Tensor a, Tensor b) {
        return F.einsum("...ik,...jk->...ij", a, b);
    }

    /** {@code m x} of [..., d, k] matrices and [..., k] vectors: [..., d]. */
    static Tensor timesVector(Tensor m, Tensor x) {
        return F.einsum("...ik,...k->...i", m, x);
    }

    /**
     * The lower Cholesky factor L of symmetric positive-definite [..., d, d] matrices (L L^T = a).
     *
     * @throws IllegalArgumentException naming the first matrix that is not positive-definite
     */
    static Tensor cholesky(Tensor matrix) {
        // Factorising (a + a^T) / 2, which is a itself, makes the factor depend on both triangles, as its symmetric
        // gradient (PyTorch's) says, where Linalg.cholesky reads the lower one alone.
        return Linalg.cholesky(matrix.add(matrix.transpose(-2, -1)).mul(0.5));
    }

    /**
     * X with {@code lower x = b} for lower-triangular [..., d, d] matrices and right-hand sides [..., d, m]
     * (PyTorch's {@code torch.linalg.solve_triangular(lower, b, upper=False)}); leading axes broadcast.
     */
    static Tensor solveLower(Tensor lower, Tensor b) {
        return Linalg.solveTriangular(lower, b, false);
    }

    /** {@code |lower^-1 x|^2}, the squared Mahalanobis distance of [..., d] vectors for covariances lower lower^T. */
    static Tensor mahalanobis(Tensor lower, Tensor x) {
        return solveLower(lower, x.unsqueeze(-1)).squeeze(-1).square().sum(-1, false);
    }

    /** The identity matrix I_n [n, n], in {@code like}'s dtype and on its backend. */
    static Tensor identity(Tensor like, int n) {
        Tensor index = like.fullLike(1, Shape.of(n)).cumsum(0);
        return index.unsqueeze(1).eq(index.unsqueeze(0)).to(like.dtype());
    }

    /** The diagonal matrices diag(v) of vectors [..., d]: [..., d, d]. */
    static Tensor diagonalMatrix(Tensor v) {
        return v.diagEmbed(0, -2, -1);
    }

    /**
     * The lower Cholesky factor L of the inverse of symmetric positive-definite [..., d, d] precisions, as PyTorch's
     * {@code _precision_to_scale_tril}: with Lf the Cholesky factor of the precision with both axes reversed,
     * {@code L = (flip(Lf)^T)^-1} by a triangular solve, lower-triangular with {@code L L^T = precision^-1}.
     */
    static Tensor precisionToScaleTril(Tensor precision) {
        Tensor inverseTril = cholesky(precision.flip(-2, -1)).flip(-2, -1).transpose(-2, -1);
        return solveLower(inverseTril, identity(inverseTril, inverseTril.dim(-1)));
    }
}
