package dev.kiln.nn;

import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A module's forward hooks, PyTorch's {@code register_forward_pre_hook} and {@code register_forward_hook}: what
 * {@link Module#call} runs around {@link Module#forward}.
 */
final class ForwardHooks {
    private final List<Module.ForwardPreHook> preHooks = new ArrayList<>();
    private final List<Module.ForwardHook> hooks = new ArrayList<>();

    HookHandle addPreHook(Module.ForwardPreHook hook) {
        preHooks.add(hook);
        return () -> preHooks.remove(hook);
    }

    HookHandle addHook(Module.ForwardHook hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    boolean isEmpty() {
        return preHooks.isEmpty() && hooks.isEmpty();
    }

    /** The input after each pre-hook in turn, a non-null result replacing it. */
    Tensor beforeForward(Module module, Tensor input) {
        Tensor x = input;
        for (Module.ForwardPreHook hook : List.copyOf(preHooks)) {
            Tensor replaced = hook.beforeForward(module, x);
            if (replaced != null) {
                x = replaced;
            }
        }
        return x;
    }

    /** The output after each hook in turn, a non-null result replacing it. */
    Tensor afterForward(Module module, Tensor input, Tensor output) {
        Tensor y = output;
        for (Module.ForwardHook hook : List.copyOf(hooks)) {
            Tensor replaced = hook.afterForward(module, input, y);
            if (replaced != null) {
                y = replaced;
            }
        }
        return y;
    }
}
