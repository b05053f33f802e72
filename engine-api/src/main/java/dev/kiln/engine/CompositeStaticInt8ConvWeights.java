package dev.kiln.engine;

/**
 * {@link StaticInt8ConvWeights} of {@link Backend#packStaticInt8Conv}'s default: the quantised values as
 * integer-valued F64 [out, in, kernelH, kernelW], which any backend's F64 convolution sums exactly, and the scales
 * [out, 1, 1] in F32, shaped to scale an output's channels.
 */
final class CompositeStaticInt8ConvWeights extends CompositeQuantizedWeights implements StaticInt8ConvWeights {
    CompositeStaticInt8ConvWeights(Backend backend, Tensor values, Tensor channelScales) {
        super(backend, values, channelScales);
    }

    @Override
    public Shape shape() {
        return heldValues().shape();
    }
}
