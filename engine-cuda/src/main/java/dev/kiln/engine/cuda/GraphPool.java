package dev.kiln.engine.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The device memory of one recorded step graph, kept by {@link DeviceAllocator}: every block handed out while the
 * step was recorded belongs to the graph, whose replays write into them, so that once freed such a block serves
 * only later requests of the same recording, never other work, until the graph closes. A block allocated before
 * the recording and freed during it is retired: the graph may still read it, so it returns to the allocator's
 * cache only when the graph closes. Bookkeeping only; the allocator does the CUDA calls.
 */
final class GraphPool {
    private final Set<Long> owned = new HashSet<>();
    private final Map<Long, ArrayDeque<DeviceAllocator.Block>> free = new HashMap<>();
    private final List<DeviceAllocator.Block> retired = new ArrayList<>();
    private boolean released;

    /** A freed block of this pool of {@code size} bytes for the recording to reuse, or null. */
    DeviceAllocator.Block take(long size) {
        ArrayDeque<DeviceAllocator.Block> list = free.get(size);
        return list == null ? null : list.poll();
    }

    /** Makes {@code block}, handed out while recording, the graph's. */
    void own(DeviceAllocator.Block block) {
        owned.add(block.address());
    }

    /** Whether {@code block} is the graph's (never after {@link #release}). */
    boolean owns(DeviceAllocator.Block block) {
        return owned.contains(block.address());
    }

    /** One of the graph's blocks was freed: it stays reserved for the graph. */
    void giveBack(DeviceAllocator.Block block) {
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block);
    }

    /** A block from before the recording was freed during it: kept until the graph closes. */
    void retire(DeviceAllocator.Block block) {
        retired.add(block);
    }

    /**
     * The graph closed: returns the free and retired blocks, for the allocator's cache, and forgets the rest,
     * which go to the cache as their tensors are closed.
     */
    List<DeviceAllocator.Block> release() {
        if (released) {
            throw new IllegalStateException("graph memory released twice");
        }
        released = true;
        List<DeviceAllocator.Block> blocks = new ArrayList<>(retired);
        free.values().forEach(blocks::addAll);
        owned.clear();
        free.clear();
        retired.clear();
        return blocks;
    }
}
