package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A module's forward hooks, PyTorch's {@code register_forward_pre_hook} and {@code register_forward_hook}: what
 * {@link Module#call} runs around {@link Module#forward}.
 */
final class ForwardHooks {
    /**
     * The tensors hooks were given while gradients were off, which {@link Module#releaseConsumed} leaves to their
     * scope: a hook may keep them (features read under no-grad, as PyTorch users do), where a composite module would
     * otherwise free each activation once the next layer has read it. Weak: a tensor here is forgotten once unused.
     */
    private static final Set<Tensor> SEEN_WITHOUT_GRADIENTS = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

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
            seen(x);
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
            seen(input);
            seen(y);
            Tensor replaced = hook.afterForward(module, input, y);
            if (replaced != null) {
                y = replaced;
            }
        }
        return y;
    }

    /** Whether a hook was given {@code t} while gradients were off. */
    static boolean seenWithoutGradients(Tensor t) {
        return SEEN_WITHOUT_GRADIENTS.contains(t);
    }

    private static void seen(Tensor t) {
        if (!Autograd.isEnabled()) {
            SEEN_WITHOUT_GRADIENTS.add(t);
        }
    }
}
