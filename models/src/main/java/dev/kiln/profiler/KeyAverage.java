package dev.kiln.profiler;

/**
 * One row of {@link KeyAverages}: the events of one name (and one input shape, when grouped by it). {@code total}
 * is the time inside them, {@code self} that less the time of the events they enclose (a range's operations; an
 * operation encloses none), {@code host} the time until the operations' calls returned (a range's whole time).
 * With memory profiled, {@code memoryBytes} is the tensor memory allocated less that freed inside them (PyTorch's
 * {@code CPU Mem}) and {@code selfMemoryBytes} that less what the events they enclose count ({@code Self CPU Mem});
 * both 0 without.
 *
 * @param inputShapes the calls' input dims, e.g. {@code [[4, 8], [8, 8]]}, when grouped by shape, else empty
 */
public record KeyAverage(String name, String inputShapes, long calls, long selfNanos, long totalNanos,
                         long hostNanos, long selfMemoryBytes, long memoryBytes) {
    /** The mean total time of a call in nanoseconds. */
    public double averageNanos() {
        return totalNanos / (double) calls;
    }

    /** This row with one more call: {@code event}, whose own time and memory are {@code own}'s. */
    KeyAverage plus(ProfilerEvent event, OwnCosts.Own own) {
        return new KeyAverage(name, inputShapes, calls + 1, selfNanos + own.selfNanos(),
                totalNanos + event.durationNanos(), hostNanos + event.hostNanos(),
                selfMemoryBytes + own.selfMemoryBytes(), memoryBytes + own.memoryBytes());
    }

    /** This row and {@code other}'s summed, under this one's name and shapes. */
    KeyAverage plus(KeyAverage other) {
        return new KeyAverage(name, inputShapes, calls + other.calls, selfNanos + other.selfNanos,
                totalNanos + other.totalNanos, hostNanos + other.hostNanos, selfMemoryBytes + other.selfMemoryBytes,
                memoryBytes + other.memoryBytes);
    }
}
