package dev.kiln.cli;

import dev.kiln.engine.OperationProfiler;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.TrainingListener;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code kiln bench}'s table of the operations of a training step, from an {@link OperationProfiler} (run with
 * {@code -Dkiln.profileOperations=true}): time per step of each operation over the epochs after the first, whose
 * kernel compilation and algorithm searches it forgets, the longest first. The steps are {@link CountersPerStep}'s.
 */
final class OperationProfileReport implements TrainingListener {
    /** Rows printed; the rest are summed in one line. */
    static final int ROWS = 30;
    /** Calls of each GEMM shape when the step's GEMMs are replayed on their own. */
    static final int REPLAYS = 20;

    private final OperationProfiler profiler;

    OperationProfileReport(OperationProfiler profiler) {
        this.profiler = profiler;
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics) {
        if (metrics.epoch() == 1) {
            profiler.reset();
        }
    }

    /** Prints the table over {@code steps} steps after epoch 1, or says why there is none (a single epoch). */
    void print(PrintStream out, long steps) {
        if (steps == 0) {
            out.println("operation profile: none, it covers the epochs after the first; train 2 or more");
            return;
        }
        print(out, profiler.operations(), steps, profiler.idleWaitSeconds());
    }

    /**
     * Runs each GEMM of the step again on its own, {@value #REPLAYS} calls back to back, and prints and returns the
     * milliseconds a step's GEMMs take so (each shape's time per call times its calls per step): what raw cuBLAS would
     * take for them, to set beside the step's time without the profiler (issue 10: GEMM-bound steps within 10% of
     * it). NaN when no step was profiled.
     */
    double replayGemms(PrintStream out, long steps) {
        if (steps == 0) {
            return Double.NaN;
        }
        double millis = 0;
        int shapes = 0;
        for (OperationProfiler.Operation o : profiler.operations()) {
            if (o.gemm() != null) {
                millis += o.gemm().secondsPerCall(REPLAYS) * 1e3 * o.calls() / steps;
                shapes++;
            }
        }
        out.printf(Locale.ROOT, "the step's %d GEMM shapes run again on their own, %d calls each back to back:"
                + " %.3f ms per step%n", shapes, REPLAYS, millis);
        return millis;
    }

    /** The table of {@code operations} over {@code steps} steps; {@code idleWait} is in every operation's time. */
    static void print(PrintStream out, List<OperationProfiler.Operation> operations, long steps, double idleWait) {
        double total = operations.stream().mapToDouble(OperationProfiler.Operation::seconds).sum();
        double host = operations.stream().mapToDouble(OperationProfiler.Operation::hostSeconds).sum();
        long calls = operations.stream().mapToLong(OperationProfiler.Operation::calls).sum();
        out.printf(Locale.ROOT, "operations per step over %d steps after epoch 1, each timed alone (the device waited"
                + " for before and after it; an idle wait takes %.1f us):%n", steps, idleWait * 1e6);
        out.printf(Locale.ROOT, "%9s %6s %10s %12s  %s%n", "ms/step", "share", "calls/step", "host ms/step",
                "operation");
        for (OperationProfiler.Operation o : operations.subList(0, Math.min(ROWS, operations.size()))) {
            row(out, o.seconds(), total, o.calls(), o.hostSeconds(), steps, o.name());
        }
        if (operations.size() > ROWS) {
            List<OperationProfiler.Operation> rest = operations.subList(ROWS, operations.size());
            row(out, rest.stream().mapToDouble(OperationProfiler.Operation::seconds).sum(), total,
                    rest.stream().mapToLong(OperationProfiler.Operation::calls).sum(),
                    rest.stream().mapToDouble(OperationProfiler.Operation::hostSeconds).sum(), steps,
                    "the other " + rest.size() + " operations");
        }
        row(out, total, total, calls, host, steps, "all " + operations.size() + " operations");
    }

    private static void row(PrintStream out, double seconds, double total, long calls, double hostSeconds, long steps,
                            String name) {
        out.printf(Locale.ROOT, "%9.3f %5.1f%% %10.2f %12.3f  %s%n", seconds * 1e3 / steps,
                total == 0 ? 0 : 100 * seconds / total, calls / (double) steps, hostSeconds * 1e3 / steps, name);
    }
}
