package dev.kiln.engine;

/** Switches gradient recording for the current thread. */
public final class Autograd {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private Autograd() {
    }

    /** True when new ops record a graph. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /**
     * Stops recording until the returned guard closes: {@code try (var g = Autograd.noGrad()) { ... }}.
     */
    public static Guard noGrad() {
        return setEnabled(false);
    }

    /**
     * Records until the returned guard closes, also inside {@link #noGrad()}: PyTorch's {@code torch.enable_grad()},
     * for a computation that needs gradients wherever it is called from (Grad-CAM during an evaluation).
     */
    public static Guard enableGrad() {
        return setEnabled(true);
    }

    /**
     * Records ({@code true}) or stops recording until the returned guard closes: for the engine's own passes that
     * record inside a backward pass, such as a {@link Checkpoint}'s recomputation.
     */
    static Guard setEnabled(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** Restores the previous recording state when closed; never throws. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }
}
