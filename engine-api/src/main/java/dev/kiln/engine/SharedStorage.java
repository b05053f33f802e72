package dev.kiln.engine;

import java.lang.ref.Cleaner;

/**
 * A backend {@link Storage} shared by a tensor and its views, released when the last of them closes.
 * A {@link Cleaner} releases it if every tensor was dropped unclosed: the safety net, not the plan
 * ({@link UnclosedStorages} counts those and, when tracing, names where they were allocated).
 */
final class SharedStorage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Storage storage;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private int references = 1;
    /**
     * Smallest and largest value (or bounds on them) when known without reading the storage: filled from a Java
     * array of integers, or written by an op that bounds its output (argmax); else null.
     */
    private long[] valueRange;
    /**
     * Counts in-place writes, so that a backward pass can tell that a tensor an op read has changed since. Volatile:
     * every recorded op reads it, and a lock there costs a step more than the rare writes do.
     */
    private volatile int version;

    SharedStorage(Storage storage) {
        this.storage = storage;
        this.release = new Release(storage, UnclosedStorages.siteOfNewStorage());
        this.cleanable = CLEANER.register(this, release);
        StorageEvents.allocated(storage);
    }

    Storage storage() {
        return storage;
    }

    synchronized void retain() {
        if (references == 0) {
            throw new IllegalStateException("storage was already released");
        }
        references++;
    }

    synchronized boolean shared() {
        return references > 1;
    }

    synchronized void releaseOne() {
        if (--references == 0) {
            release.closed = true;
            cleanable.clean();
        }
    }

    /** Records that the storage holds integers in [min, max], known on the host without reading the storage. */
    synchronized void recordValueRange(long min, long max) {
        valueRange = new long[] {min, max};
    }

    /** The storage was written in place: its recorded range is dropped and its version moves on. */
    synchronized void writtenInPlace() {
        valueRange = null;
        version++;
    }

    /** How many times the storage was written in place. */
    int version() {
        return version;
    }

    /** Bounds {min, max} on every value in the storage, or null when not known without reading it. */
    synchronized long[] valueRange() {
        return valueRange;
    }

    /**
     * Holds only the storage, never the SharedStorage, so that the latter can become unreachable. Run by
     * {@link #releaseOne} once the last tensor closes, else by the cleaner.
     */
    private static final class Release implements Runnable {
        private final Storage storage;
        private final UnclosedStorages.AllocationSite site;
        private volatile boolean closed;

        Release(Storage storage, UnclosedStorages.AllocationSite site) {
            this.storage = storage;
            this.site = site;
        }

        @Override
        public void run() {
            if (!closed) {
                UnclosedStorages.releasedByCollector(storage, site);
            }
            storage.release();
            StorageEvents.released(storage);
        }
    }
}
