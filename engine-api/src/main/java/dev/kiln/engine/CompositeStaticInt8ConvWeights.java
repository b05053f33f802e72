package dev.kiln.engine;

/**
 * {@link StaticInt8ConvWeights} of {@link Backend#packStaticInt8Conv}'s default: the quantised values as
 * integer-valued F64 [out, in, kernelH, kernelW], which any backend's F64 convolution sums exactly, and the scales
 * [out, 1, 1] in F32, shaped to scale an output's channels.
 */
final class CompositeStaticInt8ConvWeights implements StaticInt8ConvWeights {
    private final Backend backend;
    private final Tensor values;
    private final Tensor channelScales;

    CompositeStaticInt8ConvWeights(Backend backend, Tensor values, Tensor channelScales) {
        this.backend = backend;
        this.values = values;
        this.channelScales = channelScales;
    }

    /** The values [out, in, kernelH, kernelW] (F64) themselves, not a copy. */
    Tensor heldValues() {
        return values;
    }

    /** The scales [out, 1, 1] (F32) themselves, not a copy. */
    Tensor heldScales() {
        return channelScales;
    }

    @Override
    public Shape shape() {
        return values.shape();
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
        Tensor copy = Tensor.empty(Shape.of(values.dim(0)), DType.F32, backend);
        backend.copy(channelScales, copy);
        return copy;
    }

    @Override
    public long bytes() {
        return values.size() * DType.F64.bytes() + channelScales.size() * DType.F32.bytes();
    }

    @Override
    public boolean isClosed() {
        return values.isClosed();
    }

    @Override
    public void close() {
        values.close();
        channelScales.close();
    }
}
