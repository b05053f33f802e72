package dev.kiln.profiler;

/**
 * Which steps a {@link Profiler} records, counted by {@link Profiler#step} (PyTorch's
 * {@code torch.profiler.schedule(wait, warmup, active, repeat=1)}): it skips the first {@code waitSteps}, runs the
 * next {@code warmupSteps} unrecorded too (their first-use costs, a kernel's compilation or an algorithm search, stay
 * out of the figures), records the {@code activeSteps} after them, and nothing after that.
 */
public record ProfilerSchedule(int waitSteps, int warmupSteps, int activeSteps) {
    /** Records from the start until the profiler is closed, {@link Profiler#step} or not. */
    public static final ProfilerSchedule ALWAYS = new ProfilerSchedule(0, 0, Integer.MAX_VALUE);

    /** Checks that no count is negative and that at least one step is recorded. */
    public ProfilerSchedule {
        if (waitSteps < 0 || warmupSteps < 0 || activeSteps < 1) {
            throw new IllegalArgumentException("a profiler schedule needs wait >= 0, warmup >= 0 and active >= 1"
                    + " steps, got wait " + waitSteps + ", warmup " + warmupSteps + ", active " + activeSteps);
        }
    }

    /** Whether step {@code step} (0 first) is recorded. */
    public boolean records(long step) {
        long first = (long) waitSteps + warmupSteps;
        return step >= first && step - first < activeSteps;
    }

    /** Whether every recorded step lies before {@code step}. */
    public boolean isOver(long step) {
        return step - waitSteps - warmupSteps >= activeSteps;
    }
}
