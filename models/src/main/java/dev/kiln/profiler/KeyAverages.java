package dev.kiln.profiler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * A {@link Profiler}'s events averaged by name, and by input shape when asked (PyTorch's {@code key_averages()}),
 * with its text table ({@link #table}).
 */
public final class KeyAverages {
    /** Column to sort the table by, the largest first (PyTorch's {@code sort_by}). */
    public enum Sort {
        /** {@code self_cpu_time_total}. */
        SELF(KeyAverage::selfNanos),
        /** {@code cpu_time_total}. */
        TOTAL(KeyAverage::totalNanos),
        /** The time until the calls returned. */
        HOST(KeyAverage::hostNanos),
        /** {@code count}. */
        CALLS(KeyAverage::calls);

        private final ToLongFunction<KeyAverage> key;

        Sort(ToLongFunction<KeyAverage> key) {
            this.key = key;
        }
    }

    /** PyTorch's longest name shown in full; longer ones are cut, ending in "...". */
    private static final int NAME_WIDTH = 55;

    private final List<KeyAverage> rows;
    private final boolean byInputShape;

    private KeyAverages(List<KeyAverage> rows, boolean byInputShape) {
        this.rows = rows;
        this.byInputShape = byInputShape;
    }

    /**
     * {@code events} (the earliest first, an enclosing one before what it encloses) averaged by name; the steps'
     * ranges make one row, {@code ProfilerStep*}, as in PyTorch's table.
     */
    static KeyAverages of(List<ProfilerEvent> events, boolean byInputShape) {
        Map<ProfilerEvent, Long> enclosed = enclosedNanos(events);
        Map<String, KeyAverage> rows = new LinkedHashMap<>();
        for (ProfilerEvent e : events) {
            String shapes = byInputShape ? e.inputShapes() : "";
            String name = e.name().startsWith(Profiler.STEP) ? Profiler.STEP + "*" : e.name();
            rows.compute(name + "\u0000" + shapes, (k, row) -> (row == null
                    ? new KeyAverage(name, shapes, 0, 0, 0, 0) : row).plus(e,
                    e.durationNanos() - enclosed.getOrDefault(e, 0L)));
        }
        return new KeyAverages(List.copyOf(rows.values()), byInputShape);
    }

    /** Each event's time spent in the events it directly encloses, found per thread with a stack of open spans. */
    private static Map<ProfilerEvent, Long> enclosedNanos(List<ProfilerEvent> events) {
        Map<ProfilerEvent, Long> enclosed = new IdentityHashMap<>();
        Map<Long, List<ProfilerEvent>> byThread = events.stream()
                .collect(Collectors.groupingBy(ProfilerEvent::threadId, LinkedHashMap::new, Collectors.toList()));
        for (List<ProfilerEvent> thread : byThread.values()) {
            Deque<ProfilerEvent> open = new ArrayDeque<>();
            for (ProfilerEvent e : thread) {
                while (!open.isEmpty() && !open.peek().encloses(e)) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    enclosed.merge(open.peek(), e.durationNanos(), Long::sum);
                }
                open.push(e);
            }
        }
        return enclosed;
    }

    /** The rows, in the order their names were first seen. */
    public List<KeyAverage> rows() {
        return rows;
    }

    /** The row named {@code name} (summed over shapes when grouped by them), or null. */
    public KeyAverage row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).reduce((a, b) -> new KeyAverage(a.name(), "",
                a.calls() + b.calls(), a.selfNanos() + b.selfNanos(), a.totalNanos() + b.totalNanos(),
                a.hostNanos() + b.hostNanos())).orElse(null);
    }

    /**
     * The table PyTorch's {@code table(sort_by, row_limit)} prints: the first {@code rowLimit} rows by {@code sortBy},
     * each with its self and total time (and their shares of all self time), the mean per call, the host time and
     * the calls (and the input shapes, when grouped by them), then the sum of self time.
     */
    public String table(Sort sortBy, int rowLimit) {
        if (rowLimit < 1) {
            throw new IllegalArgumentException("the table needs rowLimit >= 1, got " + rowLimit);
        }
        List<KeyAverage> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(sortBy.key).reversed());
        List<KeyAverage> shown = sorted.subList(0, Math.min(rowLimit, sorted.size()));
        long selfTotal = rows.stream().mapToLong(KeyAverage::selfNanos).sum();
        int nameWidth = Math.max(4, Math.min(NAME_WIDTH, shown.stream().mapToInt(r -> r.name().length()).max()
                .orElse(4)));
        int shapeWidth = byInputShape ? Math.max(12, shown.stream().mapToInt(r -> r.inputShapes().length()).max()
                .orElse(12)) : 0;
        List<String> header = new ArrayList<>(List.of("Name", "Self %", "Self", "Total %", "Total", "Time avg",
                "Host total", "# of Calls"));
        if (byInputShape) {
            header.add("Input Shapes");
        }
        StringBuilder b = new StringBuilder();
        String rule = rule(nameWidth, shapeWidth);
        b.append(rule).append(line(nameWidth, shapeWidth, header)).append(rule);
        for (KeyAverage r : shown) {
            List<String> cells = new ArrayList<>(List.of(cut(r.name()), percent(r.selfNanos(), selfTotal),
                    time(r.selfNanos()), percent(r.totalNanos(), selfTotal), time(r.totalNanos()),
                    time(r.averageNanos()), time(r.hostNanos()), Long.toString(r.calls())));
            if (byInputShape) {
                cells.add(r.inputShapes());
            }
            b.append(line(nameWidth, shapeWidth, cells));
        }
        return b.append(rule).append("Self time total: ").append(time(selfTotal)).append('\n').toString();
    }

    private static String line(int nameWidth, int shapeWidth, List<String> cells) {
        StringBuilder b = new StringBuilder(pad(cells.get(0), nameWidth));
        for (int i = 1; i < 8; i++) {
            b.append("  ").append(pad(cells.get(i), 12));
        }
        if (shapeWidth > 0) {
            b.append("  ").append(pad(cells.get(8), shapeWidth));
        }
        return b.append('\n').toString();
    }

    private static String rule(int nameWidth, int shapeWidth) {
        StringBuilder b = new StringBuilder("-".repeat(nameWidth));
        for (int i = 1; i < 8; i++) {
            b.append("  ").append("-".repeat(12));
        }
        if (shapeWidth > 0) {
            b.append("  ").append("-".repeat(shapeWidth));
        }
        return b.append('\n').toString();
    }

    private static String pad(String cell, int width) {
        return " ".repeat(Math.max(0, width - cell.length())) + cell;
    }

    private static String cut(String name) {
        return name.length() <= NAME_WIDTH ? name : name.substring(0, NAME_WIDTH - 3) + "...";
    }

    private static String percent(long nanos, long total) {
        return String.format(Locale.ROOT, "%.2f%%", total == 0 ? 0 : 100.0 * nanos / total);
    }

    /** As PyTorch writes times: microseconds, milliseconds or seconds with three decimals. */
    static String time(double nanos) {
        double us = nanos / 1e3;
        return us >= 1e6 ? String.format(Locale.ROOT, "%.3fs", us / 1e6)
                : us >= 1e3 ? String.format(Locale.ROOT, "%.3fms", us / 1e3)
                : String.format(Locale.ROOT, "%.3fus", us);
    }
}
