package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertClose;
import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.full;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.tensor;

import dev.kiln.engine.Backend;
import dev.kiln.engine.CounterRandom;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPI section 8 (random fills) on the backend under test against the CPU backend. The engine's random numbers
 * are counter-based ({@link CounterRandom}): element i of a fill is a pure function of the seed and
 * {@code counter + i}, so the same seed and counter must give the same numbers on every backend, and both
 * backends are also compared with {@link CounterRandom} itself.
 *
 * <p>Tolerances: the uniform and Bernoulli streams are integer arithmetic and one multiply-add in double, so
 * they agree to the last bit but for a fused multiply-add on the GPU (one F64 ulp, which can move an F32
 * result by one F32 ulp): 2.5e-7 relative in F32, 1e-15 in F64; Bernoulli masks exactly. The normal stream
 * adds a logarithm, a square root and a cosine, each within an ulp or two of the correctly rounded result on
 * either side: 1e-6 in F32 and 1e-12 in F64, absolute and relative (absolute for values near zero).
 */
class CudaParityRandomTest extends ParityTest {
    private static final int N = 10_001;
    private static final long SEED = 42;
    private static final long COUNTER = 1_000_003;

    private static Tolerance uniformTolerance(DType dtype) {
        return dtype == DType.F64 ? new Tolerance(1e-15, 1e-15) : new Tolerance(1e-12, 2.5e-7);
    }

    private static Tolerance normalTolerance(DType dtype) {
        return dtype == DType.F64 ? Tolerance.of(1e-12) : Tolerance.of(1e-6);
    }

    /** {@code stream(i)} for i in [0, n), rounded to {@code dtype}, on the CPU: the engine's definition of a fill. */
    private static Tensor expected(DType dtype, int n, LongToDoubleFunction stream) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = stream.applyAsDouble(i);
        }
        return tensor(reference(), dtype, v, n);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void randomUniformGivesTheCounterStreamOnBothBackends(DType dtype) {
        assertParity("randomUniform " + dtype, uniformTolerance(dtype), b -> {
            Tensor t = output(b, dtype, N);
            b.randomUniform(t, -2, 3, SEED, COUNTER);
            return t;
        });
        Tensor t = output(underTest(), dtype, N);
        underTest().randomUniform(t, -2, 3, SEED, COUNTER);
        assertClose("randomUniform " + dtype + " against CounterRandom",
                expected(dtype, N, i -> -2 + 5 * CounterRandom.uniform(SEED, COUNTER + i)), t, uniformTolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void randomNormalGivesTheCounterStreamOnBothBackends(DType dtype) {
        assertParity("randomNormal " + dtype, normalTolerance(dtype), b -> {
            Tensor t = output(b, dtype, N);
            b.randomNormal(t, 1, 0.5, SEED, COUNTER);
            return t;
        });
        Tensor t = output(underTest(), dtype, N);
        underTest().randomNormal(t, 1, 0.5, SEED, COUNTER);
        assertClose("randomNormal " + dtype + " against CounterRandom",
                expected(dtype, N, i -> 1 + 0.5 * CounterRandom.normal(SEED, COUNTER + i)), t, normalTolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bernoulliGivesTheSameMaskOnBothBackends(DType dtype) {
        assertParity("bernoulli " + dtype, Tolerance.EXACT, b -> {
            Tensor t = output(b, dtype, N);
            b.bernoulli(t, 0.3, SEED, COUNTER);
            return t;
        });
        Tensor t = output(underTest(), dtype, N);
        underTest().bernoulli(t, 0.3, SEED, COUNTER);
        assertClose("bernoulli " + dtype + " against CounterRandom",
                expected(dtype, N, i -> CounterRandom.uniform(SEED, COUNTER + i) < 0.3 ? 1 : 0), t, Tolerance.EXACT);
    }

    /** A fill of a narrowed view starts the stream at its own first element, not at its storage's. */
    @Test
    void aFillOfTwoHalvesEqualsOneFillOfTheWhole() {
        for (Backend b : new Backend[] {reference(), underTest()}) {
            Tensor whole = output(b, DType.F32, 2, 5000);
            b.randomUniform(whole, 0, 1, SEED, COUNTER);
            Tensor halves = full(b, DType.F32, 0, 2, 5000);
            b.randomUniform(halves.narrow(0, 0, 1), 0, 1, SEED, COUNTER);
            b.randomUniform(halves.narrow(0, 1, 1), 0, 1, SEED, COUNTER + 5000);
            assertClose(b.name() + ": two half fills against one fill", whole, halves, Tolerance.EXACT);
        }
        assertParity("randomNormal of a view at offset 5000", normalTolerance(DType.F32), b -> {
            Tensor t = full(b, DType.F32, 0, 2, 5000);
            b.randomNormal(t.narrow(0, 1, 1), 0, 1, SEED, 7);
            return t;
        });
    }
}
