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

    /** Examples per batch; the last batch of an epoch may hold fewer. */
    int batchSize();

    /** Stops the running iteration, if any, and its threads; the loader stays usable. */
    @Override
    void close();
}
