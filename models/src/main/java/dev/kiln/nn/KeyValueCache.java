package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What one {@link TransformerDecoderLayer} keeps between decoding steps, so that a step costs one position
 * rather than the whole prefix: the self-attention's projected keys and values of the positions decoded so
 * far, [rows, heads, t, headDim] (null before the first step), and the cross-attention's projected keys and
 * values of the encoder's output, [rows, heads, S, headDim], computed once per source.
 */
public record KeyValueCache(Tensor selfKeys, Tensor selfValues, Tensor memoryKeys, Tensor memoryValues) {
    /** The cache of the given rows (I64 indices into dimension 0), for beam search. */
    public KeyValueCache select(Tensor rows) {
        return new KeyValueCache(selfKeys == null ? null : selfKeys.indexSelect(0, rows),
                selfValues == null ? null : selfValues.indexSelect(0, rows), memoryKeys.indexSelect(0, rows),
                memoryValues.indexSelect(0, rows));
    }

    /** The cache's tensors, nulls (the self-attention's before the first step) left out. */
    public List<Tensor> tensors() {
        return Stream.of(selfKeys, selfValues, memoryKeys, memoryValues).filter(Objects::nonNull).toList();
    }

    /** This cache with one more position's self-attention keys and values [rows, heads, 1, headDim] appended. */
    KeyValueCache append(Tensor keys, Tensor values) {
        return new KeyValueCache(selfKeys == null ? keys : Tensor.cat(List.of(selfKeys, keys), 2),
                selfValues == null ? values : Tensor.cat(List.of(selfValues, values), 2), memoryKeys, memoryValues);
    }
}
