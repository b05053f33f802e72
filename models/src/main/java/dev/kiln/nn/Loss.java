package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A training objective: a scalar tensor from a model's output and the target, mean-reduced as
 * PyTorch's losses are by default ({@code reduction='mean'}). Each implementation documents the shapes
 * and dtypes it takes, e.g. [batch, classes] logits with [batch] I64 class indices.
 */
@FunctionalInterface
public interface Loss {
    /** The scalar loss; differentiable in {@code output}. */
    Tensor compute(Tensor output, Tensor target);
}
