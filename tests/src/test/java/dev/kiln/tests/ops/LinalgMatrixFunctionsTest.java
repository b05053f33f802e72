package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.fullRank;
import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg#pinv}, {@link Linalg#matrixNorm} and {@link Linalg#lstsq} against PyTorch 1.13 (values printed by
 * {@code models/src/test/pytorch/linalg_svd.py} into {@link LinalgSvdValues}): values and the gradients of
 * {@code (y * w).sum()}, F64 within 1e-10, F32 within 1e-4; finite differences, first and second order.
 */
class LinalgMatrixFunctionsTest {
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
        return dtype == DType.F64 ? 1e-10 : 1e-4;
    }

    private static void assertWithGradient(String name, Tensor y, double[] values, Tensor a, double[] gradient,
                                           DType dtype) {
        assertValues(name, values, y.shape().dims(), y, tolerance(dtype));
        y.mul(Tensor.fromArray(pattern(9, (int) y.size()), y.shape().dims()).to(dtype)).sum().backward();
        assertValues(name + " gradient", gradient, a.shape().dims(), a.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pinvAndItsGradientMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, fullRank(5, 2, 3, 4), 2, 3, 4);
        assertWithGradient("pinv", Linalg.pinv(a), LinalgSvdValues.PINV, a, LinalgSvdValues.PINV_GRAD_A, dtype);
    }

    @Test
    void pinvTakesSingularValuesBelowTheDefaultToleranceAsZeroAsPyTorch() {
        Tensor rankTwo = Tensor.fromArray(pattern(6, 9), 3, 3);
        assertValues("pinv rank 2", LinalgSvdValues.PINV_RANK_DEFICIENT, new int[] {3, 3}, Linalg.pinv(rankTwo),
                1e-10);
    }

    @Test
    void pinvOfSeveralBatchAxesIsEachMatrixsPinv() {
        Tensor a = Tensor.fromArray(fullRank(5, 2, 3, 4), 2, 1, 3, 4);
        Tensor batched = Linalg.pinv(a);
        assertArrayEquals(new int[] {2, 1, 4, 3}, batched.shape().dims());
        assertArrayEquals(Linalg.pinv(a.reshape(2, 3, 4)).toDoubleArray(),
                batched.toDoubleArray(), 1e-14);
    }

    @ParameterizedTest
    @CsvSource({"F64, fro", "F64, nuc", "F32, fro", "F32, nuc"})
    void namedMatrixNormsAndTheirGradientsMatchPyTorch(DType dtype, String ord) {
        Tensor a = leaf(dtype, fullRank(7, 2, 3, 4), 2, 3, 4);
        String key = "NORM_" + ord.toUpperCase();
        assertWithGradient(ord, Linalg.matrixNorm(a, ord), constant(key), a, constant(key + "_GRAD_A"), dtype);
    }

    @ParameterizedTest
    @CsvSource({"F64, 2, TWO", "F64, -2, MINUS_TWO", "F64, 1, ONE", "F64, -1, MINUS_ONE", "F64, Infinity, INF",
        "F64, -Infinity, MINUS_INF", "F32, 2, TWO", "F32, -1, MINUS_ONE", "F32, -Infinity, MINUS_INF"})
    void numericMatrixNormsAndTheirGradientsMatchPyTorch(DType dtype, double ord, String key) {
        Tensor a = leaf(dtype, fullRank(7, 2, 3, 4), 2, 3, 4);
        assertWithGradient("ord " + ord, Linalg.matrixNorm(a, ord), constant("NORM_" + key), a,
                constant("NORM_" + key + "_GRAD_A"), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lstsqWithBroadcastRightHandSidesAndItsGradientsMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, fullRank(8, 2, 5, 3), 2, 5, 3);
        Tensor b = leaf(dtype, pattern(3, 10), 1, 5, 2);
        assertWithGradient("lstsq", Linalg.lstsq(a, b), LinalgSvdValues.LSTSQ, a, LinalgSvdValues.LSTSQ_GRAD_A, dtype);
        assertValues("lstsq gradient of B", LinalgSvdValues.LSTSQ_GRAD_B, new int[] {1, 5, 2}, b.grad(),
                tolerance(dtype));
    }

    @Test
    void lstsqGradientsMatchFiniteDifferences() {
        Tensor a = Tensor.fromArray(fullRank(8, 2, 5, 3), 2, 5, 3).requiresGrad(true);
        Tensor b = Tensor.fromArray(pattern(3, 10), 5, 2).requiresGrad(true);
        GradCheck.check("lstsq", in -> Linalg.lstsq(in[0], in[1]), a, b);
        DoubleBackwardTest.checkSecondOrder("lstsq", in -> Linalg.lstsq(in[0], in[1]), a, b);
    }

    @Test
    void lstsqRefusesRightHandSidesWithOtherRowsNamingBoth() {
        Tensor a = Tensor.fromArray(fullRank(8, 5, 3), 5, 3);
        Tensor b = Tensor.fromArray(pattern(3, 8), 4, 2);
        assertEquals("linalg.lstsq: A [5, 3] and B [4, 2]: B's rows must number 5, as A's",
                assertThrows(IllegalArgumentException.class, () -> Linalg.lstsq(a, b)).getMessage());
    }

    private static double[] constant(String name) {
        try {
            return (double[]) LinalgSvdValues.class.getDeclaredField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(name, e);
        }
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor a) {
        GradCheck.check(name, f, a);
        DoubleBackwardTest.checkSecondOrder(name, f, a);
    }

    @Test
    void pinvAndNormGradientsMatchFiniteDifferences() {
        Tensor a = Tensor.fromArray(fullRank(7, 2, 3, 4), 2, 3, 4).requiresGrad(true);
        checkBothOrders("pinv", in -> Linalg.pinv(in[0]), a);
        checkBothOrders("fro", in -> Linalg.matrixNorm(in[0], "fro"), a);
        checkBothOrders("nuc", in -> Linalg.matrixNorm(in[0], "nuc"), a);
        checkBothOrders("2", in -> Linalg.matrixNorm(in[0], 2), a);
        checkBothOrders("-2", in -> Linalg.matrixNorm(in[0], -2), a);
        checkBothOrders("1", in -> Linalg.matrixNorm(in[0], 1), a);
        checkBothOrders("-inf", in -> Linalg.matrixNorm(in[0], Double.NEGATIVE_INFINITY), a);
    }

    @Test
    void unknownOrdsAreRefusedNamingThem() {
        Tensor a = Tensor.fromArray(fullRank(7, 3, 4), 3, 4);
        assertEquals("linalg.matrixNorm: ord \"max\" is not \"fro\" or \"nuc\" (numbers: 2, -2, 1, -1, inf, -inf)",
                assertThrows(IllegalArgumentException.class, () -> Linalg.matrixNorm(a, "max")).getMessage());
        assertEquals("linalg.matrixNorm: ord 3.0 is not one of 2, -2, 1, -1, inf, -inf (or \"fro\", \"nuc\")",
                assertThrows(IllegalArgumentException.class, () -> Linalg.matrixNorm(a, 3)).getMessage());
    }

    @Test
    void negativeTolerancesAreRefused() {
        Tensor a = Tensor.fromArray(fullRank(7, 3, 4), 3, 4);
        assertEquals("linalg.pinv: atol -1.0 and rtol 0.0 must be non-negative",
                assertThrows(IllegalArgumentException.class, () -> Linalg.pinv(a, -1, 0)).getMessage());
    }
}
