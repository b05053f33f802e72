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
        boolean previous = ENABLED.get();
        ENABLED.set(Boolean.FALSE);
        return () -> ENABLED.set(previous);
    }

    /** Restores the previous recording state when closed; never throws. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }
}
