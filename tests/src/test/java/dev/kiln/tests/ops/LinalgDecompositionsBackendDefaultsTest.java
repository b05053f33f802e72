package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
 * The Backend SPI's default decompositions (host loops in F64, which a backend without a solver inherits) against the
 * CPU's LAPACK, on a backend forwarding everything to the CPU but these: QR (Householder) against {@code geqrf} and
 * {@code orgqr}, the same Q and R, LAPACK's signs included, for tall, wide and square batches, reduced, complete and R
 * alone; eigh (Jacobi) against {@code syevd}, the same eigenvalues and eigenvectors up to each column's sign; in F32
 * and F64.
 */
class LinalgDecompositionsBackendDefaultsTest {
    private final CpuBackend cpu = new CpuBackend(2, false);
    private final Backend defaults = withDefaultDecompositions(cpu);
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
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
                    case "qr", "eigh" -> true;
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
}
