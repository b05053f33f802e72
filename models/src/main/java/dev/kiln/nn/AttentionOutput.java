package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What an {@link Attention} layer returns for queries [batch, T, *] over S keys: {@code context}
 * [batch, T, valueDim], the weighted sums of the values, and {@code weights} [batch, T, S], each row a
 * distribution over the keys (zero at masked keys).
 */
public record AttentionOutput(Tensor context, Tensor weights) {
}
