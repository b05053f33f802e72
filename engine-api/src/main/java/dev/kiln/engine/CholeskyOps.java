package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.cholesky} and {@code torch.cholesky_solve} ({@link Linalg#cholesky},
 * {@link Linalg#choleskySolve}) on the backend's {@link Backend#cholesky} and {@link Backend#solveTriangular}, with
 * PyTorch 1.13's gradients composed of recorded ops, so that they can be differentiated again:
 * <pre>
 * cholesky:       gA = L^-T Phi(L^T gL) L^-1,  Phi(M) = (tril(M) + tril(M, -1)^T) / 2   (symmetric)
 * cholesky_solve: gB = (L L^T)^-1 gX,  S = gB X^T + X gB^T,  gL = -S L   (upper: U^T U, gU = -U S)
 * </pre>
 */
final class CholeskyOps {
    static final String OP = "linalg.cholesky";
    private static final String EX_OP = "linalg.choleskyEx";
    private static final String SOLVE_OP = "linalg.choleskySolve";
    private static final String INVERSE_OP = "linalg.choleskyInverse";

    private CholeskyOps() {
    }

    static Tensor cholesky(Tensor a, boolean upper) {
        return factorise(OP, a, upper, true)[0];
    }

    /** {@code [factor, info]}: the factor as {@link #cholesky} gives it, and LAPACK's info, refusing nothing. */
    static Tensor[] choleskyEx(Tensor a, boolean upper) {
        return factorise(EX_OP, a, upper, false);
    }

    private static Tensor[] factorise(String op, Tensor a, boolean upper, boolean check) {
        LinalgShapes.square(op, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        Tensor info = flat.emptyLike(Shape.of(flat.dim(0)), DType.I32);
        Tensor out = Composite.untracked(() -> {
            // PyTorch's upper factor reads A's upper triangle, which is the lower one of A^T.
            Tensor lower = factor(a, upper ? LinalgShapes.transposed(flat) : flat, info, check);
            return upper ? LinalgShapes.transposed(lower) : lower;
        });
        out.record(op, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {
                Composite.gradient(() -> gradient(upper ? LinalgShapes.transposed(out) : out,
                        upper ? LinalgShapes.transposed(g) : g))}));
        return new Tensor[] {LinalgShapes.unflat(out, a), info.reshape(LinalgShapes.batchOf(a).dims())};
    }

    /**
     * The lower factors of {@code flat} {@code [batch, n, n]} and LAPACK's {@code info}; when {@code check}, a matrix
     * that is not positive-definite is refused as PyTorch refuses it.
     */
    private static Tensor factor(Tensor a, Tensor flat, Tensor info, boolean check) {
        Tensor lower = flat.emptyLike(flat.shape(), flat.dtype());
        if (lower.size() == 0) {
            // Matrices of size 0 factorise without fail.
            info.backend().fill(info, 0);
            return lower;
        }
        flat.backend().cholesky(flat, lower, info);
        if (check) {
            String failure = LinalgShapes.failure(OP, a, LinalgShapes.read(info), order ->
                    "The factorization could not be completed because the input is not positive-definite (the leading"
                            + " minor of order " + order + " is not positive-definite).");
            if (failure != null) {
                throw new IllegalArgumentException(failure);
            }
        }
        return lower;
    }

    /**
     * {@code L^-T Phi L^-1}, symmetric as Phi is, so computed as {@code L^-T (L^-T Phi)^T}: two solves with L^T read
     * in place and one transpose, where PyTorch's {@code Y L^-1} would take a solve from the right.
     */
    private static Tensor gradient(Tensor lower, Tensor gradLower) {
        Tensor phi = MatmulOps.matmul(lower, true, gradLower, false).tril(0);
        phi = phi.add(LinalgShapes.transposed(phi.tril(-1))).mul(0.5);
        Tensor left = TriangularSolveOps.solve(lower, phi, false, true, true, false);
        return TriangularSolveOps.solve(lower, LinalgShapes.transposed(left), false, true, true, false);
    }

    static Tensor choleskySolve(Tensor b, Tensor factor, boolean upper) {
        LinalgShapes.matrices(SOLVE_OP, "B", b);
        LinalgShapes.square(SOLVE_OP, upper ? "U" : "L", factor);
        Tensor[] fb = LinalgShapes.broadcast(SOLVE_OP, upper ? "U" : "L", factor, "B", b, true);
        Tensor x = solve(LinalgShapes.flat(fb[1]), LinalgShapes.flat(fb[0]), upper);
        return LinalgShapes.unflat(x, fb[1]);
    }

    /** The recorded solve of {@code [batch, n, k]} right-hand sides with {@code [batch, n, n]} factors. */
    private static Tensor solve(Tensor b, Tensor factor, boolean upper) {
        Tensor x = Composite.untracked(() -> {
            // L L^T x = b: L y = b, then L^T x = y; U^T U x = b: U^T y = b, then U x = y.
            Tensor y = TriangularSolveOps.kernel(factor, b, upper, upper, false);
            return TriangularSolveOps.kernel(factor, y, upper, !upper, false);
        });
        x.record(SOLVE_OP, new Tensor[] {b, factor}, Node.differentiable(g -> Composite.gradients(() -> {
            Tensor gradB = solve(g, factor, upper);
            Tensor gradFactor = null;
            if (factor.requiresGrad()) {
                Tensor s = MatmulOps.matmul(gradB, false, x, true);
                s = s.add(LinalgShapes.transposed(s));
                gradFactor = (upper ? factor.matmul(s) : s.matmul(factor)).neg();
            }
            return new Tensor[] {b.requiresGrad() ? gradB : null, gradFactor};
        })));
        return x;
    }

    /**
     * {@code (L L^T)^-1} (or {@code (U^T U)^-1}) from a Cholesky factor {@code [..., n, n]}: a Cholesky solve of the
     * identities, differentiable as choleskySolve.
     */
    static Tensor choleskyInverse(Tensor factor, boolean upper) {
        LinalgShapes.squareMatrices(INVERSE_OP, upper ? "U" : "L", factor);
        Tensor eye = LinalgShapes.identities(factor, factor.shape().without(-1));
        return choleskySolve(eye, factor, upper);
    }
}
