package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A module whose forward pass takes two tensors and returns one: {@link Module#call(Tensor, Tensor)} runs it with its
 * backward hooks, as PyTorch's {@code module(x1, x2)} does. {@link Bilinear}, {@link CosineSimilarity},
 * {@link PairwiseDistance}; the cells {@link RNNCell} and {@link GRUCell} (input, state); {@link MaxUnpool1d},
 * {@link MaxUnpool2d}, {@link MaxUnpool3d} (input, indices); {@link FractionalMaxPool2d} and
 * {@link FractionalMaxPool3d} (input, samples); {@link EmbeddingBag} (indices, offsets); {@link Transformer} (source,
 * target); {@link TransformerEncoder} and {@link TransformerEncoderLayer} (input, mask); {@link LossModule} (input,
 * target). An input that needs no gradient (indices, offsets, samples, a mask, a loss's class targets) gets a null
 * entry in a backward hook's {@code gradInput}.
 */
public interface TwoInputForward {
    /** The module's output for the two inputs; each module documents their shapes. */
    Tensor forward(Tensor x1, Tensor x2);
}
