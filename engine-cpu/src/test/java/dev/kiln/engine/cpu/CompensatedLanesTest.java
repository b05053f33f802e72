package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CompensatedLanes} against the same sums in double of the same float terms (exact to far below a float ulp
 * at these lengths): within 2 float ulps of the sum of the terms' magnitudes, at lengths below, at and beyond
 * {@link CompensatedLanes#LANES}; one float accumulator over the 100,003 squares here was off by 83 ulps.
 */
class CompensatedLanesTest {
    private static final int[] LENGTHS = {1, 7, CompensatedLanes.LANES, CompensatedLanes.LANES + 1, 100_003};
    private static final double FLOAT_EPSILON = Math.ulp(1f);

    private final CompensatedLanes lanes = new CompensatedLanes();

    @Test
    void sumOfDifferencesFromAPivotNearTheValues() {
        for (int n : LENGTHS) {
            float[] v = values(n, 1000, 0.01, 1);
            float pivot = v[0];
            double exact = 0;
            double magnitudes = 0;
            for (float x : v) {
                exact += x - pivot;
                magnitudes += Math.abs(x - pivot);
            }
            assertWithin("sum of differences, n = " + n, exact, lanes.sumOfDifferences(v, n, pivot), magnitudes);
        }
    }

    @Test
    void sumOfSquaredDifferences() {
        for (int n : LENGTHS) {
            float[] v = values(n, 3, 2, 2);
            double exact = 0;
            for (float x : v) {
                float d = x - 2.5f;
                exact += d * d;
            }
            assertWithin("sum of squares, n = " + n, exact, lanes.sumOfSquaredDifferences(v, n, 2.5f), exact);
        }
    }

    @Test
    void dotOfDifferences() {
        for (int n : LENGTHS) {
            float[] g = values(n, 0, 1, 3);
            float[] x = values(n, 1, 0.5, 4);
            double exact = 0;
            double magnitudes = 0;
            for (int i = 0; i < n; i++) {
                float term = g[i] * (x[i] - 1f);
                exact += term;
                magnitudes += Math.abs(term);
            }
            assertWithin("dot, n = " + n, exact, lanes.dotOfDifferences(g, x, n, 1f), magnitudes);
        }
    }

    @Test
    void foldingTheLanesLosesNoRoundingOfTheirSums() {
        // 4 * LANES values fill every lane with four: lane j < 512 sums to 2^26, lane j + 512 to 4, which their float
        // sum rounds away when the lanes fold.
        int width = CompensatedLanes.LANES;
        float[] v = new float[4 * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % width < width / 2 ? 0x1p24f : 1;
        }
        assertEquals(width / 2 * (0x1p26 + 4), lanes.sumOfDifferences(v, v.length, 0));
    }

    @Test
    void onlyTheFirstNValuesCountAndNothingCarriesOverFromTheLastCall() {
        float[] v = {1, 2, 3, 100};
        lanes.sumOfDifferences(values(5000, 7, 3, 5), 5000, 0);
        assertEquals(6, lanes.sumOfDifferences(v, 3, 0));
    }

    private static void assertWithin(String what, double exact, double actual, double magnitudes) {
        double ulps = actual == exact ? 0 : Math.abs(actual - exact) / (FLOAT_EPSILON * magnitudes);
        assertTrue(ulps <= 2, what + ": off by " + ulps + " float ulps of the sum of magnitudes, expected at most 2");
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
