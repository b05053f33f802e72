package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.fullRank;
import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg#qr} against PyTorch 1.13's {@code torch.linalg.qr} (values printed by
 * {@code models/src/test/pytorch/linalg_qr.py} into {@link LinalgQrValues}): Q, R and the gradient of
 * {@code (Q * w).sum() + (R * u).sum()} for tall, wide and square batches in each mode, F64 within 1e-10 and F32
 * within 1e-5; the gradients against finite differences, first and second order; PyTorch's refusals.
 */
class LinalgQrTest {
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

    /** Q's and R's values, then the gradient of the pattern-weighted sum of both, as linalg_qr.py prints them. */
    private static void assertQr(String name, DType dtype, Tensor a, String mode, double[] q, double[] r,
                                 double[] gradient) {
        Linalg.QR qr = Linalg.qr(a, mode);
        assertValues(name + " Q", q, qr.q().shape().dims(), qr.q(), tolerance(dtype));
        assertValues(name + " R", r, qr.r().shape().dims(), qr.r(), tolerance(dtype));
        Tensor loss = weighted(qr.q(), 9).add(weighted(qr.r(), 10));
        loss.backward();
        assertValues(name + " gradient", gradient, a.shape().dims(), a.grad(), tolerance(dtype));
    }

    private static Tensor weighted(Tensor t, int seed) {
        return t.mul(Tensor.fromArray(pattern(seed, (int) t.size()), t.shape().dims()).to(t.dtype())).sum();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void reducedQrOfTallMatricesAndItsGradientMatchPyTorch(DType dtype) {
        assertQr("tall", dtype, leaf(dtype, fullRank(1, 2, 4, 3), 2, 4, 3), "reduced", LinalgQrValues.TALL_Q,
                LinalgQrValues.TALL_R, LinalgQrValues.TALL_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void qrOfWideMatricesAndItsGradientMatchPyTorch(DType dtype) {
        assertQr("wide", dtype, leaf(dtype, fullRank(2, 2, 3, 5), 2, 3, 5), "reduced", LinalgQrValues.WIDE_Q,
                LinalgQrValues.WIDE_R, LinalgQrValues.WIDE_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void completeQrOfSquareMatricesInTwoBatchAxesMatchesPyTorch(DType dtype) {
        assertQr("square complete", dtype, leaf(dtype, fullRank(3, 1, 2, 3, 3), 1, 2, 3, 3), "complete",
                LinalgQrValues.SQUARE_COMPLETE_Q, LinalgQrValues.SQUARE_COMPLETE_R,
                LinalgQrValues.SQUARE_COMPLETE_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void completeQrOfTallMatricesGivesASquareQAsPyTorch(DType dtype) {
        Linalg.QR qr = Linalg.qr(PyTorchValues.tensor(dtype, fullRank(1, 2, 4, 3), 2, 4, 3), "complete");
        assertValues("Q", LinalgQrValues.TALL_COMPLETE_Q, new int[] {2, 4, 4}, qr.q(), tolerance(dtype));
        assertValues("R", LinalgQrValues.TALL_COMPLETE_R, new int[] {2, 4, 3}, qr.r(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void modeRGivesRAloneAsPyTorch(DType dtype) {
        Linalg.QR qr = Linalg.qr(PyTorchValues.tensor(dtype, fullRank(2, 2, 3, 5), 2, 3, 5), "r");
        assertNull(qr.q());
        assertValues("R", LinalgQrValues.WIDE_R_R, new int[] {2, 3, 5}, qr.r(), tolerance(dtype));
    }

    @Test
    void reducedIsTheDefaultMode() {
        Tensor a = Tensor.fromArray(fullRank(1, 2, 4, 3), 2, 4, 3);
        assertArrayEquals(Linalg.qr(a, "reduced").q().toDoubleArray(), Linalg.qr(a).q().toDoubleArray());
    }

    @Test
    void qrOfEmptyMatricesIsEmptyWithAnIdentityQWhereItHasColumns() {
        Linalg.QR complete = Linalg.qr(Tensor.zeros(2, 3, 0), "complete");
        assertArrayEquals(new int[] {2, 3, 3}, complete.q().shape().dims());
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, complete.q().narrow(0, 0, 1).toDoubleArray());
        assertArrayEquals(new int[] {2, 3, 0}, complete.r().shape().dims());
        Linalg.QR reduced = Linalg.qr(Tensor.zeros(0, 4, 3));
        assertArrayEquals(new int[] {0, 4, 3}, reduced.q().shape().dims());
        assertArrayEquals(new int[] {0, 3, 3}, reduced.r().shape().dims());
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor a) {
        GradCheck.check(name, f, a);
        DoubleBackwardTest.checkSecondOrder(name, f, a);
    }

    @Test
    void tallQrGradientsMatchFiniteDifferences() {
        Tensor a = Tensor.fromArray(fullRank(1, 2, 4, 3), 2, 4, 3).requiresGrad(true);
        checkBothOrders("qr Q tall", in -> Linalg.qr(in[0]).q(), a);
        checkBothOrders("qr R tall", in -> Linalg.qr(in[0]).r(), a);
    }

    @Test
    void wideAndSquareQrGradientsMatchFiniteDifferences() {
        Tensor wide = Tensor.fromArray(fullRank(2, 2, 3, 5), 2, 3, 5).requiresGrad(true);
        checkBothOrders("qr Q wide", in -> Linalg.qr(in[0]).q(), wide);
        checkBothOrders("qr R wide", in -> Linalg.qr(in[0]).r(), wide);
        Tensor square = Tensor.fromArray(fullRank(3, 2, 1, 3, 3), 2, 1, 3, 3).requiresGrad(true);
        checkBothOrders("qr complete square", in -> {
            Linalg.QR qr = Linalg.qr(in[0], "complete");
            return qr.q().add(qr.r().mul(qr.r()));
        }, square);
    }

    @Test
    void differentiatingModeRIsRefusedInPyTorchsWords() {
        Tensor a = Tensor.fromArray(fullRank(1, 4, 3), 4, 3).requiresGrad(true);
        Tensor r = Linalg.qr(a, "r").r();
        assertEquals("linalg.qr: The derivative of linalg.qr depends on Q, which is not computed when mode='r'."
                        + " Please use linalg.qr(A, mode='reduced') if you are going to differentiate through"
                        + " linalg.qr.",
                assertThrows(IllegalArgumentException.class, () -> r.sum().backward()).getMessage());
    }

    @Test
    void differentiatingACompleteQrOfATallMatrixIsRefusedInPyTorchsWords() {
        Tensor a = Tensor.fromArray(fullRank(1, 4, 3), 4, 3).requiresGrad(true);
        Tensor q = Linalg.qr(a, "complete").q();
        assertEquals("linalg.qr: The QR decomposition is not differentiable when mode='complete' and nrows > ncols"
                        + " (A has 4 rows and 3 columns).",
                assertThrows(IllegalArgumentException.class, () -> q.sum().backward()).getMessage());
    }

    @Test
    void anUnknownModeIsRefusedNamingIt() {
        Tensor a = Tensor.fromArray(fullRank(1, 4, 3), 4, 3);
        assertEquals("linalg.qr: mode \"full\" is not one of \"reduced\" (PyTorch's default), \"complete\" or \"r\"",
                assertThrows(IllegalArgumentException.class, () -> Linalg.qr(a, "full")).getMessage());
    }

    @Test
    void aVectorIsRefusedNamingItsShape() {
        Tensor v = Tensor.fromArray(pattern(1, 3), 3);
        assertEquals("linalg.qr: A [3] must have at least 2 dimensions, matrices in the last two",
                assertThrows(IllegalArgumentException.class, () -> Linalg.qr(v)).getMessage());
    }
}
