package dev.kiln.engine.cpu;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/**
 * A caching allocator for native memory: freed blocks are kept by size and handed out again, so a
 * training loop that allocates the same shapes every step calls malloc only in its first step. The
 * cache is bounded; beyond the bound, freed blocks go back to the system.
 */
final class CpuMemory {
    /** Blocks are rounded up to this many bytes so that nearby sizes share a cache bucket. */
    private static final long ALIGN = 64;

    private final long maxCachedBytes;
    private final Map<Long, ArrayDeque<Block>> cache = new HashMap<>();
    private long cachedBytes;
    private long bytesInUse;
    private long peakBytesInUse;

    /** A native block and its Java view. */
    record Block(Pointer pointer, ByteBuffer bytes, long size) {
    }

    CpuMemory(long maxCachedBytes) {
        this.maxCachedBytes = maxCachedBytes;
    }

    synchronized Block allocate(long requestedBytes) {
        long size = Math.max(ALIGN, (requestedBytes + ALIGN - 1) / ALIGN * ALIGN);
        ArrayDeque<Block> bucket = cache.get(size);
        Block block = bucket == null ? null : bucket.poll();
        if (block != null) {
            cachedBytes -= size;
        } else {
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

    synchronized void free(Block block) {
        bytesInUse -= block.size();
        if (cachedBytes + block.size() <= maxCachedBytes) {
            cache.computeIfAbsent(block.size(), s -> new ArrayDeque<>()).push(block);
            cachedBytes += block.size();
        } else {
            Pointer.free(block.pointer());
        }
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
