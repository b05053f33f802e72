package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.solve}, {@code inv}, {@code det} and {@code slogdet} ({@link Linalg}) on the backend's
 * LU factorisation with partial pivoting ({@link Backend#luFactor}, {@link Backend#luSolve}). Gradients are PyTorch
 * 1.13's for invertible matrices:
 * <pre>
 * solve X = A^-1 B:  gB = A^-T gX,  gA = -gB X^T        inv X = A^-1:  gA = -X^T gX X^T
 * det:  gA = g det A^-T                                 slogdet:  gA = g_logabsdet A^-T
 * </pre>
 * In an ordinary backward pass A^-T comes from the saved factorisation (an adjoint {@link Backend#luSolve}); in one
 * that records its graph from recorded solves and inverses, so that they can be differentiated again. At an exactly
 * singular matrix det's and slogdet's gradients are not finite (PyTorch's go through an SVD there).
 */
final class LuOps {
    private static final String SOLVE = "linalg.solve";
    private static final String SOLVE_EX = "linalg.solveEx";
    private static final String INV = "linalg.inv";
    private static final String INV_EX = "linalg.invEx";
    private static final String DET = "linalg.det";
    private static final String SLOGDET = "linalg.slogdet";

    private LuOps() {
    }

    /** An LU factorisation of {@code [batch, m, n]} matrices as the backend wrote it, pivots {@code [batch, k]}. */
    record Factors(Tensor lu, Tensor pivots, Tensor info) {
        static Factors of(Tensor flat) {
            int batch = flat.dim(0);
            int k = Math.min(flat.dim(-2), flat.dim(-1));
            Factors f = new Factors(flat.emptyLike(flat.shape(), flat.dtype()),
                    flat.emptyLike(Shape.of(batch, k), DType.I32), flat.emptyLike(Shape.of(batch), DType.I32));
            if (f.lu.size() > 0) {
                flat.backend().luFactor(flat, f.lu, f.pivots, f.info);
            }
            return f;
        }

        /** Refuses a singular matrix of {@code input} as PyTorch's {@code op} does. */
        Factors invertible(String op, Tensor input, String action) {
            if (lu.size() > 0) {
                String failure = LinalgShapes.failure(op, input, LinalgShapes.read(info), k -> "The diagonal element "
                        + k + " is zero, the " + action + " could not be completed because the input matrix is singular.");
                if (failure != null) {
                    lu.close();
                    pivots.close();
                    info.close();
                    throw new IllegalArgumentException(failure);
                }
            }
            return this;
        }

        /**
         * These factors of A's own matrices, batch axes {@code own}, repeated over the broadcast batch axes
         * {@code batch} (copies of {@code [n, n]} and {@code [n]}, where factorising each copy of A would cost n^3).
         */
        Factors broadcast(Shape own, Shape batch) {
            if (own.equals(batch)) {
                return this;
            }
            int n = lu.dim(-1);
            int matrices = Math.toIntExact(batch.size());
            Tensor wideLu = lu.reshape(withAxes(own, n, n)).expand(withAxes(batch, n, n)).reshape(matrices, n, n);
            Tensor widePivots = pivots.reshape(withAxes(own, n)).expand(withAxes(batch, n)).reshape(matrices, n);
            return new Factors(wideLu, widePivots, info);
        }

        private static int[] withAxes(Shape batch, int... last) {
            Shape shape = batch;
            for (int size : last) {
                shape = shape.insert(shape.rank(), size);
            }
            return shape.dims();
        }

        /** {@code op(A)^-1 b} for b {@code [batch, n, k]}. */
        Tensor solve(Tensor b, boolean adjoint) {
            Tensor out = b.emptyLike(b.shape(), b.dtype());
            if (out.size() > 0) {
                lu.backend().luSolve(lu, pivots, b, adjoint, out);
            }
            return out;
        }

        /** {@code A^-T}. */
        Tensor inverseTransposed() {
            return solve(identity(lu), true);
        }

        /** The diagonal of U, {@code [batch, n]}. */
        Tensor diagonal() {
            return F.einsum("bii->bi", lu);
        }

        /** The sign of the row permutation, +1 or -1 in the dtype of the matrices: {@code [batch]}. */
        Tensor permutationSign() {
            int n = pivots.dim(-1);
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = i + 1;
            }
            // Each swap of two different rows flips the sign: the product of -1 per swap and 1 per row kept.
            Tensor swapped = pivots.ne(HostValues.ints(pivots, rows, 1, n)).to(lu.dtype());
            return swapped.mul(-2).add(1).prod(-1, false);
        }
    }

    static Tensor solve(Tensor a, Tensor b, boolean left) {
        Tensor[] result = solve(SOLVE, a, b, left, true);
        result[1].close();
        return result[0];
    }

    /** {@code [X, info]}, info with A's batch axes: a singular A gives infinities or NaN in X, unchecked. */
    static Tensor[] solveEx(Tensor a, Tensor b, boolean left) {
        return solve(SOLVE_EX, a, b, left, false);
    }

    /** {@code [X, info]}; a singular A refused in PyTorch's words when {@code check}. */
    private static Tensor[] solve(String op, Tensor a, Tensor b, boolean left, boolean check) {
        LinalgShapes.square(op, "A", a);
        Checks.open(op, b);
        // PyTorch's rule: B is a vector (or a batch of vectors) when it is 1-D or A's shape without its last axis.
        boolean vector = b.rank() == 1 || (b.rank() == a.rank() - 1 && b.shape().equals(a.shape().without(-1)));
        Tensor matrices = vector ? b.unsqueeze(left ? -1 : -2) : b;
        LinalgShapes.matrices(op, "B", matrices);
        Tensor[] ab = LinalgShapes.broadcast(op, "A", a, "B", matrices, left);
        // X A = B is A^T X^T = B^T. A's own matrices are factorised, each once however many right-hand sides share
        // it, and a singular one is named by its index in A's batch, as PyTorch names it.
        Factors own = Factors.of(LinalgShapes.flat(left ? a : LinalgShapes.transposed(a)));
        Factors f = (check ? own.invertible(op, a, "solve") : own)
                .broadcast(LinalgShapes.batchOf(a), LinalgShapes.batchOf(ab[0]));
        Tensor flatA = LinalgShapes.flat(ab[0]);
        Tensor flatB = LinalgShapes.flat(ab[1]);
        Tensor x = left ? solveLeft(flatA, flatB, f)
                : LinalgShapes.transposed(solveLeft(LinalgShapes.transposed(flatA), LinalgShapes.transposed(flatB), f));
        Tensor result = LinalgShapes.unflat(x, ab[1]);
        return new Tensor[] {vector ? result.squeeze(left ? -1 : -2) : result,
                own.info.reshape(LinalgShapes.batchOf(a).dims())};
    }

    /** The recorded {@code a^-1 b} of {@code [batch, n, n]} and {@code [batch, n, k]}, from a's factors f. */
    private static Tensor solveLeft(Tensor a, Tensor b, Factors f) {
        Tensor x = f.solve(b, false);
        x.recordWithSaved(SOLVE, new Tensor[] {a, b}, Node.differentiable(g -> Composite.gradients(() -> {
            Tensor gradB = Node.createsGraph() ? adjointSolve(a, g) : f.solve(g, true);
            return new Tensor[] {
                    a.requiresGrad() ? MatmulOps.matmul(gradB, false, x, true).neg() : null,
                    b.requiresGrad() ? gradB : null};
        })), f.lu, f.pivots);
        return x;
    }

    /** The recorded {@code a^-T g}, for a backward pass that records its graph; a^T is invertible where a is. */
    private static Tensor adjointSolve(Tensor a, Tensor g) {
        Tensor transposed = LinalgShapes.transposed(a);
        Factors f = Factors.of(transposed);
        f.info.close();
        return solveLeft(transposed, g, f);
    }

    static Tensor inv(Tensor a) {
        Tensor[] result = inverse(INV, a, true);
        result[1].close();
        return result[0];
    }

    /** {@code [A^-1, info]}, info with A's batch axes: a singular A gives infinities or NaN, unchecked. */
    static Tensor[] invEx(Tensor a) {
        return inverse(INV_EX, a, false);
    }

    /** {@code [A^-1, info]}; a singular A refused in PyTorch's words when {@code check}. */
    private static Tensor[] inverse(String op, Tensor a, boolean check) {
        LinalgShapes.square(op, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        Factors f = Factors.of(flat);
        if (check) {
            f.invertible(op, a, "inversion");
        }
        Tensor x = Composite.untracked(() -> f.solve(identity(flat), false));
        f.lu.close();
        f.pivots.close();
        x.record(op, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {Composite.gradient(
                () -> MatmulOps.matmul(MatmulOps.matmul(x, true, g, false), false, x, true).neg())}));
        return new Tensor[] {LinalgShapes.unflat(x, a), f.info.reshape(LinalgShapes.batchOf(a).dims())};
    }

    static Tensor det(Tensor a) {
        LinalgShapes.square(DET, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        Factors f = Factors.of(flat);
        Tensor det = Composite.untracked(() -> f.diagonal().prod(-1, false).mul(f.permutationSign()));
        det.recordWithSaved(DET, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {Composite.gradient(
                () -> inverseTransposed(flat, f).mul(g.mul(det).reshape(flat.dim(0), 1, 1)))}), f.lu, f.pivots);
        f.info.close();
        return det.reshape(LinalgShapes.batchOf(a).dims());
    }

    /** {@code [sign, logabsdet]}, each with A's batch axes; only logabsdet has a gradient, as for real A in PyTorch. */
    static Tensor[] slogdet(Tensor a) {
        LinalgShapes.square(SLOGDET, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        Factors f = Factors.of(flat);
        Tensor sign = Composite.untracked(() -> f.diagonal().sign().prod(-1, false).mul(f.permutationSign()));
        Tensor logAbsDet = Composite.untracked(() -> f.diagonal().abs().log().sum(-1, false));
        logAbsDet.recordWithSaved(SLOGDET, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {
                Composite.gradient(() -> inverseTransposed(flat, f).mul(g.reshape(flat.dim(0), 1, 1)))}),
                f.lu, f.pivots);
        f.info.close();
        int[] batch = LinalgShapes.batchOf(a).dims();
        return new Tensor[] {sign.reshape(batch), logAbsDet.reshape(batch)};
    }

    /** A^-T: from the saved factors, or, where the backward pass records its graph, a recorded inverse of A. */
    private static Tensor inverseTransposed(Tensor flat, Factors f) {
        return Node.createsGraph() ? LinalgShapes.transposed(inv(flat)) : f.inverseTransposed();
    }

    /** Identity matrices of {@code like}'s shape {@code [batch, n, n]}, dtype and backend. */
    static Tensor identity(Tensor like) {
        return LinalgShapes.identities(like, Shape.of(like.dim(0), like.dim(-1)));
    }
}
