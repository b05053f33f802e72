package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SPI's default complex FFT (Tensor ops: DFT-matrix products up to 64 points and for primes up to 1024, Bailey's
 * four steps for other composite lengths, Bluestein's algorithm for larger primes), which the CUDA backend runs,
 * against the CPU backend's own FFT (itself held to a direct DFT by {@link CpuFftTest}): the CPU backend behind a proxy
 * that runs the interface's default {@code fft} and everything else as the CPU does.
 */
class SpiDefaultFftTest {
    private static final int ROWS = 2;

    private CpuBackend cpu;
    private CpuBackend behindProxy;
    private Backend composed;
    private Scope scope;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(2);
        behindProxy = new CpuBackend(2);
        composed = DefaultFftBackend.wrap(behindProxy);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
        behindProxy.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 64, 65, 97, 128, 360, 1000, 1024, 1031, 2062, 3093, 4096, 65536})
    void f64MatchesTheCpuFftTo1e12(int n) {
        for (boolean inverse : new boolean[] {false, true}) {
            double scale = inverse ? 1.0 / n : 0.5;
            double[] x = values(ROWS * n, n);
            double error = relativeError(transformed(composed, x, n, inverse, scale, DType.F64),
                    transformed(cpu, x, n, inverse, scale, DType.F64));
            assertTrue(error < 1e-12, "n " + n + (inverse ? " inverse" : " forward") + ": relative error " + error);
        }
    }

    @Test
    void f32TransformsAMillionPointsTo1e5() {
        int n = 1 << 20;
        double[] x = values(ROWS * n, 5);
        double error = relativeError(transformed(composed, x, n, false, 1, DType.F32),
                transformed(cpu, x, n, false, 1, DType.F64));
        assertTrue(error < 1e-5, "2^20 points in F32: relative error " + error);
    }

    @Test
    void f32PrimeLengthThroughBluesteinTo1e5() {
        int n = 4099;
        double[] x = values(ROWS * n, 6);
        double error = relativeError(transformed(composed, x, n, true, 1, DType.F32),
                transformed(cpu, x, n, true, 1, DType.F64));
        assertTrue(error < 1e-5, "4099 points in F32: relative error " + error);
    }

    /** {@code count} complex values uniform in [-1, 1), interleaved. */
    private static double[] values(int count, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[2 * count];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        return x;
    }

    private static double[] transformed(Backend backend, double[] x, int n, boolean inverse, double scale,
                                        DType dtype) {
        Tensor wide = Tensor.empty(Shape.of(ROWS, n, 2), DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(x), wide);
        Tensor in = dtype == DType.F64 ? wide : wide.to(dtype);
        Tensor out = Tensor.empty(in.shape(), dtype, backend);
        backend.fft(in, inverse, scale, out);
        return out.toDoubleArray();
    }

    /** The largest difference over the largest modulus of the expected values. */
    private static double relativeError(double[] actual, double[] expected) {
        double largest = 0;
        double difference = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
        }
        return difference / largest;
    }
}
