package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IterableDataLoader}: batch order and contents against PyTorch 1.13's DataLoader over an IterableDataset
 * (models/src/test/pytorch/iterable_loader_order.py), sharding, shuffle buffers, chains, errors and clean-up.
 */
class IterableDataLoaderTest {
    /** The stream 0..n-1: example i has the one feature i and label i % 3; counts its open and closed streams. */
    static class Numbers implements IterableDataset {
        final int n;
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        Numbers(int n) {
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
        public ExampleStream open(WorkerInfo worker) {
            opened.incrementAndGet();
            ExampleStream numbers = ExampleStream.of(IntStream.range(0, n)
                    .mapToObj(i -> new Example(new float[] {i}, i % 3)).iterator());
            return new ExampleStream() {
                @Override
                public boolean hasNext() {
                    return numbers.hasNext();
                }

                @Override
                public Example next() {
                    return numbers.next();
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        }
    }

    /** Each batch's features as ints, e.g. [[0, 2, 4], [1, 3, 5]]; checks that each label is its feature % 3. */
    static List<List<Integer>> batches(IterableDataLoader loader, int epoch) {
        List<List<Integer>> all = new ArrayList<>();
        for (HostBatch b : loader.epoch(epoch)) {
            List<Integer> values = new ArrayList<>();
            float[] f = b.featureData();
            for (int i = 0; i < b.size(); i++) {
                values.add((int) f[i]);
                assertEquals((int) f[i] % 3, b.labelData()[i], "label of example " + (int) f[i]);
            }
            all.add(values);
            b.recycle();
        }
        return all;
    }

    private static String text(IterableDataLoader loader) {
        return batches(loader, 1).toString();
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(IterableDataLoader.THREAD_NAME)).count();
    }

    @AfterEach
    void noThreadLeft() throws InterruptedException {
        for (int i = 0; i < 100 && loaderThreads() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, loaderThreads(), "a worker thread is still running");
    }

    @Test
    void oneWorkerCutsTheStreamInOrderAsPyTorch() {
        Numbers ten = new Numbers(10);
        IterableDataLoader loader = new IterableDataLoader(ten, 3, 0);
        assertEquals("[[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]", text(loader));
        assertEquals("[[0, 1, 2], [3, 4, 5], [6, 7, 8]]", text(loader.withDropLast(true)));
        assertEquals(ten.opened.get(), ten.closed.get(), "every stream closed");
    }

    @Test
    void twoShardedWorkersTakeTurnsAsPyTorch() {
        IterableDataset ten = new Numbers(10).shardedByWorker();
        IterableDataLoader loader = new IterableDataLoader(ten, 3, 0).withWorkers(2);
        assertFalse(loader.duplicatesExamples());
        assertEquals("[[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]", text(loader));
        assertEquals("[[0, 2, 4], [1, 3, 5]]", text(loader.withDropLast(true)));
        IterableDataLoader eleven = new IterableDataLoader(new Numbers(11).shardedByWorker(), 2, 0).withWorkers(2);
        assertEquals("[[0, 2], [1, 3], [4, 6], [5, 7], [8, 10], [9]]", text(eleven));
        assertEquals("[[0, 2], [1, 3], [4, 6], [5, 7], [8, 10]]", text(eleven.withDropLast(true)));
    }

    @Test
    void twoWorkersOverAnUnshardedStreamYieldEveryExampleTwiceAsPyTorch() {
        Numbers ten = new Numbers(10);
        IterableDataLoader loader = new IterableDataLoader(ten, 3, 0).withWorkers(2);
        assertTrue(loader.duplicatesExamples());
        assertEquals("[[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5], [6, 7, 8], [6, 7, 8], [9], [9]]", text(loader));
        assertEquals("[[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5], [6, 7, 8], [6, 7, 8]]",
                text(loader.withDropLast(true)));
        assertEquals(ten.opened.get(), ten.closed.get(), "every stream closed");
    }

    @Test
    void aWorkerWhoseStreamEndedIsPassedOverAsPyTorch() {
        IterableDataset uneven = new IterableDataset() {
            @Override
            public int[] featureShape() {
                return new int[] {1};
            }

            @Override
            public int classes() {
                return 3;
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                IntStream share = worker.id() == 0 ? IntStream.range(0, 5) : IntStream.range(5, 6);
                return ExampleStream.of(share.mapToObj(i -> new Example(new float[] {i}, i % 3)).iterator());
            }
        };
        assertEquals("[[0], [5], [1], [2], [3], [4]]", text(new IterableDataLoader(uneven, 1, 0).withWorkers(2)));
    }

    /** Worker {@code w} yields {@code 100 w, 100 w + 1, ...}, {@code lengths[w]} of them: workers that end unevenly. */
    static IterableDataset uneven(int... lengths) {
        return new IterableDataset() {
            @Override
            public int[] featureShape() {
                return new int[] {1};
            }

            @Override
            public int classes() {
                return 3;
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                return ExampleStream.of(IntStream.range(0, lengths[worker.id()]).map(k -> 100 * worker.id() + k)
                        .mapToObj(i -> new Example(new float[] {i}, i % 3)).iterator());
            }
        };
    }

    @Test
    void workersThatEndUnevenlyArePassedOverInTurnAsPyTorch() {
        assertEquals("[[0], [100], [200], [1], [201], [2], [202], [3], [203], [4], [5]]",
                text(new IterableDataLoader(uneven(6, 1, 4), 1, 0).withWorkers(3)));
        assertEquals("[[0], [200], [1], [201], [2], [202], [203], [204]]",
                text(new IterableDataLoader(uneven(3, 0, 5), 1, 0).withWorkers(3)));
        assertEquals("[[0], [100], [200], [300], [1], [101], [301], [102], [302], [103], [303], [104]]",
                text(new IterableDataLoader(uneven(2, 5, 1, 4), 1, 0).withWorkers(4)));
    }

    @Test
    void aStreamThatFailsToCloseFailsTheEpochNamingItsWorker() {
        IterableDataset failsToClose = new Numbers(4) {
            @Override
            public ExampleStream open(WorkerInfo worker) {
                ExampleStream numbers = super.open(worker);
                return new ExampleStream() {
                    @Override
                    public boolean hasNext() {
                        return numbers.hasNext();
                    }

                    @Override
                    public Example next() {
                        return numbers.next();
                    }

                    @Override
                    public void close() {
                        throw new IllegalStateException("the connection was reset");
                    }
                };
            }
        };
        IterableDataLoader loader = new IterableDataLoader(failsToClose, 2, 0);
        RuntimeException e = assertThrows(RuntimeException.class, () -> batches(loader, 1));
        assertEquals("IterableDataLoader: worker 0 of 1 failed in epoch 1: java.lang.IllegalStateException: the"
                + " connection was reset", e.getMessage());
    }

    @Test
    void theLargestPrefetchIsServed() {
        assertEquals("[[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]",
                text(new IterableDataLoader(new Numbers(10), 3, 0).withPrefetch(Integer.MAX_VALUE)));
    }

    @Test
    void shardingSplitsTheStreamWhateverTheWorkers() {
        for (int workers = 1; workers <= 4; workers++) {
            IterableDataLoader loader = new IterableDataLoader(new Numbers(23).shardedByWorker(), 4, 0)
                    .withWorkers(workers);
            List<Integer> seen = new ArrayList<>();
            batches(loader, 1).forEach(seen::addAll);
            seen.sort(null);
            assertEquals(IntStream.range(0, 23).boxed().toList(), seen, workers + " workers");
        }
    }

    /** The order a shuffle buffer of {@code size} gives the stream 0..n-1 in epoch {@code epoch}. */
    private static List<Integer> shuffled(int n, int size, long seed, int epoch, int workers) {
        IterableDataset data = new Numbers(n).shuffled(size);
        if (workers > 1) {
            data = data.shardedByWorker();
        }
        List<Integer> order = new ArrayList<>();
        batches(new IterableDataLoader(data, 5, seed).withWorkers(workers), epoch).forEach(order::addAll);
        return order;
    }

    @Test
    void aStreamThatShardsItselfIsNotShardedAgainAsPyTorchRefusesIt() {
        IterableDataset sharded = new Numbers(10).shardedByWorker();
        String expected = "IterableDataset.shardedByWorker: the data set already yields only each worker's share"
                + " (shardsByWorker()); sharding it again would keep every (n * n)-th example with n workers";
        assertEquals(expected, assertThrows(IllegalStateException.class, sharded::shardedByWorker).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class,
                () -> sharded.shuffled(4).shardedByWorker()).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class,
                () -> new ChainDataset(sharded, new Numbers(3).shardedByWorker()).shardedByWorker()).getMessage());
    }

    @Test
    void aChainOfShardedAndUnshardedPartsNamesThePartsToShardInTheLoadersWarning() {
        ChainDataset mixed = new ChainDataset(new Numbers(4).shardedByWorker(), new Numbers(3),
                new Numbers(2).shardedByWorker(), new Numbers(5));
        IterableDataLoader loader = new IterableDataLoader(mixed, 3, 0).withWorkers(2);

        assertFalse(mixed.shardsByWorker());
        assertTrue(mixed.shardsPartly());
        assertTrue(loader.duplicatesExamples());
        assertEquals("IterableDataLoader: 2 workers over a data set only part of which shards itself: every example of"
                + " the other parts arrives 2 times an epoch; ChainDataset: parts [1, 3] do not shard themselves while"
                + " the others do: shard parts [1, 3] with part.shardedByWorker() and chain the parts again (sharding"
                + " the whole chain would shard the others twice)", loader.duplicationWarning());
    }

    @Test
    void aChainOfShardedAndUnshardedPartsRefusesToBeShardedWhole() {
        ChainDataset mixed = new ChainDataset(new Numbers(4).shardedByWorker(), new Numbers(3));
        String expected = "IterableDataset.shardedByWorker: only part of the data set shards itself; ChainDataset:"
                + " parts [1] do not shard themselves while the others do: shard parts [1] with part.shardedByWorker()"
                + " and chain the parts again (sharding the whole chain would shard the others twice)";

        assertEquals(expected, assertThrows(IllegalStateException.class, mixed::shardedByWorker).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class,
                () -> mixed.shuffled(4).shardedByWorker()).getMessage());
    }

    @Test
    void anUnshardedStreamsWarningSuggestsShardingItWhole() {
        IterableDataLoader loader = new IterableDataLoader(new ChainDataset(new Numbers(4), new Numbers(3)), 3, 0)
                .withWorkers(2);

        assertEquals("IterableDataLoader: 2 workers over a data set that does not shard itself: every example arrives"
                + " 2 times an epoch; use dataset.shardedByWorker() to split the stream", loader.duplicationWarning());
        assertNull(new IterableDataLoader(new Numbers(4).shardedByWorker(), 3, 0).withWorkers(2)
                .duplicationWarning());
    }

    @Test
    void aShuffleBufferPermutesWithinItsReachBySeedAndEpoch() {
        List<Integer> order = shuffled(200, 10, 7, 1, 1);
        List<Integer> sorted = new ArrayList<>(order);
        sorted.sort(null);
        assertEquals(IntStream.range(0, 200).boxed().toList(), sorted, "a permutation");
        assertNotEquals(sorted, order, "shuffled");
        for (int place = 0; place < order.size(); place++) {
            // Example i can only leave once it is in the buffer, which holds it from place i - 9 on.
            assertTrue(order.get(place) <= place + 9, "example " + order.get(place) + " left at place " + place);
        }
        assertEquals(order, shuffled(200, 10, 7, 1, 1), "same seed and epoch, same order");
        assertNotEquals(order, shuffled(200, 10, 7, 2, 1), "another epoch, another order");
        assertNotEquals(order, shuffled(200, 10, 8, 1, 1), "another seed, another order");
        assertEquals(IntStream.range(0, 50).boxed().toList(), shuffled(50, 1, 7, 1, 1), "a buffer of 1 keeps the order");
    }

    @Test
    void shufflingBeforeShardingGivesEveryWorkerTheSameOrderToSplit() {
        List<Integer> seen = shuffled(101, 16, 3, 1, 3);
        assertEquals(101, seen.size());
        seen.sort(null);
        assertEquals(IntStream.range(0, 101).boxed().toList(), seen, "each example exactly once over 3 workers");
    }

    @Test
    void aChainReadsItsPartsInTurnOneOpenAtATime() {
        Numbers a = new Numbers(4);
        Numbers b = new Numbers(3);
        ChainDataset chain = new ChainDataset(a, b);
        assertEquals("[[0, 1, 2, 3, 0], [1, 2]]", text(new IterableDataLoader(chain, 5, 0)));
        assertEquals(1, b.opened.get());
        assertEquals(2, a.closed.get() + b.closed.get());
        assertFalse(chain.shardsByWorker());
        assertTrue(new ChainDataset(a.shardedByWorker(), b.shardedByWorker()).shardsByWorker());
    }

    @Test
    void aChainRefusesPartsOfAnotherShape() {
        IterableDataset wide = new IterableDataset() {
            @Override
            public int[] featureShape() {
                return new int[] {2};
            }

            @Override
            public int classes() {
                return 3;
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                return ExampleStream.of(List.<Example>of().iterator());
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ChainDataset(new Numbers(1), wide));
        assertEquals("ChainDataset: part 1 has features [2] and 3 classes, but part 0 has [1] and 3", e.getMessage());
    }

    @Test
    void badExamplesAndSettingsAreRefusedByName() {
        IterableDataset badLabel = new IterableDataset() {
            @Override
            public int[] featureShape() {
                return new int[] {1};
            }

            @Override
            public int classes() {
                return 2;
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                return ExampleStream.of(List.of(new Example(new float[] {0}, 0), new Example(new float[] {1}, 2))
                        .iterator());
            }
        };
        RuntimeException e = assertThrows(RuntimeException.class, () -> batches(new IterableDataLoader(badLabel, 1, 0), 1));
        assertEquals("IterableDataLoader: worker 0 of 1 failed in epoch 1: java.lang.IllegalStateException: label 2 of"
                + " example 1 of the stream is outside [0, 2)", e.getMessage());
        assertEquals("IterableDataLoader: batchSize must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new IterableDataLoader(badLabel, 0, 0)).getMessage());
        assertEquals("IterableDataLoader: workers must be at least 1, got 0", assertThrows(
                IllegalArgumentException.class, () -> new IterableDataLoader(badLabel, 1, 0).withWorkers(0)).getMessage());
        assertEquals("IterableDataset.shuffled: bufferSize must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> badLabel.shuffled(0)).getMessage());
    }

    @Test
    void leavingAnEpochEarlyStopsTheWorkersAndClosesTheirStreams() throws InterruptedException {
        Numbers many = new Numbers(1_000_000);
        IterableDataLoader loader = new IterableDataLoader(many, 2, 0).withWorkers(2);
        IterableDataLoader.BatchIterator it = loader.epoch(1).iterator();
        it.next().recycle();
        it.close();
        assertEquals(0, loaderThreads());
        assertEquals(2, many.closed.get(), "both streams closed");
        assertThrows(IllegalStateException.class, it::hasNext);
        IterableDataLoader.BatchIterator again = loader.epoch(2).iterator();
        again.next();
        loader.close();
        assertEquals(0, loaderThreads());
        assertEquals(4, many.closed.get());
    }
}
