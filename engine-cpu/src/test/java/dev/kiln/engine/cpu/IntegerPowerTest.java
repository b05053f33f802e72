package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link IntegerPower} against Math.pow in double over every 1009th float, negatives included, and special values. */
class IntegerPowerTest {
    private static final double ALL = Double.POSITIVE_INFINITY;

    private static CpuElementwise.FloatChunk power(double p) {
        return (v, len) -> IntegerPower.pow(v, len, p, 1);
    }

    /** Rounded once from a double within a few 2^-53 of x^p: Math.pow's float but next to a tie. */
    @Test
    void integerPowersAreCorrectlyRoundedToAMillionthOfAnUlp() {
        for (double p : new double[] {-8, -3, -2, -1, 0, 1, 3, 4, 5, 8}) {
            assertWithinUlps("pow(x, " + p + ")", 0.500001, power(p), x -> Math.pow(x, p), 1009, -ALL, ALL);
        }
    }

    @Test
    void aFactorIsAppliedBeforeTheOneRounding() {
        CpuElementwise.FloatChunk derivativeOfCube = (v, len) -> IntegerPower.pow(v, len, 2, 3);
        double x = 1.1f;
        assertEquals((float) (3 * (x * x)), apply(derivativeOfCube, 1.1f));
    }

    @Test
    void zerosInfinitiesAndNanAreMathPows() {
        assertEquals(1f, apply(power(0), Float.NaN));
        assertEquals(Float.NEGATIVE_INFINITY, apply(power(-3), -0f));
        assertEquals(Float.POSITIVE_INFINITY, apply(power(-2), -0f));
        assertEquals(-0f, apply(power(3), -0f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(power(3), Float.NEGATIVE_INFINITY));
        assertEquals(-0f, apply(power(-1), Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(power(3), 1e13f));
        assertEquals(Float.POSITIVE_INFINITY, apply(power(-8), 1e-6f));
        assertEquals(Float.NaN, apply(power(3), Float.NaN));
    }

    /** Blocks without a tiny value take the float loops: there x^p overflows with its sign, and NaN stays NaN. */
    @Test
    void blocksOfOrdinaryValuesOverflowWithTheSignOfThePower() {
        float[] cubes = {-1e13f, 2f, -3f, Float.NEGATIVE_INFINITY};
        IntegerPower.pow(cubes, cubes.length, 3, 1);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 8f, -27f, Float.NEGATIVE_INFINITY}, cubes);
        float[] fourths = {-1e10f, -2f, Float.NEGATIVE_INFINITY};
        IntegerPower.pow(fourths, fourths.length, 4, 1);
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 16f, Float.POSITIVE_INFINITY}, fourths);
        float[] derivativeOfFourth = {-1e13f, 1.5f, Float.NaN};
        IntegerPower.pow(derivativeOfFourth, derivativeOfFourth.length, 3, 4);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 13.5f, Float.NaN}, derivativeOfFourth);
    }

    @Test
    void servesIntegersUpToEightInMagnitude() {
        assertTrue(IntegerPower.serves(-8));
        assertTrue(IntegerPower.serves(3));
        assertFalse(IntegerPower.serves(9));
        assertFalse(IntegerPower.serves(0.5));
        assertFalse(IntegerPower.serves(Double.NaN));
    }
}
