package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The linear algebra of the multivariate normal, composed of tensor operations so that gradients flow and every
 * backend runs it: diagonals, the Cholesky factorisation and triangular solves over the last two axes of batches of
 * matrices (leading axes broadcast). The factorisation and the solves take one step per row, a few operations each:
 * made for the small event sizes of latent codes and policies, not for large matrices.
 */
final class Matrices {
    private Matrices() {
    }

    /** The diagonals of [..., d, d] matrices: [..., d]. */
    static Tensor diagonal(Tensor m) {
        return F.einsum("...ii->...i", m);
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
     * The lower Cholesky factor L of symmetric positive-definite [..., d, d] matrices (L L^T = a), column by column; a
     * column whose pivot is not positive, and every column after it, is NaN (or infinite).
     */
    static Tensor cholesky(Tensor matrix) {
        // Factorising (a + a^T) / 2, which is a itself, gives a symmetric gradient, as PyTorch's cholesky does,
        // instead of one on the lower triangle the columns read.
        Tensor a = matrix.add(matrix.transpose(-2, -1)).mul(0.5);
        int d = a.dim(-1);
        List<Tensor> columns = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            Tensor column = a.narrow(-1, j, 1).squeeze(-1).narrow(-1, j, d - j);
            if (j > 0) {
                Tensor done = Tensor.stack(columns, -1);
                Tensor rowJ = done.narrow(-2, j, 1).squeeze(-2);
                column = column.sub(timesVector(done.narrow(-2, j, d - j), rowJ));
            }
            // Dividing the whole column by its pivot's root makes the diagonal element that root too.
            Tensor lower = column.div(column.narrow(-1, 0, 1).sqrt());
            columns.add(j == 0 ? lower : F.pad(lower, j, 0));
        }
        return Tensor.stack(columns, -1);
    }

    /**
     * X with {@code lower x = b} for lower-triangular [..., d, d] matrices and right-hand sides [..., d, m], by
     * forward substitution (PyTorch's {@code torch.linalg.solve_triangular(lower, b, upper=False)}); leading axes
     * broadcast.
     */
    static Tensor solveLower(Tensor lower, Tensor b) {
        int d = lower.dim(-1);
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            Tensor lowerRow = lower.narrow(-2, i, 1);
            Tensor row = b.narrow(-2, i, 1);
            if (i > 0) {
                row = row.sub(F.einsum("...ik,...km->...im", lowerRow.narrow(-1, 0, i), Tensor.cat(rows, -2)));
            }
            rows.add(row.div(lowerRow.narrow(-1, i, 1)));
        }
        return Tensor.cat(rows, -2);
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
        return v.unsqueeze(-1).mul(identity(v, v.dim(-1)));
    }
}
