package dev.kiln.data;

/**
 * What a stream of an {@link IterableDataset} is opened for, PyTorch's {@code get_worker_info()}: worker {@code id}
 * of {@code workers} of an {@link IterableDataLoader}, in epoch {@code epoch}. A data set that shards itself yields
 * only its share for {@code id}; one that does not yields its whole stream on every worker (see
 * {@link IterableDataset#shardedByWorker()}).
 *
 * <p>{@code seed} depends only on the loader's seed and the epoch, and is the same on every worker (unlike PyTorch's
 * per-worker {@code seed}): a shuffle buffer seeded with it gives every worker the same order before a sharding
 * that follows it, so that the shards still split one stream.
 *
 * @param id      this worker, in {@code [0, workers)}
 * @param workers the loader's worker threads, at least 1
 * @param epoch   the epoch being read
 * @param seed    the epoch's seed, shared by the workers
 */
public record WorkerInfo(int id, int workers, int epoch, long seed) {
    public WorkerInfo {
        if (workers < 1 || id < 0 || id >= workers) {
            throw new IllegalArgumentException("WorkerInfo: id must be in [0, workers) with workers >= 1, got id " + id
                    + " of " + workers);
        }
    }

    /** The only worker of epoch {@code epoch}: a stream read on one thread, as outside a loader. */
    public static WorkerInfo single(int epoch, long seed) {
        return new WorkerInfo(0, 1, epoch, seed);
    }
}
