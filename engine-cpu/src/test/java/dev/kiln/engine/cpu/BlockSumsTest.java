package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockSums} against the same sums in double of the same float terms (exact to far below a float ulp at these
 * lengths): within 1 float ulp of the sum of the terms' magnitudes, at lengths below, at and beyond a block's
 * {@link BlockSums#LANES} and {@link BlockSums#BLOCK}, the terms taken from inside a longer array; one float
 * accumulator over the 100,003 squares here was off by 83 ulps.
 */
class BlockSumsTest {
    private static final int[] LENGTHS = {1, 7, BlockSums.LANES - 1, BlockSums.LANES, BlockSums.LANES + 1,
        BlockSums.BLOCK + BlockSums.LANES - 1, BlockSums.BLOCK + BlockSums.LANES, 100_003};
    /** Where the terms start in their array; the values around them must not count. */
    private static final int FROM = 5;
    private static final double FLOAT_EPSILON = Math.ulp(1f);

    private final BlockSums sums = new BlockSums();

    @Test
    void sumOfDifferencesFromAPivotNearTheValues() {
        for (int n : LENGTHS) {
            float[] v = values(FROM + n + 3, 1000, 0.01, 1);
            float pivot = v[FROM];
            double exact = 0;
            double magnitudes = 0;
            for (int i = FROM; i < FROM + n; i++) {
                exact += v[i] - pivot;
                magnitudes += Math.abs(v[i] - pivot);
            }
            assertWithin("sum of differences, n = " + n, exact, sums.sumOfDifferences(v, FROM, n, pivot), magnitudes);
        }
    }

    @Test
    void sumOfSquaredDifferences() {
        for (int n : LENGTHS) {
            float[] v = values(FROM + n + 3, 3, 2, 2);
            double exact = 0;
            for (int i = FROM; i < FROM + n; i++) {
                float d = v[i] - 2.5f;
                exact += d * d;
            }
            assertWithin("sum of squares, n = " + n, exact, sums.sumOfSquaredDifferences(v, FROM, n, 2.5f), exact);
        }
    }

    @Test
    void squaredDeviationsAboutAMeanThatFloatsCannotHold() {
        // Deviations 0, 0 and d from 1024: the mean 1024 + d / 3 rounds to 1024, about which the squares sum to d^2;
        // about the mean itself they sum to 2 d^2 / 3 (to the mean's own rounding in double, a part in 10^9).
        float d = 0x1p-13f;
        float[] v = {1024, 1024, 1024 + d};
        assertEquals(2.0 / 3 * d * d, sums.squaredDeviations(v, 0, 3, 1024 + d / 3.0), 1e-8 * d * d);
    }

    @Test
    void sumAndDotOfDifferencesInOnePass() {
        for (int n : LENGTHS) {
            float[] g = values(FROM + n + 3, 0, 1, 3);
            float[] x = values(FROM + n + 3, 1, 0.5, 4);
            double exactSum = 0;
            double sumMagnitudes = 0;
            double exactDot = 0;
            double dotMagnitudes = 0;
            for (int i = FROM; i < FROM + n; i++) {
                float term = g[i] * (x[i] - 1f);
                exactSum += g[i];
                sumMagnitudes += Math.abs(g[i]);
                exactDot += term;
                dotMagnitudes += Math.abs(term);
            }
            BlockSums.SumAndDot both = sums.sumAndDotOfDifferences(g, x, FROM, n, 1f);
            assertWithin("sum, n = " + n, exactSum, both.sum(), sumMagnitudes);
            assertWithin("dot, n = " + n, exactDot, both.dot(), dotMagnitudes);
        }
    }

    @Test
    void aSumBeyondTheIntegersAFloatHoldsIsExact() {
        // 17 * 2^21 = 35,651,584: one float accumulator stops counting every 17 exactly past 2^24.
        float[] v = new float[1 << 21];
        java.util.Arrays.fill(v, 17);
        assertEquals(17.0 * v.length, sums.sumOfDifferences(v, 0, v.length, 0));
    }

    @Test
    void nothingCarriesOverFromTheLastCall() {
        sums.sumAndDotOfDifferences(values(5000, 7, 3, 5), values(5000, 7, 3, 6), 0, 5000, 0);
        float[] v = {1, 2, 3, 100};
        assertEquals(5, sums.sumOfDifferences(v, 1, 2, 0));
        assertEquals(new BlockSums.SumAndDot(6, 14), sums.sumAndDotOfDifferences(v, v, 0, 3, 0));
    }

    private static void assertWithin(String what, double exact, double actual, double magnitudes) {
        double ulps = actual == exact ? 0 : Math.abs(actual - exact) / (FLOAT_EPSILON * magnitudes);
        assertTrue(ulps <= 1, what + ": off by " + ulps + " float ulps of the sum of magnitudes, expected at most 1");
    }

    /** n floats of location + spread * uniform(-1, 1). */
    private static float[] values(int n, double location, double spread, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (location + spread * (2 * random.nextDouble() - 1));
        }
        return v;
    }
}
