package dev.kiln.profiler;

import java.util.function.Consumer;

/**
 * How a {@link Profiler} records: {@code recordShapes} keeps each operation's input dtypes and dims (PyTorch's
 * {@code record_shapes}, needed by {@link Profiler#keyAverages(boolean)} grouped by shape and by the trace's
 * {@code Input Dims}), {@code schedule} says which steps it records, {@code profileMemory} records the tensor memory
 * allocated and freed (PyTorch's {@code profile_memory}: the table's memory columns, the trace's {@code [memory]}
 * events), and {@code onTraceReady} is called with the profiler when a cycle of the schedule has been recorded
 * (PyTorch's {@code on_trace_ready}, e.g. {@link Profiler#tensorboardTraceHandler}), on the thread that ended it.
 */
public record ProfilerOptions(boolean recordShapes, ProfilerSchedule schedule, boolean profileMemory,
                              Consumer<Profiler> onTraceReady) {
    /** Shapes recorded, every step recorded, no memory, nothing called at the end. */
    public static final ProfilerOptions DEFAULT = new ProfilerOptions(true, ProfilerSchedule.ALWAYS, false, p -> {
    });

    /** Checks that a schedule and a callback are given. */
    public ProfilerOptions {
        if (schedule == null) {
            throw new IllegalArgumentException("a profiler needs a schedule; ProfilerSchedule.ALWAYS records every step");
        }
        if (onTraceReady == null) {
            throw new IllegalArgumentException("a profiler needs an onTraceReady callback; p -> { } does nothing");
        }
    }

    /** These options with {@code schedule}. */
    public ProfilerOptions withSchedule(ProfilerSchedule schedule) {
        return new ProfilerOptions(recordShapes, schedule, profileMemory, onTraceReady);
    }

    /** These options with shapes recorded or not. */
    public ProfilerOptions withRecordShapes(boolean recordShapes) {
        return new ProfilerOptions(recordShapes, schedule, profileMemory, onTraceReady);
    }

    /** These options with tensor memory recorded or not. */
    public ProfilerOptions withProfileMemory(boolean profileMemory) {
        return new ProfilerOptions(recordShapes, schedule, profileMemory, onTraceReady);
    }

    /** These options calling {@code onTraceReady} at the end of each recorded cycle. */
    public ProfilerOptions withOnTraceReady(Consumer<Profiler> onTraceReady) {
        return new ProfilerOptions(recordShapes, schedule, profileMemory, onTraceReady);
    }
}
