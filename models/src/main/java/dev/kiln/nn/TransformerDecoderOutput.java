package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What a {@link TransformerDecoderLayer} (or a {@link TransformerDecoder} stack) returns for a target
 * [batch, T, dModel] over a memory of S positions: the {@code output} [batch, T, dModel] and the
 * {@code crossAttention} weights [batch, T, S] (averaged over the heads; of the last layer for a stack),
 * each row a distribution over the memory positions, zero at masked ones: the alignment a decoder shows.
 */
public record TransformerDecoderOutput(Tensor output, Tensor crossAttention) {
}
