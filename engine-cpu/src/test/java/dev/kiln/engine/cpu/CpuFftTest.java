package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * The CPU's batched complex FFT (the SPI's {@code fft}) against a direct O(n^2) DFT in double: powers of two (radix
 * 4 and 2 passes), lengths of small prime factors (mixed radix: 3, 5, 7, 11, 13) and lengths with a larger prime
 * factor (Bluestein's algorithm; 1037's convolution of 2160 points, not a power of two), forward and inverse,
 * scaled, on a batch of rows read from a view with an offset; F64 to 1e-12 of the spectrum's largest modulus, F32
 * to 1e-6 (a rounding of each input and output, as PyTorch's pocketfft in F32). The real-input rfft and the
 * real-output irfft likewise (odd n through the complex FFT, even n through the half-length one, 194 with a Bluestein
 * half), plain and with Hermitian weights, with fewer bins than n / 2 + 1 and more than n. Each also against the SPI's default (the DFT-matrix product, and the
 * complex FFT composed with Tensor ops), which a backend without an FFT runs.
 */
class CpuFftTest {
    private static final int ROWS = 3;

    private CpuBackend cpu;
    private CpuBackend behindProxy;
    private Scope scope;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(2);
        behindProxy = new CpuBackend(2);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
        behindProxy.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 16, 17, 25, 49, 64, 97, 360, 400, 1000, 1009, 1024, 2018,
        4096, 1037})
    void f64MatchesTheDirectDftTo1e12(int n) {
        for (boolean inverse : new boolean[] {false, true}) {
            double scale = inverse ? 1.0 / n : 0.5;
            double[] x = values(n, 11);
            double error = relativeError(transformed(cpu, x, n, inverse, scale, DType.F64),
                    direct(x, n, inverse, scale));
            assertTrue(error < 1e-12, "F64 " + (inverse ? "inverse" : "forward") + " n " + n + ": relative error "
                    + error);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 8, 12, 17, 64, 97, 1000, 1009, 1024, 1037})
    void f32MatchesTheDirectDftTo1e6(int n) {
        for (boolean inverse : new boolean[] {false, true}) {
            double[] x = values(n, 12);
            double[] rounded = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                rounded[i] = (float) x[i];
            }
            double error = relativeError(transformed(cpu, x, n, inverse, 1, DType.F32),
                    direct(rounded, n, inverse, 1));
            assertTrue(error < 1e-6, "F32 " + (inverse ? "inverse" : "forward") + " n " + n + ": relative error "
                    + error);
        }
    }

    @Test
    void inverseUndoesForwardWithOneOverN() {
        int n = 360;
        double[] x = values(n, 13);
        Tensor signal = rows(cpu, x, n, DType.F64);
        Tensor spectrum = Tensor.empty(signal.shape(), DType.F64, cpu);
        cpu.fft(signal, false, 1, spectrum);
        Tensor back = Tensor.empty(signal.shape(), DType.F64, cpu);
        cpu.fft(spectrum, true, 1.0 / n, back);
        assertArrayEquals(signal.toDoubleArray(), back.toDoubleArray(), 1e-13);
    }

    /** A row of 2n doubles past {@link ScratchArrays#KEPT_BYTES} runs on arrays made for the call. */
    @Test
    void transformsTooLongForTheKeptScratchRoundTrip() {
        int n = 3 << 19;
        assertTrue(2L * n * Double.BYTES > ScratchArrays.KEPT_BYTES);
        double[] x = new double[2 * n];
        SplittableRandom random = new SplittableRandom(19);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        Tensor signal = Tensor.empty(Shape.of(1, n, 2), DType.F64, cpu);
        cpu.copyFromHost(DoubleBuffer.wrap(x), signal);
        Tensor spectrum = Tensor.empty(signal.shape(), DType.F64, cpu);
        cpu.fft(signal, false, 1, spectrum);
        Tensor back = Tensor.empty(signal.shape(), DType.F64, cpu);
        cpu.fft(spectrum, true, 1.0 / n, back);
        assertArrayEquals(x, back.toDoubleArray(), 1e-12);

        Tensor real = signal.reshape(1, 2 * n).narrow(1, 0, n);
        Tensor bins = Tensor.empty(Shape.of(1, n / 2 + 1, 2), DType.F64, cpu);
        cpu.rfft(real, false, 1, bins);
        Tensor realBack = Tensor.empty(Shape.of(1, n), DType.F64, cpu);
        cpu.irfft(bins, true, 1.0 / n, realBack);
        assertArrayEquals(real.toDoubleArray(), realBack.toDoubleArray(), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 17, 128})
    void matchesTheSpiDefault(int n) {
        Backend composed = DefaultFftBackend.wrap(behindProxy);
        double[] x = values(n, 14);
        assertArrayEquals(transformed(composed, x, n, true, 0.25, DType.F64),
                transformed(cpu, x, n, true, 0.25, DType.F64), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 8, 12, 17, 97, 194, 400, 1000, 1024})
    void rfftMatchesTheDirectDft(int n) {
        double[] x = values(n, 15);
        for (boolean hermitian : new boolean[] {false, true}) {
            for (int bins : new int[] {n / 2 + 1, n}) {
                double error = relativeError(realToComplex(cpu, x, n, bins, hermitian, 0.5),
                        directReal(x, n, bins, hermitian, 0.5));
                assertTrue(error < 1e-12, "rfft n " + n + ", " + bins + " bins" + (hermitian ? ", hermitian" : "")
                        + ": relative error " + error);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 8, 12, 17, 97, 194, 400, 1000, 1024})
    void irfftMatchesTheDirectSum(int n) {
        for (boolean hermitian : new boolean[] {false, true}) {
            for (int bins : new int[] {Math.max(1, n / 4), n / 2 + 1, n + 3}) {
                double[] c = values(bins, 16);
                double error = relativeError(complexToReal(cpu, c, bins, n, hermitian, 0.25),
                        directInverse(c, bins, n, hermitian, 0.25));
                assertTrue(error < 1e-12, "irfft n " + n + " from " + bins + " bins"
                        + (hermitian ? ", hermitian" : "") + ": relative error " + error);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 17})
    void realTransformsMatchTheSpiDefault(int n) {
        Backend composed = DefaultFftBackend.wrap(behindProxy);
        double[] x = values(n, 17);
        double[] c = values(n / 2 + 1, 18);
        for (boolean hermitian : new boolean[] {false, true}) {
            assertArrayEquals(realToComplex(composed, x, n, n / 2 + 1, hermitian, 2),
                    realToComplex(cpu, x, n, n / 2 + 1, hermitian, 2), 1e-12);
            assertArrayEquals(complexToReal(composed, c, n / 2 + 1, n, hermitian, 2),
                    complexToReal(cpu, c, n / 2 + 1, n, hermitian, 2), 1e-12);
        }
    }

    /** ROWS rows' first bins of the rfft of the first n of each row of 2n values, [ROWS, bins, 2]. */
    private static double[] realToComplex(Backend backend, double[] x, int n, int bins, boolean hermitian,
                                          double scale) {
        Tensor in = rows(backend, x, n, DType.F64).reshape(ROWS, 2 * n).narrow(1, 0, n);
        Tensor out = Tensor.empty(Shape.of(ROWS, bins, 2), DType.F64, backend);
        backend.rfft(in, hermitian, scale, out);
        return out.toDoubleArray();
    }

    private static double[] complexToReal(Backend backend, double[] c, int bins, int n, boolean hermitian,
                                          double scale) {
        Tensor in = rows(backend, c, bins, DType.F64);
        Tensor out = Tensor.empty(Shape.of(ROWS, n), DType.F64, backend);
        backend.irfft(in, hermitian, scale, out);
        return out.toDoubleArray();
    }

    /** The Hermitian weight of bin k of n points, or 1. */
    private static double weight(boolean hermitian, int k, int n) {
        return !hermitian || k == 0 || 2 * k == n ? 1 : 2 * k < n ? 2 : 0;
    }

    /** The direct rfft of the first n of each row of 2n values (as realToComplex reads them). */
    private static double[] directReal(double[] x, int n, int bins, boolean hermitian, double scale) {
        double[] out = new double[ROWS * 2 * bins];
        for (int row = 0; row < ROWS; row++) {
            for (int k = 0; k < bins; k++) {
                double re = 0;
                double im = 0;
                for (int j = 0; j < n; j++) {
                    double angle = -2 * Math.PI * (int) ((long) j * k % n) / n;
                    re += x[row * 2 * n + j] * Math.cos(angle);
                    im += x[row * 2 * n + j] * Math.sin(angle);
                }
                double f = scale * weight(hermitian, k, n);
                out[(row * bins + k) * 2] = f * re;
                out[(row * bins + k) * 2 + 1] = f * im;
            }
        }
        return out;
    }

    private static double[] directInverse(double[] c, int bins, int n, boolean hermitian, double scale) {
        double[] out = new double[ROWS * n];
        for (int row = 0; row < ROWS; row++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < Math.min(bins, n); k++) {
                    double angle = 2 * Math.PI * (int) ((long) j * k % n) / n;
                    int at = (row * bins + k) * 2;
                    sum += weight(hermitian, k, n) * (c[at] * Math.cos(angle) - c[at + 1] * Math.sin(angle));
                }
                out[row * n + j] = scale * sum;
            }
        }
        return out;
    }

    /** ROWS rows of n complex values, standard normal, interleaved. */
    private static double[] values(int n, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[ROWS * 2 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        return x;
    }

    /** x's rows [ROWS, n, 2] on the backend as a view one row into a larger tensor, so that its offset is not 0. */
    private static Tensor rows(Backend backend, double[] x, int n, DType dtype) {
        double[] padded = new double[x.length + 2 * n];
        System.arraycopy(x, 0, padded, 2 * n, x.length);
        Tensor wide = Tensor.empty(Shape.of(ROWS + 1, n, 2), DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(padded), wide);
        Tensor typed = dtype == DType.F64 ? wide : wide.to(dtype);
        return typed.narrow(0, 1, ROWS);
    }

    private static double[] transformed(Backend backend, double[] x, int n, boolean inverse, double scale,
                                        DType dtype) {
        Tensor in = rows(backend, x, n, dtype);
        Tensor out = Tensor.empty(in.shape(), dtype, backend);
        backend.fft(in, inverse, scale, out);
        return out.toDoubleArray();
    }

    /** Each row's DFT summed directly, its angles from jk mod n (exact) rather than from jk. */
    private static double[] direct(double[] x, int n, boolean inverse, double scale) {
        double sign = inverse ? 1 : -1;
        double[] out = new double[x.length];
        for (int row = 0; row < ROWS; row++) {
            int base = row * 2 * n;
            for (int k = 0; k < n; k++) {
                double re = 0;
                double im = 0;
                for (int j = 0; j < n; j++) {
                    double angle = sign * 2 * Math.PI * (int) ((long) j * k % n) / n;
                    double c = Math.cos(angle);
                    double s = Math.sin(angle);
                    re += x[base + 2 * j] * c - x[base + 2 * j + 1] * s;
                    im += x[base + 2 * j] * s + x[base + 2 * j + 1] * c;
                }
                out[base + 2 * k] = scale * re;
                out[base + 2 * k + 1] = scale * im;
            }
        }
        return out;
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
