package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link FloatTrig} against Math in double over dense sweeps of the floats: within 2.1 ulps (sin, cos) and 3.1 (tan)
 * up to the reduction's limit (every float there measured 2.02, 2.00 and 3.04), Math's value rounded beyond it, and
 * the special values of C's sinf.
 */
class FloatTrigTest {
    private static final double LIMIT = FloatTrig.REDUCTION_LIMIT;
    /** Every 1009th float up to the limit: 2.1 million arguments, some 8,000 in each binade. */
    private static final int DENSE = 1009;
    private static final int SPARSE = 4099;

    @Test
    void sinIsWithinTwoUlpsAndATenthUpToTheReductionLimit() {
        assertWithinUlps("sin", 2.1, FloatTrig::sin, Math::sin, DENSE, -LIMIT, LIMIT);
    }

    @Test
    void cosIsWithinTwoUlpsAndATenthUpToTheReductionLimit() {
        assertWithinUlps("cos", 2.1, FloatTrig::cos, Math::cos, DENSE, -LIMIT, LIMIT);
    }

    @Test
    void tanIsWithinThreeUlpsAndATenthUpToTheReductionLimit() {
        assertWithinUlps("tan", 3.1, FloatTrig::tan, Math::tan, DENSE, -LIMIT, LIMIT);
    }

    @Test
    void beyondTheLimitEachIsMathsValueRounded() {
        for (double sign : new double[] {-1, 1}) {
            double lo = sign < 0 ? Double.NEGATIVE_INFINITY : LIMIT;
            double hi = sign < 0 ? -LIMIT : Double.POSITIVE_INFINITY;
            assertWithinUlps("sin", 0.5, FloatTrig::sin, Math::sin, SPARSE, lo, hi);
            assertWithinUlps("cos", 0.5, FloatTrig::cos, Math::cos, SPARSE, lo, hi);
            assertWithinUlps("tan", 0.5, FloatTrig::tan, Math::tan, SPARSE, lo, hi);
        }
        assertEquals((float) Math.sin(Float.MAX_VALUE), apply(FloatTrig::sin, Float.MAX_VALUE));
        assertEquals((float) Math.cos(1e30f), apply(FloatTrig::cos, 1e30f));
    }

    @Test
    void zerosKeepTheirSignAndSubnormalsTheirValue() {
        assertEquals(-0f, apply(FloatTrig::sin, -0f));
        assertEquals(0f, apply(FloatTrig::sin, 0f));
        assertEquals(-0f, apply(FloatTrig::tan, -0f));
        assertEquals(0f, apply(FloatTrig::tan, 0f));
        assertEquals(1f, apply(FloatTrig::cos, -0f));
        assertEquals(-Float.MIN_VALUE, apply(FloatTrig::sin, -Float.MIN_VALUE));
        assertEquals(Float.MIN_VALUE, apply(FloatTrig::tan, Float.MIN_VALUE));
        assertEquals(1f, apply(FloatTrig::cos, Float.MIN_VALUE));
    }

    @Test
    void infinitiesAndNanGiveNan() {
        for (float x : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            assertEquals(Float.NaN, apply(FloatTrig::sin, x));
            assertEquals(Float.NaN, apply(FloatTrig::cos, x));
            assertEquals(Float.NaN, apply(FloatTrig::tan, x));
        }
    }
}
