package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link FloatLog} against Math in double over dense sweeps of the floats (every 1009th, negatives included, where
 * NaN is expected), and the special values of C's logf and log1pf.
 */
class FloatLogTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;

    @Test
    void logIsWithinOneUlp() {
        assertWithinUlps("log", 1, FloatLog::log, Math::log, DENSE, -ALL, ALL);
    }

    @Test
    void log1pIsWithinOneAndAHalfUlps() {
        assertWithinUlps("log1p", 1.5, FloatLog::log1p, Math::log1p, DENSE, -ALL, ALL);
    }

    @Test
    void log2AndLog10AreWithinOneUlpAndATenth() {
        assertWithinUlps("log2", 1.1, FloatLog::log2, x -> Math.log(x) / Math.log(2), DENSE, -ALL, ALL);
        assertWithinUlps("log10", 1.1, FloatLog::log10, Math::log10, DENSE, -ALL, ALL);
    }

    @Test
    void log2IsExactAtEveryPowerOfTwo() {
        for (int k = -149; k <= 127; k++) {
            assertEquals((float) k, apply(FloatLog::log2, (float) Math.scalb(1.0, k)), "log2(2^" + k + ")");
        }
    }

    @Test
    void logOfZeroNegativeInfiniteNanAndSubnormalValues() {
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatLog::log, 0f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatLog::log, -0f));
        assertEquals(Float.NaN, apply(FloatLog::log, -1f));
        assertEquals(Float.NaN, apply(FloatLog::log, Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatLog::log, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatLog::log, Float.NaN));
        assertEquals(0f, apply(FloatLog::log, 1f));
        assertEquals((float) Math.log(Float.MIN_VALUE), apply(FloatLog::log, Float.MIN_VALUE));
        assertEquals((float) Math.log(1e-40f), apply(FloatLog::log, 1e-40f));
    }

    @Test
    void log1pKeepsTinyArgumentsAndTheSignOfZero() {
        assertEquals(-0f, apply(FloatLog::log1p, -0f));
        assertEquals(0f, apply(FloatLog::log1p, 0f));
        assertEquals(1e-30f, apply(FloatLog::log1p, 1e-30f));
        assertEquals(-Float.MIN_VALUE, apply(FloatLog::log1p, -Float.MIN_VALUE));
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatLog::log1p, -1f));
        assertEquals(Float.NaN, apply(FloatLog::log1p, -2f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatLog::log1p, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatLog::log1p, Float.NaN));
    }
}
