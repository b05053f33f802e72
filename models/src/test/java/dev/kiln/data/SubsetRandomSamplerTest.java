package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SubsetRandomSampler}: a seeded permutation of the indices given, and its refusals. */
class SubsetRandomSamplerTest {
    private static final int[] SUBSET = {3, 17, 4, 40, 22, 9, 31, 4};

    private static int[] sorted(int[] values) {
        int[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    @Test
    void anEpochVisitsEachGivenIndexAsOftenAsGiven() {
        SubsetRandomSampler sampler = new SubsetRandomSampler(SUBSET);
        assertEquals(8, sampler.size());
        int[] drawn = sampler.indices(6);
        assertArrayEquals(sorted(SUBSET), sorted(drawn));
    }

    @Test
    void theSameSeedGivesTheSameOrderAnotherSeedAnother() {
        SubsetRandomSampler sampler = new SubsetRandomSampler(SUBSET);
        assertArrayEquals(sampler.indices(1), new SubsetRandomSampler(SUBSET).indices(1));
        assertFalse(Arrays.equals(sampler.indices(1), sampler.indices(2)));
    }

    @Test
    void theOrderIsTheSeedsPermutationOfTheIndices() {
        int[] permutation = Datasets.permutation(SUBSET.length, 77);
        int[] drawn = new SubsetRandomSampler(SUBSET).indices(77);
        for (int i = 0; i < drawn.length; i++) {
            assertEquals(SUBSET[permutation[i]], drawn[i], "position " + i);
        }
    }

    @Test
    void aLoaderWithItVisitsOnlyTheSubset() {
        ArrayDataset data = DataLoaderTest.numbered(50);
        DataLoader loader = new DataLoader(data, 3, false, 2).withSampler(new SubsetRandomSampler(SUBSET));
        assertEquals(3, loader.batchesPerEpoch());
        List<Integer> seen = new ArrayList<>();
        loader.epoch(0).forEach(b -> {
            for (int i = 0; i < b.size(); i++) {
                seen.add((int) b.featureData()[2 * i]);
            }
        });
        assertArrayEquals(sorted(SUBSET), sorted(seen.stream().mapToInt(Integer::intValue).toArray()));
    }

    @Test
    void keepsACopyOfTheIndices() {
        int[] given = SUBSET.clone();
        SubsetRandomSampler sampler = new SubsetRandomSampler(given);
        given[0] = 1000;
        assertArrayEquals(SUBSET, sampler.subset());
    }

    @Test
    void noIndicesDrawNothing() {
        assertArrayEquals(new int[0], new SubsetRandomSampler(new int[0]).indices(5));
    }

    @Test
    void refusesANegativeIndexNamingItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SubsetRandomSampler(new int[] {2, 5, -3}));
        assertEquals("SubsetRandomSampler: index -3 at position 2 is negative; every index must be an example of the"
                + " data set, at least 0", e.getMessage());
    }
}
