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
 * The Backend SPI's default QR (Householder on the host in F64, which a backend without a solver inherits) against
 * the CPU's {@code geqrf} and {@code orgqr}: a backend forwarding everything to the CPU but {@code qr} must give the
 * same Q and R, LAPACK's signs included, in F32 and F64, for tall, wide and square batches, reduced and complete, and
 * R alone.
 */
class LinalgQrBackendDefaultsTest {
    private final CpuBackend cpu = new CpuBackend(2, false);
    private final Backend defaults = withDefaultQr(cpu);
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

    private static Backend withDefaultQr(Backend to) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                if (method.isDefault() && method.getName().equals("qr")) {
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

    @ParameterizedTest
    @CsvSource({"F64, 1, 1, 1, false", "F64, 3, 7, 4, false", "F64, 2, 7, 4, true", "F64, 2, 4, 9, false",
        "F64, 2, 33, 33, true", "F32, 3, 8, 5, false", "F32, 2, 5, 8, true", "F32, 2, 20, 20, false"})
    void defaultQrEqualsLapack(DType dtype, int batch, int m, int n, boolean complete) {
        Random random = new Random(7);
        double[] a = new double[batch * m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = 2 * random.nextDouble() - 1;
        }
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
}
