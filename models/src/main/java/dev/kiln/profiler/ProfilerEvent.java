package dev.kiln.profiler;

import dev.kiln.engine.OperationProfiler;
import java.util.List;

/**
 * One recorded span of a {@link Profiler}: an operation of the backend ({@link #OPERATION}, timed by
 * {@link OperationProfiler} with the device waited for before and after it, so its time is its device work's too),
 * or a range the program marked ({@link #RANGE}, {@link Profiler#range}, and a {@code ProfilerStep#N} per step).
 * Times are {@link System#nanoTime}; {@code hostNanos} is the time until the call returned (an operation's host
 * share; a range's whole time); {@code inputs} are an operation's tensors when shapes are recorded, else empty.
 *
 * @param name an operation's {@link dev.kiln.engine.Backend} method with its enum and boolean arguments,
 *             e.g. {@code gemm(false, true)}, {@code unary(RELU)}, {@code fill}; a range's name
 */
public record ProfilerEvent(String name, String category, long threadId, long startNanos, long endNanos,
                            long hostNanos, List<OperationProfiler.Input> inputs) {
    /** The category of a backend operation. */
    public static final String OPERATION = "kiln_op";
    /** The category of a marked range, as PyTorch names its {@code record_function} spans. */
    public static final String RANGE = "user_annotation";

    /** {@code call} as an event, with its inputs if {@code recordShapes}. */
    static ProfilerEvent of(OperationProfiler.Call call, boolean recordShapes) {
        String name = call.flags().isEmpty() ? call.method()
                : call.method() + "(" + String.join(", ", call.flags()) + ")";
        return new ProfilerEvent(name, OPERATION, call.threadId(), call.startNanos(), call.endNanos(),
                call.queuedNanos() - call.startNanos(), recordShapes ? call.inputs() : List.of());
    }

    /** A range on thread {@code threadId} from {@code start} to {@code end}. */
    static ProfilerEvent range(String name, long threadId, long start, long end) {
        return new ProfilerEvent(name, RANGE, threadId, start, end, end - start, List.of());
    }

    /** The span's length in nanoseconds. */
    public long durationNanos() {
        return endNanos - startNanos;
    }

    /** Whether {@code other} lies within this span on the same thread. */
    public boolean encloses(ProfilerEvent other) {
        return threadId == other.threadId && startNanos <= other.startNanos && other.endNanos <= endNanos;
    }

    /** The inputs' dims as PyTorch's {@code Input Shapes} column shows them, e.g. {@code [[4, 8], [8, 8]]}. */
    public String inputShapes() {
        return inputs.stream().map(i -> i.dims().toString()).toList().toString();
    }
}
