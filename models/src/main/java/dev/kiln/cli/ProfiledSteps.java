package dev.kiln.cli;

import dev.kiln.engine.Engine;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.profiler.KeyAverages;
import dev.kiln.profiler.Profiler;
import dev.kiln.profiler.ProfilerOptions;
import dev.kiln.profiler.ProfilerSchedule;
import dev.kiln.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code --profile-trace FILE}: a {@link Profiler} over a few training steps after a warm-up (PyTorch's
 * {@code schedule(wait, warmup, active)} with {@code prof.step()} after each batch), whose table of operations is
 * printed and whose Chrome trace is written to FILE once the steps are recorded (or training ends first). A step
 * ends at its batch's {@link TrainingListener#onBatchEnd}, when its loss has arrived, which comes after the next step
 * was queued: a recorded step is a whole step's work, from one loss read to the next.
 */
final class ProfiledSteps implements TrainingListener {
    static final String HELP = """
              --profile-trace FILE         profile a few training steps (PyTorch's torch.profiler): print their
                                           table of operations (self and total time, host time, calls) and
                                           write their Chrome trace to FILE, for chrome://tracing or
                                           ui.perfetto.dev: each operation timed alone, the device waited for
                                           before and after it (which slows those steps), inside a
                                           ProfilerStep#N range and the trainer's forward, backward and
                                           optimizer ranges (default off)
              --profile-schedule W,U,A     with --profile-trace: skip W steps, run U more unrecorded (warm-up),
                                           record the A after them (default 10,10,5)
              --profile-memory             with --profile-trace: count the tensor memory each operation and
                                           range allocates less what it frees (the table's Mem and Self Mem,
                                           PyTorch's profile_memory) and write each allocation and release
                                           into the trace as a [memory] event (default off)
            """;
    static final String TRACE = "profile-trace";
    static final String SCHEDULE = "profile-schedule";
    static final String MEMORY = "profile-memory";
    /** Rows of the printed table. */
    static final int ROWS = 25;

    private final Path trace;
    private final ProfilerSchedule schedule;
    private final boolean memory;
    private final PrintStream out;
    private Profiler profiler;
    private boolean reported;

    private ProfiledSteps(Path trace, ProfilerSchedule schedule, boolean memory, PrintStream out) {
        this.trace = trace;
        this.schedule = schedule;
        this.memory = memory;
        this.out = out;
    }

    /** The profile that {@code o} asks for, or null without {@code --profile-trace}. */
    static ProfiledSteps fromOptions(Options o, PrintStream out) {
        String file = o.get(TRACE, null);
        String steps = o.get(SCHEDULE, null);
        boolean memory = o.flag(MEMORY);
        if (file == null) {
            if (steps != null || memory) {
                throw new IllegalArgumentException("--" + (steps != null ? SCHEDULE : MEMORY) + " needs --" + TRACE
                        + " FILE: the trace to write");
            }
            return null;
        }
        return new ProfiledSteps(Path.of(file), schedule(steps == null ? "10,10,5" : steps), memory, out);
    }

    private static ProfilerSchedule schedule(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("--" + SCHEDULE + " must be WAIT,WARMUP,ACTIVE step counts, e.g."
                    + " 10,10,5, got '" + text + "'");
        }
        int[] n = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                n[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + SCHEDULE + " must be WAIT,WARMUP,ACTIVE step counts, e.g."
                        + " 10,10,5, got '" + text + "'");
            }
        }
        return new ProfilerSchedule(n[0], n[1], n[2], 1, 0);
    }

    /**
     * Creates the engine with its backend behind an {@link OperationProfiler} (as {@code -Dkiln.profileOperations=true}
     * does; every tensor must be made on it) and starts the profiler. Fails when this JVM made its engine earlier
     * without one.
     */
    void start() {
        String before = System.getProperty(OperationProfiler.PROPERTY);
        System.setProperty(OperationProfiler.PROPERTY, "true");
        Engine engine;
        try {
            engine = Engine.get();
        } finally {
            if (before == null) {
                System.clearProperty(OperationProfiler.PROPERTY);
            } else {
                System.setProperty(OperationProfiler.PROPERTY, before);
            }
        }
        if (OperationProfiler.of(engine.backend()).isEmpty()) {
            throw new IllegalStateException("--" + TRACE + " needs the engine's backend profiled from its start, and"
                    + " this JVM made it earlier without -D" + OperationProfiler.PROPERTY + "=true");
        }
        profiler = Profiler.start(ProfilerOptions.DEFAULT.withSchedule(schedule).withProfileMemory(memory));
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
        profiler.step();
        if (profiler.finished()) {
            report();
        }
    }

    @Override
    public void onTrainingEnd(int lastEpoch, String reason) {
        report();
    }

    /** Prints the table and writes the trace, once. */
    private void report() {
        if (reported) {
            return;
        }
        reported = true;
        long recorded = Math.max(0, Math.min(profiler.steps() - schedule.waitSteps() - schedule.warmupSteps(),
                schedule.activeSteps()));
        profiler.close();
        out.printf("profile of %d training steps after %d skipped and %d of warm-up, each operation timed alone:%n",
                recorded, schedule.waitSteps(), schedule.warmupSteps());
        out.print(profiler.keyAverages().table(KeyAverages.Sort.TOTAL, ROWS));
        try {
            profiler.exportChromeTrace(trace);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the profile's trace " + trace, e);
        }
        out.println("trace of the profiled steps: " + trace + " (chrome://tracing or ui.perfetto.dev)");
    }
}
