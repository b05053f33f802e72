package dev.kiln.engine;

/**
 * The variance and mean over the same axes, as {@link Tensor#varMean} returns them (PyTorch's {@code var_mean}), of
 * one shape.
 */
public record VarMean(Tensor var, Tensor mean) {
}
