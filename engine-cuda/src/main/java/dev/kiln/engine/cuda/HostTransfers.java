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
 * Copies between Java buffers and device memory through one pinned (page-locked) staging buffer, so
 * that the DMA engine copies asynchronously and at full speed. An upload returns as soon as it is
 * queued; the staging buffer is reused only after the event recorded behind the previous copy has
 * passed. A download waits for the stream: the user is reading a value.
 */
final class HostTransfers implements AutoCloseable {
    private final CudaContext context;
    private final CUevent_st lastCopy = new CUevent_st();
    private Pointer staging;
    private ByteBuffer stagingBytes;
    private long capacity;

    HostTransfers(CudaContext context) {
        this.context = context;
        context.bindThread();
        Status.runtime(cudart.cudaEventCreateWithFlags(lastCopy, cudart.cudaEventDisableTiming), "cudaEventCreate");
        Status.runtime(cudart.cudaEventRecord(lastCopy, context.stream()), "cudaEventRecord");
    }

    void upload(Buffer src, Tensor dst) {
        long bytes = dst.size() * dst.dtype().bytes();
        if (bytes == 0) {
            return;
        }
        ByteBuffer stage = stage(bytes);
        put(src, stage, dst.dtype());
        Status.runtime(cudart.cudaMemcpyAsync(DevicePointers.of(dst), staging, bytes, cudart.cudaMemcpyHostToDevice,
                context.stream()), "cudaMemcpyAsync(host to device, " + bytes + " bytes)");
        Status.runtime(cudart.cudaEventRecord(lastCopy, context.stream()), "cudaEventRecord");
    }

    void download(Tensor src, Buffer dst) {
        long bytes = src.size() * src.dtype().bytes();
        if (bytes == 0) {
            return;
        }
        ByteBuffer stage = stage(bytes);
        Status.runtime(cudart.cudaMemcpyAsync(staging, DevicePointers.of(src), bytes, cudart.cudaMemcpyDeviceToHost,
                context.stream()), "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
        context.synchronize();
        get(stage, dst, src.dtype());
        Status.runtime(cudart.cudaEventRecord(lastCopy, context.stream()), "cudaEventRecord");
    }

    /** The staging buffer, at least {@code bytes} long, once the previous copy through it has finished. */
    private ByteBuffer stage(long bytes) {
        context.bindThread();
        Status.runtime(cudart.cudaEventSynchronize(lastCopy), "cudaEventSynchronize");
        if (bytes > capacity) {
            if (staging != null) {
                Status.runtime(cudart.cudaFreeHost(staging), "cudaFreeHost");
            }
            long size = Math.max(bytes, 1L << 20);
            Pointer p = new Pointer();
            Status.runtime(cudart.cudaMallocHost(p, size), "cudaMallocHost(" + size + ")");
            staging = p;
            capacity = size;
            p.capacity(size);
            p.limit(size);
            stagingBytes = p.asByteBuffer().order(ByteOrder.nativeOrder());
        }
        ByteBuffer b = stagingBytes.duplicate().order(ByteOrder.nativeOrder());
        b.limit((int) bytes);
        return b;
    }

    private static void put(Buffer src, ByteBuffer stage, DType dtype) {
        switch (dtype) {
            case F32 -> stage.asFloatBuffer().put(((FloatBuffer) src).duplicate());
            case F64 -> stage.asDoubleBuffer().put(((DoubleBuffer) src).duplicate());
            case I32 -> stage.asIntBuffer().put(((IntBuffer) src).duplicate());
            case I64 -> stage.asLongBuffer().put(((LongBuffer) src).duplicate());
        }
    }

    private static void get(ByteBuffer stage, Buffer dst, DType dtype) {
        switch (dtype) {
            case F32 -> ((FloatBuffer) dst).duplicate().put(stage.asFloatBuffer());
            case F64 -> ((DoubleBuffer) dst).duplicate().put(stage.asDoubleBuffer());
            case I32 -> ((IntBuffer) dst).duplicate().put(stage.asIntBuffer());
            case I64 -> ((LongBuffer) dst).duplicate().put(stage.asLongBuffer());
        }
    }

    @Override
    public void close() {
        context.bindThread();
        cudart.cudaEventSynchronize(lastCopy);
        cudart.cudaEventDestroy(lastCopy);
        if (staging != null) {
            cudart.cudaFreeHost(staging);
        }
    }
}
