package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Backend SPI's default factorisations and solves (host loops in F64, which a backend without a solver inherits)
 * against the CPU's OpenBLAS LAPACK: a backend forwarding everything to the CPU but these four methods, which run the
 * interface's default code, must give the same factors, pivots, infos and solutions, in F32 and F64, for batches of
 * one to many matrices of 1 x 1 to 33 x 33.
 */
class LinalgBackendDefaultsTest {
    private final CpuBackend cpu = new CpuBackend(2, false);
    private final Backend defaults = withDefaults(cpu);
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

    private static Backend withDefaults(Backend to) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                if (method.isDefault() && switch (method.getName()) {
                    case "cholesky", "solveTriangular", "luFactor", "luSolve" -> true;
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

    /** Uniform values in [-1, 1) of a fixed seed, with {@code diagonal} added to each matrix's diagonal. */
    private static double[] matrices(long seed, int batch, int n, int columns, double diagonal) {
        Random random = new Random(seed);
        double[] v = new double[batch * n * columns];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * random.nextDouble() - 1;
        }
        for (int b = 0; b < batch && columns == n; b++) {
            for (int i = 0; i < n; i++) {
                v[(b * n + i) * n + i] += diagonal;
            }
        }
        return v;
    }

    private static Tensor upload(Backend backend, DType dtype, double[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(values), t);
        Tensor converted = Tensor.empty(t.shape(), dtype, backend);
        backend.copy(t, converted);
        return converted;
    }

    private static Tensor output(Backend backend, DType dtype, int... dims) {
        return Tensor.empty(Shape.of(dims), dtype, backend);
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.F64 ? 1e-11 : 2e-4;
    }

    @ParameterizedTest
    @CsvSource({"F64, 1, 1", "F64, 5, 4", "F64, 3, 33", "F32, 7, 8", "F32, 2, 33"})
    void defaultCholeskyEqualsLapack(DType dtype, int batch, int n) {
        // A A^T + n I from A in [-1, 1): positive-definite; the strictly upper part is left unsymmetric, unread.
        double[] a = matrices(1, batch, n, n, 0);
        double[] spd = new double[a.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = i == j ? n : 0;
                    for (int k = 0; k < n; k++) {
                        s += a[(b * n + i) * n + k] * a[(b * n + j) * n + k];
                    }
                    spd[(b * n + i) * n + j] = s;
                    spd[(b * n + j) * n + i] = i == j ? s : 7;
                }
            }
        }
        double[][] results = new double[2][];
        int[][] infos = new int[2][];
        Backend[] backends = {cpu, defaults};
        for (int k = 0; k < 2; k++) {
            Backend backend = backends[k];
            Tensor lower = output(backend, dtype, batch, n, n);
            Tensor info = output(backend, DType.I32, batch);
            backend.cholesky(upload(backend, dtype, spd, batch, n, n), lower, info);
            results[k] = lower.toDoubleArray();
            infos[k] = ints(info);
        }
        assertArrayEquals(results[0], results[1], tolerance(dtype) * n);
        assertArrayEquals(new int[batch], infos[1]);
        assertArrayEquals(infos[0], infos[1]);
    }

    @ParameterizedTest
    @CsvSource({"F64, 3, 5, 2, false, false, false", "F64, 3, 5, 2, true, false, false", "F64, 2, 9, 3, false, true, false",
        "F64, 2, 9, 3, true, true, true", "F32, 4, 6, 1, false, false, true", "F32, 1, 17, 4, true, true, false"})
    void defaultTriangularSolveEqualsBlas(DType dtype, int batch, int n, int k, boolean upper, boolean transpose,
                                          boolean unitriangular) {
        // The triangle not read holds large values: a solve reading it would differ.
        double[] t = matrices(2, batch, n, n, 4);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (upper ? j < i : j > i) {
                        t[(b * n + i) * n + j] = 1e3;
                    }
                }
            }
        }
        double[] rhs = matrices(3, batch, n, k, 0);
        double[][] results = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor out = output(backend, dtype, batch, n, k);
            backend.solveTriangular(upload(backend, dtype, t, batch, n, n), upload(backend, dtype, rhs, batch, n, k),
                    upper, transpose, unitriangular, out);
            results[c] = out.toDoubleArray();
        }
        assertArrayEquals(results[0], results[1], tolerance(dtype) * n);
    }

    @ParameterizedTest
    @CsvSource({"F64, 1, 1", "F64, 4, 6", "F64, 2, 33", "F32, 3, 7", "F32, 2, 20"})
    void defaultLuFactorAndSolvesEqualLapack(DType dtype, int batch, int n) {
        double[] a = matrices(4, batch, n, n, 0.5);
        double[] rhs = matrices(5, batch, n, 3, 0);
        double[][] results = new double[2][];
        int[][] pivots = new int[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor lu = output(backend, dtype, batch, n, n);
            Tensor rows = output(backend, DType.I32, batch, n);
            Tensor info = output(backend, DType.I32, batch);
            backend.luFactor(upload(backend, dtype, a, batch, n, n), lu, rows, info);
            Tensor x = output(backend, dtype, batch, n, 3);
            Tensor xt = output(backend, dtype, batch, n, 3);
            Tensor b = upload(backend, dtype, rhs, batch, n, 3);
            backend.luSolve(lu, rows, b, false, x);
            backend.luSolve(lu, rows, b, true, xt);
            results[c] = concat(lu.toDoubleArray(), x.toDoubleArray(), xt.toDoubleArray());
            pivots[c] = concat(ints(rows), ints(info));
        }
        assertArrayEquals(pivots[0], pivots[1], "pivots and infos");
        assertArrayEquals(results[0], results[1], tolerance(dtype) * n * 10);
    }

    @ParameterizedTest
    @CsvSource({"F64, 7, 3", "F64, 3, 7", "F32, 9, 4", "F32, 4, 9", "F64, 1, 5", "F64, 5, 1"})
    void defaultLuFactorOfTallAndWideMatricesEqualsLapack(DType dtype, int m, int n) {
        int batch = 2;
        double[] a = matrices(6, batch, m, n, 0);
        double[][] results = new double[2][];
        int[][] pivots = new int[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor lu = output(backend, dtype, batch, m, n);
            Tensor rows = output(backend, DType.I32, batch, Math.min(m, n));
            Tensor info = output(backend, DType.I32, batch);
            backend.luFactor(upload(backend, dtype, a, batch, m, n), lu, rows, info);
            results[c] = lu.toDoubleArray();
            pivots[c] = concat(ints(rows), ints(info));
        }
        assertArrayEquals(pivots[0], pivots[1], "pivots and infos");
        assertArrayEquals(results[0], results[1], tolerance(dtype) * Math.max(m, n) * 10);
    }

    @ParameterizedTest
    @CsvSource({"F64", "F32"})
    void aZeroPivotIsReportedAlikeByBoth(DType dtype) {
        double[] singular = {1, 2, 3, 2, 4, 6, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1};
        int[][] infos = new int[2][];
        Backend[] backends = {cpu, defaults};
        for (int c = 0; c < 2; c++) {
            Backend backend = backends[c];
            Tensor lu = output(backend, dtype, 2, 3, 3);
            Tensor rows = output(backend, DType.I32, 2, 3);
            Tensor info = output(backend, DType.I32, 2);
            backend.luFactor(upload(backend, dtype, singular, 2, 3, 3), lu, rows, info);
            Tensor lower = output(backend, dtype, 2, 3, 3);
            Tensor choleskyInfo = output(backend, DType.I32, 2);
            backend.cholesky(upload(backend, dtype, singular, 2, 3, 3), lower, choleskyInfo);
            infos[c] = concat(ints(info), ints(choleskyInfo));
        }
        assertArrayEquals(new int[] {3, 1, 2, 1}, infos[1], "getrf's zero pivot, then potrf's minor");
        assertArrayEquals(infos[0], infos[1]);
    }

    @ParameterizedTest
    @CsvSource({"F64", "F32"})
    void aNanPivotPropagatesWithInfoZeroInBoth(DType dtype) {
        double[] withNan = {Double.NaN, 0, 0, 1};
        Backend[] backends = {cpu, defaults};
        for (Backend backend : backends) {
            Tensor lower = output(backend, dtype, 1, 2, 2);
            Tensor info = output(backend, DType.I32, 1);
            backend.cholesky(upload(backend, dtype, withNan, 1, 2, 2), lower, info);
            assertArrayEquals(new int[] {0}, ints(info), backend.name());
            assertTrue(Double.isNaN(lower.toDoubleArray()[0]), backend.name());
        }
    }

    private static int[] ints(Tensor t) {
        int[] values = new int[(int) t.size()];
        t.backend().copyToHost(t, java.nio.IntBuffer.wrap(values));
        return values;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
