package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link RandomSampler}: permutations without replacement, uniform draws with it (frequencies within 5 binomial
 * standard deviations, for a fixed seed), all from the seed alone, and its refusals.
 */
class RandomSamplerTest {
    private static int[] sorted(int[] values) {
        int[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void withoutReplacementAnEpochIsAPermutation() {
        RandomSampler sampler = new RandomSampler(DataLoaderTest.numbered(50));
        assertEquals(50, sampler.size());
        assertFalse(sampler.replacement());
        int[] drawn = sampler.indices(9);
        assertArrayEquals(range(50), sorted(drawn));
        assertFalse(Arrays.equals(range(50), drawn), "a permutation that is no shuffle at all would be suspicious");
    }

    @Test
    void theSameSeedDrawsTheSameIndicesAnotherSeedOthers() {
        RandomSampler sampler = new RandomSampler(40, false, 40);
        assertArrayEquals(sampler.indices(3), new RandomSampler(40, false, 40).indices(3));
        assertFalse(Arrays.equals(sampler.indices(3), sampler.indices(4)));
        RandomSampler withReplacement = new RandomSampler(40, true, 40);
        assertArrayEquals(withReplacement.indices(3), new RandomSampler(40, true, 40).indices(3));
        assertFalse(Arrays.equals(withReplacement.indices(3), withReplacement.indices(4)));
    }

    @Test
    void aLoaderWithItVisitsWhatAShufflingLoaderVisits() {
        ArrayDataset data = DataLoaderTest.numbered(60);
        DataLoader sampled = new DataLoader(data, 8, false, 11).withSampler(new RandomSampler(data));
        DataLoader shuffled = new DataLoader(data, 8, true, 11);
        for (int epoch = 0; epoch < 3; epoch++) {
            assertArrayEquals(shuffled.order(epoch), sampled.order(epoch), "epoch " + epoch);
        }
    }

    @Test
    void withoutReplacementMoreSamplesThanExamplesAreWholePermutationsThenPartOfOne() {
        int[] drawn = new RandomSampler(10, false, 25).indices(5);
        assertEquals(25, drawn.length);
        int[] first = Arrays.copyOfRange(drawn, 0, 10);
        int[] second = Arrays.copyOfRange(drawn, 10, 20);
        assertArrayEquals(range(10), sorted(first));
        assertArrayEquals(range(10), sorted(second));
        assertFalse(Arrays.equals(first, second), "each permutation drawn anew");
        assertEquals(5, Arrays.stream(drawn, 20, 25).distinct().count(), "the last five without a repeat");
    }

    @Test
    void withoutReplacementFewerSamplesThanExamplesNeverRepeat() {
        int[] drawn = new RandomSampler(100, false, 30).indices(2);
        assertEquals(30, drawn.length);
        assertEquals(30, Arrays.stream(drawn).distinct().count());
        assertTrue(Arrays.stream(drawn).allMatch(i -> i >= 0 && i < 100));
    }

    @Test
    void withReplacementEveryExampleIsDrawnAboutEquallyOften() {
        int n = 10;
        int draws = 20_000;
        RandomSampler sampler = new RandomSampler(n, true, draws);
        assertTrue(sampler.replacement());
        int[] counts = new int[n];
        for (int i : sampler.indices(1)) {
            counts[i]++;
        }
        double p = 1.0 / n;
        double bound = 5 * Math.sqrt(p * (1 - p) / draws);
        for (int i = 0; i < n; i++) {
            assertEquals(p, counts[i] / (double) draws, bound, "share of index " + i);
        }
    }

    @Test
    void withReplacementAnIndexComesUpAgain() {
        int[] drawn = new RandomSampler(100, true, 100).indices(3);
        assertTrue(Arrays.stream(drawn).distinct().count() < 100, "100 draws of 100 without a repeat");
    }

    @Test
    void aSampledEpochResumedPartWayGivesTheRestOfTheUninterruptedOne() {
        ArrayDataset data = DataLoaderTest.numbered(90);
        DataLoader loader = new DataLoader(data, 8, false, 5).withSampler(new RandomSampler(90, true, 70));
        List<Float> full = firstFeatures(loader.epoch(2));
        List<Float> tail = firstFeatures(loader.epoch(2, 3));
        assertEquals(full.subList(24, 70), tail);
    }

    private static List<Float> firstFeatures(Iterable<HostBatch> batches) {
        List<Float> features = new ArrayList<>();
        for (HostBatch b : batches) {
            for (int i = 0; i < b.size(); i++) {
                features.add(b.featureData()[2 * i]);
            }
        }
        return features;
    }

    @Test
    void refusesAnEmptyDataSet() {
        ArrayDataset empty = new ArrayDataset(new float[0], new long[0], new int[] {2}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomSampler(empty));
        assertEquals("RandomSampler: dataSize must be at least 1, got 0: nothing to draw", e.getMessage());
    }

    @Test
    void refusesFewerThanOneSample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomSampler(10, true, 0));
        assertEquals("RandomSampler: numSamples must be at least 1, got 0", e.getMessage());
    }
}
