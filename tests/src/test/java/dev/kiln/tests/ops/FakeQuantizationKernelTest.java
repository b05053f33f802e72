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
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU backend's F32 kernel of {@link Backend#fakeQuantizePerTensor} against the SPI's default composite, bit for
 * bit: values and mask for random inputs spanning the grid and beyond it, exact ties at half steps (a scale that is a
 * power of two makes {@code x / scale} exact), NaN, infinities, signed zeros and the largest floats, over 5,000
 * values on two threads (several chunks each); grids within 2^22 of zero (the kernel's branch-free loop) and wider
 * (its loop for any grid), the edge between them too.
 */
class FakeQuantizationKernelTest {
    private static final int N = 5000;
    private final CpuBackend cpu = new CpuBackend(2, false);
    private final Backend defaults = withDefault(cpu);
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A backend that runs the interface's default fakeQuantizePerTensor and delegates the rest to {@code to}. */
    private static Backend withDefault(Backend to) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                if (method.getName().equals("fakeQuantizePerTensor")) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                return method.invoke(to, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    @ParameterizedTest
    @CsvSource({"0.25, 128, 0, 255", "0.03, 0, -128, 127", "0.1, -5, -10, 3", "0.5, 0, 0, 0",
        "1e-3, 0, -2147483648, 2147483647", "7.0, 3, 3, 3", "1.0, 0, -4194303, 4194303", "1.0, 1, -4194304, 4194304",
        "0.5, 0, -4194304, 0"})
    void theKernelEqualsTheDefaultBitForBit(float scale, int zeroPoint, int quantMin, int quantMax) {
        float[] x = inputs(scale, quantMin, quantMax);
        long[][] results = new long[2][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor in = Tensor.empty(Shape.of(N), DType.F32, backend);
            backend.copyFromHost(FloatBuffer.wrap(x.clone()), in);
            Tensor out = Tensor.empty(Shape.of(N), DType.F32, backend);
            Tensor mask = Tensor.empty(Shape.of(N), DType.F32, backend);
            backend.fakeQuantizePerTensor(in, scale, zeroPoint, quantMin, quantMax, out, mask);
            results[b] = bits(out, mask);
        }
        assertArrayEquals(results[1], results[0], "values then mask, as raw bits");
    }

    /** Random values over twice the grid's span, half steps, and the special values. */
    private static float[] inputs(float scale, int quantMin, int quantMax) {
        Random random = new Random(41);
        float span = Math.min(2e6f, Math.max(4f, (float) ((double) quantMax - quantMin))) * scale;
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = switch (i % 3) {
                case 0 -> (random.nextFloat() * 2 - 1) * span;
                case 1 -> (random.nextInt(600) - 300 + 0.5f) * scale;
                default -> (random.nextInt(600) - 300) * scale * 1.0000001f;
            };
        }
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, 0.5f * scale, -0.5f * scale, 1.5f * scale,
            -1.5f * scale, 2.5f * scale, -2.5f * scale};
        for (int i = 0; i < special.length; i++) {
            x[i * 311] = special[i];
        }
        return x;
    }

    private static long[] bits(Tensor out, Tensor mask) {
        double[] values = out.toDoubleArray();
        double[] passed = mask.toDoubleArray();
        long[] bits = new long[2 * N];
        for (int i = 0; i < N; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
            bits[N + i] = Double.doubleToRawLongBits(passed[i]);
        }
        return bits;
    }
}
