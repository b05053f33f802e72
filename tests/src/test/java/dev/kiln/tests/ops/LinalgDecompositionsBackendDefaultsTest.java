package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackend;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.DoubleBuffer;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Backend SPI's default decompositions (host loops in F64, which a backend without a solver inherits) against the
 * CPU's LAPACK, on a backend forwarding everything to the CPU but these: QR (Householder) against {@code geqrf} and
 * {@code orgqr}, the same Q and R, LAPACK's signs included, for tall, wide and square batches, reduced, complete and R
 * alone; eigh (Jacobi) against {@code syevd}, the same eigenvalues and eigenvectors up to each column's sign; svd
 * (one-sided Jacobi) against {@code gesdd}, the same singular values and, up to the sign of each pair, the same
 * singular vectors, with orthonormal completions where a full factorisation asks for more; eig (Hessenberg and
 * Francis QR) against {@code geev}, the same eigenvalues and |V|^2, each sorted by eigenvalue; in F32 and F64.
 */
class LinalgDecompositionsBackendDefaultsTest {
    private final CpuBackend cpu = new CpuBackend(2, false);
    private final Backend defaults = withDefaultDecompositions(cpu);
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        assumeTrue(cpu.bindsLapack(), "OpenBLAS's LAPACK did not load here (the GPU bundle leaves its JNI library out):"
                + " there is no LAPACK to compare the SPI's host loops with");
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
    }

    private static Backend withDefaultDecompositions(Backend to) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                if (method.isDefault() && switch (method.getName()) {
                    case "qr", "eigh", "svd", "eig" -> true;
                    default -> false;
                }) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                return method.invoke(to, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    private static Tensor upload(Backend backend, DType dtype, double[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(values), t);
        Tensor converted = Tensor.empty(t.shape(), dtype, backend);
        backend.copy(t, converted);
        return converted;
    }

    /** Uniform values in [-1, 1) of a fixed seed. */
    private static double[] uniform(long seed, int size) {
        Random random = new Random(seed);
        double[] a = new double[size];
        for (int i = 0; i < a.length; i++) {
            a[i] = 2 * random.nextDouble() - 1;
        }
        return a;
    }

    /**
     * The default's Jacobi sweeps converge on symmetric, indefinite matrices whose rotations leave rounding where they
     * zeroed an entry (LinalgPinvHermitianTest's: the pattern plus its transpose, plus and minus 2 I): info 0 and
     * LAPACK's eigenvalues.
     */
    @Test
    void defaultEighConvergesWhereRotationsLeaveRoundingOffTheDiagonal() {
        double[] m = LinalgInputs.pattern(5, 18);
        double[] a = new double[18];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    a[b * 9 + i * 3 + j] = m[b * 9 + i * 3 + j] + m[b * 9 + j * 3 + i] + (i == j ? 2 - 4 * b : 0);
                }
            }
        }
        double[][] values = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Tensor w = Tensor.empty(Shape.of(2, 3), DType.F64, backends[c]);
            Tensor v = Tensor.empty(Shape.of(2, 3, 3), DType.F64, backends[c]);
            Tensor info = Tensor.empty(Shape.of(2), DType.I32, backends[c]);
            backends[c].eigh(upload(backends[c], DType.F64, a, 2, 3, 3), false, w, v, info);
            assertArrayEquals(new double[] {0, 0}, info.toDoubleArray(), 0,
                    (c == 0 ? "LAPACK" : "the default") + "'s info");
            values[c] = w.toDoubleArray();
        }
        assertArrayEquals(values[0], values[1], 1e-13, "eigenvalues");
    }

    @ParameterizedTest
    @CsvSource({"F64, 1, 1, 1, false", "F64, 3, 7, 4, false", "F64, 2, 7, 4, true", "F64, 2, 4, 9, false",
        "F64, 2, 33, 33, true", "F32, 3, 8, 5, false", "F32, 2, 5, 8, true", "F32, 2, 20, 20, false"})
    void defaultQrEqualsLapack(DType dtype, int batch, int m, int n, boolean complete) {
        double[] a = uniform(7, batch * m * n);
        int k = complete ? m : Math.min(m, n);
        double[][] results = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor q = Tensor.empty(Shape.of(batch, m, k), dtype, backend);
            Tensor r = Tensor.empty(Shape.of(batch, k, n), dtype, backend);
            Tensor rAlone = Tensor.empty(Shape.of(batch, Math.min(m, n), n), dtype, backend);
            Tensor input = upload(backend, dtype, a, batch, m, n);
            backend.qr(input, q, r);
            backend.qr(input, null, rAlone);
            results[c] = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(q.toDoubleArray()),
                    java.util.stream.DoubleStream.concat(java.util.Arrays.stream(r.toDoubleArray()),
                            java.util.Arrays.stream(rAlone.toDoubleArray()))).toArray();
        }
        assertArrayEquals(results[0], results[1], (dtype == DType.F64 ? 1e-12 : 1e-5) * Math.max(m, n));
    }

    @ParameterizedTest
    @CsvSource({"F64, 1, 1, false", "F64, 3, 4, false", "F64, 2, 9, true", "F64, 2, 33, false", "F32, 3, 8, true",
        "F32, 2, 20, false"})
    void defaultEighEqualsLapackUpToTheSignsOfTheEigenvectors(DType dtype, int batch, int n, boolean upper) {
        // Not symmetric: the triangle not named must not be read.
        double[] a = uniform(8, batch * n * n);
        double[][] values = new double[2][];
        double[][] vectors = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor w = Tensor.empty(Shape.of(batch, n), dtype, backend);
            Tensor v = Tensor.empty(Shape.of(batch, n, n), dtype, backend);
            Tensor info = Tensor.empty(Shape.of(batch), DType.I32, backend);
            backend.eigh(upload(backend, dtype, a, batch, n, n), upper, w, v, info);
            Tensor valuesAlone = Tensor.empty(Shape.of(batch, n), dtype, backend);
            backend.eigh(upload(backend, dtype, a, batch, n, n), upper, valuesAlone, null, info);
            assertArrayEquals(w.toDoubleArray(), valuesAlone.toDoubleArray(), 1e-5, backend.name() + " values alone");
            values[c] = w.toDoubleArray();
            vectors[c] = signed(v.toDoubleArray(), batch, n);
        }
        double tolerance = (dtype == DType.F64 ? 1e-11 : 1e-4) * n;
        assertArrayEquals(values[0], values[1], tolerance, "eigenvalues");
        assertArrayEquals(vectors[0], vectors[1], tolerance * 10, "eigenvectors");
    }

    @ParameterizedTest
    @CsvSource({"F64, 1, 1, 1, false", "F64, 3, 7, 4, false", "F64, 2, 7, 4, true", "F64, 2, 4, 9, true",
        "F64, 2, 30, 30, false", "F32, 3, 8, 5, true", "F32, 2, 5, 8, false", "F32, 2, 20, 20, true"})
    void defaultSvdEqualsLapackUpToTheSignsOfTheSingularVectors(DType dtype, int batch, int m, int n, boolean full) {
        double[] a = uniform(9, batch * m * n);
        int k = Math.min(m, n);
        double[][] values = new double[2][];
        double[][] vectors = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor u = Tensor.empty(Shape.of(batch, m, full ? m : k), dtype, backend);
            Tensor s = Tensor.empty(Shape.of(batch, k), dtype, backend);
            Tensor vh = Tensor.empty(Shape.of(batch, full ? n : k, n), dtype, backend);
            Tensor info = Tensor.empty(Shape.of(batch), DType.I32, backend);
            backend.svd(upload(backend, dtype, a, batch, m, n), u, s, vh, info);
            Tensor valuesAlone = Tensor.empty(Shape.of(batch, k), dtype, backend);
            backend.svd(upload(backend, dtype, a, batch, m, n), null, valuesAlone, null, info);
            assertArrayEquals(s.toDoubleArray(), valuesAlone.toDoubleArray(), 1e-5, backend.name() + " values alone");
            double[] orthogonality = new double[] {
                maxDistanceFromIdentity(u.transpose(-2, -1).matmul(u)),
                maxDistanceFromIdentity(vh.matmul(vh.transpose(-2, -1)))};
            assertArrayEquals(new double[2], orthogonality, dtype == DType.F64 ? 1e-12 : 1e-5, backend.name());
            values[c] = s.toDoubleArray();
            // The first k columns of U with the sign that makes each of Vh's first k rows' largest element positive.
            vectors[c] = pairedSigns(u.narrow(-1, 0, k).toDoubleArray(), vh.narrow(-2, 0, k).toDoubleArray(),
                    batch, m, n, k);
        }
        double tolerance = (dtype == DType.F64 ? 1e-11 : 1e-4) * Math.max(m, n);
        assertArrayEquals(values[0], values[1], tolerance, "singular values");
        assertArrayEquals(vectors[0], vectors[1], tolerance * 10, "singular vectors");
    }

    private static double maxDistanceFromIdentity(Tensor square) {
        int n = square.dim(-1);
        double[] v = square.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < v.length; i++) {
            int row = (i / n) % n;
            worst = Math.max(worst, Math.abs(v[i] - (row == i % n ? 1 : 0)));
        }
        return worst;
    }

    /** U's first k columns then Vh's first k rows, each pair's sign set by the row of Vh. */
    private static double[] pairedSigns(double[] u, double[] vh, int batch, int m, int n, int k) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < k; j++) {
                int largest = 0;
                for (int i = 1; i < n; i++) {
                    if (Math.abs(vh[(b * k + j) * n + i]) > Math.abs(vh[(b * k + j) * n + largest])) {
                        largest = i;
                    }
                }
                double sign = Math.signum(vh[(b * k + j) * n + largest]);
                for (int i = 0; i < n; i++) {
                    vh[(b * k + j) * n + i] *= sign;
                }
                for (int i = 0; i < m; i++) {
                    u[(b * m + i) * k + j] *= sign;
                }
            }
        }
        return java.util.stream.DoubleStream.concat(java.util.Arrays.stream(u), java.util.Arrays.stream(vh))
                .toArray();
    }

    /** Each column's sign flipped where needed so that its largest-magnitude element is positive. */
    private static double[] signed(double[] v, int batch, int n) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                int largest = 0;
                for (int i = 1; i < n; i++) {
                    if (Math.abs(v[(b * n + i) * n + j]) > Math.abs(v[(b * n + largest) * n + j])) {
                        largest = i;
                    }
                }
                double sign = Math.signum(v[(b * n + largest) * n + j]);
                for (int i = 0; i < n; i++) {
                    v[(b * n + i) * n + j] *= sign;
                }
            }
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource({"F64, 1, 1", "F64, 3, 4", "F64, 2, 9", "F64, 2, 33", "F32, 3, 8", "F32, 2, 20"})
    void defaultEigEqualsLapackUpToOrderAndPhases(DType dtype, int batch, int n) {
        double[] a = uniform(10, batch * n * n);
        double[][] values = new double[2][];
        double[][] squares = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor w = Tensor.empty(Shape.of(batch, n, 2), dtype, backend);
            Tensor v = Tensor.empty(Shape.of(batch, n, n, 2), dtype, backend);
            Tensor info = Tensor.empty(Shape.of(batch), DType.I32, backend);
            backend.eig(upload(backend, dtype, a, batch, n, n), w, v, info);
            assertArrayEquals(new int[batch], info.toIntArray(), backend.name() + " info");
            Tensor valuesAlone = Tensor.empty(Shape.of(batch, n, 2), dtype, backend);
            backend.eig(upload(backend, dtype, a, batch, n, n), valuesAlone, null, info);
            assertArrayEquals(w.toDoubleArray(), valuesAlone.toDoubleArray(), 1e-5, backend.name() + " values alone");
            int[][] orders = LinalgEigTest.order(w.toDoubleArray(), batch, n);
            values[c] = LinalgEigTest.sortedValues(w.toDoubleArray(), orders, n);
            squares[c] = LinalgEigTest.sortedSquares(v.toDoubleArray(), orders, n);
            double residual = LinalgEigTest.residual(a, w.toDoubleArray(), v.toDoubleArray(), batch, n);
            assertTrue(residual < (dtype == DType.F64 ? 1e-13 : 1e-5) * n, backend.name() + " residual " + residual);
        }
        double tolerance = (dtype == DType.F64 ? 1e-11 : 1e-4) * n;
        assertArrayEquals(values[0], values[1], tolerance, "eigenvalues");
        assertArrayEquals(squares[0], squares[1], tolerance * 10, "|V|^2");
    }

    /** The eigen-decomposition of one F64 matrix on {@code backend}, {@code [values, vectors]}. */
    private static double[][] eig(Backend backend, double[] a, int n) {
        Tensor w = Tensor.empty(Shape.of(1, n, 2), DType.F64, backend);
        Tensor v = Tensor.empty(Shape.of(1, n, n, 2), DType.F64, backend);
        Tensor info = Tensor.empty(Shape.of(1), DType.I32, backend);
        backend.eig(upload(backend, DType.F64, a, 1, n, n), w, v, info);
        return new double[][] {w.toDoubleArray(), v.toDoubleArray()};
    }

    @Test
    void defaultEigKeepsLapacksOrderOnPyTorchsMatricesAndSolvesHardOnes() {
        assertArrayEquals(LinalgEigValues.EIG_REAL_LAPACK_ORDER_VALUES,
                eig(defaults, LinalgEigTest.realSpectrum(4, 4), 4)[0], 1e-12);
        assertArrayEquals(LinalgEigValues.EIG_COMPLEX_LAPACK_ORDER_VALUES,
                eig(defaults, LinalgEigTest.rotations(6, 1, 4), 4)[0], 1e-12);
        for (double[] hard : LinalgEigTest.hardMatrices()) {
            int n = (int) Math.round(Math.sqrt(hard.length));
            double[][] result = eig(defaults, hard, n);
            LinalgEigTest.assertEigenEquation("default eig of a hard " + n + " x " + n, hard, result[0], result[1]);
        }
    }

    /**
     * The default's eigenvalues of a symmetric matrix scaled far from 1 are LAPACK's scaled alike: off-diagonal squares
     * that underflow (1e-170) or overflow (1e200) must not pass for converged, leaving the diagonal as the eigenvalues.
     */
    @Test
    void defaultEighOfTinyAndHugeMatricesEqualsLapack() {
        double[] m = {1, 2, 0, 2, -1, 0.5, 0, 0.5, 3};
        for (double scale : new double[] {1e-170, 1e-150, 1e155, 1e200}) {
            double[] a = new double[9];
            for (int i = 0; i < 9; i++) {
                a[i] = m[i] * scale;
            }
            double[][] values = new double[2][];
            Backend[] backends = {cpu, defaults};
            for (int c = 0; c < 2; c++) {
                Tensor w = Tensor.empty(Shape.of(1, 3), DType.F64, backends[c]);
                Tensor v = Tensor.empty(Shape.of(1, 3, 3), DType.F64, backends[c]);
                Tensor info = Tensor.empty(Shape.of(1), DType.I32, backends[c]);
                backends[c].eigh(upload(backends[c], DType.F64, a, 1, 3, 3), false, w, v, info);
                assertArrayEquals(new double[] {0}, info.toDoubleArray(), 0);
                values[c] = w.toDoubleArray();
                for (int i = 0; i < 3; i++) {
                    values[c][i] /= scale;
                }
            }
            assertArrayEquals(values[0], values[1], 1e-13, "eigenvalues / " + scale);
        }
    }

    /**
     * The default's singular values of matrices scaled far from 1 are PyTorch's (LinalgSvdValues, at scale 1) and
     * LAPACK's scaled alike, tall, wide and square: column dot products that overflow (1e150 and up, where the
     * convergence test multiplies two squared norms) or underflow (1e-200) must not pass for orthogonal, leaving the
     * columns' norms as the singular values. F32's range (1e-30, 1e30) is read into F64, so it must hold there too.
     */
    @ParameterizedTest
    @CsvSource({"F64, 1e-200", "F64, 1e-150", "F64, 1e150", "F64, 1e200", "F32, 1e-30", "F32, 1e30"})
    void defaultSvdOfTinyAndHugeMatricesEqualsLapackAndPyTorch(DType dtype, double scale) {
        double[][] inputs = {LinalgInputs.fullRank(1, 2, 4, 3), LinalgInputs.fullRank(2, 2, 3, 5),
            LinalgInputs.fullRank(3, 2, 3, 3)};
        double[][] pytorch = {LinalgSvdValues.TALL_S, LinalgSvdValues.WIDE_FULL_S, LinalgSvdValues.SQUARE_S};
        int[][] shapes = {{2, 4, 3}, {2, 3, 5}, {2, 3, 3}};
        double tolerance = dtype == DType.F64 ? 1e-13 : 1e-5;
        for (int x = 0; x < inputs.length; x++) {
            int[] dims = shapes[x];
            int k = Math.min(dims[1], dims[2]);
            double[] a = inputs[x].clone();
            for (int i = 0; i < a.length; i++) {
                a[i] *= scale;
            }
            double[][] values = new double[2][];
            Backend[] backends = {cpu, defaults};
            for (int c = 0; c < 2; c++) {
                Tensor u = Tensor.empty(Shape.of(dims[0], dims[1], k), dtype, backends[c]);
                Tensor s = Tensor.empty(Shape.of(dims[0], k), dtype, backends[c]);
                Tensor vh = Tensor.empty(Shape.of(dims[0], k, dims[2]), dtype, backends[c]);
                Tensor info = Tensor.empty(Shape.of(dims[0]), DType.I32, backends[c]);
                backends[c].svd(upload(backends[c], dtype, a, dims), u, s, vh, info);
                assertArrayEquals(new int[dims[0]], info.toIntArray(), (c == 0 ? "LAPACK" : "the default") + "'s info");
                values[c] = s.toDoubleArray();
                for (int i = 0; i < values[c].length; i++) {
                    values[c][i] /= scale;
                }
            }
            String what = java.util.Arrays.toString(dims) + " times " + scale;
            assertArrayEquals(pytorch[x], values[0], tolerance, "LAPACK's singular values of " + what);
            assertArrayEquals(pytorch[x], values[1], tolerance, "the default's singular values of " + what);
        }
    }

    /**
     * The default eig, called through the SPI (Linalg.eig refuses such input first), refuses a matrix with an infinity
     * or NaN by name, rather than failing inside its QR steps with an index out of bounds.
     */
    @ParameterizedTest
    @CsvSource({"NaN", "Infinity", "-Infinity"})
    void defaultEigRefusesNonFiniteInputByName(double bad) {
        double[] a = uniform(11, 2 * 3 * 3);
        a[9 + 4] = bad;
        Tensor w = Tensor.empty(Shape.of(2, 3, 2), DType.F64, defaults);
        Tensor v = Tensor.empty(Shape.of(2, 3, 3, 2), DType.F64, defaults);
        Tensor info = Tensor.empty(Shape.of(2), DType.I32, defaults);
        for (Tensor vectors : new Tensor[] {v, null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> defaults.eig(upload(defaults, DType.F64, a, 2, 3, 3), w, vectors, info));
            assertEquals("Backend.eig: matrix 1 of A [2, 3, 3] contains infinities or NaN, which the host default's QR"
                    + " steps cannot decompose", e.getMessage());
        }
    }
}
