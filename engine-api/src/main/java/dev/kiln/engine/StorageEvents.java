package dev.kiln.engine;

/**
 * Tells one listener of every tensor storage the engine allocates and releases, with its bytes, on the thread that
 * does it (the cleaner's for a storage whose tensors were dropped unclosed): how a profiler counts the memory an
 * operation allocates (PyTorch's {@code profile_memory}). With no listener, an allocation or a release costs one
 * volatile read more.
 */
public final class StorageEvents {
    /** What a listener is told. */
    public interface Listener {
        /** {@code storage}, of {@code bytes}, was allocated for a tensor. */
        void allocated(Storage storage, long bytes);

        /** {@code storage}, of {@code bytes}, was returned to its backend. */
        void released(Storage storage, long bytes);
    }

    private static volatile Listener listener;

    private StorageEvents() {
    }

    /**
     * Makes {@code l} the listener.
     *
     * @throws IllegalStateException while another listens
     */
    public static synchronized void listen(Listener l) {
        if (listener != null) {
            throw new IllegalStateException("another listener is told of the engine's storages; stop it first");
        }
        listener = l;
    }

    /** Stops telling {@code l}, if it listens. */
    public static synchronized void stopListening(Listener l) {
        if (listener == l) {
            listener = null;
        }
    }

    static void allocated(Storage storage) {
        Listener l = listener;
        if (l != null) {
            l.allocated(storage, bytes(storage));
        }
    }

    static void released(Storage storage) {
        Listener l = listener;
        if (l != null) {
            l.released(storage, bytes(storage));
        }
    }

    private static long bytes(Storage storage) {
        return storage.capacity() * storage.dtype().bytes();
    }
}
