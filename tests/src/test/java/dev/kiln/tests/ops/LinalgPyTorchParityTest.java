package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.general;
import static dev.kiln.tests.ops.LinalgInputs.lower;
import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.LinalgInputs.plusDiagonal;
import static dev.kiln.tests.ops.LinalgInputs.spd;
import static dev.kiln.tests.ops.LinalgInputs.transposed;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg} against PyTorch 1.13's {@code torch.linalg}: values and the gradients of {@code (y * w).sum()}, w the
 * pattern of seed 9, on batches of 3 x 3 matrices, with broadcast batch axes (values printed by
 * {@code models/src/test/pytorch/linalg.py} into {@link LinalgPyTorchValues}). F64 within 1e-10, F32 within 1e-5 of
 * max(1, |value|): these matrices are well conditioned.
 */
class LinalgPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.F64 ? 1e-10 : 1e-5;
    }

    /** Checks y's values, then backpropagates the pattern of seed 9 through it. */
    private static void assertForward(String what, double[] expected, Tensor y, DType dtype) {
        assertValues(what, expected, y.shape().dims(), y, tolerance(dtype));
        backward(y, pattern(9, (int) y.size()));
    }

    private static void assertGradient(String what, double[] expected, Tensor leaf, DType dtype) {
        assertValues(what + " gradient", expected, leaf.shape().dims(), leaf.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void choleskyAndItsSymmetricGradientMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, spd(1, 2, 3), 2, 3, 3);
        assertForward("cholesky", LinalgPyTorchValues.CHOLESKY, Linalg.cholesky(a), dtype);
        assertGradient("cholesky", LinalgPyTorchValues.CHOLESKY_GRAD_A, a, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void upperCholeskyMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, spd(1, 2, 3), 2, 3, 3);
        assertForward("cholesky upper", LinalgPyTorchValues.CHOLESKY_UPPER, Linalg.cholesky(a, true), dtype);
        assertGradient("cholesky upper", LinalgPyTorchValues.CHOLESKY_UPPER_GRAD_A, a, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void upperCholeskyReadsTheUpperTriangleAsPyTorch(DType dtype) {
        // spd's strictly upper triangle moved by pattern 7: the lower triangle alone gives another factor.
        double[] values = spd(1, 2, 3);
        double[] moved = pattern(7, values.length);
        for (int at = 0; at < values.length; at++) {
            if (at % 3 > at / 3 % 3) {
                values[at] += moved[at];
            }
        }
        Tensor a = leaf(dtype, values, 2, 3, 3);
        assertForward("cholesky upper", LinalgPyTorchValues.CHOLESKY_UPPER_TRIANGLE, Linalg.cholesky(a, true), dtype);
        assertGradient("cholesky upper", LinalgPyTorchValues.CHOLESKY_UPPER_TRIANGLE_GRAD_A, a, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lowerTriangularSolveBroadcastsOneRightHandSideOverTheBatchAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, lower(2, 2, 3), 2, 3, 3);
        Tensor b = leaf(dtype, pattern(3, 6), 3, 2);
        assertForward("solveTriangular lower", LinalgPyTorchValues.SOLVE_LOWER, Linalg.solveTriangular(a, b, false),
                dtype);
        assertGradient("A", LinalgPyTorchValues.SOLVE_LOWER_GRAD_A, a, dtype);
        assertGradient("B", LinalgPyTorchValues.SOLVE_LOWER_GRAD_B, b, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void upperTriangularSolveFromTheRightMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, transposed(lower(2, 2, 3), 2, 3), 2, 3, 3);
        Tensor b = leaf(dtype, pattern(3, 24), 2, 4, 3);
        assertForward("solveTriangular upper right", LinalgPyTorchValues.SOLVE_UPPER_RIGHT,
                Linalg.solveTriangular(a, b, true, false, false), dtype);
        assertGradient("A", LinalgPyTorchValues.SOLVE_UPPER_RIGHT_GRAD_A, a, dtype);
        assertGradient("B", LinalgPyTorchValues.SOLVE_UPPER_RIGHT_GRAD_B, b, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void unitriangularSolveIgnoresTheDiagonalAndBroadcastsAAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, lower(2, 1, 3), 1, 3, 3);
        Tensor b = leaf(dtype, pattern(3, 12), 2, 3, 2);
        assertForward("solveTriangular unitriangular", LinalgPyTorchValues.SOLVE_UNIT_LOWER,
                Linalg.solveTriangular(a, b, false, true, true), dtype);
        assertGradient("A", LinalgPyTorchValues.SOLVE_UNIT_LOWER_GRAD_A, a, dtype);
        assertGradient("B", LinalgPyTorchValues.SOLVE_UNIT_LOWER_GRAD_B, b, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void choleskySolveWithALowerFactorMatchesPyTorch(DType dtype) {
        Tensor b = leaf(dtype, pattern(3, 12), 2, 3, 2);
        Tensor l = leaf(dtype, LinalgPyTorchValues.CHOLESKY, 2, 3, 3);
        assertForward("choleskySolve", LinalgPyTorchValues.CHOLESKY_SOLVE, Linalg.choleskySolve(b, l), dtype);
        assertGradient("B", LinalgPyTorchValues.CHOLESKY_SOLVE_GRAD_B, b, dtype);
        assertGradient("L", LinalgPyTorchValues.CHOLESKY_SOLVE_GRAD_L, l, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void choleskySolveWithAnUpperFactorMatchesPyTorch(DType dtype) {
        Tensor b = leaf(dtype, pattern(3, 12), 2, 3, 2);
        Tensor u = leaf(dtype, LinalgPyTorchValues.CHOLESKY_UPPER, 2, 3, 3);
        assertForward("choleskySolve upper", LinalgPyTorchValues.CHOLESKY_SOLVE_UPPER,
                Linalg.choleskySolve(b, u, true), dtype);
        assertGradient("B", LinalgPyTorchValues.CHOLESKY_SOLVE_UPPER_GRAD_B, b, dtype);
        assertGradient("U", LinalgPyTorchValues.CHOLESKY_SOLVE_UPPER_GRAD_L, u, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void solveMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, general(4, 2, 3), 2, 3, 3);
        Tensor b = leaf(dtype, pattern(3, 12), 2, 3, 2);
        assertForward("solve", LinalgPyTorchValues.SOLVE, Linalg.solve(a, b), dtype);
        assertGradient("A", LinalgPyTorchValues.SOLVE_GRAD_A, a, dtype);
        assertGradient("B", LinalgPyTorchValues.SOLVE_GRAD_B, b, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void solveTakesABatchOfVectorsShapedLikeAWithoutItsLastAxisAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, general(4, 2, 3), 2, 3, 3);
        Tensor b = leaf(dtype, pattern(3, 6), 2, 3);
        assertForward("solve vectors", LinalgPyTorchValues.SOLVE_VECTOR, Linalg.solve(a, b), dtype);
        assertGradient("A", LinalgPyTorchValues.SOLVE_VECTOR_GRAD_A, a, dtype);
        assertGradient("B", LinalgPyTorchValues.SOLVE_VECTOR_GRAD_B, b, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void solveFromTheRightBroadcastsAAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, general(4, 1, 3), 1, 3, 3);
        Tensor b = leaf(dtype, pattern(3, 24), 2, 4, 3);
        assertForward("solve right", LinalgPyTorchValues.SOLVE_RIGHT_BROADCAST, Linalg.solve(a, b, false), dtype);
        assertGradient("A", LinalgPyTorchValues.SOLVE_RIGHT_BROADCAST_GRAD_A, a, dtype);
        assertGradient("B", LinalgPyTorchValues.SOLVE_RIGHT_BROADCAST_GRAD_B, b, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void inverseMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, general(4, 2, 3), 2, 3, 3);
        assertForward("inv", LinalgPyTorchValues.INV, Linalg.inv(a), dtype);
        assertGradient("A", LinalgPyTorchValues.INV_GRAD_A, a, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void determinantMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, general(4, 2, 3), 2, 3, 3);
        assertForward("det", LinalgPyTorchValues.DET, Linalg.det(a), dtype);
        assertGradient("A", LinalgPyTorchValues.DET_GRAD_A, a, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void signAndLogAbsDetOfNegativeDeterminantsMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, plusDiagonal(pattern(5, 18), 2, 3, -1), 2, 3, 3);
        Linalg.SignAndLogAbsDet result = Linalg.slogdet(a);
        assertValues("sign", LinalgPyTorchValues.SLOGDET_SIGN, new int[] {2}, result.sign(), 0);
        assertForward("logabsdet", LinalgPyTorchValues.SLOGDET_LOGABSDET, result.logabsdet(), dtype);
        assertGradient("A", LinalgPyTorchValues.SLOGDET_LOGABSDET_GRAD_A, a, dtype);
    }

    @Test
    void aSingularMatrixHasDeterminantZeroAndSlogdetSignZeroWithMinusInfinityAsPyTorch() {
        Tensor singular = Tensor.fromArray(new double[] {1, 2, 3, 2, 4, 6, 1, 0, 1}, 3, 3);
        assertValues("det", LinalgPyTorchValues.SINGULAR_DET, new int[0], Linalg.det(singular), 0);
        Linalg.SignAndLogAbsDet result = Linalg.slogdet(singular);
        assertValues("sign", LinalgPyTorchValues.SINGULAR_SLOGDET_SIGN, new int[0], result.sign(), 0);
        assertEquals(Double.NEGATIVE_INFINITY, result.logabsdet().item());
    }
}
