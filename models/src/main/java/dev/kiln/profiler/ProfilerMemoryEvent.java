package dev.kiln.profiler;

/**
 * A tensor storage allocated or released while a {@link Profiler} recorded with
 * {@link ProfilerOptions#profileMemory}: a {@code [memory]} instant of its Chrome trace.
 *
 * @param bytes          the storage's bytes, positive when allocated and negative when released
 * @param address        the storage's identity, the same for its allocation and its release (PyTorch's {@code Addr})
 * @param totalAllocated the backend's bytes in live tensors after it (PyTorch's {@code Total Allocated})
 */
public record ProfilerMemoryEvent(long threadId, long nanos, long bytes, long address, long totalAllocated) {
    /** Its name in the trace, and that of the table's row of the memory events inside no event, as PyTorch's. */
    public static final String NAME = "[memory]";
}
