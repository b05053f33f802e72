package dev.kiln.nn;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * PyTorch's {@code torch.nn.utils.parametrize.cached()}: while one is open on a thread, each parametrized tensor
 * ({@link Parametrize}, {@link SpectralNorm}) that the thread reads is computed once, at its first read, and every
 * later read returns that same tensor, as when an RNN reads its parametrized recurrent weight at every step, or tied
 * weights are read by two layers. Blocks nest; the values are dropped when the outermost closes. Open it with
 * {@link Parametrize#cached()} in a try-with-resources block around the forward <em>and</em> backward pass:
 * <pre>{@code
 * try (Scope step = Scope.open(); ParametrizationCache c = Parametrize.cached()) {
 *     Tensor loss = model.forward(x).crossEntropy(y);
 *     loss.backward();
 * }
 * }</pre>
 * The cached values, and what computing them made, live until the outermost block closes, whatever scope read them
 * first; closing it frees them, so a backward pass through them runs inside it. A value is computed in the mode and
 * with the gradient setting of its first read.
 */
public final class ParametrizationCache implements AutoCloseable {
    /** Per thread: how deeply blocks nest, the values by module and name, and the tensors computing them made. */
    private static final class State {
        int depth;
        final Map<Module, Map<String, Tensor>> values = new IdentityHashMap<>();
        final List<Tensor> owned = new ArrayList<>();
    }

    private static final ThreadLocal<State> STATE = new ThreadLocal<>();

    private boolean closed;

    private ParametrizationCache() {
    }

    /** Opens a block on this thread (nested in an open one, if any). */
    static ParametrizationCache open() {
        State state = STATE.get();
        if (state == null) {
            state = new State();
            STATE.set(state);
        }
        state.depth++;
        return new ParametrizationCache();
    }

    /**
     * {@code module}'s parameter {@code name} as {@code compute} gives it: computed afresh outside a block, once per
     * outermost block inside one.
     */
    static Tensor value(Module module, String name, Supplier<Tensor> compute) {
        State state = STATE.get();
        if (state == null) {
            return compute.get();
        }
        Map<String, Tensor> ofModule = state.values.computeIfAbsent(module, m -> new HashMap<>());
        Tensor cached = ofModule.get(name);
        if (cached == null) {
            // A scope of its own, detached rather than closed: the value and its graph outlive the reader's scope.
            Scope s = Scope.open();
            try {
                cached = compute.get();
            } finally {
                state.owned.addAll(s.detach());
            }
            ofModule.put(name, cached);
        }
        return cached;
    }

    /** Drops the cached value of {@code module}'s {@code name}, whose parametrization changed. */
    static void forget(Module module, String name) {
        State state = STATE.get();
        if (state != null && state.values.containsKey(module)) {
            state.values.get(module).remove(name);
        }
    }

    /** Leaves the block; the outermost frees the cached values. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        State state = STATE.get();
        if (--state.depth == 0) {
            STATE.remove();
            state.owned.forEach(Tensor::close);
        }
    }
}
