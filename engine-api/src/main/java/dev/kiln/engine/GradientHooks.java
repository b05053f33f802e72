package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A tensor's gradient hooks ({@link Tensor#registerHook}) and whether it keeps its gradient
 * ({@link Tensor#retainGrad}): what a backward pass does with the tensor's whole gradient before handing it on.
 */
final class GradientHooks {
    /** A hook, and whether it runs only in passes that accumulate into {@code grad()}. */
    private record Hook(UnaryOperator<Tensor> function, boolean accumulatingOnly) {
    }

    private final List<Hook> hooks = new ArrayList<>();
    private boolean retainsGrad;

    HookHandle add(UnaryOperator<Tensor> hook, boolean accumulatingOnly) {
        Hook entry = new Hook(hook, accumulatingOnly);
        hooks.add(entry);
        return () -> hooks.remove(entry);
    }

    void retainGrad() {
        retainsGrad = true;
    }

    boolean retainsGrad() {
        return retainsGrad;
    }

    /**
     * {@code gradient} through each hook in registration order, a hook's result (when not null) replacing what the
     * next one sees; the hooks registered for passes that accumulate into {@code grad()} only where
     * {@code accumulating}. Every tensor a hook saw or returned is kept by {@code pending}: the hook may hold on to it.
     *
     * @throws IllegalStateException when a hook returns a gradient of another shape or dtype than {@code tensor}'s
     */
    Tensor apply(Tensor tensor, Tensor gradient, PendingGradients pending, boolean accumulating) {
        Tensor g = gradient;
        for (Hook hook : List.copyOf(hooks)) {
            if (hook.accumulatingOnly() && !accumulating) {
                continue;
            }
            pending.keep(g);
            Tensor replaced = hook.function().apply(g);
            if (replaced == null || replaced == g) {
                continue;
            }
            if (!replaced.shape().equals(tensor.shape()) || replaced.dtype() != tensor.dtype()) {
                throw new IllegalStateException("gradient hook: returned " + replaced.dtype() + " " + replaced.shape()
                        + " for a tensor of " + tensor.dtype() + " " + tensor.shape() + "; a hook returns a gradient of"
                        + " the tensor's shape and dtype, or null to keep it");
            }
            pending.keep(replaced);
            g = replaced;
        }
        return g;
    }
}
