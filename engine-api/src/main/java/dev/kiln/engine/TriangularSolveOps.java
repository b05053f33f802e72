package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.solve_triangular} ({@link Linalg#solveTriangular}) on the backend's
 * {@link Backend#solveTriangular}. Its gradient is PyTorch's, composed of this op and matrix products, so that it can
 * be differentiated again: for {@code X = A^-1 B} (left) or {@code X = B A^-1},
 * <pre>
 * gB = A^-T gX  (left)    or  gX A^-T          gA = -gB X^T  (left)  or  -X^T gB
 * </pre>
 * gA kept to A's triangle (without its diagonal when unitriangular), the part the solve reads.
 */
final class TriangularSolveOps {
    static final String OP = "linalg.solveTriangular";

    private TriangularSolveOps() {
    }

    static Tensor solveTriangular(Tensor a, Tensor b, boolean upper, boolean left, boolean unitriangular) {
        LinalgShapes.square(OP, "A", a);
        LinalgShapes.matrices(OP, "B", b);
        Tensor[] ab = LinalgShapes.broadcast(OP, "A", a, "B", b, left);
        Tensor x = solve(LinalgShapes.flat(ab[0]), LinalgShapes.flat(ab[1]), upper, left, unitriangular);
        return LinalgShapes.unflat(x, ab[1]);
    }

    /** The recorded solve of {@code [batch, n, n]} and {@code [batch, n, k]} (left) or {@code [batch, k, n]}. */
    static Tensor solve(Tensor a, Tensor b, boolean upper, boolean left, boolean unitriangular) {
        Tensor x = Composite.untracked(() -> left ? kernel(a, b, upper, false, unitriangular)
                : LinalgShapes.transposed(kernel(a, LinalgShapes.transposed(b), upper, true, unitriangular)));
        x.record(OP, new Tensor[] {a, b}, Node.differentiable(g -> Composite.gradients(
                () -> gradients(a, b, x, g, upper, left, unitriangular))));
        return x;
    }

    /** {@code op(a)^-1 b} on the backend, op transposing when asked; nothing to compute for an empty result. */
    static Tensor kernel(Tensor a, Tensor b, boolean upper, boolean transpose, boolean unitriangular) {
        Tensor out = b.emptyLike(b.shape(), b.dtype());
        if (out.size() > 0) {
            a.backend().solveTriangular(a, b, upper, transpose, unitriangular, out);
        }
        return out;
    }

    private static Tensor[] gradients(Tensor a, Tensor b, Tensor x, Tensor g, boolean upper, boolean left,
                                      boolean unitriangular) {
        Tensor gradB = solve(LinalgShapes.transposed(a), g, !upper, left, unitriangular);
        Tensor gradA = null;
        if (a.requiresGrad()) {
            Tensor product = left ? MatmulOps.matmul(gradB, false, x, true) : MatmulOps.matmul(x, true, gradB, false);
            int diagonal = unitriangular ? 1 : 0;
            gradA = (upper ? product.triu(diagonal) : product.tril(-diagonal)).neg();
        }
        return new Tensor[] {gradA, b.requiresGrad() ? gradB : null};
    }
}
