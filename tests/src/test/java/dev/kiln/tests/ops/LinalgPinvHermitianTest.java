package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg#pinv(Tensor, boolean)} of symmetric matrices and {@link Linalg#matrixNorm} over chosen axes against
 * PyTorch 1.13 (values printed by {@code models/src/test/pytorch/linalg_pinv_hermitian.py} into
 * {@link LinalgPinvHermitianValues}): values and the gradients of {@code (y * w).sum()}, F64 within 1e-10, F32 within
 * 1e-4; finite differences.
 */
class LinalgPinvHermitianTest {
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

    /** The script's symmetric, indefinite batch: the pattern plus its transpose, plus 2 I and then minus 2 I. */
    private static double[] symmetric() {
        double[] m = pattern(5, 18);
        double[] a = new double[18];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    a[b * 9 + i * 3 + j] = m[b * 9 + i * 3 + j] + m[b * 9 + j * 3 + i] + (i == j ? 2 - 4 * b : 0);
                }
            }
        }
        return a;
    }

    /** The script's [3, 2, 4] norm input: the pattern plus 2 at [i, :, i], full rank over axes 0 and 2. */
    private static double[] normInput() {
        double[] c = pattern(7, 24);
        for (int i = 0; i < 3; i++) {
            for (int r = 0; r < 2; r++) {
                c[(i * 2 + r) * 4 + i] += 2;
            }
        }
        return c;
    }

    private static void assertWithGradient(String name, Tensor y, double[] values, Tensor a, double[] gradient,
                                           DType dtype) {
        assertValues(name, values, y.shape().dims(), y, tolerance(dtype));
        y.mul(Tensor.fromArray(pattern(9, (int) y.size()), y.shape().dims()).to(dtype)).sum().backward();
        assertValues(name + " gradient", gradient, a.shape().dims(), a.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aSymmetricPinvAndItsGradientMatchPyTorch(DType dtype) {
        Tensor a = leaf(dtype, symmetric(), 2, 3, 3);
        assertWithGradient("pinv hermitian", Linalg.pinv(a, true), LinalgPinvHermitianValues.PINV_HERMITIAN, a,
                LinalgPinvHermitianValues.PINV_HERMITIAN_GRAD_A, dtype);
    }

    @Test
    void eigenvaluesBelowTheDefaultToleranceCountAsZeroAsInPyTorch() {
        double[] m = pattern(6, 6);
        double[] rankTwo = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                rankTwo[i * 3 + j] = m[i * 2] * m[j * 2] + m[i * 2 + 1] * m[j * 2 + 1];
            }
        }
        assertValues("pinv hermitian rank 2", LinalgPinvHermitianValues.PINV_HERMITIAN_RANK_DEFICIENT,
                new int[] {3, 3}, Linalg.pinv(Tensor.fromArray(rankTwo, 3, 3), true), 1e-10);
    }

    @Test
    void anAbsoluteToleranceDropsTheSmallEigenvaluesAsInPyTorch() {
        Tensor a = Tensor.fromArray(symmetric(), 2, 3, 3).narrow(0, 0, 1).reshape(3, 3);
        assertValues("pinv hermitian atol 0.5", LinalgPinvHermitianValues.PINV_HERMITIAN_ATOL, new int[] {3, 3},
                Linalg.pinv(a, 0.5, 0, true), 1e-10);
    }

    @Test
    void aSymmetricPinvIsTheSvdPinv() {
        Tensor a = Tensor.fromArray(symmetric(), 2, 3, 3);
        assertValues("pinv hermitian against pinv", Linalg.pinv(a).toDoubleArray(), new int[] {2, 3, 3},
                Linalg.pinv(a, true), 1e-12);
    }

    @Test
    void theSymmetricPinvsGradientMatchesFiniteDifferences() {
        Tensor a = Tensor.fromArray(symmetric(), 2, 3, 3).requiresGrad(true);
        // Symmetrised inside: eigh reads one triangle, so only symmetric perturbations stay in its domain.
        GradCheck.check("pinv hermitian", in -> Linalg.pinv(in[0].add(in[0].transpose(1, 2)).mul(0.5), true), a);
    }

    @Test
    void aNonSquarePinvIsRefusedWhenHermitian() {
        Tensor wide = Tensor.zeros(DType.F64, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Linalg.pinv(wide, true));
        assertEquals("linalg.pinv: A must be batches of square matrices, but they are 2 by 3 matrices (A [2, 3])",
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"F64, fro, FRO", "F64, nuc, NUC", "F32, fro, FRO", "F32, nuc, NUC"})
    void namedMatrixNormsOverChosenAxesMatchPyTorch(DType dtype, String ord, String key) {
        Tensor a = leaf(dtype, normInput(), 3, 2, 4);
        assertWithGradient(ord, Linalg.matrixNorm(a, ord, 0, 2, true), constant("NORM_DIMS_" + key), a,
                constant("NORM_DIMS_" + key + "_GRAD_A"), dtype);
    }

    @ParameterizedTest
    @CsvSource({"F64, 2, TWO", "F64, -Infinity, MINUS_INF", "F32, 2, TWO"})
    void numericMatrixNormsOverChosenAxesMatchPyTorch(DType dtype, double ord, String key) {
        Tensor a = leaf(dtype, normInput(), 3, 2, 4);
        assertWithGradient("ord " + ord, Linalg.matrixNorm(a, ord, 0, -1, true), constant("NORM_DIMS_" + key), a,
                constant("NORM_DIMS_" + key + "_GRAD_A"), dtype);
    }

    private static double[] constant(String name) {
        try {
            return (double[]) LinalgPinvHermitianValues.class.getDeclaredField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(name, e);
        }
    }

    /** A vector is refused naming pinv and A, hermitian or not, before its tolerance reads the matrix axes. */
    @Test
    void aVectorIsRefusedNamingPinv() {
        Tensor vector = Tensor.zeros(DType.F64, 3);
        String expected = "linalg.pinv: A [3] must have at least 2 dimensions, matrices in the last two";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> Linalg.pinv(vector, true))
                .getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> Linalg.pinv(vector)).getMessage());
    }

    /**
     * Zero [2, 3] and [3, 2] matrices: PyTorch's finite gradients of the singular-value norms (its svdvals backward is U diag(g)
     * Vh), not the NaN of 0 / 0 where the SVD gradient's S^-1 term meets zero singular values and a zero gradient.
     */
    @Test
    void singularValueNormsOfZeroNonSquareMatricesHavePyTorchsGradient() {
        double[] nuclear = {1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0};
        double[] spectral = {0.5, 0, 0, 0, 0.5, 0, 0.5, 0, 0, 0, 0.5, 0};
        Object[][] cases = {{"nuc", nuclear}, {2.0, spectral}, {-2.0, spectral}};
        for (Object[] c : cases) {
            for (boolean transposed : new boolean[] {false, true}) {
                Tensor zeros = Tensor.zeros(DType.F64, 2, 2, 3).requiresGrad(true);
                Tensor a = transposed ? zeros.transpose(1, 2) : zeros;
                Tensor norm = c[0] instanceof String ord ? Linalg.matrixNorm(a, ord, 1, 2, false)
                        : Linalg.matrixNorm(a, (Double) c[0], 1, 2, false);
                norm.sum().backward();
                assertValues("ord " + c[0] + (transposed ? " of [3, 2]" : ""), (double[]) c[1], new int[] {2, 2, 3},
                        zeros.grad(), 1e-12);
            }
        }
    }

    /** A vector has no matrices to take the norm of: refused naming matrixNorm and A, not as a repeated axis. */
    @Test
    void aMatrixNormOverAxesOfAVectorIsRefusedNamingIt() {
        Tensor vector = Tensor.zeros(DType.F64, 3);
        String expected = "linalg.matrixNorm: A [3] must have at least 2 dimensions, matrices in the last two";
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> Linalg.matrixNorm(vector, "fro", 0, -1, false)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> Linalg.matrixNorm(vector, 2, 0, -1, false)).getMessage());
    }

    /**
     * matrixNorm's axes out of range or named twice are refused naming matrixNorm, for both kinds of ord; linalg.norm
     * over the same axes keeps naming itself.
     */
    @Test
    void matrixNormsAxesAreRefusedNamingMatrixNorm() {
        Tensor a = Tensor.zeros(DType.F64, 2, 3);
        String outOfRange = ": axis 2 is out of range for shape [2, 3] (rank 2: axes -2 to 1)";
        String repeated = ": axis 1 appears more than once in [1, -1] for shape [2, 3]";
        assertEquals("linalg.matrixNorm" + outOfRange, assertThrows(IllegalArgumentException.class,
                () -> Linalg.matrixNorm(a, "fro", 0, 2, false)).getMessage());
        assertEquals("linalg.matrixNorm" + outOfRange, assertThrows(IllegalArgumentException.class,
                () -> Linalg.matrixNorm(a, 2, 0, 2, false)).getMessage());
        assertEquals("linalg.matrixNorm" + repeated, assertThrows(IllegalArgumentException.class,
                () -> Linalg.matrixNorm(a, "nuc", 1, -1, false)).getMessage());
        assertEquals("linalg.matrixNorm" + repeated, assertThrows(IllegalArgumentException.class,
                () -> Linalg.matrixNorm(a, -2, 1, -1, true)).getMessage());
        assertEquals("linalg.norm" + outOfRange, assertThrows(IllegalArgumentException.class,
                () -> Linalg.norm(a, "fro", new int[] {0, 2}, false)).getMessage());
        assertEquals("linalg.norm" + repeated, assertThrows(IllegalArgumentException.class,
                () -> Linalg.norm(a, 2, new int[] {1, -1}, false)).getMessage());
    }
}
