package dev.kiln.engine;

/**
 * {@link Int8LinearWeights} of {@link Backend#packInt8Linear}'s default: the quantised values as integer-valued F32
 * [out, in], which any backend's F32 GEMM multiplies, and the scales [out, 1], shaped to divide the weight's rows.
 */
final class CompositeInt8Weights extends CompositeQuantizedWeights implements Int8LinearWeights {
    CompositeInt8Weights(Backend backend, Tensor values, Tensor rowScales) {
        super(backend, values, rowScales);
    }

    @Override
    public int outFeatures() {
        return heldValues().dim(0);
    }

    @Override
    public int inFeatures() {
        return heldValues().dim(1);
    }
}
