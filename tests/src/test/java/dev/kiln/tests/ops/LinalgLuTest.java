package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg#luFactor}, {@link Linalg#lu} and {@link Linalg#luSolve} against PyTorch 1.13 (values printed by
 * {@code models/src/test/pytorch/linalg_lu_functions.py lu} into {@link LinalgLuValues}), the gradients of
 * {@code (y * w).sum()}, w the pattern of seed 9, on matrices whose LU permutes rows in a cycle; F64 within 1e-10,
 * F32 within 1e-5. Finite differences of first and second order in F64, and PyTorch's refusals.
 */
class LinalgLuTest {
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

    /** The pattern plus 2 on a cyclic shift of the diagonal ({@code [i, i + 1 mod n]}): LU permutes rows in a cycle. */
    static double[] swapped(int seed, int batch, int n) {
        double[] m = pattern(seed, batch * n * n);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                m[(b * n + i) * n + (i + 1) % n] += 2;
            }
        }
        return m;
    }

    private static void assertTensor(String what, double[] expected, Tensor actual, DType dtype) {
        assertValues(what, expected, actual.shape().dims(), actual, tolerance(dtype));
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(name, f, inputs);
        DoubleBackwardTest.checkSecondOrder(name, f, inputs);
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luFactorPacksLAndUWithOneBasedPivotsAndItsGradientMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, swapped(4, 2, 3), 2, 3, 3);
        Linalg.LuFactorization f = Linalg.luFactor(a);
        assertTensor("LU", LinalgLuValues.LU_FACTOR, f.lu(), dtype);
        assertEquals(DType.I32, f.pivots().dtype());
        assertTensor("pivots", LinalgLuValues.LU_FACTOR_PIVOTS, f.pivots(), DType.F64);
        backward(f.lu(), pattern(9, (int) f.lu().size()));
        assertTensor("LU gradient", LinalgLuValues.LU_FACTOR_GRAD_A, a.grad(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luUnpacksPLAndUAndTheirGradientMatchesPyTorch(DType dtype) {
        Tensor a = leaf(dtype, swapped(5, 2, 4), 2, 4, 4);
        Linalg.LU lu = Linalg.lu(a);
        assertTensor("P", LinalgLuValues.LU_P, lu.p(), dtype);
        assertTensor("L", LinalgLuValues.LU_L, lu.l(), dtype);
        assertTensor("U", LinalgLuValues.LU_U, lu.u(), dtype);
        lu.l().mul(weights(9, lu.l())).sum().add(lu.u().mul(weights(10, lu.u())).sum()).backward();
        assertTensor("gradient", LinalgLuValues.LU_GRAD_A, a.grad(), dtype);
    }

    private static Tensor weights(int seed, Tensor like) {
        return Tensor.fromArray(pattern(seed, (int) like.size()), like.shape().dims()).to(like.dtype());
    }

    /** The pattern plus 2 on the diagonal shifted down a row ({@code [i, i - 1 mod m]}, where inside the n columns). */
    static double[] shifted(int seed, int batch, int m, int n) {
        double[] a = pattern(seed, batch * m * n);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < m; i++) {
                int j = (i + m - 1) % m;
                if (j < n) {
                    a[(b * m + i) * n + j] += 2;
                }
            }
        }
        return a;
    }

    private static void assertRectangularLuFactor(DType dtype, int m, int n, double[] lu, double[] pivots,
                                                  double[] gradient) {
        Tensor a = leaf(dtype, shifted(11, 2, m, n), 2, m, n);
        Linalg.LuFactorization f = Linalg.luFactor(a);
        assertTensor("LU", lu, f.lu(), dtype);
        assertArrayEquals(new int[] {2, Math.min(m, n)}, f.pivots().shape().dims());
        assertTensor("pivots", pivots, f.pivots(), DType.F64);
        backward(f.lu(), pattern(9, (int) f.lu().size()));
        assertTensor("LU gradient", gradient, a.grad(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luFactorOfTallAndWideMatricesAndItsGradientMatchPyTorch(DType dtype) {
        assertRectangularLuFactor(dtype, 5, 3, LinalgLuValues.TALL_LU_FACTOR, LinalgLuValues.TALL_LU_FACTOR_PIVOTS,
                LinalgLuValues.TALL_LU_FACTOR_GRAD_A);
        assertRectangularLuFactor(dtype, 3, 5, LinalgLuValues.WIDE_LU_FACTOR, LinalgLuValues.WIDE_LU_FACTOR_PIVOTS,
                LinalgLuValues.WIDE_LU_FACTOR_GRAD_A);
    }

    private static void assertRectangularLu(DType dtype, int m, int n, double[] p, double[] l, double[] u,
                                            double[] gradient) {
        Tensor a = leaf(dtype, shifted(12, 2, m, n), 2, m, n);
        Linalg.LU lu = Linalg.lu(a);
        int k = Math.min(m, n);
        assertArrayEquals(new int[] {2, m, m}, lu.p().shape().dims());
        assertArrayEquals(new int[] {2, m, k}, lu.l().shape().dims());
        assertArrayEquals(new int[] {2, k, n}, lu.u().shape().dims());
        assertTensor("P", p, lu.p(), dtype);
        assertTensor("L", l, lu.l(), dtype);
        assertTensor("U", u, lu.u(), dtype);
        lu.l().mul(weights(9, lu.l())).sum().add(lu.u().mul(weights(10, lu.u())).sum()).backward();
        assertTensor("gradient", gradient, a.grad(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luOfTallAndWideMatricesAndItsGradientMatchPyTorch(DType dtype) {
        assertRectangularLu(dtype, 5, 3, LinalgLuValues.TALL_LU_P, LinalgLuValues.TALL_LU_L, LinalgLuValues.TALL_LU_U,
                LinalgLuValues.TALL_LU_GRAD_A);
        assertRectangularLu(dtype, 3, 5, LinalgLuValues.WIDE_LU_P, LinalgLuValues.WIDE_LU_L, LinalgLuValues.WIDE_LU_U,
                LinalgLuValues.WIDE_LU_GRAD_A);
    }

    @Test
    void tallAndWideLuGradientsMatchFiniteDifferencesToTheSecondOrder() {
        for (int[] mn : new int[][] {{4, 2}, {2, 4}}) {
            checkBothOrders("luFactor " + mn[0] + " x " + mn[1], in -> Linalg.luFactor(in[0]).lu(),
                    Tensor.fromArray(shifted(7, 2, mn[0], mn[1]), 2, mn[0], mn[1]).requiresGrad(true));
            checkBothOrders("lu " + mn[0] + " x " + mn[1], in -> {
                Linalg.LU lu = Linalg.lu(in[0]);
                return lu.l().sum().add(lu.u().mul(0.5).sum());
            }, Tensor.fromArray(shifted(8, 1, mn[0], mn[1]), mn[0], mn[1]).requiresGrad(true));
        }
    }

    @Test
    void tallAndWideLuProductsRebuildTheMatrices() {
        for (int[] mn : new int[][] {{6, 3}, {3, 6}, {1, 4}, {4, 1}}) {
            Tensor a = Tensor.fromArray(shifted(6, 3, mn[0], mn[1]), 3, mn[0], mn[1]);
            Linalg.LU lu = Linalg.lu(a);
            assertArrayEquals(a.toDoubleArray(), lu.p().matmul(lu.l()).matmul(lu.u()).toDoubleArray(), 1e-14,
                    mn[0] + " x " + mn[1]);
        }
    }

    @Test
    void luSolveStaysSquare() {
        Linalg.LuFactorization f = Linalg.luFactor(Tensor.fromArray(shifted(4, 1, 3, 2), 3, 2));
        assertMessage("linalg.luSolve: LU [3, 2] must be a batch of square matrices [..., n, n]",
                () -> Linalg.luSolve(f.lu(), f.pivots(), Tensor.zeros(DType.F64, 3, 1)));
    }

    @Test
    void luFactorisesASingularMatrixAsPyTorch() {
        Linalg.LU lu = Linalg.lu(Tensor.fromArray(new double[] {1, 2, 3, 2, 4, 6, 1, 0, 1}, 3, 3));
        assertTensor("P", LinalgLuValues.SINGULAR_LU_P, lu.p(), DType.F64);
        assertTensor("L", LinalgLuValues.SINGULAR_LU_L, lu.l(), DType.F64);
        assertTensor("U", LinalgLuValues.SINGULAR_LU_U, lu.u(), DType.F64);
    }

    @Test
    void luProductRebuildsTheMatrix() {
        Tensor a = Tensor.fromArray(swapped(6, 3, 5), 3, 5, 5);
        Linalg.LU lu = Linalg.lu(a);
        assertArrayEquals(a.toDoubleArray(), lu.p().matmul(lu.l()).matmul(lu.u()).toDoubleArray(), 1e-14);
    }

    private static void assertLuSolve(DType dtype, boolean left, boolean adjoint, double[] a, int[] aDims, double[] b,
                                      int[] bDims, double[] x, double[] gradA, double[] gradB) {
        Tensor aLeaf = leaf(dtype, a, aDims);
        Tensor bLeaf = leaf(dtype, b, bDims);
        Linalg.LuFactorization f = Linalg.luFactor(aLeaf);
        Tensor solution = Linalg.luSolve(f.lu(), f.pivots(), bLeaf, left, adjoint);
        assertTensor("X", x, solution, dtype);
        backward(solution, pattern(9, (int) solution.size()));
        assertTensor("A's gradient", gradA, aLeaf.grad(), dtype);
        assertTensor("B's gradient", gradB, bLeaf.grad(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luSolveWithABroadcastRightHandSideAndItsGradientsMatchPyTorch(DType dtype) {
        assertLuSolve(dtype, true, false, swapped(4, 2, 3), new int[] {2, 3, 3}, pattern(3, 6), new int[] {3, 2},
                LinalgLuValues.LU_SOLVE, LinalgLuValues.LU_SOLVE_GRAD_A, LinalgLuValues.LU_SOLVE_GRAD_B);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luSolveWithTheTransposeAndItsGradientsMatchPyTorch(DType dtype) {
        assertLuSolve(dtype, true, true, swapped(4, 2, 3), new int[] {2, 3, 3}, pattern(3, 12), new int[] {2, 3, 2},
                LinalgLuValues.LU_SOLVE_ADJOINT, LinalgLuValues.LU_SOLVE_ADJOINT_GRAD_A,
                LinalgLuValues.LU_SOLVE_ADJOINT_GRAD_B);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luSolveFromTheRightAndItsGradientsMatchPyTorch(DType dtype) {
        assertLuSolve(dtype, false, false, swapped(4, 1, 3), new int[] {1, 3, 3}, pattern(3, 24),
                new int[] {2, 4, 3}, LinalgLuValues.LU_SOLVE_RIGHT, LinalgLuValues.LU_SOLVE_RIGHT_GRAD_A,
                LinalgLuValues.LU_SOLVE_RIGHT_GRAD_B);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luSolveFromTheRightWithTheTransposeAndItsGradientsMatchPyTorch(DType dtype) {
        assertLuSolve(dtype, false, true, swapped(6, 2, 3), new int[] {2, 3, 3}, pattern(3, 24),
                new int[] {2, 4, 3}, LinalgLuValues.LU_SOLVE_RIGHT_ADJOINT,
                LinalgLuValues.LU_SOLVE_RIGHT_ADJOINT_GRAD_A, LinalgLuValues.LU_SOLVE_RIGHT_ADJOINT_GRAD_B);
    }

    @Test
    void luFactorGradientsMatchFiniteDifferencesToTheSecondOrder() {
        checkBothOrders("luFactor", in -> Linalg.luFactor(in[0]).lu(),
                Tensor.fromArray(swapped(7, 2, 4), 2, 4, 4).requiresGrad(true));
        checkBothOrders("lu", in -> {
            Linalg.LU lu = Linalg.lu(in[0]);
            return lu.l().add(lu.u().mul(0.5));
        }, Tensor.fromArray(swapped(8, 1, 3), 3, 3).requiresGrad(true));
    }

    @Test
    void luSolveGradientsMatchFiniteDifferencesToTheSecondOrder() {
        for (boolean left : new boolean[] {true, false}) {
            for (boolean adjoint : new boolean[] {true, false}) {
                checkBothOrders("luSolve left " + left + " adjoint " + adjoint, in -> {
                    Linalg.LuFactorization f = Linalg.luFactor(in[0]);
                    return Linalg.luSolve(f.lu(), f.pivots(), in[1], left, adjoint);
                }, Tensor.fromArray(swapped(4, 2, 3), 2, 1, 3, 3).requiresGrad(true),
                        Tensor.fromArray(pattern(3, 27), 3, 3, 3).requiresGrad(true));
            }
        }
    }

    @Test
    void aSingularMatrixIsRefusedByLuFactorNamingItsBatchElementAndZeroOfU() {
        Tensor singular = Tensor.fromArray(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 2, 4, 6, 1, 0, 1},
                2, 3, 3);
        assertMessage("linalg.luFactor: (Batch element 1): U[3,3] is zero and using it on luSolve would result in a"
                + " division by zero. If you still want to perform the factorization, consider calling Linalg.lu(A)."
                + " (input [2, 3, 3])", () -> Linalg.luFactor(singular));
    }

    @Test
    void luWithoutPivotingIsRefused() {
        assertMessage("linalg.lu: LU without pivoting is not implemented (A [2, 2])",
                () -> Linalg.lu(Tensor.zeros(2, 2), false));
    }

    @Test
    void luSolveRefusesPivotsOfAnotherDtypeOrShapeAndMismatchedRows() {
        Linalg.LuFactorization f = Linalg.luFactor(Tensor.fromArray(swapped(4, 1, 3), 3, 3));
        Tensor b = Tensor.zeros(DType.F64, 3, 2);
        assertMessage("linalg.luSolve: pivots should be a Tensor of scalar type I32, got I64",
                () -> Linalg.luSolve(f.lu(), f.pivots().to(DType.I64), b));
        assertMessage("linalg.luSolve: pivots [2] must have shape [3] for LU [3, 3]: one pivot per row of each matrix",
                () -> Linalg.luSolve(f.lu(), f.pivots().narrow(0, 0, 2), b));
        assertMessage("linalg.luSolve: LU [3, 3] and B [4, 2]: B's rows must number 3, as LU's",
                () -> Linalg.luSolve(f.lu(), f.pivots(), Tensor.zeros(DType.F64, 4, 2)));
        assertMessage("linalg.luSolve: pivot 4 of row 1 of batch element 0 must lie in [1, 3], as LAPACK's 1-based"
                + " pivots do", () -> Linalg.luSolve(f.lu(), Tensor.fromArray(new int[] {4, 3, 3}, 3), b));
    }

    @Test
    void invExAndSolveExGiveInfoInsteadOfRefusingASingularMatrix() {
        Tensor a = Tensor.fromArray(new double[] {2, 1, 1, 2, 1, 2, 2, 4}, 2, 2, 2);
        Linalg.ResultAndInfo inverse = Linalg.invEx(a);
        assertArrayEquals(new double[] {2 / 3.0, -1 / 3.0, -1 / 3.0, 2 / 3.0},
                inverse.result().narrow(0, 0, 1).toDoubleArray(), 1e-15);
        assertArrayEquals(new int[] {0, 2}, inverse.info().toIntArray());
        Linalg.ResultAndInfo solution = Linalg.solveEx(a, Tensor.fromArray(new double[] {3, 3}, 2), true);
        assertArrayEquals(new double[] {1, 1}, solution.result().narrow(0, 0, 1).toDoubleArray(), 1e-15);
        assertEquals(DType.I32, solution.info().dtype());
        assertArrayEquals(new int[] {0, 2}, solution.info().toIntArray());
    }

    @Test
    void invExAndSolveExGradientsAreThoseOfInvAndSolve() {
        Tensor a = Tensor.fromArray(swapped(4, 2, 3), 2, 3, 3).requiresGrad(true);
        Tensor b = Tensor.fromArray(pattern(3, 6), 3, 2).requiresGrad(true);
        checkBothOrders("invEx", in -> Linalg.invEx(in[0]).result(), a);
        checkBothOrders("solveEx", in -> Linalg.solveEx(in[0], in[1], true).result(), a, b);
    }
}
