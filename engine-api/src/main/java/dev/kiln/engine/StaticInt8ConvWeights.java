package dev.kiln.engine;

/**
 * A convolution's weight [out, in, kernelH, kernelW] quantised for static int8 inference
 * ({@link Backend#packStaticInt8Conv}): symmetric int8 with one scale per output channel, in whatever layout the
 * backend that packed it convolves fastest. It lives in that backend's memory until {@link #close()}, and only that
 * backend's {@link Backend#staticInt8Conv2d} reads it.
 */
public interface StaticInt8ConvWeights extends AutoCloseable {

    /** The weight's shape [out, in, kernelH, kernelW]. */
    Shape shape();

    /** The backend that packed it. */
    Backend backend();

    /** A new F32 tensor [out, in, kernelH, kernelW] of the quantised values, integers in [-128, 127]. */
    Tensor values();

    /** A new F32 tensor [out] of the per-channel scales: a weight is its value times its channel's scale. */
    Tensor scales();

    /** Bytes of the backend's memory it holds. */
    long bytes();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /** Frees its memory; idempotent. */
    @Override
    void close();
}
