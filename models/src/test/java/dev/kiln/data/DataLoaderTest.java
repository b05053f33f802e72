package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** n examples of shape [2]: features {i, -i}, label i % 7. */
    static ArrayDataset numbered(int n) {
        float[] f = new float[2 * n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            f[2 * i] = i;
            f[2 * i + 1] = -i;
            l[i] = i % 7;
        }
        return new ArrayDataset(f, l, new int[] {2}, 7);
    }

    /** The example indices of one epoch in visiting order, checking features and labels on the way. */
    private static List<Integer> visit(DataLoader loader, int epoch) {
        List<Integer> seen = new ArrayList<>();
        for (HostBatch b : loader.epoch(epoch)) {
            for (int i = 0; i < b.size(); i++) {
                int index = (int) b.featureData()[2 * i];
                assertEquals(-index, b.featureData()[2 * i + 1]);
                assertEquals(index % 7, b.labelData()[i]);
                seen.add(index);
            }
        }
        return seen;
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(DataLoader.THREAD_NAME)).count();
    }

    @AfterEach
    void noThreadLeft() throws InterruptedException {
        for (int i = 0; i < 100 && loaderThreads() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, loaderThreads(), "a prefetch thread is still running");
    }

    @Test
    void everyIndexExactlyOncePerEpochAndLastPartialBatchKept() {
        DataLoader loader = new DataLoader(numbered(103), 10, true, 42);
        assertEquals(11, loader.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        for (HostBatch b : loader.epoch(0)) {
            sizes.add(b.size());
            assertArrayEquals(new int[] {2}, b.featureShape());
        }
        assertEquals(List.of(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3), sizes);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> seen = visit(loader, epoch);
            assertEquals(103, seen.size());
            int[] sorted = seen.stream().mapToInt(Integer::intValue).sorted().toArray();
            for (int i = 0; i < 103; i++) {
                assertEquals(i, sorted[i]);
            }
        }
    }

    @Test
    void sameSeedAndEpochSameOrderOtherEpochOrSeedOtherOrder() {
        ArrayDataset data = numbered(200);
        DataLoader a = new DataLoader(data, 16, true, 7);
        DataLoader b = new DataLoader(data, 16, true, 7);
        assertEquals(visit(a, 3), visit(b, 3));
        assertEquals(visit(a, 3), visit(a, 3));
        assertArrayEquals(a.order(3), visit(a, 3).stream().mapToInt(Integer::intValue).toArray());
        assertNotEquals(visit(a, 3), visit(a, 4));
        assertNotEquals(visit(a, 3), visit(new DataLoader(data, 16, true, 8), 3));
        // An order that is not a shuffle at all would be suspicious.
        List<Integer> identity = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            identity.add(i);
        }
        assertNotEquals(identity, visit(a, 0));
    }

    @Test
    void withoutShuffleIndexOrder() {
        DataLoader loader = new DataLoader(numbered(25), 4, false, 7);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add(i);
        }
        assertEquals(expected, visit(loader, 0));
        assertEquals(expected, visit(loader, 5));
    }

    @Test
    void resumingPartWayGivesTheSameRemainingBatches() {
        DataLoader loader = new DataLoader(numbered(50), 8, true, 3);
        List<Integer> full = visit(loader, 2);
        List<Integer> tail = new ArrayList<>();
        for (HostBatch b : loader.epoch(2, 4)) {
            for (int i = 0; i < b.size(); i++) {
                tail.add((int) b.featureData()[2 * i]);
            }
        }
        assertEquals(full.subList(32, 50), tail);
        assertFalse(loader.epoch(2, loader.batchesPerEpoch()).iterator().hasNext());
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(2, loader.batchesPerEpoch() + 1));
    }

    @Test
    void dropLastDropsOnlyTheLastPartialBatch() {
        DataLoader loader = new DataLoader(numbered(103), 10, true, 42).withDropLast(true);
        assertEquals(10, loader.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        loader.epoch(1).forEach(b -> sizes.add(b.size()));
        assertEquals(List.of(10, 10, 10, 10, 10, 10, 10, 10, 10, 10), sizes);
        int[] order = loader.order(1);
        assertEquals(Arrays.stream(order).limit(100).boxed().toList(), visit(loader, 1),
                "the first 100 of the epoch's permutation, the 3 after them dropped");
    }

    @Test
    void dropLastKeepsAnEpochThatFillsItsBatches() {
        DataLoader loader = new DataLoader(numbered(100), 10, false, 42).withDropLast(true);
        assertEquals(10, loader.batchesPerEpoch());
        assertEquals(100, visit(loader, 0).size());
    }

    @Test
    void dropLastResumesPartWayAsAFullIterationContinues() {
        DataLoader loader = new DataLoader(numbered(50), 8, true, 3).withDropLast(true);
        List<Integer> tail = new ArrayList<>();
        for (HostBatch b : loader.epoch(2, 4)) {
            for (int i = 0; i < b.size(); i++) {
                tail.add((int) b.featureData()[2 * i]);
            }
        }
        assertEquals(visit(loader, 2).subList(32, 48), tail);
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(2, 7));
    }

    @Test
    void dropLastRefusesADataSetSmallerThanOneBatch() {
        DataLoader loader = new DataLoader(numbered(20), 32, true, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loader.withDropLast(true));
        assertEquals("DataLoader: dropLast with batchSize 32 would drop all 20 examples of every epoch, leaving no"
                + " batch; give a batchSize of at most 20 or keep the partial batch", e.getMessage());
    }

    @Test
    void anEpochWithASamplerHasTheSamplersLengthAndVisitsItsDraws() {
        Sampler everyThird = new Sampler() {
            @Override
            public int size() {
                return 25;
            }

            @Override
            public int[] indices(long seed) {
                return IntStream.range(0, 25).map(i -> 3 * i).toArray();
            }
        };
        DataLoader loader = new DataLoader(numbered(100), 10, false, 1).withSampler(everyThird);
        assertEquals(25, loader.examplesPerEpoch());
        assertEquals(3, loader.batchesPerEpoch());
        assertEquals(IntStream.range(0, 25).map(i -> 3 * i).boxed().toList(), visit(loader, 0));
        assertEquals(2, loader.withDropLast(true).batchesPerEpoch());
    }

    @Test
    void aSampledEpochIsTheSameForTwoLoadersAndOtherForAnotherEpochOrSeed() {
        ArrayDataset data = numbered(200);
        DataLoader a = new DataLoader(data, 16, false, 7).withSampler(WeightedRandomSampler.balancingClasses(data));
        DataLoader b = new DataLoader(data, 16, false, 7).withSampler(WeightedRandomSampler.balancingClasses(data));
        assertEquals(visit(a, 3), visit(b, 3));
        assertArrayEquals(a.order(3), visit(a, 3).stream().mapToInt(Integer::intValue).toArray());
        assertNotEquals(visit(a, 3), visit(a, 4));
        DataLoader otherSeed = new DataLoader(data, 16, false, 8).withSampler(WeightedRandomSampler.balancingClasses(data));
        assertNotEquals(visit(a, 3), visit(otherSeed, 3));
    }

    @Test
    void aSampledEpochResumedAtBatchKGivesTheBatchesOfTheUninterruptedOne() {
        ArrayDataset data = numbered(90);
        double[] weights = new double[90];
        Arrays.fill(weights, 1);
        DataLoader loader = new DataLoader(data, 8, false, 5).withSampler(new WeightedRandomSampler(weights, 60, false));
        List<Integer> full = visit(loader, 2);
        DataLoader resumed = new DataLoader(data, 8, false, 5).withSampler(new WeightedRandomSampler(weights, 60, false));
        List<Integer> tail = new ArrayList<>();
        for (HostBatch b : resumed.epoch(2, 3)) {
            for (int i = 0; i < b.size(); i++) {
                tail.add((int) b.featureData()[2 * i]);
            }
        }
        assertEquals(full.subList(24, 60), tail);
    }

    @Test
    void aSamplerIsRefusedWithShuffle() {
        ArrayDataset data = numbered(10);
        DataLoader shuffled = new DataLoader(data, 4, true, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shuffled.withSampler(WeightedRandomSampler.balancingClasses(data)));
        assertEquals("DataLoader: a sampler decides the order, so it cannot be combined with shuffle; build the loader"
                + " with shuffle false", e.getMessage());
    }

    @Test
    void aSamplerDrawingBeyondTheDataSetIsRefusedNamingTheIndex() {
        DataLoader loader = new DataLoader(numbered(10), 4, false, 1)
                .withSampler(new WeightedRandomSampler(new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loader.epoch(0).iterator());
        assertEquals("DataLoader: the sampler drew index 11 (position 0 of epoch 0), outside the data set's [0, 10)",
                e.getMessage());
    }

    @Test
    void emptyDataSetGivesNoBatches() {
        DataLoader loader = new DataLoader(new ArrayDataset(new float[0], new long[0], new int[] {3}, 2), 4, true, 1);
        assertEquals(0, loader.batchesPerEpoch());
        assertFalse(loader.epoch(0).iterator().hasNext());
    }

    @Test
    void prefetchErrorSurfacesOnTheConsumerWithItsCause() {
        ArrayDataset base = numbered(40);
        IllegalStateException boom = new IllegalStateException("disk on fire");
        Dataset broken = new Dataset() {
            @Override
            public int size() {
                return base.size();
            }

            @Override
            public int[] featureShape() {
                return base.featureShape();
            }

            @Override
            public void copyFeatures(int index, float[] dst, int offset) {
                if (index == 25) {
                    throw boom;
                }
                base.copyFeatures(index, dst, offset);
            }

            @Override
            public long label(int index) {
                return base.label(index);
            }

            @Override
            public int classes() {
                return base.classes();
            }
        };
        DataLoader loader = new DataLoader(broken, 5, false, 0);
        DataLoader.BatchIterator it = loader.epoch(0).iterator();
        int batches = 0;
        RuntimeException e = null;
        try {
            while (it.hasNext()) {
                it.next();
                batches++;
            }
        } catch (RuntimeException thrown) {
            e = thrown;
        }
        assertEquals(5, batches, "the five batches before the failing one arrive");
        assertTrue(e != null, "the failure surfaced");
        assertSame(boom, e.getCause());
        assertTrue(e.getMessage().contains("batch 5"), e.getMessage());
        assertFalse(it.hasNext(), "a failed iteration is over");
    }

    @Test
    void noThreadLeftRunningAfterAnEpochCompletes() {
        DataLoader loader = new DataLoader(numbered(64), 8, true, 1);
        for (int epoch = 0; epoch < 5; epoch++) {
            int n = 0;
            for (HostBatch b : loader.epoch(epoch)) {
                n += b.size();
                assertTrue(loaderThreads() <= 1, "at most one prefetch thread per iteration");
            }
            assertEquals(64, n);
            assertEquals(0, loaderThreads(), "thread of epoch " + epoch + " still running");
        }
    }

    @Test
    void closingEarlyStopsTheThreadAndLaterUseFails() {
        DataLoader loader = new DataLoader(numbered(1000), 2, true, 1);
        DataLoader.BatchIterator it = loader.epoch(0).iterator();
        try (it) {
            it.next();
            it.next();
        }
        assertEquals(0, loaderThreads());
        assertThrows(IllegalStateException.class, it::hasNext);
    }

    @Test
    void aNewIterationStopsAnAbandonedOne() {
        DataLoader loader = new DataLoader(numbered(1000), 2, true, 1);
        DataLoader.BatchIterator first = loader.epoch(0).iterator();
        first.next();
        assertEquals(1, visit(loader, 1).size() / 1000);
        assertThrows(IllegalStateException.class, first::hasNext);
        loader.close();
    }

    @Test
    void closingTheLoaderStopsItsIteration() throws InterruptedException {
        DataLoader loader = new DataLoader(numbered(1000), 2, true, 1);
        DataLoader.BatchIterator it = loader.epoch(0).iterator();
        it.next();
        loader.close();
        assertEquals(0, loaderThreads());
        assertThrows(IllegalStateException.class, it::hasNext);
    }

    @Test
    void anAbandonedIteratorStopsItsThreadWhenCollected() throws InterruptedException {
        DataLoader loader = new DataLoader(numbered(1000), 2, true, 1);
        startAndDrop(loader);
        for (int i = 0; i < 200 && loaderThreads() > 0; i++) {
            System.gc();
            Thread.sleep(25);
        }
        assertEquals(0, loaderThreads());
    }

    private static void startAndDrop(DataLoader loader) {
        var it = loader.epoch(0).iterator();
        it.next();
    }

    @Test
    void batchTensorsHaveTheBatchShape() {
        DataLoader loader = new DataLoader(numbered(10), 4, false, 0);
        List<HostBatch> batches = new ArrayList<>();
        loader.epoch(0).forEach(batches::add);
        try (Scope s = Scope.open()) {
            Tensor x = batches.get(2).features();
            Tensor y = batches.get(2).labels();
            assertEquals(DType.F32, x.dtype());
            assertArrayEquals(new int[] {2, 2}, x.shape().dims());
            assertArrayEquals(new float[] {8, -8, 9, -9}, x.toFloatArray());
            assertEquals(DType.I64, y.dtype());
            assertArrayEquals(new long[] {1, 2}, y.toLongArray());
        }
    }

    @Test
    void hostBatchChecksItsSizes() {
        assertThrows(IllegalArgumentException.class, () -> new HostBatch(new float[5], new long[2], 2, new int[] {2}));
        assertThrows(IllegalArgumentException.class, () -> new HostBatch(new float[4], new long[3], 2, new int[] {2}));
        HostBatch b = new HostBatch(new float[12], new long[2], 2, new int[] {1, 2, 3});
        try (Scope s = Scope.open()) {
            assertEquals(Arrays.toString(new int[] {2, 1, 2, 3}), Arrays.toString(b.features().shape().dims()));
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(3), 0, true, 1));
    }
}
