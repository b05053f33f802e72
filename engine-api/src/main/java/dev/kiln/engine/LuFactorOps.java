package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.lu_factor}, {@code lu} and {@code lu_solve} ({@link Linalg#luFactor},
 * {@link Linalg#lu}, {@link Linalg#luSolve}) on the backend's LU factorisation with partial pivoting
 * ({@link LuOps.Factors}, {@link Backend#luFactor}). A is {@code [m, n]}, square or not, k = min(m, n): L
 * {@code [m, k]}, U {@code [k, n]}. lu_factor's gradient is PyTorch 1.13's, composed of recorded triangular solves
 * and products, so that it can be differentiated again; gL = tril(gLU[:, :k], -1), gU = triu(gLU[:k, :]):
 * <pre>
 * square:            gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T
 * wide, U = [U1 U2]: gA = P L^-T [tril(L^T gL - gU U^T, -1) U1^-T + gU1, gU2]
 * tall, L = [L1; L2]: gA = P [L1^-T triu(gU U^T - L^T gL) + gL1; gL2] U^-T
 * </pre>
 * lu unpacks LU with recorded tril and triu, and lu_solve composes two triangular solves with LU (its strictly lower
 * part as L's, unit diagonal implied) and a row permutation, so both are differentiable as their compositions.
 * The pivots are read on the host to make the permutations (sequential swaps have no parallel form).
 */
final class LuFactorOps {
    static final String FACTOR = "linalg.luFactor";
    static final String LU = "linalg.lu";
    static final String SOLVE = "linalg.luSolve";

    private LuFactorOps() {
    }

    /**
     * {@code [LU, pivots]} with A's batch axes, pivots {@code [..., k]}; a singular matrix (a zero on U's diagonal)
     * refused in PyTorch's words when {@code check}.
     */
    static Tensor[] luFactor(Tensor a, boolean check, String op) {
        LinalgShapes.matrices(op, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        LuOps.Factors f = LuOps.Factors.of(flat);
        if (check && f.lu().size() > 0) {
            String failure = LinalgShapes.failure(op, a, LinalgShapes.read(f.info()), k -> "U[" + k + "," + k
                    + "] is zero and using it on luSolve would result in a division by zero. If you still want to"
                    + " perform the factorization, consider calling Linalg.lu(A).");
            if (failure != null) {
                f.lu().close();
                f.pivots().close();
                f.info().close();
                throw new IllegalArgumentException(failure);
            }
        }
        f.info().close();
        Tensor lu = f.lu();
        int m = a.dim(-2);
        Tensor rows = rowsOfP(f.pivots(), m, false);
        lu.recordWithSaved(op, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {
                Composite.gradient(() -> LuFactorGradient.of(lu, g).takeAlongDim(rows, 1))}), rows);
        Shape batch = LinalgShapes.batchOf(a);
        int k = Math.min(m, a.dim(-1));
        return new Tensor[] {LinalgShapes.unflat(lu, a), f.pivots().reshape(batch.insert(batch.rank(), k).dims())};
    }

    /**
     * {@code [P, L, U]}: P {@code [..., m, m]} from the pivots, L = tril(LU[:, :k], -1) + I {@code [..., m, k]}, U =
     * triu(LU[:k, :]) {@code [..., k, n]}; singular matrices allowed.
     */
    static Tensor[] lu(Tensor a) {
        Tensor[] factors = luFactor(a, false, LU);
        Tensor packed = factors[0];
        int m = a.dim(-2);
        int k = Math.min(m, a.dim(-1));
        Shape batch = LinalgShapes.batchOf(a);
        Tensor flatEye = LinalgShapes.identities(packed, Shape.of(Math.toIntExact(batch.size()), m));
        Tensor flatPivots = factors[1].reshape(flatEye.dim(0), k);
        Tensor p = Composite.untracked(() -> flatEye.takeAlongDim(rowsOfP(flatPivots, m, false), 1));
        Tensor lower = packed.narrow(-1, 0, k);
        Tensor unitDiagonal = LinalgShapes.identities(packed, batch.insert(batch.rank(), m)).narrow(-1, 0, k);
        return new Tensor[] {p.reshape(batch.insert(batch.rank(), m).insert(batch.rank() + 1, m).dims()),
                lower.tril(-1).add(unitDiagonal), packed.narrow(-2, 0, k).triu(0)};
    }

    /**
     * X with {@code op(A) X = B} (left) or {@code X op(A) = B}, op(A) = A^T when {@code adjoint}, from
     * {@code A = P L U} packed in {@code lu} {@code [..., n, n]} and its {@code pivots} {@code [..., n]}; B
     * {@code [..., n, k]} (left) or {@code [..., k, n]}, batch axes broadcast.
     */
    static Tensor luSolve(Tensor lu, Tensor pivots, Tensor b, boolean left, boolean adjoint) {
        LinalgShapes.square(SOLVE, "LU", lu);
        checkPivots(lu, pivots);
        LinalgShapes.matrices(SOLVE, "B", b);
        // B expanded to the broadcast batch axes, so that the row order (LU's batch axes) broadcasts over it.
        Tensor wide = LinalgShapes.broadcast(SOLVE, "LU", lu, "B", b, left)[1];
        // X A = B is A^T X^T = B^T, and X A^T = B is A X^T = B^T.
        return left ? solveLeft(lu, pivots, wide, adjoint)
                : LinalgShapes.transposed(solveLeft(lu, pivots, LinalgShapes.transposed(wide), !adjoint));
    }

    /**
     * {@code A^-1 B = U^-1 L^-1 P^T B} or {@code A^-T B = P L^-T U^-T B}; P^T B takes B's rows in the order the pivots
     * moved A's, and P Y puts them back.
     */
    private static Tensor solveLeft(Tensor lu, Tensor pivots, Tensor b, boolean adjoint) {
        Shape batch = LinalgShapes.batchOf(lu);
        int n = lu.dim(-1);
        Tensor flatPivots = pivots.reshape(Math.toIntExact(batch.size()), n);
        Tensor rows = rowsOfP(flatPivots, n, !adjoint);
        Shape rowShape = batch.insert(batch.rank(), n).insert(batch.rank() + 1, 1);
        while (rowShape.rank() < b.rank()) {
            rowShape = rowShape.insert(0, 1);
        }
        Tensor order = rows.reshape(rowShape.dims());
        if (adjoint) {
            Tensor y = Linalg.solveTriangular(LinalgShapes.transposed(lu), b, false, true, false);
            Tensor z = Linalg.solveTriangular(LinalgShapes.transposed(lu), y, true, true, true);
            return z.takeAlongDim(order, -2);
        }
        Tensor permuted = b.takeAlongDim(order, -2);
        Tensor y = Linalg.solveTriangular(lu, permuted, false, true, true);
        return Linalg.solveTriangular(lu, y, true, true, false);
    }

    private static void checkPivots(Tensor lu, Tensor pivots) {
        Checks.open(SOLVE, pivots);
        if (pivots.dtype() != DType.I32) {
            throw new IllegalArgumentException(SOLVE + ": pivots should be a Tensor of scalar type I32, got "
                    + pivots.dtype());
        }
        Shape expected = lu.shape().without(-1);
        if (!pivots.shape().equals(expected)) {
            throw new IllegalArgumentException(SOLVE + ": pivots " + pivots.shape() + " must have shape " + expected
                    + " for LU " + lu.shape() + ": one pivot per row of each matrix");
        }
    }

    /**
     * The I32 row order {@code [batch, n, 1]} of n rows that LAPACK's 1-based pivots {@code [batch, k]} (row i
     * swapped with row pivots[i] - 1, in turn, k at most n) give: those of {@code P^T X} as rows of X when
     * {@code ofTranspose}, else those of {@code P X}.
     */
    static Tensor rowsOfP(Tensor pivots, int n, boolean ofTranspose) {
        int batch = pivots.dim(0);
        int[] swaps = LinalgShapes.read(pivots);
        int[] rows = new int[batch * n];
        for (int m = 0; m < batch; m++) {
            int[] order = permutation(swaps, m, pivots.dim(-1), n);
            for (int i = 0; i < n; i++) {
                // P^T X's row i is X's row order[i]; P X's row order[i] is X's row i.
                if (ofTranspose) {
                    rows[m * n + i] = order[i];
                } else {
                    rows[m * n + order[i]] = i;
                }
            }
        }
        return HostValues.ints(pivots, rows, batch, n, 1);
    }

    private static int[] permutation(int[] swaps, int matrix, int k, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int other = swaps[matrix * k + i] - 1;
            if (other < i || other >= n) {
                throw new IllegalArgumentException(SOLVE + ": pivot " + (other + 1) + " of row " + (i + 1)
                        + " of batch element " + matrix + " must lie in [" + (i + 1) + ", " + n
                        + "], as LAPACK's 1-based pivots do");
            }
            int kept = order[i];
            order[i] = order[other];
            order[other] = kept;
        }
        return order;
    }
}
