package dev.kiln.profiler;

/**
 * One row of {@link KeyAverages}: the events of one name (and one input shape, when grouped by it). {@code total}
 * is the time inside them, {@code self} that less the time of the events they enclose (a range's operations; an
 * operation encloses none), {@code host} the time until the operations' calls returned (a range's whole time).
 *
 * @param inputShapes the calls' input dims, e.g. {@code [[4, 8], [8, 8]]}, when grouped by shape, else empty
 */
public record KeyAverage(String name, String inputShapes, long calls, long selfNanos, long totalNanos,
                         long hostNanos) {
    /** The mean total time of a call in nanoseconds. */
    public double averageNanos() {
        return totalNanos / (double) calls;
    }

    KeyAverage plus(ProfilerEvent event, long selfNanos) {
        return new KeyAverage(name, inputShapes, calls + 1, this.selfNanos + selfNanos,
                totalNanos + event.durationNanos(), hostNanos + event.hostNanos());
    }
}
