package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.fullRank;
import static dev.kiln.tests.ops.LinalgInputs.general;
import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.LinalgInputs.spd;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Linalg's matrix functions composed of its other ops (matrixPower, matrixExp, multiDot, vectorNorm, norm, vecdot,
 * matrixRank, cond, choleskyInverse, householderProduct) against PyTorch 1.13 (values printed by
 * {@code models/src/test/pytorch/linalg_lu_functions.py functions} into {@link LinalgFunctionsValues}): values and
 * the gradients of {@code (y * w).sum()}, w the pattern of seed 9, in F64 within 1e-10 (F32 within 1e-4 where
 * named); finite differences of first and second order in F64, and PyTorch's refusals.
 */
class LinalgFunctionsTest {
    private static final double TOLERANCE = 1e-10;
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor leaf(double[] values, int... dims) {
        return Tensor.fromArray(values, dims).requiresGrad(true);
    }

    /** y = f(leaves) against {@code expected}, then the leaves' gradients of {@code (y * w).sum()}. */
    private static void assertOp(String name, Function<Tensor[], Tensor> f, double[] expected, double[][] gradients,
                                 Tensor... leaves) {
        Tensor y = f.apply(leaves);
        assertValues(name, expected, y.shape().dims(), y, TOLERANCE);
        backward(y, pattern(9, (int) y.size()));
        for (int i = 0; i < leaves.length; i++) {
            assertValues(name + " gradient " + i, gradients[i], leaves[i].shape().dims(), leaves[i].grad(),
                    TOLERANCE);
        }
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(name, f, inputs);
        DoubleBackwardTest.checkSecondOrder(name, f, inputs);
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    /** The pattern of seed 1 as 2 matrices 4 x 4, the first times 12 (above theta13: scaled and squared twice). */
    private static double[] scaledForExp() {
        double[] a = pattern(1, 32);
        for (int i = 0; i < 16; i++) {
            a[i] *= 12;
        }
        return a;
    }

    @Test
    void matrixPowersAndTheirGradientsMatchPyTorch() {
        assertOp("matrixPower 3", in -> Linalg.matrixPower(in[0], 3), LinalgFunctionsValues.MATRIX_POWER_3,
                new double[][] {LinalgFunctionsValues.MATRIX_POWER_3_GRAD_A}, leaf(general(4, 2, 3), 2, 3, 3));
        assertOp("matrixPower -2", in -> Linalg.matrixPower(in[0], -2), LinalgFunctionsValues.MATRIX_POWER_MINUS_2,
                new double[][] {LinalgFunctionsValues.MATRIX_POWER_MINUS_2_GRAD_A}, leaf(general(4, 2, 3), 2, 3, 3));
    }

    @Test
    void matrixPowerZeroIsTheIdentityWithAZeroGradient() {
        Tensor a = leaf(general(4, 2, 3), 2, 3, 3);
        Tensor identity = Linalg.matrixPower(a, 0);
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1},
                identity.toDoubleArray(), 0);
        identity.sum().backward();
        assertArrayEquals(new double[18], a.grad().toDoubleArray(), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void matrixExpScaledOnEachMatrixsNormAndItsGradientMatchPyTorch(DType dtype) {
        Tensor a = PyTorchValues.leaf(dtype, scaledForExp(), 2, 4, 4);
        Tensor exp = Linalg.matrixExp(a);
        double tolerance = dtype == DType.F64 ? TOLERANCE : 1e-4;
        assertValues("matrixExp", LinalgFunctionsValues.MATRIX_EXP, exp.shape().dims(), exp, tolerance);
        backward(exp, pattern(9, (int) exp.size()));
        assertValues("matrixExp gradient", LinalgFunctionsValues.MATRIX_EXP_GRAD_A, a.shape().dims(), a.grad(),
                tolerance);
    }

    @Test
    void matrixExpOfADiagonalMatrixExponentiatesItsDiagonal() {
        Tensor exp = Linalg.matrixExp(Tensor.fromArray(new double[] {-30, 0, 0, 7}, 2, 2));
        assertArrayEquals(new double[] {Math.exp(-30), 0, 0, Math.exp(7)}, exp.toDoubleArray(), 1e-12);
    }

    @Test
    void multiDotInTheCheapestOrderAndItsGradientsMatchPyTorch() {
        assertOp("multiDot", in -> Linalg.multiDot(List.of(in)), LinalgFunctionsValues.MULTI_DOT,
                new double[][] {LinalgFunctionsValues.MULTI_DOT_GRAD_A, LinalgFunctionsValues.MULTI_DOT_GRAD_B,
                    LinalgFunctionsValues.MULTI_DOT_GRAD_C, LinalgFunctionsValues.MULTI_DOT_GRAD_D},
                leaf(pattern(1, 6), 2, 3), leaf(pattern(2, 18), 3, 6), leaf(pattern(3, 6), 6, 1),
                leaf(pattern(4, 4), 1, 4));
        assertOp("multiDot of vectors", in -> Linalg.multiDot(List.of(in)), LinalgFunctionsValues.MULTI_DOT_VECTORS,
                new double[][] {LinalgFunctionsValues.MULTI_DOT_VECTORS_GRAD_V,
                    LinalgFunctionsValues.MULTI_DOT_VECTORS_GRAD_A, LinalgFunctionsValues.MULTI_DOT_VECTORS_GRAD_W},
                leaf(pattern(1, 3), 3), leaf(pattern(2, 12), 3, 4), leaf(pattern(3, 4), 4));
    }

    private static void assertVectorNorm(String name, double ord, int[] axes, boolean keepDim, double[] expected,
                                         double[] gradient) {
        assertOp("vectorNorm " + name, in -> Linalg.vectorNorm(in[0], ord, axes, keepDim), expected,
                new double[][] {gradient}, leaf(pattern(5, 24), 2, 3, 4));
    }

    @Test
    void vectorNormsOfEveryOrderAndTheirGradientsMatchPyTorch() {
        assertVectorNorm("2 over 1, 2 keepdim", 2, new int[] {1, 2}, true,
                LinalgFunctionsValues.VECTOR_NORM_TWO_OVER_1_2_KEEPDIM,
                LinalgFunctionsValues.VECTOR_NORM_TWO_OVER_1_2_KEEPDIM_GRAD_X);
        assertVectorNorm("1 over 0", 1, new int[] {0}, false, LinalgFunctionsValues.VECTOR_NORM_ONE_OVER_0,
                LinalgFunctionsValues.VECTOR_NORM_ONE_OVER_0_GRAD_X);
        assertVectorNorm("inf", Double.POSITIVE_INFINITY, new int[] {-1}, false,
                LinalgFunctionsValues.VECTOR_NORM_INF_OVER_LAST,
                LinalgFunctionsValues.VECTOR_NORM_INF_OVER_LAST_GRAD_X);
        assertVectorNorm("-inf keepdim", Double.NEGATIVE_INFINITY, new int[] {-1}, true,
                LinalgFunctionsValues.VECTOR_NORM_MINUS_INF_OVER_LAST,
                LinalgFunctionsValues.VECTOR_NORM_MINUS_INF_OVER_LAST_GRAD_X);
        assertVectorNorm("0.5 of all", 0.5, null, false, LinalgFunctionsValues.VECTOR_NORM_HALF_ALL,
                LinalgFunctionsValues.VECTOR_NORM_HALF_ALL_GRAD_X);
        assertVectorNorm("-1.5 over 1", -1.5, new int[] {1}, false,
                LinalgFunctionsValues.VECTOR_NORM_MINUS_ONE_AND_A_HALF_OVER_1,
                LinalgFunctionsValues.VECTOR_NORM_MINUS_ONE_AND_A_HALF_OVER_1_GRAD_X);
        assertVectorNorm("3 of all", 3, new int[0], false, LinalgFunctionsValues.VECTOR_NORM_THREE_ALL,
                LinalgFunctionsValues.VECTOR_NORM_THREE_ALL_GRAD_X);
    }

    @Test
    void vectorNormZeroCountsTheNonZeroElementsAndANegativeOrderIsZeroWithAZero() {
        Tensor x = Tensor.fromArray(new double[] {0, 1, -2, 0, 0, 3}, 2, 3);
        assertValues("vectorNorm 0", LinalgFunctionsValues.VECTOR_NORM_ZERO_OVER_LAST, new int[] {2},
                Linalg.vectorNorm(x, 0, new int[] {-1}, false), 0);
        assertOp("vectorNorm -1 with a zero", in -> Linalg.vectorNorm(in[0], -1, new int[] {-1}, false),
                LinalgFunctionsValues.VECTOR_NORM_MINUS_ONE_WITH_ZERO,
                new double[][] {LinalgFunctionsValues.VECTOR_NORM_MINUS_ONE_WITH_ZERO_GRAD_X},
                leaf(new double[] {0, 1, -2, 0.5, 1, 3}, 2, 3));
    }

    @Test
    void normChoosesAVectorOrMatrixNormAsPyTorchAndItsGradientsMatch() {
        assertOp("norm 1 over (2, 0)", in -> Linalg.norm(in[0], 1, new int[] {2, 0}, false),
                LinalgFunctionsValues.NORM_ONE_OVER_2_0,
                new double[][] {LinalgFunctionsValues.NORM_ONE_OVER_2_0_GRAD_X},
                leaf(pattern(5, 24), 2, 3, 4));
        assertOp("norm fro over (0, 2) keepdim", in -> Linalg.norm(in[0], "fro", new int[] {0, 2}, true),
                LinalgFunctionsValues.NORM_FRO_OVER_0_2_KEEPDIM,
                new double[][] {LinalgFunctionsValues.NORM_FRO_OVER_0_2_KEEPDIM_GRAD_X}, leaf(pattern(5, 24), 2, 3, 4));
        assertOp("norm nuc", in -> Linalg.norm(in[0], "nuc"), LinalgFunctionsValues.NORM_NUC,
                new double[][] {LinalgFunctionsValues.NORM_NUC_GRAD_X}, leaf(fullRank(6, 3, 4), 3, 4));
        assertOp("norm -2", in -> Linalg.norm(in[0], -2), LinalgFunctionsValues.NORM_MINUS_TWO,
                new double[][] {LinalgFunctionsValues.NORM_MINUS_TWO_GRAD_X}, leaf(fullRank(6, 3, 4), 3, 4));
        assertOp("norm inf of a vector", in -> Linalg.norm(in[0], Double.POSITIVE_INFINITY),
                LinalgFunctionsValues.NORM_VECTOR_INF, new double[][] {LinalgFunctionsValues.NORM_VECTOR_INF_GRAD_X},
                leaf(pattern(7, 5), 5));
        assertOp("norm of all", in -> Linalg.norm(in[0]), LinalgFunctionsValues.NORM_ALL,
                new double[][] {LinalgFunctionsValues.NORM_ALL_GRAD_X}, leaf(pattern(5, 24), 2, 3, 4));
    }

    @Test
    void vecdotOverBroadcastShapesAndItsGradientsMatchPyTorch() {
        assertOp("vecdot", in -> Linalg.vecdot(in[0], in[1]), LinalgFunctionsValues.VECDOT,
                new double[][] {LinalgFunctionsValues.VECDOT_GRAD_X, LinalgFunctionsValues.VECDOT_GRAD_Y},
                leaf(pattern(5, 24), 2, 3, 4), leaf(pattern(8, 12), 3, 4));
        assertOp("vecdot over 1", in -> Linalg.vecdot(in[0], in[1], 1), LinalgFunctionsValues.VECDOT_OVER_1,
                new double[][] {LinalgFunctionsValues.VECDOT_OVER_1_GRAD_X, LinalgFunctionsValues.VECDOT_OVER_1_GRAD_Y},
                leaf(pattern(5, 24), 2, 3, 4), leaf(pattern(8, 3), 3, 1));
    }

    @Test
    void matrixRankCountsSingularValuesAboveTheTolerancesAsPyTorch() {
        double[] deficient = new double[18];
        System.arraycopy(pattern(6, 9), 0, deficient, 0, 9);
        System.arraycopy(fullRank(6, 3, 3), 0, deficient, 9, 9);
        Tensor a = Tensor.fromArray(deficient, 2, 3, 3);
        Tensor rank = Linalg.matrixRank(a);
        assertEquals(DType.I64, rank.dtype());
        assertArrayEquals(new long[] {2, 3}, rank.toLongArray());
        assertValues("hermitian", LinalgFunctionsValues.MATRIX_RANK_HERMITIAN, new int[] {2},
                Linalg.matrixRank(a.matmul(a.transpose(-2, -1)), true), 0);
        Tensor full = Tensor.fromArray(fullRank(6, 3, 3), 3, 3);
        assertValues("rtol", LinalgFunctionsValues.MATRIX_RANK_RTOL, new int[0],
                Linalg.matrixRank(full, 1, 0.7, false), 0);
        assertValues("atol", LinalgFunctionsValues.MATRIX_RANK_ATOL, new int[0],
                Linalg.matrixRank(full, 2.5, 0.1, false), 0);
        assertValues("default", LinalgFunctionsValues.MATRIX_RANK, new int[] {2}, rank, 0);
    }

    @Test
    void conditionNumbersInEveryNormAndTheSpectralOnesGradientsMatchPyTorch() {
        assertOp("cond", in -> Linalg.cond(in[0]), LinalgFunctionsValues.COND_TWO,
                new double[][] {LinalgFunctionsValues.COND_TWO_GRAD_A}, leaf(general(4, 2, 3), 2, 3, 3));
        assertOp("cond -2", in -> Linalg.cond(in[0], -2), LinalgFunctionsValues.COND_MINUS_TWO,
                new double[][] {LinalgFunctionsValues.COND_MINUS_TWO_GRAD_A}, leaf(general(4, 2, 3), 2, 3, 3));
        assertOp("cond of wide matrices", in -> Linalg.cond(in[0]), LinalgFunctionsValues.COND_TWO_WIDE,
                new double[][] {LinalgFunctionsValues.COND_TWO_WIDE_GRAD_A}, leaf(fullRank(2, 2, 3, 5), 2, 3, 5));
        Tensor a = Tensor.fromArray(general(4, 2, 3), 2, 3, 3);
        double inf = Double.POSITIVE_INFINITY;
        assertValues("cond 1", LinalgFunctionsValues.COND_ONE, new int[] {2}, Linalg.cond(a, 1), TOLERANCE);
        assertValues("cond -1", LinalgFunctionsValues.COND_MINUS_ONE, new int[] {2}, Linalg.cond(a, -1), TOLERANCE);
        assertValues("cond inf", LinalgFunctionsValues.COND_INF, new int[] {2}, Linalg.cond(a, inf), TOLERANCE);
        assertValues("cond -inf", LinalgFunctionsValues.COND_MINUS_INF, new int[] {2}, Linalg.cond(a, -inf),
                TOLERANCE);
        assertValues("cond fro", LinalgFunctionsValues.COND_FRO, new int[] {2}, Linalg.cond(a, "fro"), TOLERANCE);
        assertValues("cond nuc", LinalgFunctionsValues.COND_NUC, new int[] {2}, Linalg.cond(a, "nuc"), TOLERANCE);
        assertValues("cond 1 of a singular matrix", LinalgFunctionsValues.COND_ONE_SINGULAR, new int[0],
                Linalg.cond(Tensor.fromArray(new double[] {1, 2, 2, 4}, 2, 2), 1), 0);
    }

    @Test
    void choleskyInversesAndTheirGradientsMatchPyTorch() {
        Tensor lower = Linalg.cholesky(Tensor.fromArray(spd(1, 2, 3), 2, 3, 3));
        assertOp("choleskyInverse", in -> Linalg.choleskyInverse(in[0]), LinalgFunctionsValues.CHOLESKY_INVERSE,
                new double[][] {LinalgFunctionsValues.CHOLESKY_INVERSE_GRAD_L}, leaf(lower.toDoubleArray(), 2, 3, 3));
        assertOp("choleskyInverse upper", in -> Linalg.choleskyInverse(in[0], true),
                LinalgFunctionsValues.CHOLESKY_INVERSE_UPPER,
                new double[][] {LinalgFunctionsValues.CHOLESKY_INVERSE_UPPER_GRAD_U},
                leaf(lower.transpose(-2, -1).toDoubleArray(), 2, 3, 3));
    }

    @Test
    void householderProductAndItsGradientsMatchPyTorch() {
        assertOp("householderProduct", in -> Linalg.householderProduct(in[0], in[1]),
                LinalgFunctionsValues.HOUSEHOLDER_PRODUCT, new double[][] {
                    LinalgFunctionsValues.HOUSEHOLDER_PRODUCT_GRAD_A,
                    LinalgFunctionsValues.HOUSEHOLDER_PRODUCT_GRAD_TAU},
                leaf(pattern(2, 30), 2, 5, 3), leaf(pattern(3, 4), 2, 2));
        Tensor q = Linalg.householderProduct(Tensor.fromArray(LinalgFunctionsValues.GEQRF_A, 4, 3),
                Tensor.fromArray(LinalgFunctionsValues.GEQRF_TAU, 3));
        assertValues("Q of geqrf's reflectors", LinalgFunctionsValues.HOUSEHOLDER_PRODUCT_OF_GEQRF, new int[] {4, 3}, q,
                TOLERANCE);
    }

    @Test
    void matrixPowerExpAndMultiDotGradientsMatchFiniteDifferencesToTheSecondOrder() {
        checkBothOrders("matrixPower 3", in -> Linalg.matrixPower(in[0], 3), leaf(general(4, 2, 3), 2, 3, 3));
        checkBothOrders("matrixPower -2", in -> Linalg.matrixPower(in[0], -2), leaf(general(4, 2, 3), 2, 3, 3));
        checkBothOrders("matrixExp", in -> Linalg.matrixExp(in[0]), leaf(scaledForExp(), 2, 4, 4));
        checkBothOrders("multiDot", in -> Linalg.multiDot(List.of(in)), leaf(pattern(1, 3), 3),
                leaf(pattern(2, 12), 3, 4), leaf(pattern(3, 8), 4, 2));
    }

    @Test
    void normVecdotAndCondGradientsMatchFiniteDifferencesToTheSecondOrder() {
        checkBothOrders("vectorNorm -1.5", in -> Linalg.vectorNorm(in[0], -1.5, new int[] {1}, false),
                leaf(pattern(5, 24), 2, 3, 4));
        checkBothOrders("vectorNorm -inf", in -> Linalg.vectorNorm(in[0], Double.NEGATIVE_INFINITY, null, false),
                leaf(pattern(5, 24), 2, 3, 4));
        checkBothOrders("norm 1 over (2, 0)", in -> Linalg.norm(in[0], 1, new int[] {2, 0}, true),
                leaf(pattern(5, 24), 2, 3, 4));
        checkBothOrders("vecdot", in -> Linalg.vecdot(in[0], in[1]), leaf(pattern(5, 24), 2, 3, 4),
                leaf(pattern(8, 12), 3, 4));
        checkBothOrders("cond", in -> Linalg.cond(in[0]), leaf(general(4, 2, 3), 2, 3, 3));
        checkBothOrders("cond 1", in -> Linalg.cond(in[0], 1), leaf(general(4, 2, 3), 2, 3, 3));
        checkBothOrders("cond fro", in -> Linalg.cond(in[0], "fro"), leaf(general(4, 2, 3), 2, 3, 3));
    }

    @Test
    void choleskyInverseAndHouseholderProductGradientsMatchFiniteDifferencesToTheSecondOrder() {
        Tensor lower = Linalg.cholesky(Tensor.fromArray(spd(1, 2, 3), 2, 3, 3));
        checkBothOrders("choleskyInverse", in -> Linalg.choleskyInverse(in[0].tril(0)),
                leaf(lower.toDoubleArray(), 2, 3, 3));
        checkBothOrders("choleskyInverse upper", in -> Linalg.choleskyInverse(in[0].triu(0), true),
                leaf(lower.transpose(-2, -1).toDoubleArray(), 2, 3, 3));
        checkBothOrders("householderProduct", in -> Linalg.householderProduct(in[0], in[1]),
                leaf(pattern(2, 30), 2, 5, 3), leaf(pattern(3, 4), 2, 2));
    }

    @Test
    void theExponentialOfAZeroOrNilpotentMatrixIsExact() {
        assertArrayEquals(new double[] {1, 0, 0, 1},
                Linalg.matrixExp(Tensor.zeros(DType.F64, 2, 2)).toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 1, 0, 1},
                Linalg.matrixExp(Tensor.fromArray(new double[] {0, 1, 0, 0}, 2, 2)).toDoubleArray(), 0);
    }

    @Test
    void aNegativeFiniteOrderOverAnEmptyAxisIsRefusedAsPyTorchRefusesIt() {
        assertMessage("linalg.vectorNorm cannot compute the -1.0 norm on an empty tensor because the operation does"
                + " not have an identity (tensor [0, 3])",
                () -> Linalg.vectorNorm(Tensor.zeros(DType.F64, 0, 3), -1, new int[] {0}, false));
    }

    @Test
    void anAxisOfAScalarOtherThanZeroOrMinusOneIsRefusedAsPyTorchRefusesIt() {
        Tensor scalar = Tensor.fromArray(new double[] {-3}).reshape();
        assertEquals(3, Linalg.vectorNorm(scalar, 2, new int[] {-1}, false).item());
        assertMessage("linalg.vectorNorm: axis 5 is out of range for a scalar (tensor []): axes -1 and 0 only",
                () -> Linalg.vectorNorm(scalar, 2, new int[] {5}, false));
    }

    @Test
    void aNegativePowerOfASingularMatrixNamesTheMatrixAsTheCallerGaveIt() {
        Tensor singular = Tensor.fromArray(new double[] {1, 2, 2, 4}, 2, 2);
        assertMessage("linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the"
                + " input matrix is singular. (input [2, 2])", () -> Linalg.matrixPower(singular, -1));
    }

    @Test
    void shapesAndOrdersPyTorchRefusesAreRefusedInItsWords() {
        Tensor wide = Tensor.zeros(DType.F64, 2, 3);
        assertMessage("linalg.matrixPower: A must be batches of square matrices, but they are 2 by 3 matrices"
                + " (A [2, 3])", () -> Linalg.matrixPower(wide, 2));
        assertMessage("linalg.matrixExp: A must be batches of square matrices, but they are 2 by 3 matrices"
                + " (A [2, 3])", () -> Linalg.matrixExp(wide));
        assertMessage("linalg.cond(ord=1.0): A must be batches of square matrices, but they are 2 by 3 matrices"
                + " (A [2, 3])", () -> Linalg.cond(wide, 1));
        assertMessage("linalg.cond got an invalid norm type: 3.0 (2, -2, 1, -1, inf, -inf, \"fro\" or \"nuc\")",
                () -> Linalg.cond(Tensor.zeros(DType.F64, 3, 3), 3));
        assertMessage("linalg.choleskyInverse: A must be batches of square matrices, but they are 2 by 3 matrices"
                + " (L [2, 3])", () -> Linalg.choleskyInverse(wide));
        assertMessage("linalg.vectorNorm cannot compute the -inf norm on an empty tensor because the operation does"
                + " not have an identity (tensor [0])",
                () -> Linalg.vectorNorm(Tensor.zeros(DType.F64, 0), Double.NEGATIVE_INFINITY, null, false));
        assertMessage("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D"
                + " (x [2, 2, 2])", () -> Linalg.norm(Tensor.zeros(DType.F64, 2, 2, 2), 2));
        assertMessage("linalg.matrixRank: A [3] must have at least 2 dimensions, matrices in the last two",
                () -> Linalg.matrixRank(Tensor.zeros(DType.F64, 3)));
    }

    @Test
    void multiDotRefusesChainsPyTorchRefuses() {
        Tensor a = Tensor.zeros(DType.F64, 3, 2);
        assertMessage("linalg.multiDot: expected at least 2 tensors but got 1", () -> Linalg.multiDot(List.of(a)));
        assertMessage("linalg.multiDot: tensors 0 and 1 with shapes [3, 2] and [3, 2] cannot be multiplied",
                () -> Linalg.multiDot(List.of(a, a)));
        assertMessage("linalg.multiDot: the last tensor must be 1D or 2D but got 3D ([2, 3, 2])",
                () -> Linalg.multiDot(List.of(a, Tensor.zeros(DType.F64, 2, 3, 2))));
        assertMessage("linalg.multiDot: tensor 1 must be 2D but got 1D ([2])",
                () -> Linalg.multiDot(List.of(a, Tensor.zeros(DType.F64, 2), a)));
    }

    @Test
    void householderProductRefusesShapesPyTorchRefuses() {
        assertMessage("linalg.householderProduct: input.shape[-2] must be greater than or equal to input.shape[-1]"
                + " (A [2, 3])", () -> Linalg.householderProduct(Tensor.zeros(DType.F64, 2, 3),
                Tensor.zeros(DType.F64, 2)));
        assertMessage("linalg.householderProduct: input.shape[-1] must be greater than or equal to tau.shape[-1]"
                + " (A [3, 2], tau [3])", () -> Linalg.householderProduct(Tensor.zeros(DType.F64, 3, 2),
                Tensor.zeros(DType.F64, 3)));
        assertMessage("linalg.householderProduct: Expected tau to have one dimension less than input, but got"
                + " tau.ndim equal to 2 and input.ndim is equal to 2", () -> Linalg.householderProduct(
                Tensor.zeros(DType.F64, 3, 2), Tensor.zeros(DType.F64, 4, 2)));
        assertMessage("linalg.householderProduct: Expected batch dimensions of tau to be equal to input.shape[:-2],"
                + " but got tau [3, 2] and input [2, 3, 2]", () -> Linalg.householderProduct(
                Tensor.zeros(DType.F64, 2, 3, 2), Tensor.zeros(DType.F64, 3, 2)));
    }

    @Test
    void aNegativePowerOfASingularMatrixNamesItsBatchElement() {
        Tensor a = Tensor.fromArray(new double[] {1, 0, 0, 1, 1, 2, 2, 4}, 2, 2, 2);
        assertMessage("linalg.inv: (Batch element 1): The diagonal element 2 is zero, the inversion could not be"
                + " completed because the input matrix is singular. (input [2, 2, 2])",
                () -> Linalg.matrixPower(a, -1));
    }
}
