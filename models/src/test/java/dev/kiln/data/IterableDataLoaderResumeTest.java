package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IterableDataLoader#epoch(int, int)}: a replayable stream resumed at batch b gives exactly the batches a full
 * pass gives from b on (the reference), whatever the workers, sharding, shuffling, drop-last and uneven ends; a stream
 * that is not replayable is refused.
 */
class IterableDataLoaderResumeTest {
    @TempDir
    Path dir;

    /** {@code data}, declared replayable (its passes depend only on the WorkerInfo, as the test streams' do). */
    private static IterableDataset replayable(IterableDataset data) {
        return new IterableDataset() {
            @Override
            public int[] featureShape() {
                return data.featureShape();
            }

            @Override
            public int classes() {
                return data.classes();
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                return data.open(worker);
            }

            @Override
            public boolean replayable() {
                return true;
            }

            @Override
            public String toString() {
                return "replayable numbers";
            }
        };
    }

    /** Each batch's features as ints, from {@code firstBatch} on. */
    private static List<List<Integer>> batches(IterableDataLoader loader, int epoch, int firstBatch) {
        List<List<Integer>> all = new ArrayList<>();
        for (HostBatch b : loader.epoch(epoch, firstBatch)) {
            List<Integer> values = new ArrayList<>();
            for (int i = 0; i < b.size(); i++) {
                values.add((int) b.featureData()[i]);
            }
            all.add(values);
            b.recycle();
        }
        return all;
    }

    /** Resuming at every batch of epoch 2, and at its end, gives the full pass's batches from there. */
    private static void assertEveryResumeContinuesTheFullPass(IterableDataLoader loader) {
        List<List<Integer>> full = IterableDataLoaderTest.batches(loader, 2);
        assertTrue(full.size() > 2, "a pass of several batches: " + full);
        for (int b = 0; b <= full.size(); b++) {
            assertEquals(full.subList(b, full.size()), batches(loader, 2, b), "resumed at batch " + b);
        }
    }

    @Test
    void oneWorkerResumesAtEveryBatchAsTheFullPassContinues() {
        IterableDataset numbers = replayable(new IterableDataLoaderTest.Numbers(23));
        assertEveryResumeContinuesTheFullPass(new IterableDataLoader(numbers, 3, 0));
        assertEveryResumeContinuesTheFullPass(new IterableDataLoader(numbers, 3, 0).withDropLast(true));
    }

    @Test
    void shardedShuffledWorkersResumeAtEveryBatchAsTheFullPassContinues() {
        IterableDataset numbers = replayable(new IterableDataLoaderTest.Numbers(37));
        for (int workers = 2; workers <= 3; workers++) {
            IterableDataLoader loader = new IterableDataLoader(numbers.shuffled(7).shardedByWorker(), 4, 11)
                    .withWorkers(workers);
            assertEveryResumeContinuesTheFullPass(loader);
            assertEveryResumeContinuesTheFullPass(loader.withDropLast(true));
        }
    }

    /** {@link IterableDataLoaderTest#uneven}'s streams, replayably. */
    private static IterableDataset uneven(int... lengths) {
        return replayable(IterableDataLoaderTest.uneven(lengths));
    }

    @Test
    void workersThatEndUnevenlyBeforeTheResumedBatchResumeAsTheFullPassContinues() {
        assertEveryResumeContinuesTheFullPass(new IterableDataLoader(uneven(6, 1, 4), 1, 0).withWorkers(3));
        assertEveryResumeContinuesTheFullPass(new IterableDataLoader(uneven(3, 0, 5), 1, 0).withWorkers(3));
        assertEveryResumeContinuesTheFullPass(new IterableDataLoader(uneven(5, 11, 1, 8), 2, 0).withWorkers(4));
        assertEveryResumeContinuesTheFullPass(new IterableDataLoader(uneven(5, 11, 1, 8), 2, 0).withWorkers(4)
                .withDropLast(true));
    }

    /** A CSV file of examples {@code first, first + 1, ...}: example i has the one feature i and label i % 3. */
    private Path csv(String name, int first, int rows) throws IOException {
        StringBuilder text = new StringBuilder("label,a\n");
        for (int i = first; i < first + rows; i++) {
            text.append(i % 3).append(',').append(i).append('\n');
        }
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void csvStreamsResumeAtEveryBatchAsTheFullPassContinues() throws IOException {
        CsvOptions options = CsvOptions.defaults();
        IterableDataset file = CsvDataset.streaming(csv("d.csv", 0, 41), options, 3);
        IterableDataset second = CsvDataset.streaming(csv("e.csv", 41, 9), options, 3);
        // Sharded by the file's own reader, by the generic share, and a chain of both files.
        for (IterableDataset data : List.of(file.shardedByWorker(), file.shuffled(6).shardedByWorker(),
                new ChainDataset(file, second).shardedByWorker())) {
            assertTrue(data.replayable(), data + " is replayable");
            assertEveryResumeContinuesTheFullPass(new IterableDataLoader(data, 4, 3).withWorkers(2));
        }
    }

    @Test
    void aStreamThatIsNotReplayableIsRefusedAtResumeNamingItAndWhatToDo() {
        IterableDataset socket = new IterableDataLoaderTest.Numbers(10) {
            @Override
            public String toString() {
                return "SocketRecords(localhost:9000)";
            }
        };
        IterableDataLoader loader = new IterableDataLoader(socket.shuffled(4), 2, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loader.epoch(3, 2));
        assertTrue(e.getMessage().contains("SocketRecords(localhost:9000).shuffled(4)"), e.getMessage());
        assertTrue(e.getMessage().contains("resume at the start of the next epoch"), e.getMessage());
        assertTrue(e.getMessage().contains("override replayable()"), e.getMessage());
        assertEquals(IterableDataLoaderTest.batches(loader, 3), batches(loader, 3, 0), "an epoch from its start");
    }

    @Test
    void aChainWithOnePartThatIsNotReplayableIsNotReplayable() {
        IterableDataset numbers = new IterableDataLoaderTest.Numbers(4);
        assertTrue(new ChainDataset(replayable(numbers), replayable(numbers)).replayable());
        assertFalse(new ChainDataset(replayable(numbers), numbers).replayable());
    }

    @Test
    void resumingPastTheEpochsEndFailsNamingTheBatchesItHad() {
        IterableDataLoader loader = new IterableDataLoader(replayable(new IterableDataLoaderTest.Numbers(10)), 3, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> batches(loader, 1, 6));
        assertTrue(e.getMessage().contains("at batch 6, but the stream gave only 4 batches"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(1, -1));
    }

    /** A replayable stream 0..n-1 that passes over examples by {@link ExampleStream#skip} and counts those it reads. */
    private static final class Skippable implements IterableDataset {
        final int n;
        final AtomicLong read = new AtomicLong();

        Skippable(int n) {
            this.n = n;
        }

        @Override
        public int[] featureShape() {
            return new int[] {1};
        }

        @Override
        public int classes() {
            return 3;
        }

        @Override
        public boolean replayable() {
            return true;
        }

        @Override
        public ExampleStream open(WorkerInfo worker) {
            return new ExampleStream() {
                private int at;

                @Override
                public boolean hasNext() {
                    return at < n;
                }

                @Override
                public Example next() {
                    read.incrementAndGet();
                    int i = at++;
                    return new Example(new float[] {i}, i % 3);
                }

                @Override
                public long skip(long count) {
                    long skipped = Math.min(count, n - at);
                    at += (int) skipped;
                    return skipped;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void theBatchesBeforeTheResumedOneArePassedOverNotRead() {
        Skippable stream = new Skippable(60);
        IterableDataLoader loader = new IterableDataLoader(stream, 5, 0);
        List<List<Integer>> rest = batches(loader, 1, 7);
        assertEquals(5, rest.size(), "12 batches, 7 passed over");
        assertEquals(25, stream.read.get(), "only the examples of the 5 batches delivered are read");
    }

    /** The features of what is left of {@code stream}, as ints. */
    private static List<Integer> rest(ExampleStream stream) {
        List<Integer> values = new ArrayList<>();
        stream.forEachRemaining(e -> values.add((int) e.features()[0]));
        return values;
    }

    @Test
    void aShuffleBufferPassesOverExamplesAsReadingAndDroppingThem() {
        WorkerInfo worker = new WorkerInfo(0, 1, 3, 21);
        for (int capacity : new int[] {1, 5, 16, 64}) {
            IterableDataset shuffled = new Skippable(50).shuffled(capacity);
            List<Integer> all;
            try (ExampleStream whole = shuffled.open(worker)) {
                all = rest(whole);
            }
            for (int n = 0; n <= 52; n++) {
                try (ExampleStream stream = shuffled.open(worker)) {
                    assertEquals(Math.min(n, 50), stream.skip(n), "capacity " + capacity + ", skipping " + n);
                    assertEquals(all.subList(Math.min(n, 50), 50), rest(stream), "capacity " + capacity + ", " + n);
                }
            }
            try (ExampleStream stream = shuffled.open(worker)) {
                List<Integer> read = new ArrayList<>(List.of((int) stream.next().features()[0]));
                assertEquals(7, stream.skip(7));
                read.add((int) stream.next().features()[0]);
                assertEquals(20, stream.skip(20));
                read.addAll(rest(stream));
                List<Integer> expected = new ArrayList<>(List.of(all.get(0), all.get(8)));
                expected.addAll(all.subList(29, 50));
                assertEquals(expected, read, "reads and skips in turn, capacity " + capacity);
            }
        }
    }

    @Test
    void aShuffleBufferReadsOnlyTheExamplesItHoldsAfterPassingOverMany() {
        Skippable numbers = new Skippable(10_000);
        try (ExampleStream stream = numbers.shuffled(100).open(new WorkerInfo(0, 1, 1, 5))) {
            assertEquals(5000, stream.skip(5000));
            assertEquals(100, numbers.read.get(), "the 100 examples in the buffer, of 5100 positions passed");
        }
    }
}
