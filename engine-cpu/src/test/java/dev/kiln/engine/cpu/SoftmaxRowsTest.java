package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Softmax's row steps, this run's ({@link VectorPath#softmaxRows}: the Vector API's, or the scalar loops' under
 * -Dkiln.cpu.vector=false; Surefire runs this class both ways) against {@link ScalarSoftmaxRows}, every step to the
 * bit, over blocks of rows shorter and longer than a vector with tails of every length, and rows holding NaN, +inf or
 * -inf.
 */
class SoftmaxRowsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 28, 31, 32, 33, 37, 47, 48, 64, 100, 1000, 2048};
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
    void dividingAndSubtractingTheSumsAgreeWithTheScalarLoops() {
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
            assertArrayEquals(want, got, "softmax, rows of " + c);
            want = shifted.clone();
            got = shifted.clone();
            SCALAR.subtractLogSums(e, want, e.length, c);
            VectorPath.softmaxRows().subtractLogSums(e, got, e.length, c);
            assertArrayEquals(want, got, "log-softmax, rows of " + c);
        }
    }

    @Test
    void gradientsAgreeWithTheScalarLoops() {
        SplittableRandom random = new SplittableRandom(7);
        for (int c : LENGTHS) {
            float[] y = block(random, c, 0.5, 0.4);
            float[] g = block(random, c, 0, 2);
            float[] want = g.clone();
            float[] got = g.clone();
            SCALAR.softmaxGradient(y, want, g.length, c);
            VectorPath.softmaxRows().softmaxGradient(y, got, g.length, c);
            assertArrayEquals(want, got, "softmax's gradient, rows of " + c);
            want = g.clone();
            got = g.clone();
            SCALAR.logSoftmaxGradient(y, want, g.length, c);
            VectorPath.softmaxRows().logSoftmaxGradient(y, got, g.length, c);
            assertArrayEquals(want, got, "log-softmax's gradient, rows of " + c);
        }
    }

    /** NaN, +inf and -inf at the start, middle, a tail's overlap and end of rows, every step as the scalar's. */
    @Test
    void rowsHoldingNanOrInfinitiesAgreeWithTheScalarLoops() {
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
                    assertArrayEquals(want, got, "sums, " + what);
                    float[] y = block(new SplittableRandom(1), c, 0.5, 0.4);
                    SCALAR.softmaxGradient(y, want = v.clone(), v.length, c);
                    VectorPath.softmaxRows().softmaxGradient(y, got = v.clone(), v.length, c);
                    assertArrayEquals(want, got, "softmax's gradient, " + what);
                    SCALAR.logSoftmaxGradient(y, want = v.clone(), v.length, c);
                    VectorPath.softmaxRows().logSoftmaxGradient(y, got = v.clone(), v.length, c);
                    assertArrayEquals(want, got, "log-softmax's gradient, " + what);
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
}
