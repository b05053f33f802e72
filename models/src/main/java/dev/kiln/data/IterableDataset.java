package dev.kiln.data;

/**
 * A stream of labelled examples that is read in order rather than by index, PyTorch's
 * {@code torch.utils.data.IterableDataset}: lines of a file too large for memory, records arriving from elsewhere.
 * There is no {@code size()}: an epoch ends when the stream does. Batch it with {@link IterableDataLoader}:
 * <pre>{@code
 * IterableDataset lines = CsvDataset.streaming(Path.of("train.csv"), options, 10)   // features [784]
 *         .shuffled(10_000)                                                          // bounded shuffle buffer
 *         .shardedByWorker();                                                        // each worker its share
 * try (IterableDataLoader loader = new IterableDataLoader(lines, 128, seed).withWorkers(2)) {
 *     trainer.fit(loader, validation, epochs);
 * }
 * }</pre>
 *
 * <p>Workers: a loader with {@code n} workers opens one stream per worker, passing its {@link WorkerInfo}. As in
 * PyTorch, a data set that ignores it yields its whole stream on every worker, so every example arrives {@code n}
 * times an epoch; {@link #shardedByWorker()} keeps every {@code n}-th example for each worker instead, and the loader
 * warns when given several workers over a data set that is not sharded ({@link #shardsByWorker()}).
 */
public interface IterableDataset {
    /** Shape of one example's features, without the batch dimension (a copy the caller may keep). */
    int[] featureShape();

    /** Number of classes: every label is in {@code [0, classes())}. */
    int classes();

    /**
     * Opens a pass over the examples for {@code worker}. Called on the worker's thread, once per worker and epoch,
     * so it must allow concurrent passes.
     */
    ExampleStream open(WorkerInfo worker);

    /**
     * Whether {@link #open} yields the same examples in the same order every time it is given the same
     * {@link WorkerInfo} (id, workers, epoch, seed): a file, or anything that draws its randomness from
     * {@link WorkerInfo#seed()} alone. Only then can a run resume part-way through an epoch
     * ({@link IterableDataLoader#epoch(int, int)}, a {@link dev.kiln.train.Trainer} checkpoint written within an
     * epoch), by passing over the batches it trained before. False by default: a stream of records arriving from
     * elsewhere (a socket, a queue) gives other examples on a second pass, and resuming it part-way would silently
     * train on other data. A data set of one's own that keeps the contract says so by overriding this; the data sets
     * built here are replayable when what they read is ({@link CsvDataset#streaming}, and {@link #shuffled},
     * {@link #shardedByWorker} and {@link ChainDataset} over replayable ones).
     */
    default boolean replayable() {
        return false;
    }

    /** Whether {@link #open} yields only the worker's share of the examples (false: every worker gets them all). */
    default boolean shardsByWorker() {
        return false;
    }

    /**
     * Whether some of the stream, but not all, is each worker's share: a {@link ChainDataset} of parts that shard
     * themselves and parts that do not. {@link #shardsByWorker()} is false for it, yet sharding it whole would shard
     * the first kind twice; {@link #howToShard()} names the parts to shard instead.
     */
    default boolean shardsPartly() {
        return false;
    }

    /**
     * What to do so that several workers yield every example once, for a data set that does not shard itself (the
     * loader's warning): shard it with {@link #shardedByWorker()}, or, where it {@link #shardsPartly()}, the advice
     * naming the parts that do not shard.
     */
    default String howToShard() {
        return "use dataset.shardedByWorker() to split the stream";
    }

    /** Floats per example: the product of {@link #featureShape()}. */
    default int featureSize() {
        return Datasets.product(featureShape());
    }

    /**
     * This data set with each worker keeping every {@code workers}-th example from its {@code id} on (PyTorch's
     * {@code itertools.islice(it, worker_info.id, None, worker_info.num_workers)}): the workers together yield the
     * stream once. Each worker still reads the whole stream and skips the others' examples (a file of
     * {@link CsvDataset#streaming} sharded directly parses only the worker's own records).
     *
     * @throws IllegalStateException when this data set already shards itself ({@link #shardsByWorker()}), as PyTorch
     *                               refuses a second {@code sharding_filter} in one pipeline: sharding again would keep
     *                               every {@code (n * n)}-th example; or when part of it does ({@link #shardsPartly()}),
     *                               the message saying which parts to shard instead
     */
    default IterableDataset shardedByWorker() {
        ShardedDataset.refuseResharding(this);
        return new ShardedDataset(this);
    }

    /**
     * This data set through a shuffle buffer of {@code bufferSize} examples, torchdata's {@code shuffle(buffer_size)}:
     * the buffer fills from the stream, then every incoming example takes the place of one drawn at random from it,
     * which is yielded; at the end the rest leave in random order. An example thus leaves at most
     * {@code bufferSize - 1} places before its place in the stream, and the order depends only on the epoch's
     * {@link WorkerInfo#seed()}. Memory: {@code bufferSize} examples per worker.
     */
    default IterableDataset shuffled(int bufferSize) {
        return new ShuffledDataset(this, bufferSize);
    }
}
