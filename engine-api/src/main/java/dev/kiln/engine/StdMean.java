package dev.kiln.engine;

/**
 * The standard deviation and mean over the same axes, as {@link Tensor#stdMean} returns them (PyTorch's
 * {@code std_mean}), of one shape.
 */
public record StdMean(Tensor std, Tensor mean) {
}
