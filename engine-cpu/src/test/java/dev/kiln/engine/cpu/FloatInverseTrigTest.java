package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link FloatInverseTrig} against Math in double over every 1009th float (every 97th measured: atan 2.23 ulps,
 * asin 3.04, acos 2.73), and special values.
 */
class FloatInverseTrigTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;

    @Test
    void atanIsWithinTwoAndAThirdUlps() {
        assertWithinUlps("atan", 2.3, FloatInverseTrig::atan, Math::atan, DENSE, -ALL, ALL);
    }

    /** NaN beyond +-1, as Math's. */
    @Test
    void asinIsWithinThreeAndATenthUlps() {
        assertWithinUlps("asin", 3.1, FloatInverseTrig::asin, Math::asin, DENSE, -ALL, ALL);
    }

    /** NaN beyond +-1, as Math's. */
    @Test
    void acosIsWithinTwoAndFourFifthsUlps() {
        assertWithinUlps("acos", 2.8, FloatInverseTrig::acos, Math::acos, DENSE, -ALL, ALL);
    }

    @Test
    void endsOfTheDomainsAndZeros() {
        assertEquals((float) (Math.PI / 2), apply(FloatInverseTrig::atan, Float.POSITIVE_INFINITY));
        assertEquals((float) (-Math.PI / 2), apply(FloatInverseTrig::atan, Float.NEGATIVE_INFINITY));
        assertEquals((float) (Math.PI / 2), apply(FloatInverseTrig::asin, 1f));
        assertEquals((float) (-Math.PI / 2), apply(FloatInverseTrig::asin, -1f));
        assertEquals((float) Math.PI, apply(FloatInverseTrig::acos, -1f));
        assertEquals(0f, apply(FloatInverseTrig::acos, 1f));
        assertEquals(-0f, apply(FloatInverseTrig::atan, -0f));
        assertEquals(-0f, apply(FloatInverseTrig::asin, -0f));
        assertEquals((float) (Math.PI / 2), apply(FloatInverseTrig::acos, -0f));
    }

    @Test
    void outsideTheDomainAndNanIsNan() {
        assertEquals(Float.NaN, apply(FloatInverseTrig::asin, 1.0000001f));
        assertEquals(Float.NaN, apply(FloatInverseTrig::acos, -1.0000001f));
        assertEquals(Float.NaN, apply(FloatInverseTrig::acos, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatInverseTrig::atan, Float.NaN));
    }
}
