package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DataLoader#withWorkers}: several threads assemble the batches, which arrive as one thread's would. */
class DataLoaderWorkersTest {
    private static final int[] IMAGE = {1, 12, 12};

    /** n random images [1, 12, 12] (seeded), label i % 5. */
    private static ArrayDataset images(int n) {
        SplittableRandom random = new SplittableRandom(17);
        float[] f = new float[n * 144];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) random.nextDouble();
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = i % 5;
        }
        return new ArrayDataset(f, l, IMAGE, 5);
    }

    private static Augmentation affineAndBlur() {
        return new RandomAffine(10).andThen(new GaussianBlur(3));
    }

    /** A batch's values, copied. */
    private record Values(float[] features, long[] labels) {
    }

    /** The batches of {@code epoch} from {@code firstBatch} on, copied and recycled. */
    private static List<Values> batches(DataLoader loader, int epoch, int firstBatch) {
        List<Values> values = new ArrayList<>();
        for (HostBatch b : loader.epoch(epoch, firstBatch)) {
            values.add(new Values(b.featureData().clone(), b.labelData().clone()));
            b.recycle();
        }
        return values;
    }

    /** Asserts that {@code workers} threads give {@code loader}'s batches of two epochs and a resumed one bit for bit. */
    private static void assertSameBatchesWithWorkers(DataLoader loader, int... workers) {
        List<List<Values>> expected = List.of(batches(loader, 0, 0), batches(loader, 1, 0), batches(loader, 1, 3));
        for (int n : workers) {
            DataLoader parallel = loader.withWorkers(n);
            List<List<Values>> actual = List.of(batches(parallel, 0, 0), batches(parallel, 1, 0),
                    batches(parallel, 1, 3));
            for (int run = 0; run < expected.size(); run++) {
                assertEquals(expected.get(run).size(), actual.get(run).size(), n + " workers, run " + run);
                for (int b = 0; b < expected.get(run).size(); b++) {
                    String where = n + " workers, run " + run + ", batch " + b;
                    assertArrayEquals(expected.get(run).get(b).features(), actual.get(run).get(b).features(), where);
                    assertArrayEquals(expected.get(run).get(b).labels(), actual.get(run).get(b).labels(), where);
                }
            }
        }
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
        assertEquals(0, loaderThreads(), "a worker thread is still running");
    }

    @Test
    void oneWorkerIsTheDefault() {
        DataLoader loader = new DataLoader(images(10), 4, true, 1);
        assertEquals(1, loader.workers());
        assertEquals(DataLoader.PREFETCH, loader.prefetch());
    }

    @Test
    void shuffledBatchesAreBitIdenticalForOneTwoAndFourWorkers() {
        assertSameBatchesWithWorkers(new DataLoader(images(103), 8, true, 42), 1, 2, 4);
    }

    @Test
    void augmentedBatchesAreBitIdenticalForOneTwoAndFourWorkers() {
        assertSameBatchesWithWorkers(new DataLoader(images(103), 8, true, 42, affineAndBlur()), 1, 2, 4);
    }

    @Test
    void inOrderBatchesWithDropLastAreBitIdenticalForOneTwoAndFourWorkers() {
        assertSameBatchesWithWorkers(new DataLoader(images(103), 8, false, 42, affineAndBlur()).withDropLast(true),
                1, 2, 4);
    }

    @Test
    void sampledBatchesAreBitIdenticalForOneTwoAndFourWorkers() {
        ArrayDataset data = images(90);
        double[] weights = new double[90];
        Arrays.fill(weights, 1);
        weights[3] = 20;
        DataLoader loader = new DataLoader(data, 8, false, 5, affineAndBlur())
                .withSampler(new WeightedRandomSampler(weights, 70));
        assertSameBatchesWithWorkers(loader, 1, 2, 4);
    }

    @Test
    void moreWorkersThanBatchesGiveTheSameBatches() {
        assertSameBatchesWithWorkers(new DataLoader(images(40), 8, true, 3, affineAndBlur()), 16);
    }

    @Test
    void aSmallerPrefetchGivesTheSameBatches() {
        DataLoader loader = new DataLoader(images(103), 8, true, 42, affineAndBlur());
        assertSameBatchesWithWorkers(loader.withPrefetch(1), 1, 3);
    }

    @Test
    void workersAndPrefetchSurviveTheOtherSettings() {
        ArrayDataset data = images(30);
        DataLoader loader = new DataLoader(data, 4, false, 1).withWorkers(3).withPrefetch(2);
        UnaryOperator<DataLoader> others = l -> l.withDropLast(true)
                .withSampler(WeightedRandomSampler.balancingClasses(data));
        DataLoader changed = others.apply(loader);
        assertEquals(3, changed.workers());
        assertEquals(2, changed.prefetch());
        assertEquals(3, loader.withPrefetch(5).workers());
        assertEquals(2, loader.withWorkers(1).prefetch());
    }

    @Test
    void recycledArraysAreFilledAgainByTheWorkers() {
        DataLoader loader = new DataLoader(images(400), 10, true, 42).withWorkers(2).withPrefetch(2);
        Set<float[]> featureArrays = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int epoch = 0; epoch < 2; epoch++) {
            for (HostBatch b : loader.epoch(epoch)) {
                featureArrays.add(b.featureData());
                b.recycle();
            }
        }
        // 80 batches; in flight at once: each worker's 2 ready and the one it fills, and the one in use.
        assertTrue(featureArrays.size() <= 2 * (2 + 1) + 1, "80 recycled batches used " + featureArrays.size()
                + " feature arrays");
    }

    @Test
    void eachWorkerKeepsAtMostPrefetchBatchesReady() throws InterruptedException {
        AtomicInteger assembled = new AtomicInteger();
        Dataset counted = counting(images(100), assembled);
        DataLoader loader = new DataLoader(counted, 1, false, 0).withWorkers(2).withPrefetch(1);
        try (DataLoader.BatchIterator it = loader.epoch(0).iterator()) {
            it.next();
            for (int i = 0; i < 200 && assembled.get() < 5; i++) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            // The batch taken, and each worker's one ready in its queue and one waiting to join it.
            assertEquals(1 + 2 * 1 + 2, assembled.get());
        }
    }

    /** {@code base}, counting the examples read into {@code reads}. */
    private static Dataset counting(Dataset base, AtomicInteger reads) {
        return new FailingDataset(base, -1) {
            @Override
            public void copyFeatures(int index, float[] dst, int offset) {
                reads.incrementAndGet();
                super.copyFeatures(index, dst, offset);
            }
        };
    }

    /** {@code base}, but reading example {@code failing} throws {@link #BOOM}. */
    private static class FailingDataset implements Dataset {
        static final IllegalStateException BOOM = new IllegalStateException("disk on fire");
        private final Dataset base;
        private final int failing;

        FailingDataset(Dataset base, int failing) {
            this.base = base;
            this.failing = failing;
        }

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
            if (index == failing) {
                throw BOOM;
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
    }

    @Test
    void aFailureOnWorkerThreeReachesTheConsumerAfterTheBatchesBeforeIt() {
        // Batch 3 (examples 15 to 19 in index order) is worker 3's first of 4.
        DataLoader loader = new DataLoader(new FailingDataset(images(40), 17), 5, false, 0).withWorkers(4);
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
        assertEquals(3, batches, "the three batches before the failing one arrive");
        assertNotNull(e, "the failure surfaced");
        assertSame(FailingDataset.BOOM, e.getCause());
        assertEquals("DataLoader: assembling batch 3 of epoch 0 failed on worker 3 of 4: " + FailingDataset.BOOM,
                e.getMessage());
        assertFalse(it.hasNext(), "a failed iteration is over");
        assertEquals(0, loaderThreads(), "every worker stopped");
    }

    @Test
    void atMostNWorkersRunAndNoneIsLeftAfterAnEpoch() {
        DataLoader loader = new DataLoader(images(64), 4, true, 1).withWorkers(4);
        for (int epoch = 0; epoch < 3; epoch++) {
            int n = 0;
            for (HostBatch b : loader.epoch(epoch)) {
                n += b.size();
                assertTrue(loaderThreads() <= 4, "at most four workers per iteration");
            }
            assertEquals(64, n);
            assertEquals(0, loaderThreads(), "a worker of epoch " + epoch + " still running");
        }
    }

    @Test
    void closingMidEpochStopsEveryWorkerAndLaterUseFails() {
        DataLoader loader = new DataLoader(images(1000), 2, true, 1, affineAndBlur()).withWorkers(4);
        DataLoader.BatchIterator it = loader.epoch(0).iterator();
        try (it) {
            it.next();
            it.next();
        }
        assertEquals(0, loaderThreads());
        assertThrows(IllegalStateException.class, it::hasNext);
    }

    @Test
    void aNewIterationStopsEveryWorkerOfTheOldOne() throws InterruptedException {
        DataLoader loader = new DataLoader(images(1000), 2, true, 1).withWorkers(4);
        DataLoader.BatchIterator first = loader.epoch(0).iterator();
        first.next();
        try (DataLoader.BatchIterator second = loader.epoch(1).iterator()) {
            second.next();
            assertThrows(IllegalStateException.class, first::hasNext);
            for (int i = 0; i < 100 && loaderThreads() > 4; i++) {
                Thread.sleep(20);
            }
            assertEquals(4, loaderThreads(), "only the new iteration's workers run");
        }
    }

    @Test
    void closingTheLoaderStopsEveryWorker() {
        DataLoader loader = new DataLoader(images(1000), 2, true, 1).withWorkers(4);
        DataLoader.BatchIterator it = loader.epoch(0).iterator();
        it.next();
        loader.close();
        assertEquals(0, loaderThreads());
        assertThrows(IllegalStateException.class, it::hasNext);
    }

    @Test
    void anAbandonedIteratorStopsEveryWorkerWhenCollected() throws InterruptedException {
        DataLoader loader = new DataLoader(images(1000), 2, true, 1).withWorkers(4);
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
    void refusesFewerThanOneWorkerOrPrefetchedBatch() {
        DataLoader loader = new DataLoader(images(3), 1, true, 1);
        IllegalArgumentException workers = assertThrows(IllegalArgumentException.class, () -> loader.withWorkers(0));
        assertEquals("DataLoader.withWorkers: workers must be at least 1, got 0", workers.getMessage());
        IllegalArgumentException prefetch = assertThrows(IllegalArgumentException.class, () -> loader.withPrefetch(-2));
        assertEquals("DataLoader.withPrefetch: prefetch must be at least 1, got -2", prefetch.getMessage());
    }
}
