package dev.kiln.engine;

/**
 * What the SPI defaults' quantised weights share ({@link CompositeInt8Weights}, {@link CompositeStaticInt8ConvWeights}):
 * the int8 values as an integer-valued tensor whose first axis is the output channel, and one scale per channel
 * shaped to scale it, both held until {@link #close()}.
 */
abstract class CompositeQuantizedWeights implements AutoCloseable {
    private final Backend backend;
    private final Tensor values;
    private final Tensor scales;

    CompositeQuantizedWeights(Backend backend, Tensor values, Tensor scales) {
        this.backend = backend;
        this.values = values;
        this.scales = scales;
    }

    /** The values themselves, not a copy. */
    Tensor heldValues() {
        return values;
    }

    /** The scales themselves, not a copy, in the shape that scales the channels. */
    Tensor heldScales() {
        return scales;
    }

    public Backend backend() {
        return backend;
    }

    /** A copy of the values in F32, in their shape. */
    public Tensor values() {
        Tensor copy = Tensor.empty(values.shape(), DType.F32, backend);
        backend.copy(values, copy);
        return copy;
    }

    /** A copy of the scales, F32 [out]. */
    public Tensor scales() {
        Tensor copy = Tensor.empty(Shape.of(values.dim(0)), DType.F32, backend);
        backend.copy(scales, copy);
        return copy;
    }

    public long bytes() {
        return values.size() * values.dtype().bytes() + scales.size() * scales.dtype().bytes();
    }

    public boolean isClosed() {
        return values.isClosed();
    }

    @Override
    public void close() {
        values.close();
        scales.close();
    }
}
