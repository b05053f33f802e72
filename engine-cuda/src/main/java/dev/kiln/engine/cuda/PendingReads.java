package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * One-element reads that wait for their own value, not for the whole stream ({@link CudaBackend#itemAsync}): each
 * value is copied into its own 8 bytes ("box") of a pinned buffer with an event recorded behind the copy, and
 * reading it waits for that event only. Boxes are used in turn, so a value must be read before {@value #BOXES}
 * later ones are queued; a training loop reads each step's loss one step later.
 */
final class PendingReads implements AutoCloseable {
    static final int BOXES = 64;
    private static final int BOX_BYTES = Long.BYTES;

    private final CudaContext context;
    private final Object lock;
    private final Pointer pinned;
    private final ByteBuffer boxes;
    private final CUevent_st[] copied = new CUevent_st[BOXES];
    private final long[] generations = new long[BOXES];
    private int next;
    private long waits;
    private boolean closed;

    /** @param lock what every use of the backend synchronises on: reads are finished under it too */
    PendingReads(CudaContext context, Object lock) {
        this.context = context;
        this.lock = lock;
        context.bindThread();
        pinned = HostTransfers.mallocPinned((long) BOXES * BOX_BYTES);
        boxes = pinned.asByteBuffer().order(ByteOrder.nativeOrder());
        try {
            for (int i = 0; i < BOXES; i++) {
                copied[i] = new CUevent_st();
                Status.runtime(cudart.cudaEventCreateWithFlags(copied[i], cudart.cudaEventDisableTiming),
                        "cudaEventCreate");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Queues the copy of one-element {@code src} into the next box. Call under the lock. */
    PendingItem start(Tensor src) {
        if (closed) {
            throw new IllegalStateException("itemAsync: the CUDA backend is closed");
        }
        context.requireNotRecording("read a value back (itemAsync)");
        context.bindThread();
        int box = next;
        next = (next + 1) % BOXES;
        long generation = ++generations[box];
        Status.runtime(cudart.cudaMemcpyAsync(DevicePointers.at(pinned.address() + (long) box * BOX_BYTES),
                DevicePointers.of(src), src.dtype().bytes(), cudart.cudaMemcpyDeviceToHost, context.stream()),
                () -> "cudaMemcpyAsync(device to host, one " + src.dtype() + " value)");
        Status.runtime(cudart.cudaEventRecord(copied[box], context.stream()), "cudaEventRecord");
        return new Read(box, generation, src.dtype());
    }

    /** Reads that found their value not yet copied and waited for it. */
    long waits() {
        return waits;
    }

    private double finish(int box, long generation, DType dtype) {
        if (closed) {
            throw new IllegalStateException("itemAsync: the CUDA backend was closed before the value was read");
        }
        if (generations[box] != generation) {
            throw new IllegalStateException("itemAsync: the value was not read before " + BOXES + " later itemAsync"
                    + " calls reused its staging memory; read pending values sooner");
        }
        context.bindThread();
        int status = cudart.cudaEventQuery(copied[box]);
        if (status == cudart.cudaErrorNotReady) {
            waits++;
            Status.runtime(cudart.cudaEventSynchronize(copied[box]), "cudaEventSynchronize(itemAsync)");
        } else {
            Status.runtime(status, "cudaEventQuery(itemAsync)");
        }
        int at = box * BOX_BYTES;
        return switch (dtype) {
            case F32 -> boxes.getFloat(at);
            case F64 -> boxes.getDouble(at);
            case I32 -> boxes.getInt(at);
            case I64 -> boxes.getLong(at);
        };
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.bindThread();
        for (CUevent_st event : copied) {
            if (event != null) {
                cudart.cudaEventSynchronize(event);
                cudart.cudaEventDestroy(event);
            }
        }
        cudart.cudaFreeHost(pinned);
    }

    /** One pending value; the first {@link #get} finishes it, later ones return it again. */
    private final class Read implements PendingItem {
        private final int box;
        private final long generation;
        private final DType dtype;
        private boolean done;
        private double value;

        Read(int box, long generation, DType dtype) {
            this.box = box;
            this.generation = generation;
            this.dtype = dtype;
        }

        @Override
        public double get() {
            synchronized (lock) {
                if (!done) {
                    value = finish(box, generation, dtype);
                    done = true;
                }
                return value;
            }
        }
    }
}
