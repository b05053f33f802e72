package dev.kiln.profiler;

/**
 * A span of the program marked by {@link Profiler#range} (PyTorch's {@code record_function}): recorded when closed,
 * as its own event around the operations run inside it, unless the profiler's cycle ended meanwhile (PyTorch's
 * profiler of that cycle has stopped). Closing it twice records it once.
 */
public final class ProfilerRange implements AutoCloseable {
    /** What {@link Profiler#range} returns when nothing is being recorded: closing it does nothing. */
    static final ProfilerRange NONE = new ProfilerRange(null, 0, "", 0, 0);

    private final Profiler profiler;
    private final long cycle;
    private final String name;
    private final long threadId;
    private final long startNanos;
    private boolean closed;

    ProfilerRange(Profiler profiler, long cycle, String name, long threadId, long startNanos) {
        this.profiler = profiler;
        this.cycle = cycle;
        this.name = name;
        this.threadId = threadId;
        this.startNanos = startNanos;
    }

    @Override
    public void close() {
        if (profiler != null && !closed) {
            closed = true;
            profiler.add(ProfilerEvent.range(name, threadId, startNanos, System.nanoTime()), cycle);
        }
    }
}
