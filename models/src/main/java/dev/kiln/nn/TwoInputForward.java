package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A module whose forward pass takes two inputs ({@link Bilinear}, {@link CosineSimilarity}, {@link PairwiseDistance}):
 * {@link Module#call(Tensor, Tensor)} runs it with its backward hooks, as PyTorch's {@code module(x1, x2)} does.
 */
public interface TwoInputForward {
    /** The module's output for the two inputs; each module documents their shapes. */
    Tensor forward(Tensor x1, Tensor x2);
}
