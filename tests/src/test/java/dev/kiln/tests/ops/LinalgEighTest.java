package dev.kiln.tests.ops;

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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg#eigh} and {@link Linalg#eigvalsh} against PyTorch 1.13 (values printed by
 * {@code models/src/test/pytorch/linalg_eigh.py} into {@link LinalgEighValues}), through what the eigenvectors' signs
 * do not change, as PyTorch's own tests compare them: the eigenvalues, V * V, and the gradient of
 * {@code (L * w).sum() + (V * V * u).sum()}; F64 within 1e-10, F32 within 1e-4 (eigenvectors are as sensitive as the
 * gaps between eigenvalues are small). Finite differences through sign-invariant functions, first and second order.
 */
class LinalgEighTest {
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

    /** P + P^T + diag(0, 1, ..., n - 1) for P the pattern of {@code seed}: distinct eigenvalues. */
    private static double[] symmetric(int seed, int batch, int n) {
        double[] p = pattern(seed, batch * n * n);
        double[] s = new double[p.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    s[(b * n + i) * n + j] = p[(b * n + i) * n + j] + p[(b * n + j) * n + i] + (i == j ? i : 0);
                }
            }
        }
        return s;
    }

    private static Tensor weights(int seed, Tensor like) {
        return Tensor.fromArray(pattern(seed, (int) like.size()), like.shape().dims()).to(like.dtype());
    }

    private static void assertEigh(String name, DType dtype, Tensor a, String uplo, double[] values,
                                   double[] vectorsSquared, double[] gradient) {
        Linalg.Eigh eigh = Linalg.eigh(a, uplo);
        Tensor squared = eigh.eigenvectors().mul(eigh.eigenvectors());
        assertValues(name + " eigenvalues", values, eigh.eigenvalues().shape().dims(), eigh.eigenvalues(),
                tolerance(dtype));
        assertValues(name + " V * V", vectorsSquared, squared.shape().dims(), squared, tolerance(dtype));
        eigh.eigenvalues().mul(weights(9, eigh.eigenvalues())).sum().add(squared.mul(weights(10, squared)).sum())
                .backward();
        assertValues(name + " gradient", gradient, a.shape().dims(), a.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eighFromTheLowerTriangleAndItsGradientMatchPyTorch(DType dtype) {
        assertEigh("eigh", dtype, leaf(dtype, symmetric(1, 2, 4), 2, 4, 4), "L", LinalgEighValues.EIGH_VALUES,
                LinalgEighValues.EIGH_VECTORS_SQUARED, LinalgEighValues.EIGH_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eighReadsOnlyTheUpperTriangleWhenAskedAsPyTorch(DType dtype) {
        double[] a = pattern(2, 18);
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                a[(b * 3 + i) * 3 + i] += i;
            }
        }
        assertEigh("eigh upper", dtype, leaf(dtype, a, 2, 1, 3, 3), "U", LinalgEighValues.EIGH_UPPER_VALUES,
                LinalgEighValues.EIGH_UPPER_VECTORS_SQUARED, LinalgEighValues.EIGH_UPPER_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eigvalshAndItsGradientMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, symmetric(3, 1, 3), 3, 3);
        Tensor values = Linalg.eigvalsh(a);
        assertValues("eigvalsh", LinalgEighValues.EIGVALSH, new int[] {3}, values, tolerance(dtype));
        values.mul(weights(9, values)).sum().backward();
        assertValues("eigvalsh gradient", LinalgEighValues.EIGVALSH_GRAD_A, new int[] {3, 3}, a.grad(),
                tolerance(dtype));
    }

    @Test
    void eigvalshWithoutGradientsEqualsEighsValues() {
        Tensor a = Tensor.fromArray(symmetric(1, 2, 4), 2, 4, 4);
        assertArrayEquals(Linalg.eigh(a).eigenvalues().toDoubleArray(), Linalg.eigvalsh(a).toDoubleArray(), 1e-12);
    }

    @Test
    void eigenvectorsAreOrthonormalAndReconstructTheMatrix() {
        Tensor a = Tensor.fromArray(symmetric(4, 3, 5), 3, 5, 5);
        Linalg.Eigh eigh = Linalg.eigh(a);
        Tensor v = eigh.eigenvectors();
        Tensor rebuilt = v.mul(eigh.eigenvalues().unsqueeze(-2)).matmul(v.transpose(-2, -1));
        assertArrayEquals(a.toDoubleArray(), rebuilt.toDoubleArray(), 1e-12);
        double[] identities = new double[3 * 5 * 5];
        for (int i = 0; i < 15; i++) {
            identities[i * 5 + i % 5] = 1;
        }
        assertArrayEquals(identities, v.transpose(-2, -1).matmul(v).toDoubleArray(), 1e-12);
    }

    private static Tensor sym(Tensor x) {
        return x.add(x.transpose(-2, -1));
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor a) {
        GradCheck.check(name, f, a);
        DoubleBackwardTest.checkSecondOrder(name, f, a);
    }

    @Test
    void eighGradientsMatchFiniteDifferencesThroughSignInvariantFunctions() {
        double[] half = symmetric(1, 2, 4);
        for (int i = 0; i < half.length; i++) {
            half[i] /= 2;
        }
        Tensor a = Tensor.fromArray(half, 2, 4, 4).requiresGrad(true);
        checkBothOrders("eigh values", in -> Linalg.eigh(sym(in[0])).eigenvalues(), a);
        checkBothOrders("eigh V * V", in -> {
            Tensor v = Linalg.eigh(sym(in[0])).eigenvectors();
            return v.mul(v);
        }, a);
        checkBothOrders("eigh V f(L) V^T", in -> {
            Linalg.Eigh eigh = Linalg.eigh(sym(in[0]));
            Tensor v = eigh.eigenvectors();
            return v.mul(eigh.eigenvalues().exp().unsqueeze(-2)).matmul(v.transpose(-2, -1));
        }, a);
        checkBothOrders("eigvalsh", in -> Linalg.eigvalsh(sym(in[0]), "U"), a);
    }

    @Test
    void anUnknownUploIsRefusedNamingIt() {
        Tensor a = Tensor.fromArray(symmetric(1, 1, 3), 3, 3);
        assertEquals("linalg.eigh: UPLO \"X\" is not \"L\" or \"U\"",
                assertThrows(IllegalArgumentException.class, () -> Linalg.eigh(a, "X")).getMessage());
        assertEquals("linalg.eigvalsh: UPLO \"l\" is not \"L\" or \"U\"",
                assertThrows(IllegalArgumentException.class, () -> Linalg.eigvalsh(a, "l")).getMessage());
    }

    @Test
    void aNonSquareMatrixIsRefusedNamingItsShape() {
        Tensor a = Tensor.fromArray(pattern(1, 6), 2, 3);
        assertEquals("linalg.eigh: A [2, 3] must be a batch of square matrices [..., n, n]",
                assertThrows(IllegalArgumentException.class, () -> Linalg.eigh(a)).getMessage());
    }
}
