package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * Copies between Java buffers and device memory through pinned (page-locked) staging buffers, so that
 * the DMA engine copies asynchronously and at full speed. An upload returns as soon as it is queued.
 * The staging buffers are used in turn, each reused only once the copy queued through it {@value #SLOTS}
 * copies earlier has passed: with a single buffer every upload would wait for all the work queued before
 * the previous one, and the GPU would run dry while the host prepares the next batch. A download waits for
 * the stream: the user is reading a value. Transfers of more than {@link #CHUNK} bytes go in pieces (a Java
 * buffer view holds at most 2 GiB).
 */
final class HostTransfers implements AutoCloseable {
    private static final int SLOTS = 4;
    static final long CHUNK = 256L << 20;

    private final CudaContext context;
    private final Slot[] slots = new Slot[SLOTS];
    private int next;
    private long stagingWaits;

    HostTransfers(CudaContext context) {
        this.context = context;
        context.bindThread();
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot(context);
        }
    }

    void upload(Buffer src, Tensor dst) {
        context.requireNotRecording("upload host data into a " + dst.dtype() + " " + dst.shape() + " tensor");
        forEachChunk(dst, (first, count, bytes) -> {
            Slot slot = nextSlot(bytes);
            put(window(src, first, count), slot.bytes(bytes), dst.dtype());
            Status.runtime(cudart.cudaMemcpyAsync(deviceAt(dst, first), slot.pinned, bytes, cudart.cudaMemcpyHostToDevice,
                    context.stream()), () -> "cudaMemcpyAsync(host to device, " + bytes + " bytes)");
            slot.recordCopy(context);
        });
    }

    /** {@code bytes} of page-locked host memory, its capacity and limit set so that asByteBuffer() covers it all. */
    static Pointer mallocPinned(long bytes) {
        Pointer p = new Pointer();
        Status.runtime(cudart.cudaMallocHost(p, bytes), () -> "cudaMallocHost(" + bytes + ")");
        p.capacity(bytes);
        p.limit(bytes);
        return p;
    }

    /** Times the host waited for a staging buffer's earlier copy to finish. */
    long stagingWaits() {
        return stagingWaits;
    }

    void download(Tensor src, Buffer dst) {
        context.requireNotRecording("read a " + src.dtype() + " " + src.shape() + " tensor back (item(), toFloatArray(), ...)");
        forEachChunk(src, (first, count, bytes) -> {
            Slot slot = nextSlot(bytes);
            Status.runtime(cudart.cudaMemcpyAsync(slot.pinned, deviceAt(src, first), bytes, cudart.cudaMemcpyDeviceToHost,
                    context.stream()), () -> "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
            context.synchronize();
            get(slot.bytes(bytes), window(dst, first, count), src.dtype());
            slot.recordCopy(context);
        });
    }

    @FunctionalInterface
    private interface ChunkCopy {
        void copy(long firstElement, long elements, long bytes);
    }

    private static void forEachChunk(Tensor t, ChunkCopy copy) {
        long elementBytes = t.dtype().bytes();
        long perChunk = CHUNK / elementBytes;
        for (long first = 0; first < t.size(); first += perChunk) {
            long count = Math.min(perChunk, t.size() - first);
            copy.copy(first, count, count * elementBytes);
        }
    }

    private static Pointer deviceAt(Tensor t, long element) {
        return DevicePointers.at(DevicePointers.address(t) + element * t.dtype().bytes());
    }

    /** {@code count} elements of {@code b} from {@code first} on (relative to its position). */
    private static Buffer window(Buffer b, long first, long count) {
        Buffer w = b.duplicate();
        int from = Math.toIntExact(b.position() + first);
        w.position(from);
        w.limit(Math.toIntExact(from + count));
        return w;
    }

    /** The next slot in turn, once the copy it staged last has finished, holding at least {@code bytes}. */
    private Slot nextSlot(long bytes) {
        context.bindThread();
        Slot slot = slots[next];
        next = (next + 1) % SLOTS;
        if (slot.awaitLastCopy()) {
            stagingWaits++;
        }
        slot.ensureCapacity(bytes);
        return slot;
    }

    private static void put(Buffer src, ByteBuffer stage, DType dtype) {
        switch (dtype) {
            case F32 -> stage.asFloatBuffer().put((FloatBuffer) src);
            case F64 -> stage.asDoubleBuffer().put((DoubleBuffer) src);
            case I32 -> stage.asIntBuffer().put((IntBuffer) src);
            case I64 -> stage.asLongBuffer().put((LongBuffer) src);
        }
    }

    private static void get(ByteBuffer stage, Buffer dst, DType dtype) {
        switch (dtype) {
            case F32 -> ((FloatBuffer) dst).put(stage.asFloatBuffer());
            case F64 -> ((DoubleBuffer) dst).put(stage.asDoubleBuffer());
            case I32 -> ((IntBuffer) dst).put(stage.asIntBuffer());
            case I64 -> ((LongBuffer) dst).put(stage.asLongBuffer());
        }
    }

    @Override
    public void close() {
        context.bindThread();
        for (Slot slot : slots) {
            slot.close();
        }
    }

    /** One pinned staging buffer and the event recorded behind the last copy through it. */
    private static final class Slot {
        private final CUevent_st lastCopy = new CUevent_st();
        private Pointer pinned;
        private ByteBuffer view;
        private long capacity;

        Slot(CudaContext context) {
            Status.runtime(cudart.cudaEventCreateWithFlags(lastCopy, cudart.cudaEventDisableTiming), "cudaEventCreate");
            Status.runtime(cudart.cudaEventRecord(lastCopy, context.stream()), "cudaEventRecord");
        }

        /** Waits for the copy staged last through this slot; true when it had not finished (the host waited). */
        boolean awaitLastCopy() {
            int status = cudart.cudaEventQuery(lastCopy);
            if (status == cudart.cudaSuccess) {
                return false;
            }
            if (status != cudart.cudaErrorNotReady) {
                Status.runtime(status, "cudaEventQuery");
            }
            Status.runtime(cudart.cudaEventSynchronize(lastCopy), "cudaEventSynchronize");
            return true;
        }

        void recordCopy(CudaContext context) {
            Status.runtime(cudart.cudaEventRecord(lastCopy, context.stream()), "cudaEventRecord");
        }

        void ensureCapacity(long bytes) {
            if (bytes <= capacity) {
                return;
            }
            if (pinned != null) {
                Status.runtime(cudart.cudaFreeHost(pinned), "cudaFreeHost");
            }
            long size = Math.max(bytes, 1L << 20);
            pinned = mallocPinned(size);
            capacity = size;
            view = pinned.asByteBuffer().order(ByteOrder.nativeOrder());
        }

        /** The first {@code bytes} of the buffer, in native order. */
        ByteBuffer bytes(long bytes) {
            ByteBuffer b = view.duplicate().order(ByteOrder.nativeOrder());
            b.limit(Math.toIntExact(bytes));
            return b;
        }

        void close() {
            cudart.cudaEventSynchronize(lastCopy);
            cudart.cudaEventDestroy(lastCopy);
            if (pinned != null) {
                cudart.cudaFreeHost(pinned);
            }
        }
    }
}
