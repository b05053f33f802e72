package dev.kiln.profiler;

/**
 * Which steps a {@link Profiler} records, counted by {@link Profiler#step} (PyTorch's
 * {@code torch.profiler.schedule(wait, warmup, active, repeat, skip_first)}): it skips the first {@code skipFirst}
 * steps, then cycles: the {@code waitSteps} of a cycle are not recorded, the next {@code warmupSteps} are not
 * recorded either (their first-use costs, a kernel's compilation or an algorithm search, stay out of the figures),
 * and the {@code activeSteps} after them are; the last active step ends the cycle's trace
 * ({@link ProfilerOptions#onTraceReady}). {@code repeat} cycles run, or cycles go on until the profiler is closed
 * when it is 0.
 */
public record ProfilerSchedule(int waitSteps, int warmupSteps, int activeSteps, int repeat, int skipFirst) {
    /**
     * Records from the start until the profiler is closed, {@link Profiler#step} or not, marking no step ranges:
     * PyTorch's profiler without a schedule.
     */
    public static final ProfilerSchedule ALWAYS = new ProfilerSchedule(0, 0, Integer.MAX_VALUE, 1, 0);

    /** What the profiler does in a step (PyTorch's {@code ProfilerAction}). */
    public enum Action {
        /** Not recorded. */
        NONE,
        /** Not recorded, the cycle begun. */
        WARMUP,
        /** Recorded. */
        RECORD,
        /** Recorded, the cycle's last: its trace is ready when the step ends. */
        RECORD_AND_SAVE;

        /** Whether the step is recorded. */
        public boolean records() {
            return this == RECORD || this == RECORD_AND_SAVE;
        }
    }

    /** Checks that no count is negative and that a cycle records at least one step. */
    public ProfilerSchedule {
        if (waitSteps < 0 || warmupSteps < 0 || activeSteps < 1 || repeat < 0 || skipFirst < 0) {
            throw new IllegalArgumentException("a profiler schedule needs wait >= 0, warmup >= 0, active >= 1,"
                    + " repeat >= 0 and skip_first >= 0 steps, got wait " + waitSteps + ", warmup " + warmupSteps
                    + ", active " + activeSteps + ", repeat " + repeat + ", skip_first " + skipFirst);
        }
    }

    /**
     * Cycles until the profiler is closed, none skipped first: PyTorch's defaults {@code repeat=0, skip_first=0}. Pass
     * {@code repeat} 1 for one cycle.
     */
    public ProfilerSchedule(int waitSteps, int warmupSteps, int activeSteps) {
        this(waitSteps, warmupSteps, activeSteps, 0, 0);
    }

    /** What the profiler does in step {@code step} (0 first). */
    public Action action(long step) {
        if (step < skipFirst || isOver(step)) {
            return Action.NONE;
        }
        long inCycle = (step - skipFirst) % cycleSteps();
        if (inCycle < waitSteps) {
            return Action.NONE;
        }
        if (inCycle < (long) waitSteps + warmupSteps) {
            return Action.WARMUP;
        }
        return inCycle < cycleSteps() - 1 ? Action.RECORD : Action.RECORD_AND_SAVE;
    }

    /** Whether step {@code step} (0 first) is recorded. */
    public boolean records(long step) {
        return action(step).records();
    }

    /** Whether every recorded step lies before {@code step}: never when the cycles repeat until closed. */
    public boolean isOver(long step) {
        return repeat > 0 && step - skipFirst >= repeat * cycleSteps();
    }

    private long cycleSteps() {
        return (long) waitSteps + warmupSteps + activeSteps;
    }
}
