package dev.kiln.train;

import java.io.PrintStream;
import java.util.Objects;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a task of known length (the batches of an epoch, say). On a terminal
 * ({@code System.console() != null}) it draws a me.tongfei {@link ProgressBar}; elsewhere (CI logs, files,
 * pipes) it writes a plain line about every 10% and one at the end, to the given {@link PrintStream} or,
 * without one, through SLF4J at INFO:
 * <pre>
 * epoch 3: 40% (188/469) 1520.3/s, 0:00:12 loss 0.2310
 * </pre>
 * Use from one thread.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final String task;
    private final long total;
    private final PrintStream out;
    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private long current;
    private int lastDecile;
    private String extra = "";
    private boolean closed;

    /**
     * A progress bar on a terminal, else plain lines through SLF4J.
     *
     * @param total number of steps expected, 0 when unknown
     */
    public Progress(String task, long total) {
        this(task, total, null, System.console() != null);
    }

    /**
     * A progress bar on a terminal, else plain lines to {@code plainOut} (SLF4J when null).
     *
     * @param total number of steps expected, 0 when unknown
     */
    public Progress(String task, long total, PrintStream plainOut) {
        this(task, total, plainOut, System.console() != null);
    }

    /** Plain lines only, whatever the output is (for logs and tests). */
    public static Progress plain(String task, long total, PrintStream out) {
        return new Progress(task, total, Objects.requireNonNull(out, "out"), false);
    }

    private Progress(String task, long total, PrintStream plainOut, boolean terminal) {
        if (total < 0) {
            throw new IllegalArgumentException("Progress: total must be >= 0, got " + total);
        }
        this.task = Objects.requireNonNull(task, "task");
        this.total = total;
        this.out = plainOut;
        this.bar = terminal
                ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total > 0 ? total : -1)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250).showSpeed().build()
                : null;
    }

    /** True when drawing a terminal progress bar rather than writing lines. */
    public boolean isBar() {
        return bar != null;
    }

    /** Steps done so far. */
    public long current() {
        return current;
    }

    /**
     * Records {@code n} more steps done.
     *
     * @param extraMessage shown after the bar or at the end of the line (e.g. "loss 0.2310"); null keeps the last one
     */
    public void step(long n, String extraMessage) {
        if (closed) {
            throw new IllegalStateException("Progress '" + task + "' is closed");
        }
        if (n < 0) {
            throw new IllegalArgumentException("Progress.step: n must be >= 0, got " + n);
        }
        current += n;
        if (extraMessage != null) {
            extra = extraMessage;
        }
        if (bar != null) {
            bar.stepBy(n);
            if (extraMessage != null) {
                bar.setExtraMessage(" " + extraMessage);
            }
            return;
        }
        if (total > 0) {
            int decile = (int) Math.min(10, current * 10 / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                emit();
            }
        }
    }

    /** Ends the bar, or writes the final line if the last one written was not at 100%. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
        } else if (total == 0 || lastDecile < 10) {
            emit();
        }
    }

    private void emit() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder line = new StringBuilder(task).append(": ");
        if (total > 0) {
            line.append(current * 100 / total).append("% (").append(current).append('/').append(total).append(')');
        } else {
            line.append(current);
        }
        line.append(String.format(java.util.Locale.ROOT, " %.1f/s, %s", seconds > 0 ? current / seconds : 0.0, clock(seconds)));
        if (!extra.isEmpty()) {
            line.append(' ').append(extra);
        }
        if (out != null) {
            out.println(line);
        } else {
            LOG.info("{}", line);
        }
    }

    private static String clock(double seconds) {
        long s = (long) seconds;
        return String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
