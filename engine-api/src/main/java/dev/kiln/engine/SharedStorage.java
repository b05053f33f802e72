package dev.kiln.engine;

import java.lang.ref.Cleaner;

/**
 * A backend {@link Storage} shared by a tensor and its views, released when the last of them closes.
 * A {@link Cleaner} releases it if every tensor was dropped unclosed: the safety net, not the plan.
 */
final class SharedStorage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Storage storage;
    private final Cleaner.Cleanable cleanable;
    private int references = 1;

    SharedStorage(Storage storage) {
        this.storage = storage;
        this.cleanable = CLEANER.register(this, new Release(storage));
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

    synchronized void releaseOne() {
        if (--references == 0) {
            cleanable.clean();
        }
    }

    /** Holds only the storage, never the SharedStorage, so that the latter can become unreachable. */
    private record Release(Storage storage) implements Runnable {
        @Override
        public void run() {
            storage.release();
        }
    }
}
