package dev.kiln.data;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * What the iterators of {@link DataLoader} and {@link IterableDataLoader} share: one batch held ahead for
 * {@link #hasNext()}, the end of the iteration (exhausted, failed or closed) stopping its {@link WorkerPipe}, and the
 * refusal to go on once stopped. They differ only in which worker's queue gives the next batch ({@link #take()}).
 */
abstract class LoaderIterator implements Iterator<HostBatch>, AutoCloseable {
    private final String loader;
    private final int epoch;
    private WorkerPipe pipe;
    private HostBatch next;
    private boolean finished;
    private boolean closed;

    /** @param loader the loader's name, which starts every error message */
    LoaderIterator(String loader, int epoch) {
        this.loader = loader;
        this.epoch = epoch;
    }

    /** The workers this iteration takes from, once started; null for an iteration without batches, ended at once. */
    final void run(WorkerPipe workers) {
        this.pipe = workers;
        this.finished = workers == null;
    }

    final WorkerPipe pipe() {
        return pipe;
    }

    final int epoch() {
        return epoch;
    }

    /**
     * The next batch, waiting for it, or null when the epoch has no more. A worker's failure is thrown after
     * {@link #finish()}.
     */
    abstract HostBatch take();

    @Override
    public final boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (finished) {
            return false;
        }
        if (closed || pipe.stopped()) {
            throw new IllegalStateException(loader + ": this iteration of epoch " + epoch + " was stopped"
                    + (closed ? " by close()" : " by a newer iteration of the same loader or " + loader + ".close()"));
        }
        next = take();
        if (next == null) {
            finish();
            return false;
        }
        return true;
    }

    @Override
    public final HostBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException(loader + ": epoch " + epoch + " has no more batches");
        }
        HostBatch b = next;
        next = null;
        return b;
    }

    /** Ends the iteration: stops the workers and waits for them. */
    final void finish() {
        finished = true;
        pipe.end();
    }

    /** Stops the workers (and waits for them); later calls of hasNext/next throw unless exhausted. */
    @Override
    public final void close() {
        if (finished || closed) {
            return;
        }
        closed = true;
        next = null;
        pipe.end();
    }
}
