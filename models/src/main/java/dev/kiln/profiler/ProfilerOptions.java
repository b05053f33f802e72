package dev.kiln.profiler;

/**
 * How a {@link Profiler} records: {@code recordShapes} keeps each operation's input dtypes and dims (PyTorch's
 * {@code record_shapes}, needed by {@link Profiler#keyAverages(boolean)} grouped by shape and by the trace's
 * {@code Input Dims}), and {@code schedule} says which steps it records.
 */
public record ProfilerOptions(boolean recordShapes, ProfilerSchedule schedule) {
    /** Shapes recorded, every step recorded. */
    public static final ProfilerOptions DEFAULT = new ProfilerOptions(true, ProfilerSchedule.ALWAYS);

    /** Checks that a schedule is given. */
    public ProfilerOptions {
        if (schedule == null) {
            throw new IllegalArgumentException("a profiler needs a schedule; ProfilerSchedule.ALWAYS records every step");
        }
    }

    /** These options with {@code schedule}. */
    public ProfilerOptions withSchedule(ProfilerSchedule schedule) {
        return new ProfilerOptions(recordShapes, schedule);
    }

    /** These options with shapes recorded or not. */
    public ProfilerOptions withRecordShapes(boolean recordShapes) {
        return new ProfilerOptions(recordShapes, schedule);
    }
}
