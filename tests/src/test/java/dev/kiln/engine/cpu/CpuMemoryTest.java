package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's caching allocator: reuse by size, and memory held bounded by the floor or a quarter above the
 * peak in use.
 */
class CpuMemoryTest {
    private static final long MIB = 1 << 20;
    private CpuMemory memory;

    @AfterEach
    void trim() {
        memory.trim();
    }

    @Test
    void aStepThatRepeatsItsSizesGetsTheSameBlocksBack() {
        memory = new CpuMemory(1024);
        long[] sizes = {3 * MIB, MIB, 64, 3 * MIB, 5 * MIB};
        Set<Long> first = step(sizes);
        for (int repeat = 0; repeat < 3; repeat++) {
            assertEquals(first, step(sizes), "addresses of repeat " + repeat);
        }
        assertEquals(0, memory.bytesInUse());
        assertEquals(12 * MIB + 64, memory.cachedBytes());
    }

    /** Allocates every size, then frees them all; returns the blocks' addresses. */
    private Set<Long> step(long[] sizes) {
        List<CpuMemory.Block> blocks = new ArrayList<>();
        Set<Long> addresses = new HashSet<>();
        for (long size : sizes) {
            CpuMemory.Block b = memory.allocate(size);
            blocks.add(b);
            addresses.add(b.pointer().address());
        }
        blocks.forEach(memory::free);
        return addresses;
    }

    @Test
    void aMissBeyondThePeakInUseFirstReturnsCachedBlocks() {
        memory = new CpuMemory(1024);
        memory.free(memory.allocate(MIB));
        assertEquals(MIB, memory.cachedBytes());
        CpuMemory.Block larger = memory.allocate(2 * MIB);
        assertEquals(0, memory.cachedBytes(), "the 1 MiB block would make 3 MiB held for a peak of 1 MiB");
        assertEquals(2 * MIB, memory.bytesInUse());
        memory.free(larger);
    }

    @Test
    void evictionReturnsTheLargestCachedBlocksFirstAndOnlyAsManyAsNeeded() {
        memory = new CpuMemory(1024);
        CpuMemory.Block four = memory.allocate(4 * MIB);
        CpuMemory.Block one = memory.allocate(MIB);
        memory.free(four);
        memory.free(one);
        CpuMemory.Block two = memory.allocate(2 * MIB);
        assertEquals(MIB, memory.cachedBytes(),
                "the 4 MiB block goes; 1 MiB cached + 2 MiB in use fit 1.25 times the 5 MiB peak");
        memory.free(two);
    }

    @Test
    void aMissWithinAQuarterAboveThePeakKeepsTheCache() {
        memory = new CpuMemory(1024);
        memory.free(memory.allocate(4 * MIB));
        CpuMemory.Block one = memory.allocate(MIB);
        assertEquals(4 * MIB, memory.cachedBytes(), "4 MiB cached + 1 MiB in use: 1.25 times the 4 MiB peak");
        CpuMemory.Block two = memory.allocate(2 * MIB);
        assertEquals(0, memory.cachedBytes(), "4 + 1 + 2 MiB would exceed 1.25 times the 4 MiB peak");
        memory.free(one);
        memory.free(two);
    }

    @Test
    void belowTheFloorNothingIsReturned() {
        memory = new CpuMemory(16 * MIB);
        memory.free(memory.allocate(MIB));
        memory.free(memory.allocate(2 * MIB));
        memory.free(memory.allocate(4 * MIB));
        assertEquals(7 * MIB, memory.cachedBytes());
    }
}
