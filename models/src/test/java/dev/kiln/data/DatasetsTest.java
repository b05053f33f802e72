package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetsTest {
    private static ArrayDataset numbered(int n) {
        float[] f = new float[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
            l[i] = i % 3;
        }
        return new ArrayDataset(f, l, new int[] {1}, 3);
    }

    private static Set<Integer> ids(Dataset d) {
        Set<Integer> s = new HashSet<>();
        float[] one = new float[1];
        for (int i = 0; i < d.size(); i++) {
            d.copyFeatures(i, one, 0);
            assertEquals((int) one[0] % 3, d.label(i));
            assertTrue(s.add((int) one[0]), "repeated example " + one[0]);
        }
        return s;
    }

    @Test
    void splitIsASeededPartition() {
        ArrayDataset data = numbered(100);
        Datasets.Split s = Datasets.split(data, 0.8, 5);
        assertEquals(80, s.first().size());
        assertEquals(20, s.second().size());
        Set<Integer> first = ids(s.first());
        Set<Integer> second = ids(s.second());
        first.retainAll(second);
        assertTrue(first.isEmpty(), "parts overlap");
        Set<Integer> all = ids(s.first());
        all.addAll(second);
        assertEquals(100, all.size());
        assertArrayEquals(s.first().indices(), Datasets.split(data, 0.8, 5).first().indices());
        assertFalse(Arrays.equals(s.first().indices(), Datasets.split(data, 0.8, 6).first().indices()));
        assertEquals(0, Datasets.split(data, 0, 5).first().size());
        assertEquals(100, Datasets.split(data, 1, 5).first().size());
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(data, 1.5, 5));
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(data, Double.NaN, 5));
        assertArrayEquals(new int[] {1}, s.first().featureShape());
        assertEquals(3, s.second().classes());
    }

    @Test
    void randomSplitPartsHaveTheGivenSizesAndPartitionTheData() {
        ArrayDataset data = numbered(20);
        List<Subset> parts = Datasets.randomSplit(data, new int[] {5, 0, 12, 3}, 9);
        assertEquals(List.of(5, 0, 12, 3), parts.stream().map(Subset::size).toList());
        Set<Integer> all = new HashSet<>();
        for (Subset part : parts) {
            for (int id : ids(part)) {
                assertTrue(all.add(id), "example " + id + " is in two parts");
            }
        }
        assertEquals(20, all.size());
    }

    @Test
    void randomSplitIsRepeatableForASeedAndDiffersForAnother() {
        ArrayDataset data = numbered(50);
        List<Subset> a = Datasets.randomSplit(data, new int[] {30, 20}, 3);
        List<Subset> b = Datasets.randomSplit(data, new int[] {30, 20}, 3);
        List<Subset> c = Datasets.randomSplit(data, new int[] {30, 20}, 4);
        assertArrayEquals(a.get(0).indices(), b.get(0).indices());
        assertArrayEquals(a.get(1).indices(), b.get(1).indices());
        assertFalse(Arrays.equals(a.get(0).indices(), c.get(0).indices()));
    }

    @Test
    void randomSplitByFractionsGivesPyTorchsSizes() {
        // torch.utils.data.random_split(range(n), fractions), PyTorch 1.13 (models/src/test/pytorch/random_split.py)
        assertSizes(10, new double[] {0.3, 0.3, 0.4}, 3, 3, 4);
        assertSizes(11, new double[] {0.3, 0.3, 0.4}, 4, 3, 4);
        assertSizes(7, new double[] {0.5, 0.25, 0.25}, 4, 2, 1);
        assertSizes(3, new double[] {0.25, 0.25, 0.25, 0.25}, 1, 1, 1, 0);
        assertSizes(100, new double[] {0.7, 0.2, 0.1}, 70, 20, 10);
        assertSizes(10, new double[] {0.1, 0.2, 0.7}, 1, 2, 7);
        assertSizes(10, new double[] {0.5, 0.499999999999}, 6, 4);
        assertSizes(10, new double[] {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void randomSplitRefusesFractionsAddingUpToAHairOverOneAsPyTorchDoes() {
        // torch.utils.data.random_split refuses them, PyTorch 1.13 (models/src/test/pytorch/random_split.py)
        assertRefused(10, new double[] {0.5, 0.500000000001});
        assertRefused(10, new double[] {0.5, 0.5000000000000003});
    }

    private static void assertRefused(int n, double[] fractions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(numbered(n), fractions, 1));
        assertEquals("randomSplit: the fractions " + Arrays.toString(fractions) + " add up to "
                + (fractions[0] + fractions[1]) + ", not 1 or a hair under it", e.getMessage());
    }

    private static void assertSizes(int n, double[] fractions, int... expected) {
        List<Subset> parts = Datasets.randomSplit(numbered(n), fractions, 1);
        assertArrayEquals(expected, parts.stream().mapToInt(Subset::size).toArray(),
                n + " examples by " + Arrays.toString(fractions));
    }

    @Test
    void randomSplitRefusesLengthsThatDoNotAddUpToTheSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(numbered(10), new int[] {3, 6}, 1));
        assertEquals("randomSplit: the lengths [3, 6] add up to 9, not the data set's size 10", e.getMessage());
    }

    @Test
    void randomSplitRefusesANegativeLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(numbered(10), new int[] {11, -1}, 1));
        assertEquals("randomSplit: length 1 must be >= 0, got -1", e.getMessage());
    }

    @Test
    void randomSplitRefusesFractionsThatDoNotAddUpToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(numbered(10), new double[] {0.5, 0.4}, 1));
        assertEquals("randomSplit: the fractions [0.5, 0.4] add up to 0.9, not 1 or a hair under it",
                e.getMessage());
    }

    @Test
    void randomSplitRefusesAFractionOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(numbered(10), new double[] {1.5, -0.5}, 1));
        assertEquals("randomSplit: fraction 0 must be in [0, 1], got 1.5", e.getMessage());
    }

    @Test
    void takeIsASeededSampleWithoutRepeats() {
        ArrayDataset data = numbered(50);
        Subset t = Datasets.take(data, 10, 9);
        assertEquals(10, t.size());
        assertEquals(10, ids(t).size());
        assertArrayEquals(t.indices(), Datasets.take(data, 10, 9).indices());
        assertNotEquals(Arrays.toString(t.indices()), Arrays.toString(Datasets.take(data, 10, 10).indices()));
        assertEquals(50, ids(Datasets.take(data, 50, 1)).size());
        assertThrows(IllegalArgumentException.class, () -> Datasets.take(data, 51, 1));
        assertThrows(IllegalArgumentException.class, () -> Datasets.take(data, -1, 1));
    }

    @Test
    void perClassTakesTheSameNumberOfEachClassSeeded() {
        ArrayDataset data = numbered(100);
        Subset s = Datasets.perClass(data, 7, 5);
        assertEquals(21, s.size());
        int[] counts = new int[3];
        for (int i = 0; i < s.size(); i++) {
            counts[(int) s.label(i)]++;
        }
        assertArrayEquals(new int[] {7, 7, 7}, counts);
        assertEquals(21, ids(s).size(), "no example twice");
        assertArrayEquals(s.indices(), Datasets.perClass(data, 7, 5).indices());
        assertFalse(Arrays.equals(s.indices(), Datasets.perClass(data, 7, 6).indices()));
        Set<Long> firstLabels = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            firstLabels.add(s.label(i));
        }
        assertTrue(firstLabels.size() > 1, "classes are mixed, not in blocks");
    }

    @Test
    void perClassBeyondAClassesSizeNamesTheClass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.perClass(numbered(10), 4, 1));
        assertTrue(e.getMessage().contains("class 1 has only 3") && e.getMessage().contains("4 asked"), e.getMessage());
    }

    @Test
    void firstFeaturesAreTheFirstExamplesRowsInOrder() {
        ArrayDataset data = new ArrayDataset(new float[] {1, 2, 3, 4, 5, 6}, new long[] {0, 1, 2}, new int[] {2}, 3);
        assertArrayEquals(new float[] {1, 2, 3, 4}, Datasets.firstFeatures(data, 2));
    }

    @Test
    void permutationIsAPermutationAndStable() {
        for (int n : new int[] {0, 1, 2, 17, 1000}) {
            int[] p = Datasets.permutation(n, 123);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
        }
        // Fixed forever: a changed shuffle would silently change every seeded run.
        assertArrayEquals(Datasets.permutation(10, 1), Datasets.permutation(10, 1));
    }

    @Test
    void subsetOfSubsetAndChecks() {
        ArrayDataset data = numbered(10);
        Subset s = new Subset(new Subset(data, new int[] {9, 8, 7}), new int[] {2, 0});
        float[] f = new float[2];
        s.copyFeatures(0, f, 0);
        s.copyFeatures(1, f, 1);
        assertArrayEquals(new float[] {7, 9}, f);
        assertThrows(IllegalArgumentException.class, () -> new Subset(data, new int[] {10}));
        assertThrows(IndexOutOfBoundsException.class, () -> s.label(2));
    }

    @Test
    void arrayDatasetChecksItsArrays() {
        assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[5], new long[2], new int[] {2}, 3));
        assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[4], new long[] {0, 3}, new int[] {2}, 3));
        ArrayDataset d = new ArrayDataset(new float[] {1, 2, 3, 4, 5, 6}, new long[] {1, 0}, new int[] {1, 3}, 2);
        assertEquals(3, d.featureSize());
        float[] dst = new float[5];
        d.copyFeatures(1, dst, 2);
        assertArrayEquals(new float[] {0, 0, 4, 5, 6}, dst);
    }

    @Test
    void lengthBatchesHoldEveryItemOnceInRunsOfNonDecreasingLength() {
        List<String> words = List.of("aaa", "b", "cc", "dddd", "e", "ff", "ggg");
        List<List<String>> batches = Datasets.lengthBatches(words, String::length, 3, 4);
        assertEquals(List.of(3, 3, 1), batches.stream().map(List::size).toList());
        List<String> flat = batches.stream().flatMap(List::stream).toList();
        assertEquals(new HashSet<>(words), new HashSet<>(flat));
        for (int i = 1; i < flat.size(); i++) {
            assertTrue(flat.get(i - 1).length() <= flat.get(i).length(), "sorted by length: " + flat);
        }
    }

    @Test
    void sampleTakesASeededSubsetOrEverything() {
        List<Integer> items = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(items, Datasets.sample(items, 0, 1));
        assertEquals(items, Datasets.sample(items, 10, 1));
        List<Integer> three = Datasets.sample(items, 3, 1);
        assertEquals(3, new HashSet<>(three).size());
        assertEquals(three, Datasets.sample(items, 3, 1), "same seed, same subset");
    }
}
