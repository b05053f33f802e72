package dev.kiln.engine.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Caching device allocator: a freed block goes to a free list of its (rounded) size and the next request
 * of that size takes it back without calling cudaMalloc, so a training loop that allocates the same
 * shapes every step stops reaching the driver after its first step. All work runs on one stream, in
 * order, so a block freed by one op can be handed to the next op at once. When cudaMalloc fails, the
 * cache is returned to the driver and the request retried once; if it still fails, the error names the
 * request and the statistics, and the allocator stays usable.
 */
final class DeviceAllocator {
    private static final long SMALL = 1L << 20;
    private static final long SMALL_GRANULE = 512;
    private static final long LARGE_GRANULE = 1L << 20;

    /** One cudaMalloc'd block of {@code bytes} (rounded) bytes. */
    record Block(long address, long bytes) {
    }

    /** Bytes in live blocks, in the cache, the peak of the former, and how often cudaMalloc was called. */
    record Statistics(long inUse, long cached, long peakInUse, long mallocCalls) {
        @Override
        public String toString() {
            return String.format("in use %,d bytes, cached %,d bytes, peak in use %,d bytes, %,d cudaMalloc calls",
                    inUse, cached, peakInUse, mallocCalls);
        }
    }

    private final CudaContext context;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private final List<GraphPool> pools = new ArrayList<>();
    private GraphPool recording;
    private long inUse;
    private long cached;
    private long peakInUse;
    private long mallocCalls;

    DeviceAllocator(CudaContext context) {
        this.context = context;
    }

    /** Rounds a request up to its size class: 512 bytes below 1 MiB, 1 MiB above. */
    static long sizeClass(long bytes) {
        long granule = bytes < SMALL ? SMALL_GRANULE : LARGE_GRANULE;
        long rounded = (Math.max(bytes, 1) + granule - 1) / granule * granule;
        return rounded;
    }

    synchronized Block allocate(long bytes, String what) {
        long size = sizeClass(bytes);
        Block block = recording == null ? null : recording.take(size);
        if (block == null) {
            ArrayDeque<Block> list = free.get(size);
            block = list == null ? null : list.poll();
            if (block == null) {
                block = new Block(malloc(size, what), size);
                cached += size;
            }
            if (recording != null) {
                recording.own(block);
            }
        }
        cached -= size;
        inUse += size;
        peakInUse = Math.max(peakInUse, inUse);
        return block;
    }

    synchronized void free(Block block) {
        inUse -= block.bytes();
        cached += block.bytes();
        for (GraphPool pool : pools) {
            if (pool.owns(block)) {
                pool.giveBack(block);
                return;
            }
        }
        if (recording != null) {
            recording.retire(block);
            return;
        }
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block);
    }

    /**
     * From now until {@link #endRecording}, every block handed out belongs to a step graph being recorded
     * ({@link GraphPool}); until {@link #release(GraphPool)} none of them serves other work.
     */
    synchronized GraphPool beginRecording() {
        if (recording != null || !pools.isEmpty()) {
            throw new IllegalStateException("a step graph is already " + (recording != null ? "being recorded" : "alive")
                    + ": close it before recording another (its memory must not serve a second graph)");
        }
        recording = new GraphPool();
        pools.add(recording);
        return recording;
    }

    /** The recording ended: blocks handed out from now on are nobody's graph's. */
    synchronized void endRecording() {
        recording = null;
    }

    /** The graph of {@code pool} closed (or its recording failed): its free and retired blocks return to the cache. */
    synchronized void release(GraphPool pool) {
        if (pool == recording) {
            recording = null;
        }
        pools.remove(pool);
        for (Block block : pool.release()) {
            free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block);
        }
    }

    synchronized Statistics statistics() {
        return new Statistics(inUse, cached, peakInUse, mallocCalls);
    }

    /** Returns every cached block to the driver (not those reserved for step graphs). */
    synchronized void emptyCache() {
        context.bindThread();
        context.synchronize();
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) {
                Status.runtime(cudart.cudaFree(DevicePointers.at(b.address())), "cudaFree");
                cached -= b.bytes();
            }
        }
        free.clear();
    }

    private long malloc(long size, String what) {
        context.bindThread();
        Pointer p = new Pointer();
        int status = cudart.cudaMalloc(p, size);
        // Emptying the cache waits for the device and frees memory: neither may happen while a graph is recorded.
        if (status == cudart.cudaErrorMemoryAllocation && recording == null) {
            cudart.cudaGetLastError();
            emptyCache();
            status = cudart.cudaMalloc(p, size);
        }
        if (status == cudart.cudaErrorMemoryAllocation) {
            cudart.cudaGetLastError();
            throw new CudaOutOfMemoryException("CUDA out of memory: could not allocate " + String.format("%,d", size)
                    + " bytes for " + what + " on " + context.device() + (recording != null ? " while recording a"
                    + " CUDA graph" : "") + " (" + deviceMemory() + "; Kiln's allocator: " + statistics() + ")");
        }
        Status.runtime(status, "cudaMalloc(" + size + ")");
        mallocCalls++;
        return p.address();
    }

    private String deviceMemory() {
        try (SizeTPointer freeBytes = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (cudart.cudaMemGetInfo(freeBytes, total) != cudart.cudaSuccess) {
                return "device memory unknown";
            }
            return String.format("device: %,d of %,d bytes free", freeBytes.get(), total.get());
        }
    }
}
