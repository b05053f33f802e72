package dev.kiln.onnx;

/**
 * The plain layers beyond the first families: 3-d and transposed 1-d/3-d convolutions, the normalizations, poolings
 * and paddings of every rank, resampling and shuffles, the less common activations, Unfold and Fold, the lazy
 * layers and EmbeddingBag.
 */
final class PlainLayerConverters {
    private PlainLayerConverters() {
    }

    static void register(OnnxConverters c) {
        ConvolutionNdConverters.register(c);
        NormalizationNdConverters.register(c);
        PoolingNdConverters.register(c);
        ActivationMoreConverters.register(c);
        ResamplingConverters.register(c);
        PaddingConverters.register(c);
        ColumnConverters.register(c);
        LazyConverters.register(c);
        BagConverters.register(c);
    }
}
