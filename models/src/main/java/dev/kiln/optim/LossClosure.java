package dev.kiln.optim;

import dev.kiln.engine.Tensor;

/**
 * Re-evaluates the model for {@link Optimizer#step(LossClosure)} (PyTorch's {@code closure}): clears the gradients,
 * computes the loss, backpropagates it and returns it. {@link LBFGS} calls it several times in one step, each time
 * inside a scope of its own that releases what the call made.
 * <pre>{@code
 * double loss = lbfgs.step(() -> {
 *     lbfgs.zeroGrad();
 *     Tensor l = lossFunction.compute(model.forward(x), y);
 *     l.backward();
 *     return l;
 * });
 * }</pre>
 */
@FunctionalInterface
public interface LossClosure {
    /** Evaluates the loss at the parameters' current values, leaves its gradients in them, returns it (one element). */
    Tensor evaluate();
}
