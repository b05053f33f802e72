package dev.kiln.engine;

/**
 * {@link Int8LinearWeights} of {@link Backend#packInt8Linear}'s default: the quantised values as integer-valued F32
 * [out, in], which any backend's F32 GEMM multiplies, and the scales [out, 1], shaped to divide the weight's rows.
 */
final class CompositeInt8Weights implements Int8LinearWeights {
    private final Backend backend;
    private final Tensor values;
    private final Tensor rowScales;

    CompositeInt8Weights(Backend backend, Tensor values, Tensor rowScales) {
        this.backend = backend;
        this.values = values;
        this.rowScales = rowScales;
    }

    /** The values [out, in] themselves, not a copy. */
    Tensor heldValues() {
        return values;
    }

    /** The scales [out, 1] themselves, not a copy. */
    Tensor heldScales() {
        return rowScales;
    }

    @Override
    public int outFeatures() {
        return values.dim(0);
    }

    @Override
    public int inFeatures() {
        return values.dim(1);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Tensor values() {
        Tensor copy = Tensor.empty(values.shape(), DType.F32, backend);
        backend.copy(values, copy);
        return copy;
    }

    @Override
    public Tensor scales() {
        Tensor copy = Tensor.empty(Shape.of(outFeatures()), DType.F32, backend);
        backend.copy(rowScales, copy);
        return copy;
    }

    @Override
    public long bytes() {
        return (values.size() + rowScales.size()) * DType.F32.bytes();
    }

    @Override
    public boolean isClosed() {
        return values.isClosed();
    }

    @Override
    public void close() {
        values.close();
        rowScales.close();
    }
}
