package dev.kiln.engine;

/**
 * Elements taken from a tensor along an axis and, for each, its position along that axis (I64, the values' shape):
 * what {@link Tensor#sort}, {@link Tensor#topk}, {@link Tensor#kthvalue}, {@link Tensor#median},
 * {@link Tensor#maxWithIndices} and {@link Tensor#minWithIndices} return, as PyTorch's {@code (values, indices)}. The
 * values carry the gradient, back to the positions the indices name; the indices carry none.
 */
public record IndexedValues(Tensor values, Tensor indices) {
}
