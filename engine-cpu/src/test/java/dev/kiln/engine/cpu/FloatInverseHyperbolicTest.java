package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatInverseHyperbolic} against {@link ElementaryFunctions}' forms in double over every 1009th float (every
 * 97th measured: asinh 1.94 ulps, acosh 2.17, atanh 1.98), and special values.
 */
class FloatInverseHyperbolicTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;

    @Test
    void asinhIsWithinTwoUlps() {
        assertWithinUlps("asinh", 2, FloatInverseHyperbolic::asinh, x -> ElementaryFunctions.value(UnaryOp.ASINH, x),
                DENSE, -ALL, ALL);
    }

    /** NaN below 1, as the reference. */
    @Test
    void acoshIsWithinTwoAndAQuarterUlps() {
        assertWithinUlps("acosh", 2.25, FloatInverseHyperbolic::acosh, x -> ElementaryFunctions.value(UnaryOp.ACOSH, x),
                DENSE, -ALL, ALL);
    }

    /** NaN beyond +-1, as the reference. */
    @Test
    void atanhIsWithinTwoUlps() {
        assertWithinUlps("atanh", 2, FloatInverseHyperbolic::atanh, x -> ElementaryFunctions.value(UnaryOp.ATANH, x),
                DENSE, -ALL, ALL);
    }

    @Test
    void zerosKeepTheirSignAndTheEndsAreInfinite() {
        assertEquals(-0f, apply(FloatInverseHyperbolic::asinh, -0f));
        assertEquals(0f, apply(FloatInverseHyperbolic::asinh, 0f));
        assertEquals(-0f, apply(FloatInverseHyperbolic::atanh, -0f));
        assertEquals(0f, apply(FloatInverseHyperbolic::acosh, 1f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatInverseHyperbolic::atanh, 1f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatInverseHyperbolic::atanh, -1f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatInverseHyperbolic::asinh, Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatInverseHyperbolic::acosh, Float.POSITIVE_INFINITY));
    }

    @Test
    void largestFloatsDoNotOverflow() {
        assertEquals((float) ElementaryFunctions.value(UnaryOp.ASINH, Float.MAX_VALUE),
                apply(FloatInverseHyperbolic::asinh, -Float.MAX_VALUE) * -1, 1e-5f);
        assertEquals((float) ElementaryFunctions.value(UnaryOp.ACOSH, Float.MAX_VALUE),
                apply(FloatInverseHyperbolic::acosh, Float.MAX_VALUE), 1e-5f);
    }

    @Test
    void outsideTheDomainIsNan() {
        assertEquals(Float.NaN, apply(FloatInverseHyperbolic::acosh, 0.999f));
        assertEquals(Float.NaN, apply(FloatInverseHyperbolic::acosh, -1f));
        assertEquals(Float.NaN, apply(FloatInverseHyperbolic::acosh, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatInverseHyperbolic::atanh, 1.001f));
        assertEquals(Float.NaN, apply(FloatInverseHyperbolic::atanh, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatInverseHyperbolic::asinh, Float.NaN));
    }
}
