package dev.kiln.engine;

/**
 * What registering a hook returns, PyTorch's {@code RemovableHandle}: {@link #remove()} (or closing it) unregisters
 * the hook; removing twice is harmless.
 */
@FunctionalInterface
public interface HookHandle extends AutoCloseable {
    /** Unregisters the hook. */
    void remove();

    @Override
    default void close() {
        remove();
    }
}
