package dev.kiln.engine;

/**
 * A linear layer's weight [out, in] quantised for dynamic int8 inference ({@link Backend#packInt8Linear}): symmetric
 * int8 with one scale per output row ({@link Int8Quantization#weightScale}), in whatever layout the backend that
 * packed it multiplies fastest. It lives in that backend's memory until {@link #close()}, and only that backend's
 * {@link Backend#int8Linear} reads it.
 */
public interface Int8LinearWeights extends AutoCloseable {

    /** Rows of the weight: the layer's output features. */
    int outFeatures();

    /** Columns of the weight: the layer's input features. */
    int inFeatures();

    /** The backend that packed it. */
    Backend backend();

    /** A new F32 tensor [out, in] of the quantised values, integers in [-128, 127] (for tests and inspection). */
    Tensor values();

    /** A new F32 tensor [out] of the per-row scales: a weight is its value times its row's scale. */
    Tensor scales();

    /** Bytes of the backend's memory it holds. */
    long bytes();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /** Frees its memory; idempotent. */
    @Override
    void close();
}
