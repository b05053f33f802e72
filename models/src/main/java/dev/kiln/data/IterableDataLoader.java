package dev.kiln.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mini-batches of an {@link IterableDataset}, PyTorch's {@code DataLoader} over an {@code IterableDataset}: each of
 * {@link #workers()} threads opens its own stream of the epoch ({@link IterableDataset#open} with its
 * {@link WorkerInfo}) and cuts it into batches of {@link #batchSize()}, its last one partial unless
 * {@link #withDropLast}; the consumer takes one batch from each worker in turn (0, 1, ..., n - 1, 0, ...), passing
 * over a worker once its stream has ended, as PyTorch does. The order thus depends only on each worker's stream, and
 * a run is reproducible. An epoch ends when every worker's stream has; its length is not known beforehand.
 * <pre>{@code
 * try (IterableDataLoader loader = new IterableDataLoader(lines.shardedByWorker(), 128, seed).withWorkers(2)) {
 *     for (HostBatch batch : loader.epoch(epoch)) { ... }
 * }
 * }</pre>
 *
 * <p>Unlike {@link DataLoader} there is no sampler and no shuffle flag (PyTorch refuses both with an
 * {@code IterableDataset}): the data set orders itself, e.g. with {@link IterableDataset#shuffled}.
 *
 * <p>Workers: a data set that does not shard itself ({@link IterableDataset#shardsByWorker()} false) yields every
 * example on every worker, so with {@code n} workers each arrives {@code n} times an epoch; the loader logs a warning
 * when given several workers over one ({@link #duplicatesExamples()}).
 *
 * <p>Threads and streams: the workers are daemon threads that only fill Java arrays. They end, and close their
 * streams (and the files behind them), when the epoch is exhausted (before {@code hasNext()} returns false), when
 * its iterator is closed, when a newer iteration of the same loader starts, when the loader is closed, or when an
 * abandoned iterator is garbage collected. A failure on a worker (reading, or an example of the wrong size or label)
 * is re-thrown to the consumer when it reaches that worker's turn, wrapped in a {@link RuntimeException}.
 *
 * <p>Resuming part-way through an epoch (torchdata's {@code StatefulDataLoader}): {@link #epoch(int, int)} gives the
 * batches of an epoch from a given one on, the same as a full pass gives from there, for a data set that is
 * {@link IterableDataset#replayable()} (a pass depends only on its {@link WorkerInfo}). Each worker passes over its
 * share of the batches before it with {@link ExampleStream#skip} (a CSV file's records without converting their
 * values), building no batch of them; where workers end unevenly before that point, the few batches a worker
 * assembled beyond its share are dropped by the consumer. Where PyTorch's state dict records each worker's progress,
 * Kiln needs only the epoch and the batch: the same seed, batch size, drop-last and workers give the same batches.
 */
public final class IterableDataLoader implements BatchLoader {
    /** Prefix of the worker threads' names. */
    public static final String THREAD_NAME = "kiln-iterable-loader";

    private static final Logger LOG = LoggerFactory.getLogger(IterableDataLoader.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final IterableDataset dataset;
    private final int batchSize;
    private final long seed;
    private final boolean dropLast;
    private final int workers;
    private final int prefetch;
    private final int[] featureShape;
    private final int featureSize;
    private final BatchArrays arrays;
    private final ActivePipe active = new ActivePipe();

    /**
     * @param dataset   the stream of examples
     * @param batchSize examples per batch, at least 1
     * @param seed      seed of the epochs' {@link WorkerInfo#seed()} (shuffle buffers draw from it)
     */
    public IterableDataLoader(IterableDataset dataset, int batchSize, long seed) {
        this(dataset, batchSize, seed, false, 1, DataLoader.PREFETCH);
    }

    private IterableDataLoader(IterableDataset dataset, int batchSize, long seed, boolean dropLast, int workers,
                               int prefetch) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        if (batchSize < 1) {
            throw new IllegalArgumentException("IterableDataLoader: batchSize must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.seed = seed;
        this.dropLast = dropLast;
        this.workers = workers;
        this.prefetch = prefetch;
        this.featureShape = dataset.featureShape();
        this.featureSize = Datasets.product(featureShape);
        this.arrays = new BatchArrays(batchSize, featureSize, saturated(workers * (prefetch + 1L) + 1));
    }

    /** A loader like this one whose workers drop their streams' last partial batch (PyTorch's drop_last). */
    public IterableDataLoader withDropLast(boolean drop) {
        return new IterableDataLoader(dataset, batchSize, seed, drop, workers, prefetch);
    }

    /**
     * A loader like this one with {@code workers} threads, each reading its own stream (PyTorch's num_workers);
     * warns when the data set does not shard itself, since each worker then yields every example.
     */
    public IterableDataLoader withWorkers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("IterableDataLoader: workers must be at least 1, got " + workers);
        }
        IterableDataLoader loader = new IterableDataLoader(dataset, batchSize, seed, dropLast, workers, prefetch);
        String warning = loader.duplicationWarning();
        if (warning != null) {
            LOG.warn(warning);
        }
        return loader;
    }

    /**
     * The warning {@link #withWorkers} logs when the workers duplicate examples ({@link #duplicatesExamples()}), with
     * the data set's {@link IterableDataset#howToShard()}; null when they do not.
     */
    String duplicationWarning() {
        if (!duplicatesExamples()) {
            return null;
        }
        String duplicated = dataset.shardsPartly()
                ? "a data set only part of which shards itself: every example of the other parts arrives"
                : "a data set that does not shard itself: every example arrives";
        return "IterableDataLoader: " + workers + " workers over " + duplicated + " " + workers + " times an epoch; "
                + dataset.howToShard();
    }

    /** A loader like this one whose workers each keep up to {@code batches} batches ready (at least 1). */
    public IterableDataLoader withPrefetch(int batches) {
        if (batches < 1) {
            throw new IllegalArgumentException("IterableDataLoader: prefetch must be at least 1, got " + batches);
        }
        return new IterableDataLoader(dataset, batchSize, seed, dropLast, workers, batches);
    }

    public IterableDataset dataset() {
        return dataset;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public boolean dropLast() {
        return dropLast;
    }

    public int workers() {
        return workers;
    }

    public int prefetch() {
        return prefetch;
    }

    /** {@code n}, or Integer.MAX_VALUE when larger: a queue's capacity for a prefetch as large as an int allows. */
    private static int saturated(long n) {
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** Whether each worker yields every example: several workers over a data set that does not shard itself. */
    public boolean duplicatesExamples() {
        return workers > 1 && !dataset.shardsByWorker();
    }

    /** The {@link WorkerInfo} worker {@code id} opens its stream of epoch {@code epoch} with. */
    public WorkerInfo workerInfo(int id, int epoch) {
        return new WorkerInfo(id, workers, epoch, Datasets.mix(seed ^ Datasets.mix(epoch + 0x632BE59BD9B4E019L)));
    }

    /** The batches of epoch {@code epoch}; see the class comment for order and threading. */
    @Override
    public Epoch epoch(int epoch) {
        return new Epoch(epoch, 0);
    }

    /**
     * The batches of epoch {@code epoch} from batch {@code firstBatch} on (0-based, in the order a full pass gives
     * them), for resuming part-way through an epoch; see the class comment. Iterating it fails with
     * {@link IllegalStateException} when the epoch turns out to have fewer than {@code firstBatch} batches (the data
     * changed since).
     *
     * @throws IllegalArgumentException when {@code firstBatch} is negative
     * @throws IllegalStateException    when {@code firstBatch} is not 0 and the data set is not
     *                                  {@link IterableDataset#replayable()}: a second pass over it gives other
     *                                  examples, so passing over the first batches would not resume the same epoch
     */
    @Override
    public Epoch epoch(int epoch, int firstBatch) {
        if (firstBatch < 0) {
            throw new IllegalArgumentException("IterableDataLoader.epoch: firstBatch must be at least 0, got "
                    + firstBatch);
        }
        if (firstBatch > 0 && !dataset.replayable()) {
            throw new IllegalStateException("IterableDataLoader: cannot resume epoch " + epoch + " at batch "
                    + firstBatch + ": the stream " + dataset + " does not declare itself replayable"
                    + " (IterableDataset.replayable() is false), so a second pass may give other examples; resume at"
                    + " the start of the next epoch, or make the source replayable (the same examples in the same"
                    + " order for the same WorkerInfo) and override replayable() to say so");
        }
        return new Epoch(epoch, firstBatch);
    }

    /** Stops the current iteration, if any: its threads end and its streams are closed. The loader stays usable. */
    @Override
    public void close() {
        active.close();
    }

    /** One epoch's batches; each {@link #iterator()} call starts a fresh pass with its own threads and streams. */
    public final class Epoch implements Iterable<HostBatch> {
        private final int epoch;
        private final int firstBatch;

        private Epoch(int epoch, int firstBatch) {
            this.epoch = epoch;
            this.firstBatch = firstBatch;
        }

        @Override
        public BatchIterator iterator() {
            return new BatchIterator(IterableDataLoader.this, epoch, firstBatch);
        }
    }

    /**
     * Iterates one epoch's batches. Exhausting it stops its threads; close it when leaving the loop early. After an
     * early close or a newer iteration of the same loader, it throws {@link IllegalStateException}.
     */
    public static final class BatchIterator extends LoaderIterator {
        private final int workers;
        private final int firstBatch;
        // Workers whose streams have not ended, in turn order; the consumer takes from the first and moves it last.
        private final List<Integer> turns = new ArrayList<>();
        // Batches of the epoch taken so far, those passed over before firstBatch included.
        private int taken;

        private BatchIterator(IterableDataLoader loader, int epoch, int firstBatch) {
            super("IterableDataLoader", epoch);
            this.workers = loader.workers;
            this.firstBatch = firstBatch;
            // One more than the batches: the END marker.
            WorkerPipe p = new WorkerPipe("IterableDataLoader", epoch, loader.workers, saturated(loader.prefetch + 1L));
            for (int w = 0; w < loader.workers; w++) {
                turns.add(w);
            }
            p.start(this, loader.active, THREAD_NAME + "-" + THREADS.incrementAndGet(),
                    w -> new Producer(p, loader, loader.workerInfo(w, epoch), skipped(w, loader.workers, firstBatch)));
            run(p);
        }

        /**
         * The batches worker {@code w} of {@code workers} passes over before {@code firstBatch}: its turns among the
         * first {@code firstBatch} while every worker has batches left. A worker that ends sooner gives the others
         * more of them, which they assemble and {@link #take} drops.
         */
        private static int skipped(int w, int workers, int firstBatch) {
            return firstBatch / workers + (w < firstBatch % workers ? 1 : 0);
        }

        /** The next batch from {@code firstBatch} on, the ones before it dropped. */
        @Override
        HostBatch take() {
            while (taken < firstBatch) {
                Object item = nextItem();
                if (item == null) {
                    finish();
                    throw new IllegalStateException("IterableDataLoader: resuming epoch " + epoch() + " at batch "
                            + firstBatch + ", but the stream gave only " + taken + " batches in that epoch; the data"
                            + " changed since the checkpoint, or the loader's seed, batch size, drop-last or workers"
                            + " differ from the run's");
                }
                if (item instanceof HostBatch assembled) {
                    assembled.recycle();
                }
                taken++;
            }
            HostBatch batch = (HostBatch) nextItem();
            if (batch != null) {
                taken++;
            }
            return batch;
        }

        /**
         * The next item of the first worker in turn whose stream has not ended: a batch, or {@link #SKIPPED} for one it
         * passed over; null when every stream has ended.
         */
        private Object nextItem() {
            while (!turns.isEmpty()) {
                int worker = turns.remove(0);
                Object item = pipe().take(worker, this::close);
                if (item == END) {
                    continue;
                }
                if (item instanceof Failure f) {
                    finish();
                    throw new RuntimeException("IterableDataLoader: worker " + worker + " of " + workers
                            + " failed in epoch " + epoch() + ": " + f.cause, f.cause);
                }
                turns.add(worker);
                return item;
            }
            return null;
        }
    }

    /** A worker's last item: its stream has ended. */
    private static final Object END = new Object();
    /** A worker's item for a batch it passed over without assembling it (before a resumed epoch's first batch). */
    private static final Object SKIPPED = new Object();

    private record Failure(Throwable cause) {
    }

    /** One worker: opens its stream, cuts it into batches, queues them, closes the stream, then END (or a Failure). */
    private static final class Producer implements Runnable {
        private final WorkerPipe pipe;
        private final BlockingQueue<Object> queue;
        private final IterableDataset dataset;
        private final WorkerInfo worker;
        private final int batchSize;
        private final boolean dropLast;
        private final int[] featureShape;
        private final int featureSize;
        private final int classes;
        private final BatchArrays arrays;
        private final int skippedBatches;
        private long position;

        Producer(WorkerPipe pipe, IterableDataLoader loader, WorkerInfo worker, int skippedBatches) {
            this.pipe = pipe;
            this.queue = pipe.queue(worker.id());
            this.dataset = loader.dataset;
            this.worker = worker;
            this.batchSize = loader.batchSize;
            this.dropLast = loader.dropLast;
            this.featureShape = loader.featureShape;
            this.featureSize = loader.featureSize;
            this.classes = loader.dataset.classes();
            this.arrays = loader.arrays;
            this.skippedBatches = skippedBatches;
        }

        @Override
        public void run() {
            try {
                // END only once the stream is closed: a failure to close is the worker's failure, not lost after END.
                try (ExampleStream stream = dataset.open(worker)) {
                    if (skip(stream)) {
                        cut(stream);
                    }
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // stopped by the consumer: the stream is closed on the way out
            } catch (Throwable t) {
                if (!pipe.stopped()) {
                    try {
                        queue.put(new Failure(t));
                    } catch (InterruptedException e) {
                        // stopped meanwhile
                    }
                }
            }
        }

        /**
         * Passes over the first {@link #skippedBatches} batches of {@code stream}, queueing a {@link #SKIPPED} for each
         * (and for a partial last one unless dropped): returns whether the stream may have more.
         */
        private boolean skip(ExampleStream stream) throws InterruptedException {
            if (skippedBatches == 0) {
                return true;
            }
            long wanted = (long) skippedBatches * batchSize;
            long skipped = stream.skip(wanted);
            position += skipped;
            long batches = skipped / batchSize + (skipped < wanted && skipped % batchSize != 0 && !dropLast ? 1 : 0);
            for (long b = 0; b < batches && !pipe.stopped(); b++) {
                queue.put(SKIPPED);
            }
            return skipped == wanted;
        }

        /** Queues {@code stream}'s batches, the last partial one unless dropped, until it ends or the pipe stops. */
        private void cut(ExampleStream stream) throws InterruptedException {
            List<Example> pending = new ArrayList<>(batchSize);
            while (!pipe.stopped() && stream.hasNext()) {
                pending.add(checked(stream.next()));
                if (pending.size() == batchSize) {
                    queue.put(batch(pending));
                    pending.clear();
                }
            }
            if (!pipe.stopped() && !pending.isEmpty() && !dropLast) {
                queue.put(batch(pending));
            }
        }

        private Example checked(Example e) {
            long at = position++;
            if (e.features().length != featureSize) {
                throw new IllegalStateException("example " + at + " of the stream has " + e.features().length
                        + " feature values, but the data set's feature shape " + Arrays.toString(featureShape)
                        + " holds " + featureSize);
            }
            if (e.label() < 0 || e.label() >= classes) {
                throw new IllegalStateException("label " + e.label() + " of example " + at + " of the stream is outside"
                        + " [0, " + classes + ")");
            }
            return e;
        }

        private HostBatch batch(List<Example> examples) {
            return arrays.fill(examples.size(), featureShape, (features, labels) -> {
                for (int i = 0; i < examples.size(); i++) {
                    System.arraycopy(examples.get(i).features(), 0, features, i * featureSize, featureSize);
                    labels[i] = examples.get(i).label();
                }
            });
        }
    }
}
