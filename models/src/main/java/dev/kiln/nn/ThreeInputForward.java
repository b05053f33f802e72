package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A module whose forward pass takes three tensors and returns one: {@link Module#call(Tensor, Tensor, Tensor)} runs it
 * with its backward hooks, as PyTorch's {@code module(a, b, c)} does. The losses of three inputs, as PyTorch's
 * {@code nn} modules: {@link TripletMarginLoss} and {@link TripletMarginWithDistanceLoss} (anchor, positive,
 * negative), {@link MarginRankingLoss} and {@link CosineEmbeddingLoss} (input1, input2, target),
 * {@link GaussianNLLLoss} (input, target, var); and {@link MultiHeadAttention} (query, key, value). An input that
 * needs no gradient (a target) gets a null entry in a backward hook's {@code gradInput}.
 */
public interface ThreeInputForward {
    /** The module's output for the three inputs; each module documents their shapes. */
    Tensor forward(Tensor x1, Tensor x2, Tensor x3);
}
