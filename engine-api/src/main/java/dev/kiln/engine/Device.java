package dev.kiln.engine;

/**
 * Where a tensor's memory lives: {@code cpu}, or {@code cuda:N} for the N-th GPU.
 *
 * @param kind  the backend family, e.g. "cpu" or "cuda"
 * @param index the device ordinal within that family (0 for the CPU)
 */
public record Device(String kind, int index) {
    /** The host. */
    public static final Device CPU = new Device("cpu", 0);

    /** The N-th CUDA device. */
    public static Device cuda(int index) {
        return new Device("cuda", index);
    }

    @Override
    public String toString() {
        return kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
