package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Releases every tensor created inside it when it closes, except those handed out with {@link #keep}.
 * One training step is one scope:
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(x).crossEntropy(y);
 *     loss.backward();
 *     optimizer.step();
 * }
 * }</pre>
 * Scopes nest per thread; tensors created outside any scope (parameters, say) live until closed.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in the current one, if any. */
    public static Scope open() {
        Scope scope = new Scope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** Hands {@code tensor} to the enclosing scope (or to nobody, if this is the outermost). */
    public <T extends Tensor> T keep(T tensor) {
        if (owned.remove(tensor) && parent != null) {
            parent.owned.add(tensor);
        }
        return tensor;
    }

    /** Called by the engine for every new tensor. */
    static void register(Tensor tensor) {
        Scope scope = CURRENT.get();
        if (scope != null) {
            scope.owned.add(tensor);
        }
    }

    /**
     * Takes {@code tensor} out of the scope of this thread that owns it (the innermost first), so that it lives
     * until closed by hand; nothing happens when no open scope owns it.
     */
    static void release(Tensor tensor) {
        for (Scope scope = CURRENT.get(); scope != null; scope = scope.parent) {
            int at = scope.owned.lastIndexOf(tensor);
            if (at >= 0) {
                scope.owned.remove(at);
                return;
            }
        }
    }

    /**
     * Runs {@code body} outside every scope of this thread: what it creates lives until closed by hand.
     * For long-lived tensors (parameters, optimizer state) made while a scope may be open.
     */
    public static <T> T outside(java.util.function.Supplier<T> body) {
        Scope saved = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            CURRENT.set(saved);
        }
    }

    /**
     * Counts the tensors (storages, a tensor's views sharing one) that the garbage collector released since the
     * process started because nobody closed them: neither a scope nor {@link Tensor#close()}. Their memory was held
     * until a collection happened to find them; a count that grows with the steps of a loop is a leak to find with
     * {@link #traceUnclosed}.
     */
    public static long unclosedReleased() {
        return UnclosedStorages.released();
    }

    /**
     * Turns on or off the logging (SLF4J, WARN, logger {@code dev.kiln.engine.UnclosedStorages}) of every tensor
     * the garbage collector releases unclosed, with the stack of its allocation; it sees tensors allocated while it
     * is on. {@code -Dkiln.traceUnclosed=true} turns it on from the start. Each allocation then takes a stack trace:
     * for finding a leak, not for training.
     */
    public static void traceUnclosed(boolean on) {
        UnclosedStorages.trace(on);
    }

    /**
     * Leaves this scope (the innermost) without closing what it owns and returns those tensors, which then live
     * until closed by hand: for tensors that must outlive the scope they were made in, such as a recorded
     * {@link StepGraph}'s.
     */
    public List<Tensor> detach() {
        if (CURRENT.get() != this) {
            throw new IllegalStateException("scopes must be left innermost first");
        }
        closed = true;
        CURRENT.set(parent);
        List<Tensor> detached = new ArrayList<>(owned);
        owned.clear();
        return detached;
    }

    /**
     * Leaves this scope (the innermost) handing everything it owns to the enclosing one, as {@link #keep} of each
     * would: for code that learns only after running whether what it made is still needed, such as intermediates a
     * graph recorded through them reads.
     */
    public void keepAll() {
        if (CURRENT.get() != this) {
            throw new IllegalStateException("scopes must be left innermost first");
        }
        closed = true;
        CURRENT.set(parent);
        if (parent != null) {
            parent.owned.addAll(owned);
        }
        owned.clear();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("scopes must close innermost first");
        }
        closed = true;
        CURRENT.set(parent);
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
