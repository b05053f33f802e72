package dev.kiln.engine;

/**
 * A block of memory owned by a {@link Backend}, holding {@link #capacity()} elements of one {@link DType}.
 * Tensors share storages (views); the engine counts references and calls {@link #release()} once.
 */
public interface Storage {
    Backend backend();

    DType dtype();

    /** Number of elements the block holds. */
    long capacity();

    /** Returns the memory to its backend. Called exactly once by the engine. */
    void release();
}
