package dev.kiln.data;

/**
 * A loader of mini-batches, one epoch at a time: a {@link DataLoader} over a {@link Dataset} (its length known) or an
 * {@link IterableDataLoader} over an {@link IterableDataset} (a stream, which ends when it ends). What training,
 * evaluation and the learning-rate finder need of either: an epoch's batches, and a way to stop the iteration that
 * runs.
 */
public sealed interface BatchLoader extends AutoCloseable permits DataLoader, IterableDataLoader {
    /** The batches of epoch {@code epoch}, in the loader's order; one iteration runs at a time per loader. */
    Iterable<HostBatch> epoch(int epoch);

    /**
     * The batches of epoch {@code epoch} from batch {@code firstBatch} on (0-based): exactly those a full iteration
     * gives from that point, for resuming part-way through an epoch. A {@link DataLoader} starts there directly; an
     * {@link IterableDataLoader} passes over the batches before it, and refuses a stream that is not
     * {@link IterableDataset#replayable()}.
     */
    Iterable<HostBatch> epoch(int epoch, int firstBatch);

    /** Examples per batch; the last batch of an epoch may hold fewer. */
    int batchSize();

    /** Stops the running iteration, if any, and its threads; the loader stays usable. */
    @Override
    void close();
}
