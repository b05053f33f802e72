package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.engine.CounterRandom;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Scope ownership of tensors, and the seeded random stream's reproducibility and statistics. */
class ScopeAndRandomTest {
    private static final int N = 1_000_000;

    // ---- scopes ---------------------------------------------------------------------------------

    @Test
    void tensorsMadeInAScopeAreClosedWhenItEnds() {
        Tensor a;
        Tensor b;
        Tensor view;
        try (Scope s = Scope.open()) {
            a = Tensor.ones(3);
            b = a.add(1);
            view = b.reshape(3, 1);
            assertFalse(a.isClosed());
            assertFalse(b.isClosed());
            assertFalse(view.isClosed());
        }
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertTrue(view.isClosed());
    }

    @Test
    void keepHandsATensorToTheOuterScope() {
        Tensor kept;
        Tensor dropped;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                kept = inner.keep(Tensor.fromArray(new double[] {1, 2}, 2).mul(2));
                dropped = Tensor.ones(2);
            }
            assertFalse(kept.isClosed(), "a kept tensor outlives the inner scope");
            assertTrue(dropped.isClosed(), "the rest of the inner scope is closed");
            assertArrayEquals(new double[] {2, 4}, kept.toDoubleArray());
        }
        assertTrue(kept.isClosed(), "the outer scope closes what it was handed");
    }

    @Test
    void keepInTheOutermostScopeHandsTheTensorToNobody() {
        Tensor kept;
        try (Scope only = Scope.open()) {
            kept = only.keep(Tensor.ones(2));
        }
        assertFalse(kept.isClosed());
        kept.close();
        assertTrue(kept.isClosed());
    }

    @Test
    void tensorsMadeOutsideAnyScopeStayOpen() {
        Tensor outside = Tensor.ones(2);
        try (Scope s = Scope.open()) {
            Tensor inside = outside.add(1);
            assertArrayEquals(new float[] {2, 2}, inside.toFloatArray());
        }
        assertFalse(outside.isClosed(), "a scope closes only what was made inside it");
        assertArrayEquals(new float[] {1, 1}, outside.toFloatArray());
        outside.close();
        assertTrue(outside.isClosed());
    }

    @Test
    void detachLeavesTheScopeWithItsTensorsOpenForTheCallerToClose() {
        Tensor made;
        List<Tensor> detached;
        try (Scope outer = Scope.open()) {
            Scope inner = Scope.open();
            made = Tensor.ones(3);
            detached = inner.detach();
            Tensor afterwards = Tensor.ones(1);
            outer.close();
            assertTrue(afterwards.isClosed(), "after detach, new tensors belong to the outer scope again");
        }
        assertEquals(List.of(made), detached);
        assertFalse(made.isClosed(), "neither scope closed what the detached one owned");
        made.close();
    }

    @Test
    void detachingAScopeThatIsNotTheInnermostIsRefused() {
        try (Scope outer = Scope.open(); Scope inner = Scope.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, outer::detach);
            assertTrue(e.getMessage().contains("innermost"), e.getMessage());
        }
    }

    @Test
    void copyFromOverwritesATensorWithHostValuesOfItsDtypeAndSize() {
        Tensor features = Tensor.zeros(2, 2);
        features.copyFrom(new float[] {1, 2, 3, 4});
        assertArrayEquals(new float[] {1, 2, 3, 4}, features.toFloatArray());
        Tensor labels = Tensor.zeros(DType.I64, 3);
        labels.copyFrom(new long[] {2, 0, 1});
        assertArrayEquals(new long[] {2, 0, 1}, labels.toLongArray());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> features.copyFrom(new float[] {1, 2, 3}));
        assertTrue(size.getMessage().contains("3 F32 values into F32 [2, 2]"), size.getMessage());
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> features.copyFrom(new long[] {1, 2, 3, 4}));
        assertTrue(dtype.getMessage().contains("I64 values into F32"), dtype.getMessage());
        features.close();
        labels.close();
    }

    // ---- reproducibility ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sameSeedRepeatsRandAndRandnBitForBit(DType dt) {
        try (Scope s = Scope.open()) {
            Engine.seed(1234);
            double[] u1 = Tensor.rand(dt, 1000).toDoubleArray();
            double[] n1 = Tensor.randn(dt, 50_000).toDoubleArray();
            Engine.seed(1234);
            double[] u2 = Tensor.rand(dt, 1000).toDoubleArray();
            double[] n2 = Tensor.randn(dt, 50_000).toDoubleArray();
            assertArrayEquals(u1, u2, "rand after the same seed");
            assertArrayEquals(n1, n2, "randn after the same seed");
        }
    }

    /**
     * uniformLike and normalLike of a shape draw that shape in the tensor's dtype on its backend, the values that
     * Tensor.uniform and Tensor.normal draw from the same point of the stream, and advance it as they do.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void uniformLikeAndNormalLikeOfAShapeDrawThatShapeFromTheStream(DType dt) {
        try (Scope s = Scope.open()) {
            Tensor like = Tensor.zeros(dt, 3);
            Engine.seed(77);
            Tensor u = like.uniformLike(-1, 2, Shape.of(4, 5));
            Tensor n = like.normalLike(3, 0.5, Shape.of(6));
            Engine.seed(77);
            double[] uniform = Tensor.uniform(-1, 2, dt, 4, 5).toDoubleArray();
            double[] normal = Tensor.normal(3, 0.5, dt, 6).toDoubleArray();
            assertEquals(Shape.of(4, 5), u.shape(), "uniformLike's shape");
            assertEquals(Shape.of(6), n.shape(), "normalLike's shape");
            assertEquals(dt, u.dtype(), "uniformLike's dtype");
            assertEquals(dt, n.dtype(), "normalLike's dtype");
            assertSame(like.backend(), u.backend(), "uniformLike's backend");
            assertArrayEquals(uniform, u.toDoubleArray(), "uniformLike's draws");
            assertArrayEquals(normal, n.toDoubleArray(), "normalLike's draws");
        }
    }

    @Test
    void successiveDrawsWithoutReseedingDiffer() {
        try (Scope s = Scope.open()) {
            Engine.seed(99);
            float[] first = Tensor.rand(100).toFloatArray();
            float[] second = Tensor.rand(100).toFloatArray();
            assertFalse(Arrays.equals(first, second), "the stream advances between draws");
        }
    }

    @Test
    void differentSeedsGiveDifferentValues() {
        try (Scope s = Scope.open()) {
            Engine.seed(1);
            float[] u1 = Tensor.rand(100).toFloatArray();
            float[] n1 = Tensor.randn(100).toFloatArray();
            Engine.seed(2);
            float[] u2 = Tensor.rand(100).toFloatArray();
            float[] n2 = Tensor.randn(100).toFloatArray();
            int same = 0;
            for (int i = 0; i < 100; i++) {
                same += u1[i] == u2[i] ? 1 : 0;
                same += n1[i] == n2[i] ? 1 : 0;
            }
            assertEquals(0, same, "no value should coincide across seeds");
            assertEquals(2, Engine.get().seed());
        }
    }

    // ---- statistics -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void uniformHasMeanHalfAndVarianceOneTwelfth(DType dt) {
        try (Scope s = Scope.open()) {
            Engine.seed(7);
            double[] v = Tensor.rand(dt, N).toDoubleArray();
            double sum = 0;
            for (double x : v) {
                if (!(x >= 0 && x < 1)) {
                    fail("rand value outside [0, 1): " + x);
                }
                sum += x;
            }
            double mean = sum / N;
            double sq = 0;
            for (double x : v) {
                sq += (x - mean) * (x - mean);
            }
            double variance = sq / N;
            assertEquals(0.5, mean, 0.005, "mean");
            assertEquals(1.0 / 12, variance, 0.005, "variance");
        }
    }

    @Test
    void uniformRespectsItsBounds() {
        try (Scope s = Scope.open()) {
            Engine.seed(8);
            double[] v = Tensor.uniform(-3, 5, DType.F64, 100_000).toDoubleArray();
            double sum = 0;
            for (double x : v) {
                assertTrue(x >= -3 && x < 5, "uniform(-3, 5) value " + x);
                sum += x;
            }
            assertEquals(1, sum / v.length, 0.05, "mean of uniform(-3, 5)");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void randnHasMeanZeroAndStandardDeviationOne(DType dt) {
        try (Scope s = Scope.open()) {
            Engine.seed(11);
            double[] v = Tensor.randn(dt, N).toDoubleArray();
            double sum = 0;
            for (double x : v) {
                assertTrue(Double.isFinite(x), "randn value " + x);
                sum += x;
            }
            double mean = sum / N;
            double sq = 0;
            for (double x : v) {
                sq += (x - mean) * (x - mean);
            }
            assertEquals(0, mean, 0.005, "mean");
            assertEquals(1, Math.sqrt(sq / N), 0.005, "standard deviation");
        }
    }

    @Test
    void normalHasTheRequestedMeanAndStandardDeviation() {
        try (Scope s = Scope.open()) {
            Engine.seed(12);
            double[] v = Tensor.normal(3, 0.5, DType.F64, N).toDoubleArray();
            double sum = 0;
            for (double x : v) {
                sum += x;
            }
            double mean = sum / N;
            double sq = 0;
            for (double x : v) {
                sq += (x - mean) * (x - mean);
            }
            assertEquals(3, mean, 0.005, "mean");
            assertEquals(0.5, Math.sqrt(sq / N), 0.005, "standard deviation");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bernoulliLikeFiresWithFrequencyP(DType dt) {
        try (Scope s = Scope.open()) {
            Engine.seed(13);
            Tensor like = Tensor.zeros(dt, 1000, 1000);
            for (double p : new double[] {0.1, 0.3, 0.75}) {
                Tensor b = like.bernoulliLike(p);
                assertEquals(dt, b.dtype());
                assertEquals(like.shape(), b.shape());
                double ones = 0;
                for (double x : b.toDoubleArray()) {
                    if (x != 0 && x != 1) {
                        fail("bernoulli value " + x);
                    }
                    ones += x;
                }
                assertEquals(p, ones / N, 0.005, "frequency of ones for p = " + p);
            }
            assertEquals(0, like.bernoulliLike(0).sum().item(), "p = 0 never fires");
            assertEquals(N, like.bernoulliLike(1).sum().item(), 1e-3 * N, "p = 1 always fires");
        }
    }

    @Test
    void counterRandomUniformIsInUnitIntervalAndPure() {
        for (long seed : new long[] {0, 1, -1, 0x5EEDL, Long.MIN_VALUE, Long.MAX_VALUE}) {
            double sum = 0;
            for (long c = 0; c < 200_000; c++) {
                double u = CounterRandom.uniform(seed, c);
                if (!(u >= 0 && u < 1)) {
                    fail("CounterRandom.uniform(" + seed + ", " + c + ") = " + u);
                }
                sum += u;
            }
            assertEquals(0.5, sum / 200_000, 0.005, "mean for seed " + seed);
            assertEquals(CounterRandom.uniform(seed, 12345), CounterRandom.uniform(seed, 12345),
                    "a pure function of (seed, counter)");
            assertEquals(CounterRandom.bits(seed, 77), CounterRandom.bits(seed, 77));
        }
    }

    @Test
    void counterRandomNormalIsFinite() {
        for (long c = 0; c < 200_000; c++) {
            double z = CounterRandom.normal(42, c);
            if (!Double.isFinite(z)) {
                fail("CounterRandom.normal(42, " + c + ") = " + z);
            }
        }
    }

    @Test
    void randF32NeverReturnsOneEvenWhenTheDoubleRoundsUp() {
        // For this seed the first uniform double is 0.99999998926..., which rounds to 1.0f as a float.
        long seed = 63433462L;
        double u = CounterRandom.uniform(seed, 0);
        assertTrue(u < 1, "the double itself is below 1");
        assertEquals(1.0f, (float) u, "precondition: the double rounds up to 1.0f");
        try (Scope s = Scope.open()) {
            Engine.seed(seed);
            float v = Tensor.rand(1).toFloatArray()[0];
            assertTrue(v < 1.0f, "rand F32 must stay in [0, 1), got " + v);
            Engine.seed(seed);
            float w = Tensor.uniform(0, 1, DType.F32, 1).toFloatArray()[0];
            assertTrue(w < 1.0f, "uniform(0, 1) F32 must stay below its upper bound, got " + w);
        }
    }

    @Test
    void engineSeedIsTheOneSet() {
        Engine.seed(555);
        assertEquals(555, Engine.get().seed());
        assertSame(Engine.get(), Engine.get());
    }
}
