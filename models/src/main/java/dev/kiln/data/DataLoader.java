package dev.kiln.data;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batches of a {@link Dataset}, one epoch at a time, assembled ahead of the training loop on background
 * threads (one unless {@link #withWorkers} asks for more):
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 128, true, seed);
 * for (HostBatch batch : loader.epoch(epoch)) {
 *     try (Scope step = Scope.open()) {
 *         Tensor x = batch.features();   // [128, 1, 28, 28] F32
 *         Tensor y = batch.labels();     // [128] I64
 *         batch.recycle();               // optional: its arrays are filled again for a later batch
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Order: with {@code shuffle}, epoch {@code e} visits the examples in a permutation that depends only on
 * {@code (seed, e)}, so the same epoch always gives the same batches (exact resume: {@link #epoch(int, int)}
 * can also start part-way); without it, in index order. Every example appears exactly once per epoch; the
 * last batch holds the remainder and may be smaller, unless {@link #withDropLast} drops it. A loader
 * {@link #withSampler} visits the indices its {@link Sampler} draws instead, as many as it draws, also drawn from
 * {@code (seed, e)} alone.
 *
 * <p>Augmentation: a loader built with an {@link Augmentation} applies it to every example as its batch is
 * assembled, with random draws that depend only on {@code (seed, epoch, position in the epoch)}, so resuming
 * part-way gives the same augmented batches too. A loader {@link #withBatchAugmentation} (MixUp, CutMix) then mixes
 * each assembled batch, with draws that depend only on {@code (seed, epoch, batch position)}, and its batches carry
 * soft targets ({@link HostBatch#targets()}).
 *
 * <p>Threads: each iteration starts {@link #workers()} daemon threads (PyTorch's {@code num_workers}, default 1)
 * that only fill Java arrays (they never create tensors). With {@code n} workers, worker {@code w} assembles the
 * iteration's batches {@code w, w + n, w + 2n, ...} and keeps at most {@link #prefetch()} of them (default
 * {@value #PREFETCH}) ready in its own bounded queue; the consumer takes them from the queues in turn, so the
 * batches arrive in epoch order and are bit-identical for every {@code n}. The threads end when the iteration
 * is exhausted (they are joined before {@code hasNext()} returns false), when its iterator is closed, when a
 * newer iteration of the same loader starts, when the loader is closed, or, for an abandoned iterator, when the
 * iterator is garbage collected. An exception on a worker (from the data set or the augmentation) ends the
 * iteration when the consumer reaches the batch it was assembling, after every batch before it, and is re-thrown
 * to the consumer, wrapped in a {@link RuntimeException} whose cause it is. Several workers read the data set
 * and apply the augmentation at once, so both must allow concurrent use (immutable ones, as every one here, do).
 *
 * <p>Memory: a consumer that calls {@link HostBatch#recycle()} once it has copied a batch into tensors gives its
 * arrays back, and the workers fill them again for a later batch (of this or a later epoch) instead of
 * allocating new ones; the {@link dev.kiln.train.Trainer} does. A loop that keeps its batches simply never recycles
 * them.
 *
 * <p>One iteration at a time per loader: starting a new one stops the previous one, whose next use then
 * throws {@link IllegalStateException}. Use one loader per data set (training, validation, test).
 */
public final class DataLoader implements BatchLoader, Iterable<HostBatch> {
    /** Batches each worker keeps ready unless {@link #withPrefetch} says otherwise. */
    public static final int PREFETCH = 3;
    /** Prefix of the worker threads' names. */
    public static final String THREAD_NAME = "kiln-data-loader";

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[] featureShape;
    private final int featureSize;
    private final Augmentation augmentation;
    private final BatchAugmentation batchAugmentation;
    private final Sampler sampler;
    private final boolean dropLast;
    private final int workers;
    private final int prefetch;
    private final BatchArrays arrays;
    private final ActivePipe active = new ActivePipe();
    private final AtomicInteger nextEpoch = new AtomicInteger();

    /**
     * Batches of {@code batchSize} examples in index order, the last one partial (PyTorch's
     * {@code DataLoader(dataset, batch_size=batchSize)}).
     */
    public DataLoader(Dataset dataset, int batchSize) {
        this(dataset, batchSize, false, 0);
    }

    /**
     * @param dataset   the examples
     * @param batchSize examples per batch, at least 1
     * @param shuffle   a seeded new order every epoch, else index order
     * @param seed      seed of the shuffle (or of a sampler's draws, {@link #withSampler})
     */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed) {
        this(dataset, batchSize, shuffle, seed, null);
    }

    /**
     * A loader that augments every example it delivers (for training sets only: evaluation should see the
     * examples as they are).
     *
     * @param augmentation applied to each example, or null for none
     */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, Augmentation augmentation) {
        this(dataset, batchSize, shuffle, seed, augmentation, null, null, false, 1, PREFETCH);
    }

    private DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, Augmentation augmentation,
                       BatchAugmentation batchAugmentation, Sampler sampler, boolean dropLast, int workers,
                       int prefetch) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        if (batchSize < 1) {
            throw new IllegalArgumentException("DataLoader: batchSize must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.featureShape = dataset.featureShape();
        this.featureSize = Datasets.product(featureShape);
        this.augmentation = augmentation;
        this.batchAugmentation = batchAugmentation;
        this.sampler = sampler;
        this.dropLast = dropLast;
        if (dropLast && examplesPerEpoch() < batchSize) {
            throw new IllegalArgumentException("DataLoader: dropLast with batchSize " + batchSize + " would drop all "
                    + examplesPerEpoch() + " examples of every epoch, leaving no batch; give a batchSize of at most "
                    + examplesPerEpoch() + " or keep the partial batch");
        }
        this.workers = workers;
        this.prefetch = prefetch;
        // In flight at once: each worker's prefetched batches and the one it fills, and the one the consumer holds.
        this.arrays = new BatchArrays(batchSize, featureSize,
                (int) Math.min(Integer.MAX_VALUE, workers * (prefetch + 1L) + 1));
    }

    /**
     * A loader like this one that drops each epoch's last batch when it is partial (PyTorch's
     * {@code drop_last=True}), so that every batch holds {@link #batchSize()} examples.
     *
     * @throws IllegalArgumentException when an epoch has fewer examples than a batch. PyTorch then silently gives no
     *                                  batches at all; Kiln refuses, because every epoch would train nothing and
     *                                  report a loss of no examples, which is a mistake, never a wish.
     */
    public DataLoader withDropLast(boolean dropLast) {
        return new DataLoader(dataset, batchSize, shuffle, seed, augmentation, batchAugmentation, sampler, dropLast,
                workers, prefetch);
    }

    /**
     * A loader like this one that visits the indices {@code sampler} draws every epoch (PyTorch's {@code sampler=}),
     * seeded from this loader's seed and the epoch, so that an epoch always gives the same batches; an epoch has
     * {@link Sampler#size()} examples, whatever the data set's size.
     *
     * @throws IllegalArgumentException when this loader shuffles: the sampler decides the order (PyTorch refuses
     *                                  {@code sampler} with {@code shuffle} too)
     */
    public DataLoader withSampler(Sampler sampler) {
        Objects.requireNonNull(sampler, "sampler");
        if (shuffle) {
            throw new IllegalArgumentException("DataLoader: a sampler decides the order, so it cannot be combined with"
                    + " shuffle; build the loader with shuffle false");
        }
        return new DataLoader(dataset, batchSize, false, seed, augmentation, batchAugmentation, sampler, dropLast,
                workers, prefetch);
    }

    /**
     * A loader like this one that assembles batches on {@code workers} threads at once (PyTorch's
     * {@code num_workers}; 1, the default, is one background thread, never the consumer's own). The batches are
     * the same, in the same order, bit for bit, whatever the number: an example's augmentation draws depend only on
     * {@code (seed, epoch, position)}. More workers help when assembling (reading, augmenting) a batch takes longer
     * than the training step that uses it.
     *
     * @param workers threads per iteration, at least 1
     */
    public DataLoader withWorkers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("DataLoader.withWorkers: workers must be at least 1, got " + workers);
        }
        return new DataLoader(dataset, batchSize, shuffle, seed, augmentation, batchAugmentation, sampler, dropLast,
                workers, prefetch);
    }

    /**
     * A loader like this one whose workers each keep up to {@code prefetch} batches ready (PyTorch's
     * {@code prefetch_factor}): {@code workers() * prefetch} in all. The default is {@value #PREFETCH}.
     *
     * @param prefetch batches each worker assembles ahead of the consumer, at least 1
     */
    public DataLoader withPrefetch(int prefetch) {
        if (prefetch < 1) {
            throw new IllegalArgumentException("DataLoader.withPrefetch: prefetch must be at least 1, got " + prefetch);
        }
        return new DataLoader(dataset, batchSize, shuffle, seed, augmentation, batchAugmentation, sampler, dropLast,
                workers, prefetch);
    }

    /**
     * A loader like this one that applies {@code batchAugmentation} to every batch once it is assembled (after each
     * example's {@link Augmentation}), as torchvision's recipe applies {@code MixUp} or {@code CutMix} to the collated
     * batch; null for none. Its batches then hold soft targets ({@link HostBatch#targets()}: [batch, classes] F32) and
     * their labels become each row's dominant class. Its draws depend only on {@code (seed, epoch, batch position)}, so
     * a resumed run and any number of workers see the same mixed batches. For training loaders only.
     *
     * @throws IllegalArgumentException when the data set has more classes than the augmentation's targets
     */
    public DataLoader withBatchAugmentation(BatchAugmentation batchAugmentation) {
        if (batchAugmentation != null && dataset.classes() > batchAugmentation.classes()) {
            throw new IllegalArgumentException("DataLoader.withBatchAugmentation: the data set has " + dataset.classes()
                    + " classes, but " + batchAugmentation + " makes targets of " + batchAugmentation.classes());
        }
        return new DataLoader(dataset, batchSize, shuffle, seed, augmentation, batchAugmentation, sampler, dropLast,
                workers, prefetch);
    }

    public Dataset dataset() {
        return dataset;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public long seed() {
        return seed;
    }

    /** The augmentation applied to every example, or null. */
    public Augmentation augmentation() {
        return augmentation;
    }

    /** The augmentation applied to every batch ({@link #withBatchAugmentation}), or null. */
    public BatchAugmentation batchAugmentation() {
        return batchAugmentation;
    }

    /** The sampler that draws every epoch's indices ({@link #withSampler}), or null. */
    public Sampler sampler() {
        return sampler;
    }

    /** Whether each epoch's last partial batch is dropped ({@link #withDropLast}). */
    public boolean dropLast() {
        return dropLast;
    }

    /** Threads that assemble an iteration's batches ({@link #withWorkers}). */
    public int workers() {
        return workers;
    }

    /** Batches each worker keeps ready ({@link #withPrefetch}). */
    public int prefetch() {
        return prefetch;
    }

    /** Examples an epoch visits: the sampler's {@link Sampler#size()}, else the data set's size. */
    public int examplesPerEpoch() {
        return sampler != null ? sampler.size() : dataset.size();
    }

    /**
     * Batches per epoch: ceil(examplesPerEpoch / batchSize), the last partial one included, or
     * floor(examplesPerEpoch / batchSize) with {@link #dropLast()}.
     */
    public int batchesPerEpoch() {
        int n = examplesPerEpoch();
        return dropLast ? n / batchSize : (int) ((n + (long) batchSize - 1) / batchSize);
    }

    /** The example indices of epoch {@code epoch} in visiting order: [examplesPerEpoch]. */
    public int[] order(int epoch) {
        long epochSeed = Datasets.mix(seed ^ Datasets.mix(epoch + 0x632BE59BD9B4E019L));
        if (sampler != null) {
            return sampled(epoch, epochSeed);
        }
        int n = dataset.size();
        if (shuffle) {
            return Datasets.permutation(n, epochSeed);
        }
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = i;
        }
        return identity;
    }

    /** The sampler's indices for epoch {@code epoch}, checked against the data set. */
    private int[] sampled(int epoch, long epochSeed) {
        int[] indices = sampler.indices(epochSeed);
        if (indices.length != sampler.size()) {
            throw new IllegalStateException("DataLoader: the sampler drew " + indices.length + " indices for epoch "
                    + epoch + ", but its size() is " + sampler.size());
        }
        int n = dataset.size();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IllegalStateException("DataLoader: the sampler drew index " + indices[i] + " (position " + i
                        + " of epoch " + epoch + "), outside the data set's [0, " + n + ")");
            }
        }
        return indices;
    }

    /**
     * The batches of epoch {@code epoch}; see the class comment for order and threading. The order depends on
     * {@code (seed, epoch)} alone: iterating {@code epoch(0)} again gives the same batches in the same order, so a
     * shuffling loop passes each epoch's number (or iterates the loader itself, {@link #iterator()}).
     */
    @Override
    public Epoch epoch(int epoch) {
        return new Epoch(epoch, 0);
    }

    /**
     * The batches of epoch {@code epoch} from batch {@code firstBatch} on (0-based), for resuming part-way
     * through an epoch: the batches are exactly those a full iteration would give from that point.
     */
    @Override
    public Epoch epoch(int epoch, int firstBatch) {
        if (firstBatch < 0 || firstBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("DataLoader.epoch: firstBatch must be in [0, " + batchesPerEpoch()
                    + "], got " + firstBatch);
        }
        return new Epoch(epoch, firstBatch);
    }

    /**
     * The next epoch's batches, as PyTorch's {@code for X, y in dataloader} re-shuffles on each pass: the first
     * call iterates {@code epoch(0)}, the next {@code epoch(1)}, and so on, counted by this loader apart from
     * {@link #epoch(int)}'s callers (a Trainer passes its own numbers). A loop left by {@code break} needs no
     * closing: its threads stop when the next iteration of this loader starts, when the loader is closed, or when
     * its iterator is garbage collected (close it, try-with-resources, to stop them at once).
     */
    @Override
    public BatchIterator iterator() {
        return epoch(nextEpoch.getAndIncrement()).iterator();
    }

    /** Stops the current iteration, if any, and its threads. The loader can still start new iterations. */
    @Override
    public void close() {
        active.close();
    }

    /** One epoch's batches; each {@link #iterator()} call starts a fresh pass with its own threads. */
    public final class Epoch implements Iterable<HostBatch> {
        private final int epoch;
        private final int firstBatch;

        private Epoch(int epoch, int firstBatch) {
            this.epoch = epoch;
            this.firstBatch = firstBatch;
        }

        @Override
        public BatchIterator iterator() {
            return new BatchIterator(DataLoader.this, epoch, firstBatch);
        }
    }

    /**
     * Iterates one epoch's batches. Exhausting it stops its threads; close it (try-with-resources) when leaving
     * the loop early. After an early close or a newer iteration of the same loader, it throws
     * {@link IllegalStateException}.
     */
    public static final class BatchIterator extends LoaderIterator {
        private final int firstBatch;
        private final int batches;
        private int position;

        private BatchIterator(DataLoader loader, int epoch, int firstBatch) {
            super("DataLoader", epoch);
            this.firstBatch = firstBatch;
            this.batches = loader.batchesPerEpoch();
            this.position = firstBatch;
            if (firstBatch >= batches) {
                run(null);
                return;
            }
            int[] order = loader.order(epoch);
            // No more workers than batches: a worker without a batch would only start and end.
            int workers = Math.min(loader.workers, batches - firstBatch);
            WorkerPipe p = new WorkerPipe("DataLoader", epoch, workers, loader.prefetch);
            p.start(this, loader.active, THREAD_NAME + "-" + THREADS.incrementAndGet(),
                    w -> new Producer(p, w, loader, order, firstBatch, batches, epoch));
            run(p);
        }

        /** The batch at {@code position}, from the queue of the worker that assembles it. */
        @Override
        HostBatch take() {
            if (position == batches) {
                return null;
            }
            WorkerPipe pipe = pipe();
            int worker = (position - firstBatch) % pipe.workers();
            Object item = pipe.take(worker, this::close);
            if (item instanceof Failure f) {
                finish();
                String where = pipe.workers() == 1 ? "" : " on worker " + worker + " of " + pipe.workers();
                throw new RuntimeException("DataLoader: assembling batch " + f.batch + " of epoch " + epoch()
                        + " failed" + where + ": " + f.cause, f.cause);
            }
            position++;
            return (HostBatch) item;
        }
    }

    private record Failure(int batch, Throwable cause) {
    }

    /**
     * One worker's work: fills the arrays of batches {@code firstBatch + worker}, then every {@code workers}-th
     * after it, and puts them in its queue in that order, ending early with a Failure.
     */
    private static final class Producer implements Runnable {
        private final WorkerPipe pipe;
        private final BlockingQueue<Object> queue;
        private final int worker;
        private final Dataset dataset;
        private final int[] order;
        private final int batchSize;
        private final int firstBatch;
        private final int batches;
        private final int[] featureShape;
        private final int featureSize;
        private final Augmentation augmentation;
        private final BatchAugmentation batchAugmentation;
        private final BatchArrays arrays;
        private final long augmentationSeed;
        private final long batchAugmentationSeed;
        private final int epoch;

        Producer(WorkerPipe pipe, int worker, DataLoader loader, int[] order, int firstBatch, int batches, int epoch) {
            this.pipe = pipe;
            this.queue = pipe.queue(worker);
            this.worker = worker;
            this.dataset = loader.dataset;
            this.order = order;
            this.batchSize = loader.batchSize;
            this.firstBatch = firstBatch;
            this.batches = batches;
            this.featureShape = loader.featureShape;
            this.featureSize = loader.featureSize;
            this.augmentation = loader.augmentation;
            this.batchAugmentation = loader.batchAugmentation;
            this.arrays = loader.arrays;
            this.augmentationSeed = Datasets.mix(loader.seed ^ Datasets.mix(epoch + 0x2545F4914F6CDD1DL));
            this.batchAugmentationSeed = Datasets.mix(loader.seed ^ Datasets.mix(epoch + 0x9E3779B97F4A7C15L));
            this.epoch = epoch;
        }

        @Override
        public void run() {
            int b = firstBatch + worker;
            try {
                for (; b < batches; b += pipe.workers()) {
                    if (pipe.stopped()) {
                        return;
                    }
                    queue.put(assemble(b));
                }
            } catch (InterruptedException e) {
                // stopped by the consumer: nothing more to do
            } catch (Throwable t) {
                if (!pipe.stopped()) {
                    try {
                        queue.put(new Failure(b, t));
                    } catch (InterruptedException e) {
                        // stopped meanwhile
                    }
                }
            }
        }

        private HostBatch assemble(int b) {
            int start = b * batchSize;
            int count = Math.min(batchSize, order.length - start);
            HostBatch batch = arrays.fill(count, featureShape,
                    (features, labels) -> fill(start, count, features, labels));
            return batchAugmentation == null ? batch : mix(b, batch);
        }

        /**
         * {@code batch} changed by the batch augmentation, its draws seeded by {@code (seed, epoch, b)}, with its soft
         * targets and each row's dominant class as its label.
         */
        private HostBatch mix(int b, HostBatch batch) {
            SplittableRandom random = new SplittableRandom(Datasets.mix(batchAugmentationSeed + b));
            float[] targets = batchAugmentation.apply(batch.featureData(), batch.labelData(), featureShape, random);
            return batch.withTargets(targets, batchAugmentation.classes());
        }

        private void fill(int start, int count, float[] features, long[] labels) {
            int classes = dataset.classes();
            for (int i = 0; i < count; i++) {
                int index = order[start + i];
                dataset.copyFeatures(index, features, i * featureSize);
                if (augmentation != null) {
                    SplittableRandom random = new SplittableRandom(Datasets.mix(augmentationSeed + start + i));
                    augmentation.apply(features, i * featureSize, featureShape, random);
                }
                long label = dataset.label(index);
                if (label < 0 || label >= classes) {
                    throw new IllegalStateException("label " + label + " of example " + index + " is outside [0, "
                            + classes + ") (epoch " + epoch + ")");
                }
                labels[i] = label;
            }
        }
    }
}
