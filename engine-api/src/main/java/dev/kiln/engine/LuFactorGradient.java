package dev.kiln.engine;

import java.util.List;

/**
 * The gradient of {@code linalg.lu_factor}'s packed LU with respect to {@code P^T A}, PyTorch 1.13's for square, wide
 * and tall A {@code [batch, m, n]} (k = min(m, n); L {@code [m, k]} = [L1; L2], U {@code [k, n]} = [U1 U2], L1 and
 * U1 the leading k x k blocks; gL = tril(g[:, :k], -1), gU = triu(g[:k, :])). From
 * {@code P^T dA = dL U + L dU}, with L^-1 dL strictly lower and dU U^-1 upper:
 * <pre>
 * M = tril(L1^T gL1, -1) + triu(gU1 U1^T) - tril(gU2 U2^T, -1) - triu(L2^T gL2)
 * m >= n:  [L1^-T M; gL2] U^-T          m < n:  L^-T [M U1^-T, gU2]
 * </pre>
 * Composed of recorded products and triangular solves, so that it can be differentiated again.
 */
final class LuFactorGradient {
    private LuFactorGradient() {
    }

    /** The gradient of {@code P^T A} for the packed {@code lu} {@code [batch, m, n]} and its gradient g. */
    static Tensor of(Tensor lu, Tensor g) {
        int m = lu.dim(-2);
        int n = lu.dim(-1);
        int k = Math.min(m, n);
        // The leading k x k block holds L1 below its diagonal and U1 on and above it, for the triangular solves.
        Tensor block = head(head(lu, -2, k), -1, k);
        Tensor lower = head(lu, -1, k).tril(-1).add(head(LinalgShapes.identities(lu, Shape.of(lu.dim(0), m)), -1, k));
        Tensor upper = head(lu, -2, k).triu(0);
        Tensor gradLower = head(g, -1, k).tril(-1);
        Tensor gradUpper = head(g, -2, k).triu(0);
        Tensor mixed = MatmulOps.matmul(head(lower, -2, k), true, head(gradLower, -2, k), false).tril(-1)
                .add(MatmulOps.matmul(head(gradUpper, -1, k), false, head(upper, -1, k), true).triu(0));
        if (m > k) {
            mixed = mixed.sub(MatmulOps.matmul(tail(lower, -2, k), true, tail(gradLower, -2, k), false).triu(0));
            Tensor top = TriangularSolveOps.solve(block, mixed, false, true, true, true);
            Tensor stacked = Tensor.cat(List.of(top, tail(gradLower, -2, k)), -2);
            return TriangularSolveOps.solve(block, stacked, true, true, false, false);
        }
        if (n > k) {
            mixed = mixed.sub(MatmulOps.matmul(tail(gradUpper, -1, k), false, tail(upper, -1, k), true).tril(-1));
        }
        Tensor left = TriangularSolveOps.solve(block, mixed, true, true, false, false);
        Tensor joined = n > k ? Tensor.cat(List.of(left, tail(gradUpper, -1, k)), -1) : left;
        return TriangularSolveOps.solve(block, joined, false, true, true, true);
    }

    /** The first k along {@code axis}. */
    private static Tensor head(Tensor t, int axis, int k) {
        return t.dim(axis) == k ? t : t.narrow(axis, 0, k);
    }

    /** What follows the first k along {@code axis}. */
    private static Tensor tail(Tensor t, int axis, int k) {
        return t.narrow(axis, k, t.dim(axis) - k);
    }
}
