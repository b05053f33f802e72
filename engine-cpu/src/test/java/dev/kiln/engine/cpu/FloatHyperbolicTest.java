package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link FloatHyperbolic} against Math in double over every 1009th float (every 97th measured: sinh 2.44 ulps,
 * cosh 1.43), their overflow and special values.
 */
class FloatHyperbolicTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;

    @Test
    void sinhIsWithinTwoAndAHalfUlps() {
        assertWithinUlps("sinh", 2.5, FloatHyperbolic::sinh, Math::sinh, DENSE, -ALL, ALL);
    }

    @Test
    void coshIsWithinOneAndAHalfUlps() {
        assertWithinUlps("cosh", 1.5, FloatHyperbolic::cosh, Math::cosh, DENSE, -ALL, ALL);
    }

    /** Finite up to 89.41, as in float from double, though exp overflows from 88.73. */
    @Test
    void bothOverflowWhereFloatDoes() {
        for (float x : new float[] {89.41f, -89.41f}) {
            assertEquals((float) Math.sinh(x), apply(FloatHyperbolic::sinh, x), Math.ulp((float) Math.sinh(x)) * 3);
            assertEquals((float) Math.cosh(x), apply(FloatHyperbolic::cosh, x), Math.ulp((float) Math.cosh(x)) * 3);
        }
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatHyperbolic::sinh, 89.42f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatHyperbolic::sinh, -89.42f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatHyperbolic::cosh, -89.42f));
    }

    @Test
    void sinhKeepsTheSignOfZeroAndCoshOfZeroIsOne() {
        assertEquals(-0f, apply(FloatHyperbolic::sinh, -0f));
        assertEquals(0f, apply(FloatHyperbolic::sinh, 0f));
        assertEquals(-Float.MIN_VALUE, apply(FloatHyperbolic::sinh, -Float.MIN_VALUE));
        assertEquals(1f, apply(FloatHyperbolic::cosh, -0f));
    }

    @Test
    void infinitiesAndNan() {
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatHyperbolic::sinh, Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatHyperbolic::sinh, Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatHyperbolic::cosh, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatHyperbolic::sinh, Float.NaN));
        assertEquals(Float.NaN, apply(FloatHyperbolic::cosh, Float.NaN));
    }
}
