package dev.kiln.engine;

import java.util.function.Supplier;

/**
 * Linear algebra on batches of matrices, as PyTorch's {@code torch.linalg} (with its names and argument order):
 * matrices in the last two axes {@code [..., n, n]}, F32 or F64, batch axes broadcast between operands. Every
 * backend runs them (the Backend SPI's factorisations, {@link Backend#cholesky} and {@link Backend#luFactor}, run on
 * the host by default; the CPU's through OpenBLAS's LAPACK), and each is differentiable twice: the gradients are PyTorch
 * 1.13's, composed of recorded ops. At an exactly singular matrix det's and slogdet's gradients are not finite (PyTorch
 * goes through an SVD there).
 */
public final class Linalg {
    private Linalg() {
    }

    /** {@link #slogdet}'s result: the sign (0 for a singular matrix) and the log of the absolute determinant. */
    public record SignAndLogAbsDet(Tensor sign, Tensor logabsdet) {
    }

    /** {@link #choleskyEx}'s result: the factor and LAPACK's info for each matrix. */
    public record FactorAndInfo(Tensor factor, Tensor info) {
    }

    /** {@link #qr}'s result: Q (null in mode "r") and R. */
    public record QR(Tensor q, Tensor r) {
    }

    /** {@link #eigh}'s result: the eigenvalues ascending and the eigenvectors as columns in their order. */
    public record Eigh(Tensor eigenvalues, Tensor eigenvectors) {
    }

    /** {@link #svd}'s result: U, the singular values S descending, and Vh. */
    public record SVD(Tensor u, Tensor s, Tensor vh) {
    }

    /**
     * The lower Cholesky factor L of symmetric positive-definite matrices, {@code L L^T = A}, from A's lower
     * triangle: {@code [..., n, n]} (PyTorch's {@code linalg.cholesky}). The gradient is symmetric, as PyTorch's.
     *
     * @throws IllegalArgumentException naming the first batch element (flattened) that is not positive-definite and
     *                                  the order of its first leading minor that is not
     */
    public static Tensor cholesky(Tensor a) {
        return untrackedUnlessRecorded(() -> CholeskyOps.cholesky(a, false), a);
    }

    /**
     * {@link #cholesky(Tensor)}, or, when {@code upper}, the upper factor U ({@code U^T U = A}) from A's upper
     * triangle, as PyTorch reads it.
     */
    public static Tensor cholesky(Tensor a, boolean upper) {
        return untrackedUnlessRecorded(() -> CholeskyOps.cholesky(a, upper), a);
    }

    /**
     * {@link #cholesky(Tensor, boolean)} that refuses nothing, and LAPACK's {@code info} (I32, A's batch axes): 0, or the
     * order of the first leading minor that is not positive-definite, where the factor's values are unspecified
     * (PyTorch's {@code linalg.cholesky_ex}).
     */
    public static FactorAndInfo choleskyEx(Tensor a, boolean upper) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> CholeskyOps.choleskyEx(a, upper), a);
        return new FactorAndInfo(result[0], result[1]);
    }

    /** {@code X = A^-1 B} for triangular A {@code [..., n, n]} and B {@code [..., n, k]} (left, unit diagonal not taken). */
    public static Tensor solveTriangular(Tensor a, Tensor b, boolean upper) {
        return solveTriangular(a, b, upper, true, false);
    }

    /**
     * X with {@code A X = B} (left) or {@code X A = B}, for A {@code [..., n, n]} upper or lower triangular (the other
     * triangle is not read; nor the diagonal, taken as ones, when {@code unitriangular}) and B {@code [..., n, k]}
     * (left) or {@code [..., k, n]}: X has B's shape with the broadcast batch axes (PyTorch's
     * {@code linalg.solve_triangular}). A zero on A's diagonal gives infinities or NaN, unchecked, as PyTorch's.
     */
    public static Tensor solveTriangular(Tensor a, Tensor b, boolean upper, boolean left, boolean unitriangular) {
        return untrackedUnlessRecorded(() -> TriangularSolveOps.solveTriangular(a, b, upper, left, unitriangular), a,
                b);
    }

    /** {@code X = (L L^T)^-1 B} from a lower Cholesky factor L {@code [..., n, n]}, B {@code [..., n, k]}. */
    public static Tensor choleskySolve(Tensor b, Tensor l) {
        return choleskySolve(b, l, false);
    }

    /**
     * {@code X = A^-1 B} for {@code A = L L^T}, or {@code U^T U} from an upper factor when {@code upper}: B
     * {@code [..., n, k]}, the factor {@code [..., n, n]} (PyTorch's {@code torch.cholesky_solve(B, L, upper)}, B
     * first). The factor's gradient is PyTorch's, a full matrix though only its triangle is read.
     */
    public static Tensor choleskySolve(Tensor b, Tensor factor, boolean upper) {
        return untrackedUnlessRecorded(() -> CholeskyOps.choleskySolve(b, factor, upper), b, factor);
    }

    /** {@code X = A^-1 B}: {@link #solve(Tensor, Tensor, boolean)} with {@code left}. */
    public static Tensor solve(Tensor a, Tensor b) {
        return solve(a, b, true);
    }

    /**
     * X with {@code A X = B} (left) or {@code X A = B}, by LU with partial pivoting: A {@code [..., n, n]}, B
     * {@code [..., n, k]} (left) or {@code [..., k, n]}, or vectors: B {@code [n]} or A's shape without its last axis
     * (PyTorch's {@code linalg.solve}).
     *
     * @throws IllegalArgumentException for a singular A, naming its first batch element and zero pivot
     */
    public static Tensor solve(Tensor a, Tensor b, boolean left) {
        return untrackedUnlessRecorded(() -> LuOps.solve(a, b, left), a, b);
    }

    /**
     * {@code A^-1} of {@code [..., n, n]} (PyTorch's {@code linalg.inv}).
     *
     * @throws IllegalArgumentException for a singular A, naming its first batch element and zero pivot
     */
    public static Tensor inv(Tensor a) {
        return untrackedUnlessRecorded(() -> LuOps.inv(a), a);
    }

    /** The determinants of {@code [..., n, n]}: {@code [...]}, 0 for a singular matrix (PyTorch's {@code linalg.det}). */
    public static Tensor det(Tensor a) {
        return untrackedUnlessRecorded(() -> LuOps.det(a), a);
    }

    /**
     * The sign and the log of the absolute value of the determinants of {@code [..., n, n]}, each {@code [...]}: sign 0
     * and logabsdet -inf for a singular matrix (PyTorch's {@code linalg.slogdet}). Only logabsdet has a gradient.
     */
    public static SignAndLogAbsDet slogdet(Tensor a) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> LuOps.slogdet(a), a);
        return new SignAndLogAbsDet(result[0], result[1]);
    }

    /** {@link #qr(Tensor, String)} in mode "reduced", PyTorch's default. */
    public static QR qr(Tensor a) {
        return qr(a, "reduced");
    }

    /**
     * The QR factorisation {@code A = Q R} of {@code [..., m, n]} by Householder reflections (PyTorch's
     * {@code linalg.qr}): in mode "reduced" Q {@code [..., m, k]} with orthonormal columns and R {@code [..., k, n]}
     * upper triangular, k = min(m, n); in "complete" Q {@code [..., m, m]} and R {@code [..., m, n]}; in "r" R alone
     * (k = min(m, n)), Q null. R's diagonal keeps the signs LAPACK's reflections give, as PyTorch's. The gradient is
     * PyTorch's; as there, it is refused in mode "r" and in mode "complete" with m > n, where Q is not determined.
     *
     * @throws IllegalArgumentException for a mode not among the three, naming it
     */
    public static QR qr(Tensor a, String mode) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> {
            Tensor[] qr = QrOps.qr(a, mode);
            return qr[0] == null ? new Tensor[] {qr[1]} : qr;
        }, a);
        return result.length == 1 ? new QR(null, result[0]) : new QR(result[0], result[1]);
    }

    /** {@link #eigh(Tensor, String)} from the lower triangle, PyTorch's default. */
    public static Eigh eigh(Tensor a) {
        return eigh(a, "L");
    }

    /**
     * The eigen-decomposition {@code A = V diag(L) V^T} of symmetric matrices {@code [..., n, n]}, read from the lower
     * triangle ({@code uplo} "L") or the upper ("U"), the other not read (PyTorch's {@code linalg.eigh}): eigenvalues
     * {@code [..., n]} ascending, eigenvectors {@code [..., n, n]} orthonormal columns in that order. Each column's
     * sign is LAPACK's choice, not specified (as in PyTorch), so only what does not depend on it (V diag(f(L)) V^T,
     * V's squares) is meaningful to compare. The gradient is PyTorch's, finite where the eigenvalues are distinct.
     *
     * @throws IllegalArgumentException for a uplo other than "L" or "U", or where the algorithm did not converge
     */
    public static Eigh eigh(Tensor a, String uplo) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> EighOps.eigh(a, uplo), a);
        return new Eigh(result[0], result[1]);
    }

    /** {@link #eigvalsh(Tensor, String)} from the lower triangle. */
    public static Tensor eigvalsh(Tensor a) {
        return eigvalsh(a, "L");
    }

    /**
     * The eigenvalues of symmetric matrices {@code [..., n, n]}, ascending: {@code [..., n]} (PyTorch's
     * {@code linalg.eigvalsh}); differentiable as {@link #eigh}'s, whose vectors it then computes.
     */
    public static Tensor eigvalsh(Tensor a, String uplo) {
        return untrackedUnlessRecorded(() -> EighOps.eigvalsh(a, uplo), a);
    }

    /**
     * The singular value decomposition {@code A = U diag(S) Vh} of {@code [..., m, n]} (PyTorch's
     * {@code linalg.svd}): S {@code [..., k]} descending, k = min(m, n); U {@code [..., m, k]} and Vh
     * {@code [..., k, n]}, or {@code [..., m, m]} and {@code [..., n, n]} when {@code fullMatrices}. The signs of each
     * pair of singular vectors (and a full factorisation's extra columns) are the solver's choice, as in PyTorch, so
     * only what does not depend on them is meaningful to compare. The gradient is PyTorch's, finite where the singular
     * values are distinct and non-zero.
     *
     * @throws IllegalArgumentException where the algorithm did not converge
     */
    public static SVD svd(Tensor a, boolean fullMatrices) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> SvdOps.svd(a, fullMatrices), a);
        return new SVD(result[0], result[1], result[2]);
    }

    /** {@link #svd(Tensor, boolean)} with full matrices, PyTorch's default. */
    public static SVD svd(Tensor a) {
        return svd(a, true);
    }

    /**
     * The singular values of {@code [..., m, n]}, descending: {@code [..., min(m, n)]} (PyTorch's
     * {@code linalg.svdvals}); differentiable as {@link #svd}'s, whose vectors it then computes.
     */
    public static Tensor svdvals(Tensor a) {
        return untrackedUnlessRecorded(() -> SvdOps.svdvals(a), a);
    }

    /**
     * The Moore-Penrose pseudo-inverse of {@code [..., m, n]}: {@code [..., n, m]}, through the SVD, singular values
     * at most {@code eps max(m, n) S_max} taken as zero (PyTorch's {@code linalg.pinv} with its default tolerances).
     */
    public static Tensor pinv(Tensor a) {
        // Checked before the default tolerance reads the matrix axes, so that a vector is refused by name.
        LinalgShapes.matrices(MatrixFunctions.PINV, "A", a);
        return untrackedUnlessRecorded(() -> MatrixFunctions.pinv(a, 0, MatrixFunctions.defaultRtol(a)), a);
    }

    /**
     * {@link #pinv(Tensor)} with singular values at most {@code max(atol, rtol S_max)} taken as zero (PyTorch's
     * {@code linalg.pinv(A, atol=atol, rtol=rtol)}).
     */
    public static Tensor pinv(Tensor a, double atol, double rtol) {
        return untrackedUnlessRecorded(() -> MatrixFunctions.pinv(a, atol, rtol), a);
    }

    /**
     * {@link #pinv(Tensor)} of symmetric matrices {@code [..., n, n]} where {@code hermitian}, through the
     * eigen-decomposition of the lower triangle (PyTorch's {@code linalg.pinv(A, hermitian=True)}): eigenvalues whose
     * magnitude is at most {@code eps n max|L|} taken as zero.
     */
    public static Tensor pinv(Tensor a, boolean hermitian) {
        LinalgShapes.matrices(MatrixFunctions.PINV, "A", a);
        return hermitian ? pinv(a, 0, MatrixFunctions.defaultRtol(a), true) : pinv(a);
    }

    /**
     * {@link #pinv(Tensor, double, double)}, or for symmetric A where {@code hermitian} {@link #pinv(Tensor, boolean)}
     * with eigenvalues of magnitude at most {@code max(atol, rtol max|L|)} taken as zero.
     */
    public static Tensor pinv(Tensor a, double atol, double rtol, boolean hermitian) {
        return hermitian ? untrackedUnlessRecorded(() -> MatrixFunctions.pinvHermitian(a, atol, rtol), a)
                : pinv(a, atol, rtol);
    }

    /**
     * The matrix norm of {@code [..., m, n]} over its last two axes, {@code [...]} (PyTorch's
     * {@code linalg.matrix_norm}): ord "fro" (Frobenius) or "nuc" (nuclear, the sum of the singular values).
     */
    public static Tensor matrixNorm(Tensor a, String ord) {
        return untrackedUnlessRecorded(() -> MatrixFunctions.matrixNorm(a, ord), a);
    }

    /**
     * {@link #matrixNorm(Tensor, String)} for a numeric ord: 2 or -2 (largest or smallest singular value), 1 or -1
     * (largest or smallest absolute column sum), {@code Double.POSITIVE_INFINITY} or {@code NEGATIVE_INFINITY} (row
     * sums). Gradients split evenly among tied maxima, as PyTorch's amax.
     */
    public static Tensor matrixNorm(Tensor a, double ord) {
        return untrackedUnlessRecorded(() -> MatrixFunctions.matrixNorm(a, ord), a);
    }

    /**
     * {@link #matrixNorm(Tensor, String)} over axes {@code dim0} (rows) and {@code dim1} (columns), negative ones
     * counting from the end, and those axes kept with size 1 where {@code keepDim} (PyTorch's
     * {@code linalg.matrix_norm(A, ord, dim, keepdim)}).
     */
    public static Tensor matrixNorm(Tensor a, String ord, int dim0, int dim1, boolean keepDim) {
        // linalg.norm's checks would take a vector's two axes for one axis named twice.
        LinalgShapes.matrices(MatrixFunctions.NORM, "A", a);
        return untrackedUnlessRecorded(() -> VectorNormOps.matrixNorm(a, ord, dim0, dim1, keepDim), a);
    }

    /** {@link #matrixNorm(Tensor, double)} over axes {@code dim0} and {@code dim1}, as the String ord's overload. */
    public static Tensor matrixNorm(Tensor a, double ord, int dim0, int dim1, boolean keepDim) {
        LinalgShapes.matrices(MatrixFunctions.NORM, "A", a);
        return untrackedUnlessRecorded(() -> VectorNormOps.matrixNorm(a, ord, dim0, dim1, keepDim), a);
    }

    /**
     * The least-squares solutions X minimising {@code |A X - B|} of A {@code [..., m, n]} and B {@code [..., m, k]},
     * of minimum norm where A is rank-deficient (singular values at most {@code eps max(m, n) S_max} taken as zero),
     * batch axes broadcast: {@code [..., n, k]} (the solution of PyTorch's {@code linalg.lstsq}, its driver's rcond by
     * default). Computed as {@code pinv(A) B}; the gradient is PyTorch's, that of {@code pinv(A) B}.
     */
    public static Tensor lstsq(Tensor a, Tensor b) {
        return untrackedUnlessRecorded(() -> MatrixFunctions.lstsq(a, b), a, b);
    }

    /**
     * What {@code op} returns; where no input would record a graph, every other tensor it made on the way (flattened
     * views, broadcast copies, factorisations) is closed, so that without a scope the op keeps none of its steps.
     * Where it records, its graph reads them and the caller's scope frees them.
     */
    private static Tensor untrackedUnlessRecorded(Supplier<Tensor> op, Tensor... inputs) {
        return allUntrackedUnlessRecorded(() -> new Tensor[] {op.get()}, inputs)[0];
    }

    /** {@link #untrackedUnlessRecorded} for an op with several results. */
    private static Tensor[] allUntrackedUnlessRecorded(Supplier<Tensor[]> op, Tensor... inputs) {
        if (Tensor.recordsFrom(inputs)) {
            return op.get();
        }
        try (Scope scope = Scope.open()) {
            Tensor[] results = op.get();
            for (Tensor result : results) {
                scope.keep(result);
            }
            return results;
        }
    }

    // ---- LU factorisation, solves with it, and matrix functions composed of Linalg's ops -------------------------

    /** {@link #lu}'s result: the permutation P, unit lower triangular L and upper triangular U, {@code A = P L U}. */
    public record LU(Tensor p, Tensor l, Tensor u) {
    }

    /** {@link #luFactor}'s result: L and U packed in one matrix, and LAPACK's 1-based I32 pivots. */
    public record LuFactorization(Tensor lu, Tensor pivots) {
    }

    /**
     * The LU factorisation with partial pivoting {@code A = P L U} of {@code [..., m, n]}, square or not (k = min(m,
     * n)), packed as LAPACK's getrf writes it (PyTorch's {@code linalg.lu_factor}): {@code lu()} {@code [..., m, n]}
     * holds U {@code [k, n]} on and above the diagonal and L's {@code [m, k]} multipliers below it (L's unit diagonal
     * not stored), {@code pivots()} I32 {@code [..., k]}: row i was swapped with row pivots[i] (from 1), in turn.
     * Differentiable in lu, PyTorch's gradient (for wide and tall A too).
     *
     * @throws IllegalArgumentException for a singular A, naming its first batch element and zero diagonal element of U
     */
    public static LuFactorization luFactor(Tensor a) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> LuFactorOps.luFactor(a, true, LuFactorOps.FACTOR), a);
        return new LuFactorization(result[0], result[1]);
    }

    /**
     * {@code A = P L U} of {@code [..., m, n]}, square or not, k = min(m, n) (PyTorch's {@code linalg.lu}): P a
     * permutation matrix {@code [..., m, m]}, L unit lower triangular {@code [..., m, k]}, U upper triangular
     * {@code [..., k, n]}; a singular A is factorised too (U with a zero on its diagonal). L and U are
     * differentiable, as PyTorch's.
     */
    public static LU lu(Tensor a) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> LuFactorOps.lu(a), a);
        return new LU(result[0], result[1], result[2]);
    }

    /**
     * {@link #lu(Tensor)} with PyTorch's {@code pivot} flag: partial pivoting is the only LU Kiln has, so
     * {@code pivot = false} is refused, as PyTorch refuses it on the CPU.
     */
    public static LU lu(Tensor a, boolean pivot) {
        if (!pivot) {
            throw new IllegalArgumentException(LuFactorOps.LU + ": LU without pivoting is not implemented (A "
                    + a.shape() + ")");
        }
        return lu(a);
    }

    /** X with {@code A X = B} from {@link #luFactor}'s result (left, A itself). */
    public static Tensor luSolve(Tensor lu, Tensor pivots, Tensor b) {
        return luSolve(lu, pivots, b, true, false);
    }

    /**
     * X with {@code op(A) X = B} (left) or {@code X op(A) = B}, op(A) = A^T when {@code adjoint}, from A's
     * {@link #luFactor} {@code lu} {@code [..., n, n]} and {@code pivots} {@code [..., n]}: B {@code [..., n, k]}
     * (left) or {@code [..., k, n]}, batch axes broadcast; X has B's shape with the broadcast batch axes (PyTorch's
     * {@code linalg.lu_solve}). Differentiable in lu and B, as their composition of triangular solves.
     *
     * @throws IllegalArgumentException for pivots not I32 of shape {@code [..., n]} or out of LAPACK's range
     */
    public static Tensor luSolve(Tensor lu, Tensor pivots, Tensor b, boolean left, boolean adjoint) {
        return untrackedUnlessRecorded(() -> LuFactorOps.luSolve(lu, pivots, b, left, adjoint), lu, pivots, b);
    }

    /** {@link #invEx}'s and {@link #solveEx}'s result, and LAPACK's info for each of A's matrices. */
    public record ResultAndInfo(Tensor result, Tensor info) {
    }

    /**
     * {@link #inv} that refuses nothing (PyTorch's {@code linalg.inv_ex}): the inverse {@code [..., n, n]} and
     * LAPACK's info (I32, A's batch axes): 0, or k where U's diagonal element k (from 1) is zero, the inverse then
     * holding infinities or NaN. Differentiable as inv.
     */
    public static ResultAndInfo invEx(Tensor a) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> LuOps.invEx(a), a);
        return new ResultAndInfo(result[0], result[1]);
    }

    /**
     * {@link #solve(Tensor, Tensor, boolean)} that refuses nothing (PyTorch's {@code linalg.solve_ex}): X and
     * LAPACK's info (I32, A's own batch axes, however far B broadcasts them), X holding infinities or NaN where A is
     * singular. Differentiable as solve.
     */
    public static ResultAndInfo solveEx(Tensor a, Tensor b, boolean left) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> LuOps.solveEx(a, b, left), a, b);
        return new ResultAndInfo(result[0], result[1]);
    }

    /**
     * {@code A^n} of square {@code [..., n, n]} by repeated squaring (PyTorch's {@code linalg.matrix_power}): identities
     * for n = 0 (with a zero gradient), powers of {@link #inv}(A) for a negative n. Differentiable as its products.
     *
     * @throws IllegalArgumentException for a singular A and a negative n, as inv
     */
    public static Tensor matrixPower(Tensor a, int n) {
        return untrackedUnlessRecorded(() -> MatrixProductOps.matrixPower(a, n), a);
    }

    /**
     * The matrix exponential of square {@code [..., n, n]} (PyTorch's {@code linalg.matrix_exp}): scaling and squaring
     * with the degree-13 Padé approximant, each matrix scaled on its own 1-norm. The gradient is the composition's
     * (the approximant's), PyTorch's to rounding, and differentiable again.
     */
    public static Tensor matrixExp(Tensor a) {
        return untrackedUnlessRecorded(() -> MatrixExpOps.matrixExp(a), a);
    }

    /**
     * The product of two or more matrices {@code [a, b], [b, c], ...} in the order of fewest multiplications (PyTorch's
     * {@code linalg.multi_dot}): the first may be a vector {@code [b]} (a row) and the last {@code [c]} (a column),
     * their axes then dropped from the result. No batch axes.
     */
    public static Tensor multiDot(java.util.List<Tensor> tensors) {
        return untrackedUnlessRecorded(() -> MatrixProductOps.multiDot(tensors), tensors.toArray(new Tensor[0]));
    }

    /**
     * The vector norm of x over {@code axes} (all when null or empty), without them or with them as size 1 (PyTorch's
     * {@code linalg.vector_norm}): {@code (sum |x|^ord)^(1/ord)} for any ord (negative too, 0 where an element is 0),
     * {@code Double.POSITIVE_INFINITY} the largest |x|, {@code NEGATIVE_INFINITY} the smallest, 0 the number of
     * non-zero elements (without a gradient). Gradients are PyTorch's.
     *
     * @throws IllegalArgumentException for an infinite ord over no elements, in PyTorch's words
     */
    public static Tensor vectorNorm(Tensor x, double ord, int[] axes, boolean keepDim) {
        return untrackedUnlessRecorded(() -> VectorNormOps.vectorNorm(x, ord, axes, keepDim), x);
    }

    /** The 2-norm of all of x's elements (PyTorch's {@code linalg.norm(x)}): a scalar. */
    public static Tensor norm(Tensor x) {
        return vectorNorm(x, 2, null, false);
    }

    /**
     * PyTorch's {@code linalg.norm(x, ord)} for 1-D x (its {@link #vectorNorm}) or 2-D x (its {@link #matrixNorm},
     * ord among 2, -2, 1, -1 and the infinities): a scalar.
     */
    public static Tensor norm(Tensor x, double ord) {
        return untrackedUnlessRecorded(() -> VectorNormOps.norm(x, ord), x);
    }

    /** PyTorch's {@code linalg.norm(x, ord)} for ord "fro" or "nuc" and 2-D x: a scalar. */
    public static Tensor norm(Tensor x, String ord) {
        return untrackedUnlessRecorded(() -> VectorNormOps.norm(x, ord), x);
    }

    /**
     * PyTorch's {@code linalg.norm(x, ord, dim, keepdim)}: the {@link #vectorNorm} over one axis, or the
     * {@link #matrixNorm} of the matrices in two axes, without them or with them as size 1.
     */
    public static Tensor norm(Tensor x, double ord, int[] axes, boolean keepDim) {
        return untrackedUnlessRecorded(() -> VectorNormOps.norm(x, ord, axes, keepDim), x);
    }

    /** {@link #norm(Tensor, double, int[], boolean)} with ord "fro" or "nuc" over two axes. */
    public static Tensor norm(Tensor x, String ord, int[] axes, boolean keepDim) {
        return untrackedUnlessRecorded(() -> VectorNormOps.norm(x, ord, axes, keepDim), x);
    }

    /** {@code sum(x * y)} over the last axis of their broadcast shape (PyTorch's {@code linalg.vecdot}, real). */
    public static Tensor vecdot(Tensor x, Tensor y) {
        return vecdot(x, y, -1);
    }

    /** {@code sum(x * y)} over {@code axis} of their broadcast shape, which it leaves out. */
    public static Tensor vecdot(Tensor x, Tensor y, int axis) {
        return untrackedUnlessRecorded(() -> VectorNormOps.vecdot(x, y, axis), x, y);
    }

    /**
     * The rank of {@code [..., m, n]}: the number of singular values above {@code eps max(m, n) S_max} (PyTorch's
     * {@code linalg.matrix_rank} with its default tolerances): I64 {@code [...]}, no gradient.
     */
    public static Tensor matrixRank(Tensor a) {
        return matrixRank(a, false);
    }

    /** {@link #matrixRank(Tensor)}, from the absolute eigenvalues of symmetric A's lower triangle when hermitian. */
    public static Tensor matrixRank(Tensor a, boolean hermitian) {
        return untrackedUnlessRecorded(() -> MatrixConditionOps.matrixRank(a, hermitian), a);
    }

    /**
     * The number of singular values (absolute eigenvalues when {@code hermitian}) above {@code max(atol, rtol
     * S_max)} (PyTorch's {@code linalg.matrix_rank(A, atol=, rtol=, hermitian=)}): I64 {@code [...]}.
     */
    public static Tensor matrixRank(Tensor a, double atol, double rtol, boolean hermitian) {
        return untrackedUnlessRecorded(() -> MatrixConditionOps.matrixRank(a, atol, rtol, hermitian), a);
    }

    /** The 2-norm condition number {@code S_max / S_min} of {@code [..., m, n]}: {@code [...]} ({@code linalg.cond}). */
    public static Tensor cond(Tensor a) {
        return cond(a, 2);
    }

    /**
     * The condition number of {@code [..., m, n]} in norm p (PyTorch's {@code linalg.cond(A, p)}): {@code [...]}. For
     * 2 and -2 the ratio of the extreme singular values, any A; for 1, -1 and the infinities
     * {@code |A|_p |A^-1|_p} of square A, infinity where A is singular. Differentiable as its composition.
     */
    public static Tensor cond(Tensor a, double p) {
        return untrackedUnlessRecorded(() -> MatrixConditionOps.cond(a, p), a);
    }

    /** {@link #cond(Tensor, double)} in norm "fro" or "nuc", of square A. */
    public static Tensor cond(Tensor a, String p) {
        return untrackedUnlessRecorded(() -> MatrixConditionOps.cond(a, p), a);
    }

    /** {@code (L L^T)^-1} from a lower Cholesky factor {@code [..., n, n]} ({@code torch.cholesky_inverse}). */
    public static Tensor choleskyInverse(Tensor l) {
        return choleskyInverse(l, false);
    }

    /**
     * {@code (L L^T)^-1}, or {@code (U^T U)^-1} from an upper factor when {@code upper}: {@code [..., n, n]}, from the
     * factor's triangle; differentiable as {@link #choleskySolve}, which it is of the identities.
     */
    public static Tensor choleskyInverse(Tensor factor, boolean upper) {
        return untrackedUnlessRecorded(() -> CholeskyOps.choleskyInverse(factor, upper), factor);
    }

    /**
     * The first n columns of {@code H_1 ... H_k}, {@code H_i = I - tau_i v_i v_i^T}, v_i column i of A below the
     * diagonal with 1 on it (PyTorch's {@code linalg.householder_product}, LAPACK's orgqr): A {@code [..., m, n]},
     * m &ge; n, tau {@code [..., k]}, k &le; n; the result {@code [..., m, n]}. Differentiable in A (below its
     * diagonal) and tau, as its composition of rank-one updates.
     */
    public static Tensor householderProduct(Tensor a, Tensor tau) {
        return untrackedUnlessRecorded(() -> HouseholderProductOps.householderProduct(a, tau), a, tau);
    }

    /** {@link #geqrf}'s result: R and the reflectors {@code [..., m, n]}, and tau {@code [..., min(m, n)]}. */
    public record Geqrf(Tensor a, Tensor tau) {
    }

    /**
     * LAPACK's {@code geqrf} of {@code [..., m, n]} (PyTorch's {@code torch.geqrf}): R on and above the diagonal, below
     * it the Householder vectors v (their leading 1 implied) of the reflections {@code I - tau v v^T} whose product
     * is Q (see {@link #householderProduct}). Computed on the host in F64, as the SPI's QR default; no gradient, as in
     * PyTorch.
     *
     * @throws IllegalArgumentException for an input that is not F32 or F64 matrices
     */
    public static Geqrf geqrf(Tensor a) {
        LinalgShapes.matrices("geqrf", "A", a);
        Tensor[] result;
        try (Autograd.Guard g = Autograd.noGrad()) {
            result = QrOnHost.geqrf(a);
        }
        return new Geqrf(result[0], result[1]);
    }

    /**
     * {@link #eig}'s result, complex numbers as {@code torch.view_as_real} pairs (see {@link Fft}): the eigenvalues
     * {@code [..., n, 2]} in the solver's order and the eigenvectors {@code [..., n, n, 2]} as columns in their order.
     */
    public record Eig(Tensor eigenvalues, Tensor eigenvectors) {
    }

    /**
     * The eigen-decomposition {@code A V = V diag(L)} of real, not necessarily symmetric, F32 or F64 matrices
     * {@code [..., n, n]} (PyTorch's {@code torch.linalg.eig}), complex results as {@code view_as_real} pairs:
     * eigenvalues {@code [..., n, 2]}, a complex conjugate pair next to each other, its positive imaginary part first;
     * eigenvectors {@code [..., n, n, 2]}, columns of unit 2-norm, a complex one turned so that its largest component
     * is real (LAPACK's {@code geev} convention). The order of the values and the phases of the vectors are the
     * solver's, as in PyTorch, so a loss that is to be differentiated should not depend on the phases. Differentiable
     * (PyTorch's gradient), finite where the eigenvalues are distinct.
     *
     * @throws IllegalArgumentException for an input that is not square F32 or F64 matrices, or whose QR iterations
     *     did not converge
     */
    public static Eig eig(Tensor a) {
        Tensor[] result = allUntrackedUnlessRecorded(() -> EigOps.eig(a), a);
        return new Eig(result[0], result[1]);
    }

    /**
     * The eigenvalues {@code [..., n, 2]} of real square matrices {@code [..., n, n]} as {@link #eig}'s (PyTorch's
     * {@code torch.linalg.eigvals}); differentiable as {@link #eig}'s, whose vectors it then computes.
     */
    public static Tensor eigvals(Tensor a) {
        return untrackedUnlessRecorded(() -> EigOps.eigvals(a), a);
    }
}
