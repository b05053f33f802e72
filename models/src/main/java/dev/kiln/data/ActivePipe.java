package dev.kiln.data;

/**
 * The iteration a loader is running, so that starting a newer one, or closing the loader, stops it: a loader runs
 * one iteration at a time, so a loop that leaves an epoch early without closing its iterator does not leave that
 * epoch's workers running beside the next one's. Shared by {@link DataLoader} and {@link IterableDataLoader}.
 */
final class ActivePipe {
    private WorkerPipe active;

    /** Makes {@code pipe} the running iteration, stopping the previous one, whose next use then throws. */
    synchronized void start(WorkerPipe pipe) {
        if (active != null) {
            active.stop();
        }
        active = pipe;
    }

    /** Forgets {@code pipe} once it has ended, unless a newer iteration already replaced it. */
    synchronized void finished(WorkerPipe pipe) {
        if (active == pipe) {
            active = null;
        }
    }

    /** Stops the running iteration, if any, and waits for its threads. */
    void close() {
        WorkerPipe p;
        synchronized (this) {
            p = active;
            active = null;
        }
        if (p != null) {
            p.stop();
            p.join();
        }
    }
}
