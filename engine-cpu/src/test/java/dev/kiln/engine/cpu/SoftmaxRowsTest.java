package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Softmax's row steps, this run's ({@link VectorPath#softmaxRows}: the Vector API's, or the scalar loops' under
 * -Dkiln.cpu.vector=false; Surefire runs this class both ways) against {@link ScalarSoftmaxRows}: the maxima and the
 * element-wise steps to the bit, the steps that divide by or subtract a sum in double within one float ulp of theirs
 * (the sum's rounding to float may differ), over blocks of rows shorter and longer than a vector with tails of every
 * length, and rows holding NaN, +inf or -inf, which must come out NaN, 0 or -inf exactly where the scalar loops' do.
 */
class SoftmaxRowsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 28, 31, 32, 33, 64, 100, 1000};
    private static final SoftmaxRows SCALAR = ScalarSoftmaxRows.INSTANCE;

    @Test
    void theVectorApiRunsWhereItsPathIsOnAndTheScalarLoopsElsewhere() {
        assertEquals(VectorPath.enabled(), !(VectorPath.softmaxRows() instanceof ScalarSoftmaxRows),
                VectorPath.softmaxRows().toString());
    }

    @Test
    void maximaAreSubtractedAsTheScalarLoopsDo() {
        SplittableRandom random = new SplittableRandom(5);
        for (int c : LENGTHS) {
            float[] v = block(random, c, 50, 10);
            float[] want = v.clone();
            float[] got = v.clone();
            SCALAR.subtractMaxima(want, v.length, c);
            VectorPath.softmaxRows().subtractMaxima(got, v.length, c);
            assertArrayEquals(want, got, "rows of " + c);
        }
    }

    @Test
    void dividingAndSubtractingTheSumsAgreeWithTheScalarLoopsToAnUlp() {
        SplittableRandom random = new SplittableRandom(6);
        for (int c : LENGTHS) {
            float[] e = block(random, c, 0, 2);
            for (int i = 0; i < e.length; i++) {
                e[i] = (float) Math.exp(e[i]);
            }
            float[] shifted = block(random, c, -3, 2);
            float[] want = e.clone();
            float[] got = e.clone();
            SCALAR.divideBySums(want, e.length, c);
            VectorPath.softmaxRows().divideBySums(got, e.length, c);
            assertWithinUlp("softmax, rows of " + c, want, got);
            want = shifted.clone();
            got = shifted.clone();
            SCALAR.subtractLogSums(e, want, e.length, c);
            VectorPath.softmaxRows().subtractLogSums(e, got, e.length, c);
            assertWithinUlp("log-softmax, rows of " + c, want, got);
        }
    }

    @Test
    void gradientsAgreeWithTheScalarLoopsToAnUlpOfTheirSums() {
        SplittableRandom random = new SplittableRandom(7);
        for (int c : LENGTHS) {
            float[] y = block(random, c, 0.5, 0.4);
            float[] g = block(random, c, 0, 2);
            float[] want = g.clone();
            float[] got = g.clone();
            SCALAR.softmaxGradient(y, want, g.length, c);
            VectorPath.softmaxRows().softmaxGradient(y, got, g.length, c);
            assertGradientClose("softmax's gradient, rows of " + c, want, got, y, g, c);
            want = g.clone();
            got = g.clone();
            SCALAR.logSoftmaxGradient(y, want, g.length, c);
            VectorPath.softmaxRows().logSoftmaxGradient(y, got, g.length, c);
            assertGradientClose("log-softmax's gradient, rows of " + c, want, got, y, g, c);
        }
    }

    /** NaN, +inf and -inf at the start, middle and end of rows, alone and together, every step as the scalar's. */
    @Test
    void nanAndInfinitiesComeOutWhereTheScalarLoopsPutThem() {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int c : LENGTHS) {
            for (float special : specials) {
                for (int at : new int[] {0, c / 2, Math.max(0, c - 5), c - 1}) {
                    float[] v = block(new SplittableRandom(c), c, 0, 3);
                    for (int base = 0; base < v.length; base += c) {
                        v[base + at] = special;
                    }
                    String what = special + " at " + at + " of " + c;
                    float[] want = v.clone();
                    float[] got = v.clone();
                    SCALAR.subtractMaxima(want, v.length, c);
                    VectorPath.softmaxRows().subtractMaxima(got, v.length, c);
                    assertArrayEquals(want, got, "maxima, " + what);
                    SCALAR.divideBySums(want = v.clone(), v.length, c);
                    VectorPath.softmaxRows().divideBySums(got = v.clone(), v.length, c);
                    assertSameSpecials("sums, " + what, want, got);
                    float[] y = block(new SplittableRandom(1), c, 0.5, 0.4);
                    SCALAR.softmaxGradient(y, want = v.clone(), v.length, c);
                    VectorPath.softmaxRows().softmaxGradient(y, got = v.clone(), v.length, c);
                    assertSameSpecials("softmax's gradient, " + what, want, got);
                    SCALAR.logSoftmaxGradient(y, want = v.clone(), v.length, c);
                    VectorPath.softmaxRows().logSoftmaxGradient(y, got = v.clone(), v.length, c);
                    assertSameSpecials("log-softmax's gradient, " + what, want, got);
                }
            }
        }
    }

    /** A block of as many rows of c values as fit in 2048 (at least one), N(location, spread). */
    private static float[] block(SplittableRandom random, int c, double location, double spread) {
        float[] v = new float[Math.max(1, Chunks.SIZE / c) * c];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (location + spread * random.nextGaussian());
        }
        return v;
    }

    private static void assertWithinUlp(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= Math.ulp(want[i]), what + " at " + i + ": " + got[i]
                    + " against " + want[i]);
        }
    }

    /** Within the error of the row's sum rounded to float (an ulp of it) times the largest factor, plus an ulp. */
    private static void assertGradientClose(String what, float[] want, float[] got, float[] y, float[] g, int c) {
        for (int base = 0; base < want.length; base += c) {
            double total = 0;
            for (int j = base; j < base + c; j++) {
                total += Math.abs((double) g[j] * y[j]) + Math.abs(g[j]);
            }
            for (int j = base; j < base + c; j++) {
                double allowed = 2 * Math.ulp((float) total) * Math.abs(y[j]) + 2 * Math.ulp(want[j]);
                assertTrue(Math.abs(want[j] - got[j]) <= allowed, what + " at " + j + ": " + got[j] + " against "
                        + want[j]);
            }
        }
    }

    /** NaN and infinities (with their signs) at the same places. */
    private static void assertSameSpecials(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            boolean special = Float.isNaN(want[i]) || Float.isInfinite(want[i]);
            if (special || Float.isNaN(got[i]) || Float.isInfinite(got[i])) {
                assertEquals(want[i], got[i], what + " at " + i);
            }
        }
    }
}
