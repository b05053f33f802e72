package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg#eig} and {@link Linalg#eigvals} against PyTorch 1.13 (values printed by
 * {@code models/src/test/pytorch/linalg_eig.py} into {@link LinalgEigValues}) through what the solver's order and the
 * vectors' phases do not change: the eigenvalues sorted by (real part, imaginary part), |V|^2 in that order, the
 * residual {@code A V - V diag(L)}, and the gradient of {@code sum(re^3 + im^2 / 2) + sum_ki u_k re_i |V_ki|^2}; F64
 * within 1e-10, F32 within 1e-4. Finite differences through such functions, first and second order.
 */
class LinalgEigTest {
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

    /** linalg_eig.py's real_spectrum: the pattern's upper triangle, 0.3 times the next, plus diag(0, ..., n - 1). */
    static double[] realSpectrum(int seed, int n) {
        double[] upper = pattern(seed, n * n);
        double[] full = pattern(seed + 1, n * n);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = (j >= i ? upper[i * n + j] : 0) + 0.3 * full[i * n + j] + (i == j ? i : 0);
            }
        }
        return a;
    }

    /** linalg_eig.py's rotations: 2 x 2 rotation-like blocks (0.5 last where n is odd) plus 0.4 times the pattern. */
    static double[] rotations(int seed, int batch, int n) {
        double[] a = pattern(seed, batch * n * n);
        for (int i = 0; i < a.length; i++) {
            a[i] *= 0.4;
        }
        for (int b = 0; b < batch; b++) {
            int base = b * n * n;
            for (int k = 0; k + 1 < n; k += 2) {
                a[base + k * n + k] += k - 1.0;
                a[base + (k + 1) * n + k + 1] += k - 1.0;
                a[base + k * n + k + 1] += 1.0 + k;
                a[base + (k + 1) * n + k] += -1.5;
            }
            if (n % 2 == 1) {
                a[base + n * n - 1] += 0.5;
            }
        }
        return a;
    }

    /** The permutation of each matrix's eigenvalues {@code [batch, n, 2]} that sorts them as linalg_eig.py does. */
    static int[][] order(double[] values, int batch, int n) {
        int[][] orders = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int base = b * n;
            orders[b] = IntStream.range(0, n).boxed()
                    .sorted(Comparator.<Integer>comparingLong(i -> Math.round(values[(base + i) * 2] * 1e6))
                            .thenComparingDouble(i -> values[(base + i) * 2 + 1]))
                    .mapToInt(Integer::intValue).toArray();
        }
        return orders;
    }

    static double[] sortedValues(double[] values, int[][] orders, int n) {
        double[] sorted = new double[values.length];
        for (int b = 0; b < orders.length; b++) {
            for (int i = 0; i < n; i++) {
                sorted[(b * n + i) * 2] = values[(b * n + orders[b][i]) * 2];
                sorted[(b * n + i) * 2 + 1] = values[(b * n + orders[b][i]) * 2 + 1];
            }
        }
        return sorted;
    }

    /** |V_ki|^2 {@code [batch, n, n]}, columns in the sorted order. */
    static double[] sortedSquares(double[] vectors, int[][] orders, int n) {
        double[] squares = new double[vectors.length / 2];
        for (int b = 0; b < orders.length; b++) {
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < n; i++) {
                    int at = (b * n * n + k * n + orders[b][i]) * 2;
                    squares[b * n * n + k * n + i] = vectors[at] * vectors[at] + vectors[at + 1] * vectors[at + 1];
                }
            }
        }
        return squares;
    }

    /** The largest |(A V - V diag(L))_ki| over the batch, in F64 on the host. */
    static double residual(double[] a, double[] values, double[] vectors, int batch, int n) {
        double largest = 0;
        for (int b = 0; b < batch; b++) {
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < n; i++) {
                    double re = 0;
                    double im = 0;
                    for (int j = 0; j < n; j++) {
                        re += a[b * n * n + k * n + j] * vectors[(b * n * n + j * n + i) * 2];
                        im += a[b * n * n + k * n + j] * vectors[(b * n * n + j * n + i) * 2 + 1];
                    }
                    int v = (b * n * n + k * n + i) * 2;
                    double lr = values[(b * n + i) * 2];
                    double li = values[(b * n + i) * 2 + 1];
                    re -= vectors[v] * lr - vectors[v + 1] * li;
                    im -= vectors[v] * li + vectors[v + 1] * lr;
                    largest = Math.max(largest, Math.hypot(re, im));
                }
            }
        }
        return largest;
    }

    private static Tensor real(Tensor pairs) {
        return pairs.narrow(-1, 0, 1).squeeze(-1);
    }

    private static Tensor imag(Tensor pairs) {
        return pairs.narrow(-1, 1, 1).squeeze(-1);
    }

    /** {@code sum(re^3 + im^2 / 2)}: no order or phase changes it. */
    private static Tensor valueLoss(Tensor values) {
        Tensor re = real(values);
        Tensor im = imag(values);
        return re.mul(re).mul(re).sum().add(im.mul(im).mul(0.5).sum());
    }

    /** linalg_eig.py's loss: {@link #valueLoss} plus {@code sum_ki u_k re_i |V_ki|^2}, u = pattern(10) over rows. */
    private static Tensor loss(Linalg.Eig eig) {
        Tensor v = eig.eigenvectors();
        Tensor squares = real(v).mul(real(v)).add(imag(v).mul(imag(v)));
        int n = v.dim(-2);
        Tensor u = Tensor.fromArray(pattern(10, n), n, 1).to(v.dtype());
        return valueLoss(eig.eigenvalues()).add(u.mul(real(eig.eigenvalues()).unsqueeze(-2)).mul(squares).sum());
    }

    private static void assertEig(String name, DType dtype, double[] a, int[] dims, double[] values,
                                  double[] vectorsSquared, double[] gradient) {
        int n = dims[dims.length - 1];
        int batch = a.length / (n * n);
        Tensor input = leaf(dtype, a, dims);
        Linalg.Eig eig = Linalg.eig(input);
        double[] actualValues = eig.eigenvalues().toDoubleArray();
        double[] actualVectors = eig.eigenvectors().toDoubleArray();
        int[][] orders = order(actualValues, batch, n);
        assertArrayEquals(values, sortedValues(actualValues, orders, n), tolerance(dtype), name + " eigenvalues");
        assertArrayEquals(vectorsSquared, sortedSquares(actualVectors, orders, n), tolerance(dtype), name + " |V|^2");
        double residual = residual(a, actualValues, actualVectors, batch, n);
        assertTrue(residual < (dtype == DType.F64 ? 1e-13 : 1e-5), name + " residual " + residual);
        loss(eig).backward();
        assertValues(name + " gradient", gradient, dims, input.grad(), tolerance(dtype) * 10);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void realEigenvaluesVectorsAndGradientMatchPyTorch(DType dtype) {
        assertEig("real", dtype, realSpectrum(4, 4), new int[] {4, 4}, LinalgEigValues.EIG_REAL_VALUES,
                LinalgEigValues.EIG_REAL_VECTORS_SQUARED, LinalgEigValues.EIG_REAL_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void complexPairsVectorsAndGradientMatchPyTorch(DType dtype) {
        assertEig("complex", dtype, rotations(6, 1, 4), new int[] {4, 4}, LinalgEigValues.EIG_COMPLEX_VALUES,
                LinalgEigValues.EIG_COMPLEX_VECTORS_SQUARED, LinalgEigValues.EIG_COMPLEX_GRAD_A);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aBatchWithRealAndComplexEigenvaluesMatchesPyTorch(DType dtype) {
        assertEig("batch", dtype, rotations(7, 2, 5), new int[] {2, 5, 5}, LinalgEigValues.EIG_BATCH_VALUES,
                LinalgEigValues.EIG_BATCH_VECTORS_SQUARED, LinalgEigValues.EIG_BATCH_GRAD_A);
    }

    @Test
    void aOneByOneMatrixIsItsOwnEigenvalueWithVectorOne() {
        assertEig("1 x 1", DType.F64, new double[] {-1.25}, new int[] {1, 1}, LinalgEigValues.EIG_ONE_VALUES,
                LinalgEigValues.EIG_ONE_VECTORS_SQUARED, LinalgEigValues.EIG_ONE_GRAD_A);
        assertArrayEquals(new double[] {1, 0}, Linalg.eig(Tensor.fromArray(new double[] {-1.25}, 1, 1))
                .eigenvectors().toDoubleArray());
    }

    @Test
    void eigvalsAndItsGradientMatchPyTorch() {
        Tensor a = leaf(DType.F64, rotations(8, 1, 3), 3, 3);
        Tensor values = Linalg.eigvals(a);
        assertArrayEquals(new int[] {3, 2}, values.shape().dims());
        double[] actual = values.toDoubleArray();
        assertArrayEquals(LinalgEigValues.EIGVALS, sortedValues(actual, order(actual, 1, 3), 3), 1e-12);
        valueLoss(values).backward();
        assertValues("eigvals gradient", LinalgEigValues.EIGVALS_GRAD_A, new int[] {3, 3}, a.grad(), 1e-10);
    }

    @Test
    void eigvalsWithoutGradientsEqualsEigsValues() {
        Tensor a = Tensor.fromArray(rotations(7, 2, 5), 2, 5, 5);
        assertArrayEquals(Linalg.eig(a).eigenvalues().toDoubleArray(), Linalg.eigvals(a).toDoubleArray(), 0);
    }

    @Test
    void batchAxesAreKeptAndATransposedViewHasTheSameEigenvalues() {
        Tensor a = Tensor.fromArray(rotations(7, 2, 5), 2, 1, 5, 5);
        Linalg.Eig eig = Linalg.eig(a);
        assertArrayEquals(new int[] {2, 1, 5, 2}, eig.eigenvalues().shape().dims());
        assertArrayEquals(new int[] {2, 1, 5, 5, 2}, eig.eigenvectors().shape().dims());
        double[] values = eig.eigenvalues().toDoubleArray();
        double[] transposed = Linalg.eigvals(a.transpose(-2, -1)).toDoubleArray();
        assertArrayEquals(sortedValues(values, order(values, 2, 5), 5),
                sortedValues(transposed, order(transposed, 2, 5), 5), 1e-13);
    }

    @Test
    void emptyMatricesGiveEmptyResults() {
        Linalg.Eig eig = Linalg.eig(Tensor.zeros(2, 0, 0));
        assertArrayEquals(new int[] {2, 0, 2}, eig.eigenvalues().shape().dims());
        assertArrayEquals(new int[] {2, 0, 0, 2}, eig.eigenvectors().shape().dims());
        assertArrayEquals(new int[] {0, 2}, Linalg.eigvals(Tensor.zeros(0, 0)).shape().dims());
    }

    @Test
    void repeatedAndDefectiveEigenvaluesStillSatisfyTheEigenEquation() {
        double[] jordan = {2, 1, 0, 0, 2, 0, 0, 0, 2};
        Linalg.Eig eig = Linalg.eig(Tensor.fromArray(jordan, 3, 3));
        double[] values = eig.eigenvalues().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(2, values[2 * i], 1e-12);
            assertEquals(0, values[2 * i + 1], 1e-12);
        }
        assertTrue(residual(jordan, values, eig.eigenvectors().toDoubleArray(), 1, 3) < 1e-12);
    }

    /** Unit columns and {@code |A V - V diag(L)|} within 1e-14 of A's largest magnitude, F64. */
    private static void assertEigenEquation(String name, double[] a, int n) {
        Linalg.Eig eig = Linalg.eig(Tensor.fromArray(a, n, n));
        double[] vectors = eig.eigenvectors().toDoubleArray();
        for (int i = 0; i < n; i++) {
            double length = 0;
            for (int k = 0; k < n; k++) {
                length += vectors[(k * n + i) * 2] * vectors[(k * n + i) * 2] + vectors[(k * n + i) * 2 + 1]
                        * vectors[(k * n + i) * 2 + 1];
            }
            assertEquals(1, length, 1e-12, name + " column " + i + "'s norm");
        }
        double largest = Arrays.stream(a).map(Math::abs).max().orElse(0);
        double residual = residual(a, eig.eigenvalues().toDoubleArray(), vectors, 1, n);
        assertTrue(residual <= 1e-14 * n * largest, name + " residual " + residual);
    }

    /** A cyclic permutation (the 7th roots of unity), a nilpotent Jordan block and rotations(7) times 1e-150. */
    static double[][] hardMatrices() {
        int n = 7;
        double[] cycle = new double[n * n];
        double[] jordan = new double[n * n];
        for (int i = 0; i < n; i++) {
            cycle[i * n + (i + 1) % n] = 1;
            if (i + 1 < n) {
                jordan[i * n + i + 1] = 1;
            }
        }
        double[] tiny = rotations(7, 1, 5);
        for (int i = 0; i < tiny.length; i++) {
            tiny[i] *= 1e-150;
        }
        return new double[][] {cycle, jordan, tiny};
    }

    /** Unit columns and {@code |A V - V diag(L)|} within 1e-14 n of A's largest magnitude, F64. */
    static void assertEigenEquation(String name, double[] a, double[] values, double[] vectors) {
        int n = (int) Math.round(Math.sqrt(a.length));
        for (int i = 0; i < n; i++) {
            double length = 0;
            for (int k = 0; k < n; k++) {
                length += vectors[(k * n + i) * 2] * vectors[(k * n + i) * 2] + vectors[(k * n + i) * 2 + 1]
                        * vectors[(k * n + i) * 2 + 1];
            }
            assertEquals(1, length, 1e-12, name + " column " + i + "'s norm");
        }
        double largest = Arrays.stream(a).map(Math::abs).max().orElse(0);
        double residual = residual(a, values, vectors, 1, n);
        assertTrue(residual <= 1e-14 * n * largest, name + " residual " + residual);
    }

    @Test
    void hardMatricesStillSatisfyTheEigenEquation() {
        String[] names = {"cyclic permutation", "nilpotent Jordan block", "rotations times 1e-150"};
        double[][] matrices = hardMatrices();
        for (int m = 0; m < matrices.length; m++) {
            int n = (int) Math.round(Math.sqrt(matrices[m].length));
            Linalg.Eig eig = Linalg.eig(Tensor.fromArray(matrices[m], n, n));
            assertEigenEquation(names[m], matrices[m], eig.eigenvalues().toDoubleArray(),
                    eig.eigenvectors().toDoubleArray());
        }
        double[] roots = Linalg.eigvals(Tensor.fromArray(matrices[0], 7, 7)).toDoubleArray();
        for (int i = 0; i < 7; i++) {
            assertEquals(1, Math.hypot(roots[2 * i], roots[2 * i + 1]), 1e-14, "|root of unity " + i + "|");
        }
    }

    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor a) {
        GradCheck.check(name, f, a);
        DoubleBackwardTest.checkSecondOrder(name, f, a);
    }

    @Test
    void eigGradientsMatchFiniteDifferencesThroughPhaseInvariantFunctions() {
        Tensor a = Tensor.fromArray(rotations(7, 2, 5), 2, 5, 5).requiresGrad(true);
        checkBothOrders("eig values", in -> valueLoss(Linalg.eig(in[0]).eigenvalues()), a);
        checkBothOrders("eig |V|^2", in -> {
            Tensor v = Linalg.eig(in[0]).eigenvectors();
            return real(v).mul(real(v)).add(imag(v).mul(imag(v)));
        }, a);
        checkBothOrders("eig loss", in -> loss(Linalg.eig(in[0])), a);
        Tensor b = Tensor.fromArray(realSpectrum(4, 4), 4, 4).requiresGrad(true);
        checkBothOrders("eig real |V|^2", in -> {
            Tensor v = Linalg.eig(in[0]).eigenvectors();
            return real(v).mul(real(v)).add(imag(v).mul(imag(v)));
        }, b);
        checkBothOrders("eigvals", in -> valueLoss(Linalg.eigvals(in[0])), b);
    }

    @Test
    void badInputIsRefusedNamingIt() {
        assertEquals("linalg.eig: A must be batches of square matrices, but they are 2 by 3 matrices (A [2, 3])",
                assertThrows(IllegalArgumentException.class,
                        () -> Linalg.eig(Tensor.fromArray(pattern(1, 6), 2, 3))).getMessage());
        assertEquals("linalg.eigvals: input tensor should not contain infs or NaNs (A [2, 2])",
                assertThrows(IllegalArgumentException.class,
                        () -> Linalg.eigvals(Tensor.fromArray(new double[] {1, Double.NaN, 0, 1}, 2, 2)))
                        .getMessage());
    }

    /**
     * A loss that changes when a complex eigenvector turns by e^{i phi} has no gradient: refused in PyTorch's words, as
     * PyTorch refuses it, where the formula would give one that is not the derivative. Real vectors' real parts (their
     * signs are the solver's too, but fixed locally) still differentiate, as in PyTorch, matching finite differences.
     */
    @Test
    void aLossThatDependsOnTheEigenvectorsPhasesIsRefusedAsInPyTorch() {
        Tensor complex = Tensor.fromArray(new double[] {0.5, 2, -1, 0.3}, 2, 2).requiresGrad(true);
        Tensor loss = real(Linalg.eig(complex).eigenvectors()).sum();
        assertEquals("linalg.eig backward: The eigenvectors in the complex case are specified up to multiplication by"
                + " e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.",
                assertThrows(IllegalArgumentException.class, loss::backward).getMessage());
        Tensor realSpectrum = Tensor.fromArray(new double[] {1, 2, 0.5, 3}, 2, 2).requiresGrad(true);
        GradCheck.check("eig real vectors' sum", in -> real(Linalg.eig(in[0]).eigenvectors()).sum(), realSpectrum);
    }
}
