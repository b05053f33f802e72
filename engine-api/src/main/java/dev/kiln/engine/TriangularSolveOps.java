package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.solve_triangular} ({@link Linalg#solveTriangular}) on the backend's
 * {@link Backend#solveTriangular}. Its gradient is PyTorch's, composed of this op and matrix products, so that it can
 * be differentiated again: for {@code X = A^-1 B} (left) or {@code X = B A^-1},
 * <pre>
 * gB = A^-T gX  (left)    or  gX A^-T          gA = -gB X^T  (left)  or  -X^T gB
 * </pre>
 * gA kept to A's triangle (without its diagonal when unitriangular), the part the solve reads. Inside the engine the
 * op also solves with A^T, read in place ({@link Backend#solveTriangular}'s transpose): the gradients' solves with
 * A^T then copy no transpose of A, and A^T's own gradient is that of A transposed.
 */
final class TriangularSolveOps {
    static final String OP = "linalg.solveTriangular";

    private TriangularSolveOps() {
    }

    static Tensor solveTriangular(Tensor a, Tensor b, boolean upper, boolean left, boolean unitriangular) {
        LinalgShapes.square(OP, "A", a);
        LinalgShapes.matrices(OP, "B", b);
        Tensor[] ab = LinalgShapes.broadcast(OP, "A", a, "B", b, left);
        Tensor x = solve(LinalgShapes.flat(ab[0]), LinalgShapes.flat(ab[1]), upper, false, left, unitriangular);
        return LinalgShapes.unflat(x, ab[1]);
    }

    /**
     * The recorded solve with {@code op(a)} (a^T when {@code transpose}; a upper or lower as stored) of
     * {@code [batch, n, n]} and {@code [batch, n, k]} (left) or {@code [batch, k, n]}.
     */
    static Tensor solve(Tensor a, Tensor b, boolean upper, boolean transpose, boolean left, boolean unitriangular) {
        // B op(A)^-1 is (op(A)^-T B^T)^T.
        Tensor x = Composite.untracked(() -> left ? kernel(a, b, upper, transpose, unitriangular)
                : LinalgShapes.transposed(kernel(a, LinalgShapes.transposed(b), upper, !transpose, unitriangular)));
        x.record(OP, new Tensor[] {a, b}, Node.differentiable(g -> Composite.gradients(
                () -> gradients(a, b, x, g, upper, transpose, left, unitriangular))));
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

    /** With M = op(A): gB = M^-T gX or gX M^-T, and gM = -gB X^T or -X^T gB, transposed where M is A^T. */
    private static Tensor[] gradients(Tensor a, Tensor b, Tensor x, Tensor g, boolean upper, boolean transpose,
                                      boolean left, boolean unitriangular) {
        Tensor gradB = solve(a, g, upper, !transpose, left, unitriangular);
        Tensor gradA = null;
        if (a.requiresGrad()) {
            // -gB X^T (left) or -X^T gB, or their transposes -X gB^T and -gB^T X where the solve was with A^T.
            Tensor product = left != transpose ? MatmulOps.matmul(gradB, !left, x, left)
                    : MatmulOps.matmul(x, !left, gradB, left);
            int diagonal = unitriangular ? 1 : 0;
            gradA = (upper ? product.triu(diagonal) : product.tril(-diagonal)).neg();
        }
        return new Tensor[] {gradA, b.requiresGrad() ? gradB : null};
    }
}
