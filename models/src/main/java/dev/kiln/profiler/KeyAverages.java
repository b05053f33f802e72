package dev.kiln.profiler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

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
    private static final int CELL_WIDTH = 12;

    private final List<KeyAverage> rows;
    private final boolean byInputShape;
    private final boolean withMemory;

    private KeyAverages(List<KeyAverage> rows, boolean byInputShape, boolean withMemory) {
        this.rows = rows;
        this.byInputShape = byInputShape;
        this.withMemory = withMemory;
    }

    /**
     * {@code events} (the earliest first, an enclosing one before what it encloses) averaged by name, with the memory
     * of {@code memory} ({@link OwnCosts}) shown in the table when {@code withMemory}; the steps' ranges make one
     * row, {@code ProfilerStep*}, as in PyTorch's table, and the memory events inside no event one more, last,
     * {@code [memory]} (their count, no time, their bytes), as PyTorch 1.13's top-level memory events.
     */
    static KeyAverages of(List<ProfilerEvent> events, List<ProfilerMemoryEvent> memory, boolean byInputShape,
                          boolean withMemory) {
        OwnCosts.Costs costs = OwnCosts.of(events, memory);
        Map<String, KeyAverage> rows = new LinkedHashMap<>();
        for (ProfilerEvent e : events) {
            String shapes = byInputShape ? e.inputShapes() : "";
            String name = e.name().startsWith(Profiler.STEP) ? Profiler.STEP + "*" : e.name();
            rows.compute(name + "\u0000" + shapes, (k, row) -> (row == null
                    ? new KeyAverage(name, shapes, 0, 0, 0, 0, 0, 0) : row).plus(e, costs.owns().get(e)));
        }
        List<KeyAverage> all = new ArrayList<>(rows.values());
        if (costs.outsideCount() > 0) {
            all.add(new KeyAverage(ProfilerMemoryEvent.NAME, "", costs.outsideCount(), 0, 0, 0, costs.outsideBytes(),
                    costs.outsideBytes()));
        }
        return new KeyAverages(List.copyOf(all), byInputShape, withMemory);
    }

    /** The rows, in the order their names were first seen, the {@code [memory]} row last. */
    public List<KeyAverage> rows() {
        return rows;
    }

    /** The row named {@code name} (summed over shapes when grouped by them), or null. */
    public KeyAverage row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).reduce(KeyAverage::plus)
                .map(r -> new KeyAverage(r.name(), "", r.calls(), r.selfNanos(), r.totalNanos(), r.hostNanos(),
                        r.selfMemoryBytes(), r.memoryBytes())).orElse(null);
    }

    /**
     * The table PyTorch's {@code table(sort_by, row_limit)} prints: the first {@code rowLimit} rows by {@code sortBy},
     * each with its self and total time (and their shares of all self time), the mean per call, the host time, with
     * memory profiled its memory and self memory ({@code CPU Mem}, {@code Self CPU Mem}), and the calls (and the
     * input shapes, when grouped by them), then the sum of self time.
     */
    public String table(Sort sortBy, int rowLimit) {
        if (rowLimit < 1) {
            throw new IllegalArgumentException("the table needs rowLimit >= 1, got " + rowLimit);
        }
        List<KeyAverage> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(sortBy.key).reversed());
        List<KeyAverage> shown = sorted.subList(0, Math.min(rowLimit, sorted.size()));
        long selfTotal = rows.stream().mapToLong(KeyAverage::selfNanos).sum();
        List<Integer> widths = new ArrayList<>(List.of(Math.max(4, Math.min(NAME_WIDTH, shown.stream()
                .mapToInt(r -> r.name().length()).max().orElse(4)))));
        List<String> header = new ArrayList<>(List.of("Name", "Self %", "Self", "Total %", "Total", "Time avg",
                "Host total"));
        if (withMemory) {
            header.addAll(List.of("Mem", "Self Mem"));
        }
        header.add("# of Calls");
        while (widths.size() < header.size()) {
            widths.add(CELL_WIDTH);
        }
        if (byInputShape) {
            header.add("Input Shapes");
            widths.add(Math.max(CELL_WIDTH, shown.stream().mapToInt(r -> r.inputShapes().length()).max()
                    .orElse(CELL_WIDTH)));
        }
        StringBuilder b = new StringBuilder();
        String rule = line(widths, widths.stream().map("-"::repeat).toList());
        b.append(rule).append(line(widths, header)).append(rule);
        for (KeyAverage r : shown) {
            List<String> cells = new ArrayList<>(List.of(cut(r.name()), percent(r.selfNanos(), selfTotal),
                    time(r.selfNanos()), percent(r.totalNanos(), selfTotal), time(r.totalNanos()),
                    time(r.averageNanos()), time(r.hostNanos())));
            if (withMemory) {
                cells.addAll(List.of(memory(r.memoryBytes()), memory(r.selfMemoryBytes())));
            }
            cells.add(Long.toString(r.calls()));
            if (byInputShape) {
                cells.add(r.inputShapes());
            }
            b.append(line(widths, cells));
        }
        return b.append(rule).append("Self time total: ").append(time(selfTotal)).append('\n').toString();
    }

    private static String line(List<Integer> widths, List<String> cells) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            b.append(i == 0 ? "" : "  ").append(pad(cells.get(i), widths.get(i)));
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

    /** As PyTorch writes memory: bytes, or KiB, MiB or GiB with two decimals, as {@code b}, {@code Kb}, {@code Mb}, {@code Gb}. */
    static String memory(long bytes) {
        long magnitude = Math.abs(bytes);
        return magnitude >= 1L << 30 ? String.format(Locale.ROOT, "%.2f Gb", bytes / (double) (1L << 30))
                : magnitude >= 1L << 20 ? String.format(Locale.ROOT, "%.2f Mb", bytes / (double) (1L << 20))
                : magnitude >= 1L << 10 ? String.format(Locale.ROOT, "%.2f Kb", bytes / 1024.0)
                : bytes + " b";
    }

    /** As PyTorch writes times: microseconds, milliseconds or seconds with three decimals. */
    static String time(double nanos) {
        double us = nanos / 1e3;
        return us >= 1e6 ? String.format(Locale.ROOT, "%.3fs", us / 1e6)
                : us >= 1e3 ? String.format(Locale.ROOT, "%.3fms", us / 1e3)
                : String.format(Locale.ROOT, "%.3fus", us);
    }
}
