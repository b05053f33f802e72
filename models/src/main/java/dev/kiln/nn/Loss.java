package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A training objective: a tensor from a model's output and the target. By default a scalar, mean-reduced as
 * PyTorch's losses are ({@code reduction='mean'}); the losses here also take PyTorch's other reductions
 * ({@link dev.kiln.engine.Reduction}): SUM, a scalar too, and NONE, the per-element (or per-example) losses for the
 * caller to weight and reduce. A loss given to a {@link dev.kiln.train.Trainer} must give a scalar. Each
 * implementation documents the shapes and dtypes it takes, e.g. [batch, classes] logits with [batch] I64 class
 * indices.
 */
@FunctionalInterface
public interface Loss {
    /** The loss, a scalar unless its reduction is NONE; differentiable in {@code output}. */
    Tensor compute(Tensor output, Tensor target);
}
