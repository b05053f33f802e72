package dev.kiln.nn;

import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A module's full backward hooks, PyTorch's {@code register_full_backward_pre_hook} and
 * {@code register_full_backward_hook}: what {@link Module#call} sets up around each call ({@link BackwardHookCall}).
 */
final class BackwardHooks {
    private final List<Module.BackwardPreHook> preHooks = new ArrayList<>();
    private final List<Module.BackwardHook> hooks = new ArrayList<>();

    HookHandle addPreHook(Module.BackwardPreHook hook) {
        preHooks.add(hook);
        return () -> preHooks.remove(hook);
    }

    HookHandle addHook(Module.BackwardHook hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    boolean isEmpty() {
        return preHooks.isEmpty() && hooks.isEmpty();
    }

    /**
     * The hooks' part in one call of {@code module} on {@code inputs}: the hooks registered now run in that call's
     * backward pass, as PyTorch takes them when the module is called.
     */
    BackwardHookCall start(Module module, Tensor[] inputs) {
        return new BackwardHookCall(module, List.copyOf(preHooks), List.copyOf(hooks), inputs);
    }
}
