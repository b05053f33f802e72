package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuFft} on the Vector API's lanes (several rows at once, one a lane) against the same FFT a row at a time
 * ({@link ScalarFftLanes}), to the bit: every length from 1 to 64 (each radix pass, radix-p DFTs up to 13, Bluestein
 * for 17 and up, the half-length real transforms of even lengths, odd real lengths through the complex FFT), 1000,
 * 1009, 1024 and 2018 (a Bluestein half); complex forward and inverse, rfft and irfft with and without Hermitian
 * weights, in F64 and F32; on batches one past and one short of a multiple of the lanes, so that the rows left over
 * run a row at a time. Surefire runs this class without the incubator module too: it checks there that the switch
 * picks the scalar rows.
 */
class FftLanesTest {
    private static final int[] LONG_LENGTHS = {1000, 1009, 1024, 2018};

    private CpuBackend cpu;
    private Parallel parallel;
    private Scope scope;
    private CpuFft lanes;
    private CpuFft rows;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(1);
        parallel = new Parallel(2);
        scope = Scope.open();
        lanes = new CpuFft(parallel, VectorPath.fftLanes());
        rows = new CpuFft(parallel, ScalarFftLanes.INSTANCE);
    }

    @AfterEach
    void close() {
        scope.close();
        parallel.close();
        cpu.close();
    }

    @Test
    void theSwitchPicksRowsWhereTheVectorPathIsOff() {
        assertEquals(VectorPath.enabled(), VectorPath.fftLanes().lanes() > 1);
    }

    @Test
    void complexFftMatchesRowsToTheBit() {
        for (int n : lengths()) {
            for (int batch : batches()) {
                for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                    Tensor x = filled(Shape.of(batch, n, 2), dtype, n);
                    for (boolean inverse : new boolean[] {false, true}) {
                        String what = "fft n " + n + " batch " + batch + " " + dtype + " inverse " + inverse;
                        assertSameBits(what, (fft, out) -> fft.fft(x, inverse, 0.75, out), x.shape(), dtype);
                    }
                }
            }
        }
    }

    @Test
    void rfftMatchesRowsToTheBit() {
        for (int n : lengths()) {
            for (int batch : batches()) {
                for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                    Tensor x = filled(Shape.of(batch, n), dtype, n);
                    for (boolean hermitian : new boolean[] {false, true}) {
                        String what = "rfft n " + n + " batch " + batch + " " + dtype + " hermitian " + hermitian;
                        assertSameBits(what, (fft, out) -> fft.rfft(x, hermitian, 0.75, out),
                                Shape.of(batch, n / 2 + 1, 2), dtype);
                    }
                }
            }
        }
    }

    @Test
    void irfftMatchesRowsToTheBit() {
        for (int n : lengths()) {
            for (int batch : batches()) {
                for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                    Tensor c = filled(Shape.of(batch, n / 2 + 1, 2), dtype, n);
                    for (boolean hermitian : new boolean[] {false, true}) {
                        String what = "irfft n " + n + " batch " + batch + " " + dtype + " hermitian " + hermitian;
                        assertSameBits(what, (fft, out) -> fft.irfft(c, hermitian, 0.75, out), Shape.of(batch, n),
                                dtype);
                    }
                }
            }
        }
    }

    private interface Call {
        void run(CpuFft fft, Tensor out);
    }

    private void assertSameBits(String what, Call call, Shape outShape, DType dtype) {
        Tensor onLanes = Tensor.empty(outShape, dtype, cpu);
        Tensor byRows = Tensor.empty(outShape, dtype, cpu);
        call.run(lanes, onLanes);
        call.run(rows, byRows);
        double[] expected = byRows.toDoubleArray();
        double[] actual = onLanes.toDoubleArray();
        long[] expectedBits = new long[expected.length];
        long[] actualBits = new long[actual.length];
        for (int i = 0; i < expected.length; i++) {
            expectedBits[i] = Double.doubleToRawLongBits(expected[i]);
            actualBits[i] = Double.doubleToRawLongBits(actual[i]);
        }
        assertArrayEquals(expectedBits, actualBits, what);
    }

    private Tensor filled(Shape shape, DType dtype, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble(-1, 1);
        }
        Tensor t = Tensor.empty(shape, dtype, cpu);
        Tensor f64 = Tensor.empty(shape, DType.F64, cpu);
        cpu.copyFromHost(DoubleBuffer.wrap(values), f64);
        cpu.copy(f64, t);
        return t;
    }

    /** 1 to 64 and a few long lengths. */
    private static int[] lengths() {
        return IntStream.concat(IntStream.rangeClosed(1, 64), IntStream.of(LONG_LENGTHS)).toArray();
    }

    /** One short of twice the lanes and one past (with one lane: 1 and 3 rows). */
    private static int[] batches() {
        int l = VectorPath.fftLanes().lanes();
        return new int[] {2 * l - 1, 2 * l + 1};
    }
}
