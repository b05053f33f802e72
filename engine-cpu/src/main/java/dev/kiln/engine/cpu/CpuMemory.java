package dev.kiln.engine.cpu;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/**
 * A caching allocator for native memory: freed blocks are kept by size and handed out again, so a
 * training loop that allocates the same shapes every step calls malloc only in its first step. Large
 * blocks come from mmap, and a fresh mapping costs a page fault per 4 KiB on first touch: ResNet-18 at
 * batch 256 spent 29% of its CPU time in the kernel when only 1 GiB was cached. The bound is therefore the
 * larger of a floor and the peak in use with {@link #HEADROOM}: memory held, in use and cached, stays within a
 * quarter above what the process has already needed at once; a miss that would exceed it first returns cached
 * blocks to the system.
 */
final class CpuMemory {
    /** Blocks are rounded up to this many bytes so that nearby sizes share a cache bucket. */
    private static final long ALIGN = 64;
    /** The largest block: a block is read through one java.nio buffer, whose capacity is an int. */
    static final long MAX_BLOCK_BYTES = Integer.MAX_VALUE / ALIGN * ALIGN;

    /**
     * How far above the peak in use the memory held may go. Blocks are cached by exact size, and a step needs more
     * of some sizes at one moment and more of others at another: held within the peak itself, ResNet-18 at batch
     * 256 (peak 2,114 MiB) returned and freshly mapped 750 MiB every step, 190,000 page faults. Replaying that
     * run's allocations: 1.05 times the peak still maps 350 MiB a step, 1.1 times 130 MiB, 1.15 times and above
     * none, holding 2,377 MiB at most.
     */
    static final double HEADROOM = 1.25;

    private final long floorBytes;
    private final Map<Long, ArrayDeque<Block>> cache = new HashMap<>();
    private long cachedBytes;
    private long bytesInUse;
    private long peakBytesInUse;

    /** A native block and its Java view. */
    record Block(Pointer pointer, ByteBuffer bytes, long size) {
    }

    /** @param floorBytes bytes that may be held (in use and cached) whatever the peak in use has been */
    CpuMemory(long floorBytes) {
        this.floorBytes = floorBytes;
    }

    synchronized Block allocate(long requestedBytes) {
        long size = Math.max(ALIGN, (requestedBytes + ALIGN - 1) / ALIGN * ALIGN);
        ArrayDeque<Block> bucket = cache.get(size);
        Block block = bucket == null ? null : bucket.poll();
        if (block != null) {
            cachedBytes -= size;
        } else {
            evictFor(size);
            block = mallocBlock(size);
        }
        bytesInUse += size;
        peakBytesInUse = Math.max(peakBytesInUse, bytesInUse);
        return block;
    }

    private Block mallocBlock(long size) {
        Pointer p = Pointer.malloc(size);
        if (p == null || p.isNull()) {
            trim();
            p = Pointer.malloc(size);
            if (p == null || p.isNull()) {
                throw new OutOfMemoryError("CPU backend: malloc of " + size + " bytes failed; " + bytesInUse + " bytes in use");
            }
        }
        Pointer view = new Pointer(p).capacity(size);
        return new Block(p, view.asByteBuffer(), size);
    }

    /** Returns cached blocks, largest first, until a new block of {@code size} keeps the memory held in bound. */
    private void evictFor(long size) {
        long bound = Math.max(floorBytes, (long) (peakBytesInUse * HEADROOM));
        while (cachedBytes > 0 && bytesInUse + cachedBytes + size > bound) {
            long largest = cache.entrySet().stream().filter(e -> !e.getValue().isEmpty()).mapToLong(Map.Entry::getKey)
                    .max().orElseThrow();
            ArrayDeque<Block> bucket = cache.get(largest);
            Pointer.free(bucket.poll().pointer());
            cachedBytes -= largest;
            if (bucket.isEmpty()) {
                cache.remove(largest);
            }
        }
    }

    /** Keeps the block for reuse: the memory held does not change, so it stays in bound. */
    synchronized void free(Block block) {
        bytesInUse -= block.size();
        cache.computeIfAbsent(block.size(), s -> new ArrayDeque<>()).push(block);
        cachedBytes += block.size();
    }

    /** Returns every cached block to the system. */
    synchronized void trim() {
        for (ArrayDeque<Block> bucket : cache.values()) {
            for (Block b : bucket) {
                Pointer.free(b.pointer());
            }
        }
        cache.clear();
        cachedBytes = 0;
    }

    synchronized long bytesInUse() {
        return bytesInUse;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakBytesInUse() {
        return peakBytesInUse;
    }
}
