package dev.kiln.engine;

/**
 * What {@link Tensor#unique} and {@link Tensor#uniqueConsecutive} return, as PyTorch's tuple: the distinct values
 * [k], and, where asked for, for each input element the index of its value among them (I64, the input's shape) and
 * how often each value occurs (I64 [k]); null where not asked for.
 */
public record UniqueValues(Tensor values, Tensor inverse, Tensor counts) {
}
