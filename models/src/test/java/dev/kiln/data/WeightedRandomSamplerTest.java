package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link WeightedRandomSampler}: the frequencies it draws with, checked against a binomial bound of 5 standard
 * deviations (a fixed seed, so the outcome is fixed too; the bound says how far from the expectation it may be),
 * its draws without replacement, and its refusals.
 */
class WeightedRandomSamplerTest {
    private static final double SIGMAS = 5;

    /** 900 examples of class 0, then 100 of class 1; features {index}. */
    private static ArrayDataset ninetyTen() {
        float[] features = new float[1000];
        long[] labels = new long[1000];
        for (int i = 0; i < 1000; i++) {
            features[i] = i;
            labels[i] = i < 900 ? 0 : 1;
        }
        return new ArrayDataset(features, labels, new int[] {1}, 2);
    }

    /** The share of class 1 among the labels of {@code epochs} epochs of {@code loader}. */
    private static double classOneShare(DataLoader loader, int epochs) {
        long ones = 0;
        long all = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            for (HostBatch b : loader.epoch(epoch)) {
                for (int i = 0; i < b.size(); i++) {
                    ones += b.labelData()[i];
                }
                all += b.size();
            }
        }
        return ones / (double) all;
    }

    /** {@value #SIGMAS} standard deviations of the share of successes in {@code n} draws of probability {@code p}. */
    private static double binomialBound(double p, long n) {
        return SIGMAS * Math.sqrt(p * (1 - p) / n);
    }

    private static double[] ones(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1);
        return w;
    }

    @Test
    void balancingClassesDrawsANinetyTenSetsClassesAboutEquallyOften() {
        ArrayDataset data = ninetyTen();
        DataLoader loader = new DataLoader(data, 100, false, 1).withSampler(WeightedRandomSampler.balancingClasses(data));
        assertEquals(1000, loader.examplesPerEpoch(), "an epoch as long as the data set");
        assertEquals(0.5, classOneShare(loader, 10), binomialBound(0.5, 10_000));
    }

    @Test
    void equalWeightsKeepTheNinetyTenImbalance() {
        ArrayDataset data = ninetyTen();
        DataLoader loader = new DataLoader(data, 100, false, 1).withSampler(new WeightedRandomSampler(ones(1000), 1000));
        assertEquals(0.1, classOneShare(loader, 10), binomialBound(0.1, 10_000));
    }

    @Test
    void balancingClassesWeighsEachExampleByOneOverItsClassCount() {
        double[] weights = WeightedRandomSampler.balancingClasses(ninetyTen()).weights();
        assertEquals(1.0 / 900, weights[0]);
        assertEquals(1.0 / 100, weights[999]);
    }

    @Test
    void eachIndexIsDrawnInProportionToItsWeightAndOneOfWeightZeroNever() {
        double[] weights = {1, 2, 0, 7};
        int n = 100_000;
        int[] drawn = new WeightedRandomSampler(weights, n).indices(3);
        long[] counts = new long[4];
        for (int i : drawn) {
            counts[i]++;
        }
        for (int i = 0; i < 4; i++) {
            double p = weights[i] / 10;
            assertEquals(p, counts[i] / (double) n, binomialBound(p, n), "index " + i + ": " + Arrays.toString(counts));
        }
        assertEquals(0, counts[2]);
    }

    @Test
    void theSameSeedDrawsTheSameIndicesAnotherSeedOthers() {
        WeightedRandomSampler sampler = new WeightedRandomSampler(new double[] {1, 2, 3, 4, 5}, 50);
        assertArrayEquals(sampler.indices(11), new WeightedRandomSampler(new double[] {1, 2, 3, 4, 5}, 50).indices(11));
        assertFalse(Arrays.equals(sampler.indices(11), sampler.indices(12)));
    }

    @Test
    void withoutReplacementAllOfThePositiveWeightsArePermuted() {
        int[] drawn = new WeightedRandomSampler(ones(50), 50, false).indices(4);
        assertArrayEquals(IntStream.range(0, 50).toArray(), Arrays.stream(drawn).sorted().toArray());
        assertFalse(Arrays.equals(IntStream.range(0, 50).toArray(), drawn), "a random order");
    }

    @Test
    void withoutReplacementFewerAreDistinctAndNeverOfWeightZero() {
        double[] weights = ones(50);
        weights[7] = 0;
        weights[30] = 0;
        for (long seed = 0; seed < 20; seed++) {
            int[] drawn = new WeightedRandomSampler(weights, 48, false).indices(seed);
            assertArrayEquals(IntStream.range(0, 50).filter(i -> i != 7 && i != 30).toArray(),
                    Arrays.stream(drawn).sorted().toArray(), "seed " + seed);
        }
    }

    @Test
    void withoutReplacementTheFirstDrawFollowsTheWeights() {
        int n = 20_000;
        int heavierFirst = 0;
        WeightedRandomSampler sampler = new WeightedRandomSampler(new double[] {1, 3}, 2, false);
        for (long seed = 0; seed < n; seed++) {
            heavierFirst += sampler.indices(seed)[0];
        }
        assertEquals(0.75, heavierFirst / (double) n, binomialBound(0.75, n));
    }

    @Test
    void aNegativeWeightIsRefusedNamingItsIndexAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightedRandomSampler(new double[] {1, -0.5, 2}, 3));
        assertEquals("WeightedRandomSampler: weight 1 is -0.5; every weight must be finite and at least 0", e.getMessage());
    }

    @Test
    void aNaNOrInfiniteWeightIsRefusedNamingItsIndexAndValue() {
        assertEquals("WeightedRandomSampler: weight 2 is NaN; every weight must be finite and at least 0",
                assertThrows(IllegalArgumentException.class,
                        () -> new WeightedRandomSampler(new double[] {1, 2, Double.NaN}, 3)).getMessage());
        assertEquals("WeightedRandomSampler: weight 0 is Infinity; every weight must be finite and at least 0",
                assertThrows(IllegalArgumentException.class,
                        () -> new WeightedRandomSampler(new double[] {Double.POSITIVE_INFINITY}, 3)).getMessage());
    }

    @Test
    void allZeroOrNoWeightsAreRefused() {
        assertEquals("WeightedRandomSampler: all 3 weights are 0: nothing to draw",
                assertThrows(IllegalArgumentException.class,
                        () -> new WeightedRandomSampler(new double[] {0, 0, 0}, 3)).getMessage());
        assertEquals("WeightedRandomSampler: weights is empty: nothing to draw",
                assertThrows(IllegalArgumentException.class,
                        () -> new WeightedRandomSampler(new double[0], 3)).getMessage());
    }

    @Test
    void numSamplesBelowOneIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightedRandomSampler(ones(3), 0));
        assertEquals("WeightedRandomSampler: numSamples must be at least 1, got 0", e.getMessage());
    }

    @Test
    void withoutReplacementMoreThanThePositiveWeightsIsRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightedRandomSampler(new double[] {1, 0, 2, 0}, 3, false));
        assertEquals("WeightedRandomSampler: without replacement numSamples 3 exceeds the 2 weights above 0 (of 4)",
                e.getMessage());
    }

    @Test
    void balancingClassesRefusesALabelOutsideTheClassesNamingTheExample() {
        Dataset mislabelled = new Dataset() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public int[] featureShape() {
                return new int[] {1};
            }

            @Override
            public void copyFeatures(int index, float[] dst, int offset) {
                dst[offset] = index;
            }

            @Override
            public long label(int index) {
                return index == 2 ? 5 : 0;
            }

            @Override
            public int classes() {
                return 2;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightedRandomSampler.balancingClasses(mislabelled));
        assertEquals("WeightedRandomSampler.balancingClasses: label 5 of example 2 is outside [0, 2)", e.getMessage());
    }

    @Test
    void balancingClassesRefusesAnEmptyDataSet() {
        ArrayDataset empty = new ArrayDataset(new float[0], new long[0], new int[] {1}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightedRandomSampler.balancingClasses(empty));
        assertEquals("WeightedRandomSampler.balancingClasses: the data set is empty", e.getMessage());
    }
}
