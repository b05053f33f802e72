package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Packs a kernel's arguments into reused native memory and launches it on the stream: no allocation
 * per launch. Each argument has its own slot; {@code kernelParams[i]} points at slot i, as
 * cuLaunchKernel expects. Not thread-safe: the backend serialises its calls.
 *
 * <pre>
 * launcher.begin().pointer(x).pointer(out).int64(n).launch(function, launcher.blocksFor(n));
 * </pre>
 */
final class KernelLauncher implements AutoCloseable {
    /** Threads per block of every Kiln kernel; row kernels rely on a multiple of 32. */
    static final int THREADS = 256;
    private static final int SLOTS = 24;
    private static final int SLOT_BYTES = 128;
    /** Bytes of the one large struct a launch may pass: a multi-tensor kernel's list (kernel arguments: 4 KiB). */
    private static final int LIST_BYTES = 2048;

    private final CudaContext context;
    private final BytePointer slots = new BytePointer((long) SLOTS * SLOT_BYTES);
    private final PointerPointer<Pointer> params = new PointerPointer<>(SLOTS);
    private final BytePointer list = new BytePointer(LIST_BYTES);
    private int listAt = -1;
    private final int maxBlocks;
    private int count;
    private long launches;
    private long graphLaunches;

    KernelLauncher(CudaContext context) {
        this.context = context;
        for (int i = 0; i < SLOTS; i++) {
            params.put(i, slot(i));
        }
        // Enough blocks to fill the device several times over; grid-stride loops cover the rest.
        this.maxBlocks = Math.max(1, context.multiprocessors() * 16);
    }

    KernelLauncher begin() {
        if (listAt >= 0) {
            params.put(listAt, slot(listAt));
            listAt = -1;
        }
        count = 0;
        return this;
    }

    private Pointer slot(int i) {
        return DevicePointers.at(slots.address() + (long) i * SLOT_BYTES);
    }

    /** A tensor's device address (of its first element, after its offset); null gives a null pointer. */
    KernelLauncher pointer(Tensor t) {
        return pointer(t == null ? 0 : DevicePointers.address(t));
    }

    /**
     * A raw device address (e.g. an allocator block's) for a pointer parameter: the same bytes as {@link #int64},
     * but KernelLaunchSignaturesTest tells a pointer from an integer.
     */
    KernelLauncher pointer(long deviceAddress) {
        return int64(deviceAddress);
    }

    KernelLauncher int32(int value) {
        slots.putInt(next(), value);
        return this;
    }

    KernelLauncher int64(long value) {
        slots.putLong(next(), value);
        return this;
    }

    KernelLauncher float64(double value) {
        slots.putDouble(next(), value);
        return this;
    }

    /** A struct of {@code long long} fields passed by value, e.g. Dims8 (8 values) or Pool. */
    KernelLauncher struct(long[] fields) {
        if (fields.length * 8 > SLOT_BYTES) {
            throw new IllegalArgumentException("kernel struct of " + fields.length + " fields exceeds a slot");
        }
        long at = next();
        for (int i = 0; i < fields.length; i++) {
            slots.putLong(at + 8L * i, fields[i]);
        }
        return this;
    }

    /**
     * A struct of up to 256 {@code long long} fields passed by value, e.g. the tensor list of a multi-tensor
     * kernel; one per launch.
     */
    KernelLauncher list(long[] fields) {
        if (fields.length * 8 > LIST_BYTES) {
            throw new IllegalArgumentException("kernel list of " + fields.length + " fields exceeds " + LIST_BYTES + " bytes");
        }
        if (listAt >= 0) {
            throw new IllegalStateException("a launch passes at most one list");
        }
        next();
        listAt = count - 1;
        for (int i = 0; i < fields.length; i++) {
            list.putLong(8L * i, fields[i]);
        }
        params.put(listAt, list);
        return this;
    }

    private long next() {
        if (count == SLOTS) {
            throw new IllegalStateException("a kernel takes at most " + SLOTS + " arguments here");
        }
        return (long) SLOT_BYTES * count++;
    }

    /** Grid size for a grid-stride loop over {@code n} elements. */
    int blocksFor(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, maxBlocks));
    }

    /** Grid size for kernels that give each of {@code rows} rows (or channels) one block. */
    int blocksForRows(long rows) {
        return (int) Math.max(1, Math.min(rows, 65_535));
    }

    void launch(CudaKernels.Function function, int blocks) {
        context.bindThread();
        Status.driver(cudart.cuLaunchKernel(function.handle(), blocks, 1, 1, THREADS, 1, 1, 0, context.stream(),
                params, (PointerPointer<?>) null),
                () -> "cuLaunchKernel(" + function.name() + ", " + blocks + " blocks)");
        launches++;
    }

    /** A step graph was launched ({@link CudaStepGraph#replay}). */
    void graphLaunched() {
        graphLaunches++;
    }

    /** Step graphs launched since the backend started. */
    long graphLaunches() {
        return graphLaunches;
    }

    /** Kernels launched since the backend started (for benchmarks: launches per step). */
    long launches() {
        return launches;
    }

    @Override
    public void close() {
        params.close();
        slots.close();
        list.close();
    }
}
