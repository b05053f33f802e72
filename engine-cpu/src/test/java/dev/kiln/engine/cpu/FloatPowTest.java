package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link FloatPow} against Math.pow in double over sweeps of the floats (every 4099th, negatives included),
 * for the fractional exponents it serves, and Math.pow's special values.
 */
class FloatPowTest {
    /** Every 4099th float (a million arguments): ten exponents are swept. */
    private static final int SPARSE = 4099;
    private static final double ALL = Double.POSITIVE_INFINITY;

    private static float pow(float x, double p) {
        return FloatSweep.apply((v, len) -> FloatPow.pow(v, len, p), x);
    }

    private static void assertPowWithin(double p, double bound) {
        assertWithinUlps("pow(x, " + p + ")", bound, (v, len) -> FloatPow.pow(v, len, p), x -> Math.pow(x, p), SPARSE,
                -ALL, ALL);
    }

    @Test
    void exponentsUpToOneAreWithinTwoUlps() {
        for (double p : new double[] {0.5, -0.5, -0.75, 1.0 / 3, 0.01, -1e-6}) {
            assertPowWithin(p, 2);
        }
    }

    @Test
    void exponentsUpToFourAreWithinThreeUlps() {
        for (double p : new double[] {1.5, -2.5, 3.7, -3.99}) {
            assertPowWithin(p, 3);
        }
    }

    @Test
    void itServesFractionalExponentsUpToFour() {
        assertTrue(FloatPow.serves(0.75));
        assertTrue(FloatPow.serves(-3.5));
        assertFalse(FloatPow.serves(3));
        assertFalse(FloatPow.serves(-0.0));
        assertFalse(FloatPow.serves(4.5));
        assertFalse(FloatPow.serves(Double.NaN));
    }

    @Test
    void specialBasesAreMathPowsValues() {
        assertEquals(0f, pow(0f, 0.75));
        assertEquals(0f, pow(-0f, 0.75));
        assertEquals(Float.POSITIVE_INFINITY, pow(0f, -0.75));
        assertEquals(Float.NaN, pow(-1f, 0.75));
        assertEquals(Float.POSITIVE_INFINITY, pow(Float.NEGATIVE_INFINITY, 0.75));
        assertEquals(0f, pow(Float.POSITIVE_INFINITY, -0.75));
        assertEquals(Float.NaN, pow(Float.NaN, 0.75));
        assertEquals((float) Math.pow(Float.MIN_VALUE, 0.75), pow(Float.MIN_VALUE, 0.75));
    }

    /** PyTorch's x^0.5 is sqrt(x) and x^-0.5 is 1 / sqrt(x), whose -0 and -inf are not Math.pow's. */
    @Test
    void halfPowersAreSquareRootsAsInPyTorch() {
        assertEquals(-0f, pow(-0f, 0.5));
        assertEquals(Float.NaN, pow(Float.NEGATIVE_INFINITY, 0.5));
        assertEquals((float) Math.sqrt(Float.MIN_VALUE), pow(Float.MIN_VALUE, 0.5));
        assertEquals(Float.NEGATIVE_INFINITY, pow(-0f, -0.5));
        assertEquals(Float.POSITIVE_INFINITY, pow(0f, -0.5));
        assertEquals(Float.NaN, pow(Float.NEGATIVE_INFINITY, -0.5));
        assertEquals(0f, pow(Float.POSITIVE_INFINITY, -0.5));
        assertEquals(1 / (float) Math.sqrt(3f), pow(3f, -0.5));
    }

    @Test
    void resultsOverflowAndUnderflowAsFloatsDo() {
        assertEquals(Float.POSITIVE_INFINITY, pow(1e38f, 1.5));
        assertEquals(0f, pow(1e-38f, 3.5));
        assertEquals((float) Math.pow(1e-30f, 1.5), pow(1e-30f, 1.5));
    }
}
