package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.fullRank;
import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
 * {@link Linalg#svd} and {@link Linalg#svdvals} against PyTorch 1.13 (values printed by
 * {@code models/src/test/pytorch/linalg_svd.py} into {@link LinalgSvdValues}), through what the singular vectors'
 * signs do not change, as PyTorch's own tests compare them: S, U * U and Vh * Vh (their first k columns and rows), and
 * the gradient of {@code (S * w).sum() + (U * U * u).sum() + (Vh * Vh * z).sum()}; F64 within 1e-10, F32 within 1e-4.
 * Finite differences through gauge-invariant functions, first and second order.
 */
class LinalgSvdTest {
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

    private static Tensor weights(int seed, Tensor like) {
        return Tensor.fromArray(pattern(seed, (int) like.size()), like.shape().dims()).to(like.dtype());
    }

    private static void assertSvd(String name, DType dtype, Tensor a, boolean full, double[] s, double[] uSquared,
                                  double[] vhSquared, double[] gradient) {
        Linalg.SVD svd = Linalg.svd(a, full);
        int k = svd.s().dim(-1);
        Tensor u = svd.u().narrow(-1, 0, k);
        Tensor vh = svd.vh().narrow(-2, 0, k);
        Tensor uu = u.mul(u);
        Tensor vv = vh.mul(vh);
        assertValues(name + " S", s, svd.s().shape().dims(), svd.s(), tolerance(dtype));
        assertValues(name + " U * U", uSquared, uu.shape().dims(), uu, tolerance(dtype));
        assertValues(name + " Vh * Vh", vhSquared, vv.shape().dims(), vv, tolerance(dtype));
        svd.s().mul(weights(9, svd.s())).sum().add(uu.mul(weights(10, uu)).sum()).add(vv.mul(weights(11, vv)).sum())
                .backward();
        assertValues(name + " gradient", gradient, a.shape().dims(), a.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void reducedSvdOfTallMatricesAndItsGradientMatchPyTorch(DType dtype) {
        assertSvd("tall", dtype, leaf(dtype, fullRank(1, 2, 4, 3), 2, 4, 3), false, LinalgSvdValues.TALL_S,
                LinalgSvdValues.TALL_U_SQUARED, LinalgSvdValues.TALL_VH_SQUARED, LinalgSvdValues.TALL_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fullSvdOfWideMatricesInTwoBatchAxesAndItsGradientMatchPyTorch(DType dtype) {
        assertSvd("wide full", dtype, leaf(dtype, fullRank(2, 2, 1, 3, 5), 2, 1, 3, 5), true,
                LinalgSvdValues.WIDE_FULL_S, LinalgSvdValues.WIDE_FULL_U_SQUARED,
                LinalgSvdValues.WIDE_FULL_VH_SQUARED, LinalgSvdValues.WIDE_FULL_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void svdOfSquareMatricesAndItsGradientMatchPyTorch(DType dtype) {
        assertSvd("square", dtype, leaf(dtype, fullRank(3, 2, 3, 3), 2, 3, 3), false, LinalgSvdValues.SQUARE_S,
                LinalgSvdValues.SQUARE_U_SQUARED, LinalgSvdValues.SQUARE_VH_SQUARED, LinalgSvdValues.SQUARE_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void svdvalsAndItsGradientMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, fullRank(4, 3, 4), 3, 4);
        Tensor s = Linalg.svdvals(a);
        assertValues("svdvals", LinalgSvdValues.SVDVALS, new int[] {3}, s, tolerance(dtype));
        s.mul(weights(9, s)).sum().backward();
        assertValues("svdvals gradient", LinalgSvdValues.SVDVALS_GRAD_A, new int[] {3, 4}, a.grad(), tolerance(dtype));
    }

    @Test
    void svdvalsGradientIsFiniteForRepeatedSingularValuesAsPyTorchs() {
        Tensor eye = Tensor.fromArray(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3).requiresGrad(true);
        Linalg.svdvals(eye).sum().backward();
        assertArrayEquals(LinalgSvdValues.SVDVALS_REPEATED_GRAD_A, eye.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void fullFactorsAreOrthogonalAndReconstructTheMatrix() {
        Tensor a = Tensor.fromArray(fullRank(5, 2, 6, 4), 2, 6, 4);
        Linalg.SVD svd = Linalg.svd(a);
        assertArrayEquals(new int[] {2, 6, 6}, svd.u().shape().dims());
        assertArrayEquals(new int[] {2, 4, 4}, svd.vh().shape().dims());
        Tensor rebuilt = svd.u().narrow(-1, 0, 4).mul(svd.s().unsqueeze(-2)).matmul(svd.vh());
        assertArrayEquals(a.toDoubleArray(), rebuilt.toDoubleArray(), 1e-12);
        assertArrayEquals(identities(2, 6), svd.u().transpose(-2, -1).matmul(svd.u()).toDoubleArray(), 1e-12);
        assertArrayEquals(identities(2, 4), svd.vh().matmul(svd.vh().transpose(-2, -1)).toDoubleArray(), 1e-12);
    }

    @Test
    void svdvalsWithoutGradientsEqualSvdsValues() {
        Tensor a = Tensor.fromArray(fullRank(5, 2, 4, 6), 2, 4, 6);
        assertArrayEquals(Linalg.svd(a, false).s().toDoubleArray(), Linalg.svdvals(a).toDoubleArray(), 1e-12);
    }

    private static double[] identities(int batch, int n) {
        double[] eye = new double[batch * n * n];
        for (int i = 0; i < batch * n; i++) {
            eye[i * n + i % n] = 1;
        }
        return eye;
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor a) {
        GradCheck.check(name, f, a);
        DoubleBackwardTest.checkSecondOrder(name, f, a);
    }

    @Test
    void svdGradientsMatchFiniteDifferencesThroughGaugeInvariantFunctions() {
        Tensor tall = Tensor.fromArray(fullRank(1, 2, 4, 3), 2, 4, 3).requiresGrad(true);
        Tensor wide = Tensor.fromArray(fullRank(2, 3, 5), 3, 5).requiresGrad(true);
        for (Tensor a : new Tensor[] {tall, wide}) {
            checkBothOrders("svd S", in -> Linalg.svd(in[0], false).s(), a);
            checkBothOrders("svd U diag(S^2) U^T", in -> {
                Linalg.SVD svd = Linalg.svd(in[0], false);
                return svd.u().mul(svd.s().mul(svd.s()).unsqueeze(-2)).matmul(svd.u().transpose(-2, -1));
            }, a);
            checkBothOrders("svd U Vh", in -> {
                Linalg.SVD svd = Linalg.svd(in[0], false);
                return svd.u().matmul(svd.vh());
            }, a);
            checkBothOrders("svdvals", in -> Linalg.svdvals(in[0]), a);
        }
    }
}
