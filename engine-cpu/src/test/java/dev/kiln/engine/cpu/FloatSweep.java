package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;

/**
 * Accuracy checks of an F32 routine (in place over a float array) against a reference in double: the error in
 * units in the last place of the reference rounded to float, over a dense sweep of float bit patterns.
 */
final class FloatSweep {
    /** Chunks a little longer than {@link Chunks#SIZE}, so that a routine's blocks are exercised too. */
    private static final int CHUNK = Chunks.SIZE + 123;

    private FloatSweep() {
    }

    /**
     * The largest error in ulps over every {@code stride}-th float bit pattern (both signs) within [lo, hi], counting
     * only where the reference's value is a normal float or zero, and requiring a NaN exactly where the reference
     * has one and the same infinity where its value overflows.
     */
    static double maxUlps(CpuElementwise.FloatChunk routine, DoubleUnaryOperator reference, int stride, double lo,
                          double hi) {
        return maxUlps(routine, reference, reference, stride, lo, hi);
    }

    /**
     * {@link #maxUlps} in units of the last place of {@code magnitude}(x) rounded to float instead of the
     * reference's: for a value that is a difference of terms (a derivative through its zero), the larger term's.
     */
    static double maxUlps(CpuElementwise.FloatChunk routine, DoubleUnaryOperator reference,
                          DoubleUnaryOperator magnitude, int stride, double lo, double hi) {
        float[] x = new float[CHUNK];
        float[] v = new float[CHUNK];
        double worst = 0;
        long bits = 0;
        while (bits <= 0xFFFFFFFFL) {
            int len = 0;
            while (len < CHUNK && bits <= 0xFFFFFFFFL) {
                float t = Float.intBitsToFloat((int) bits);
                bits += stride;
                if (t >= lo && t <= hi) {
                    x[len++] = t;
                }
            }
            System.arraycopy(x, 0, v, 0, len);
            routine.apply(v, len);
            for (int i = 0; i < len; i++) {
                worst = Math.max(worst, ulps(x[i], v[i], reference.applyAsDouble(x[i]),
                        magnitude.applyAsDouble(x[i])));
            }
        }
        return worst;
    }

    /** Asserts {@link #maxUlps} at most {@code bound}, naming the function. */
    static void assertWithinUlps(String name, double bound, CpuElementwise.FloatChunk routine,
                                 DoubleUnaryOperator reference, int stride, double lo, double hi) {
        assertBound(name, bound, maxUlps(routine, reference, stride, lo, hi), lo, hi);
    }

    /** Asserts {@link #maxUlps} in units of {@code magnitude} at most {@code bound}. */
    static void assertWithinUlpsOf(String name, double bound, CpuElementwise.FloatChunk routine,
                                   DoubleUnaryOperator reference, DoubleUnaryOperator magnitude, int stride, double lo,
                                   double hi) {
        assertBound(name, bound, maxUlps(routine, reference, magnitude, stride, lo, hi), lo, hi);
    }

    private static void assertBound(String name, double bound, double worst, double lo, double hi) {
        assertTrue(worst <= bound, name + " on [" + lo + ", " + hi + "]: " + worst + " ulps, expected at most " + bound);
    }

    private static double ulps(float x, float actual, double exact, double magnitude) {
        float rounded = (float) exact;
        if (Double.isNaN(exact) || Float.isInfinite(rounded)) {
            assertEquals(rounded, actual, "at " + x);
            return 0;
        }
        float unit = (float) Math.abs(magnitude);
        if (rounded != 0 && Math.abs(rounded) < Float.MIN_NORMAL || unit < Float.MIN_NORMAL) {
            return 0;
        }
        return Math.abs(actual - exact) / Math.ulp(unit);
    }

    /** The routine's value at each x, each alone in an array. */
    static float apply(CpuElementwise.FloatChunk routine, float x) {
        float[] v = {x};
        routine.apply(v, 1);
        return v[0];
    }
}
