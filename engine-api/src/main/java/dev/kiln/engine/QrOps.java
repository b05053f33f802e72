package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code torch.linalg.qr} ({@link Linalg#qr}) on the backend's {@link Backend#qr}, with PyTorch 1.13's
 * gradient composed of recorded ops, so that it can be differentiated again. With {@code X = gR R^T - Q^T gQ}:
 * <pre>
 * m >= n:  gA = (gQ + Q (triu(X) + triu(X, 1)^T)) R^-T
 * m <  n:  gA = [Q tril(X^T - X) R_1^-T | 0] + Q gR,   R_1 the first m columns of R
 * </pre>
 * Q and R are one recorded tensor, packed {@code [batch, m k + k n]}, so that one node takes both their gradients;
 * they are copies of its two parts.
 */
final class QrOps {
    static final String OP = "linalg.qr";

    private QrOps() {
    }

    /** {@code [Q, R]}, Q null in mode "r". */
    static Tensor[] qr(Tensor a, String mode) {
        if (!"reduced".equals(mode) && !"complete".equals(mode) && !"r".equals(mode)) {
            throw new IllegalArgumentException(OP + ": mode \"" + mode
                    + "\" is not one of \"reduced\" (PyTorch's default), \"complete\" or \"r\"");
        }
        boolean computeQ = !"r".equals(mode);
        boolean complete = "complete".equals(mode);
        LinalgShapes.matrices(OP, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        int batch = flat.dim(0);
        int m = flat.dim(1);
        int n = flat.dim(2);
        int k = complete ? m : Math.min(m, n);
        int qSize = computeQ ? m * k : 0;
        Tensor packed = Composite.untracked(() -> factor(flat, computeQ, m, n, k));
        packed.record(OP, new Tensor[] {flat}, Node.differentiable(g -> {
            refuseUndifferentiable(computeQ, complete, m, n);
            return new Tensor[] {Composite.gradient(() -> gradient(
                    part(packed, 0, m, k), part(packed, qSize, k, n), part(g, 0, m, k), part(g, qSize, k, n)))};
        }));
        Tensor q = computeQ ? LinalgShapes.unflat(part(packed, 0, m, k), a) : null;
        return new Tensor[] {q, LinalgShapes.unflat(part(packed, qSize, k, n), a)};
    }

    /** Q {@code [batch, m, k]} (when asked) and R {@code [batch, k, n]} from the backend, packed. */
    private static Tensor factor(Tensor flat, boolean computeQ, int m, int n, int k) {
        int batch = flat.dim(0);
        Tensor q = computeQ ? flat.emptyLike(Shape.of(batch, m, k), flat.dtype()) : null;
        Tensor r = flat.emptyLike(Shape.of(batch, k, n), flat.dtype());
        if (Math.min(m, n) > 0) {
            flat.backend().qr(flat, q, r);
        } else {
            // No reflections: R is all zeros, and Q, where it has columns (complete, n = 0), the identity.
            r.backend().fill(r, 0);
            if (q != null && q.size() > 0) {
                Tensor eye = LuOps.identity(q);
                q.backend().copy(eye, q);
                eye.close();
            }
        }
        Tensor flatR = r.reshape(batch, k * n);
        return computeQ ? Tensor.cat(List.of(q.reshape(batch, m * k), flatR), 1) : flatR;
    }

    /** Rows x cols elements of the packed {@code [batch, ...]} from {@code start}, as {@code [batch, rows, cols]}. */
    private static Tensor part(Tensor packed, int start, int rows, int cols) {
        return packed.narrow(1, start, rows * cols).reshape(packed.dim(0), rows, cols);
    }

    /** PyTorch's refusals, in its words, for a backward pass through a QR that does not determine A's gradient. */
    private static void refuseUndifferentiable(boolean computeQ, boolean complete, int m, int n) {
        if (!computeQ) {
            throw new IllegalArgumentException(OP + ": The derivative of linalg.qr depends on Q, which is not computed"
                    + " when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate"
                    + " through linalg.qr.");
        }
        if (complete && m > n) {
            throw new IllegalArgumentException(OP + ": The QR decomposition is not differentiable when"
                    + " mode='complete' and nrows > ncols (A has " + m + " rows and " + n + " columns).");
        }
    }

    private static Tensor gradient(Tensor q, Tensor r, Tensor gradQ, Tensor gradR) {
        int m = q.dim(1);
        int n = r.dim(2);
        Tensor x = MatmulOps.matmul(gradR, false, r, true).sub(MatmulOps.matmul(q, true, gradQ, false));
        if (m >= n) {
            // triu(X) + triu(X)^T with the diagonal once: PyTorch's adjoint of the symmetric part's inverse.
            Tensor upper = x.triu(0);
            Tensor sym = upper.add(LinalgShapes.transposed(upper.triu(1)));
            return TriangularSolveOps.solve(r, q.matmul(sym).add(gradQ), true, true, false, false);
        }
        Tensor skew = LinalgShapes.transposed(x).sub(x).tril(0);
        Tensor first = TriangularSolveOps.solve(r.narrow(2, 0, m), q.matmul(skew), true, true, false, false);
        Tensor rest = first.emptyLike(Shape.of(first.dim(0), m, n - m), first.dtype());
        rest.backend().fill(rest, 0);
        return Tensor.cat(List.of(first, rest), 2).add(q.matmul(gradR));
    }
}
