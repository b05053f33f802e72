package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * One incremental decoding step of a {@link TransformerDecoder} (or one of its layers): the output of the new
 * position [rows, 1, dModel], its cross-attention weights [rows, 1, S] (the last layer's, averaged over the
 * heads), and the caches to pass to the next step, one per layer.
 */
public record TransformerDecoderStep(Tensor output, Tensor crossAttention, List<KeyValueCache> caches) {
}
