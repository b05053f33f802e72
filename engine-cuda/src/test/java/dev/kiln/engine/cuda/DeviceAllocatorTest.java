package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The allocator's size classes: what decides whether a freed block can serve the next request. */
class DeviceAllocatorTest {

    @Test
    void smallRequestsRoundUpTo512Bytes() {
        assertEquals(512, DeviceAllocator.sizeClass(1));
        assertEquals(512, DeviceAllocator.sizeClass(512));
        assertEquals(1024, DeviceAllocator.sizeClass(513));
        assertEquals(512, DeviceAllocator.sizeClass(0));
    }

    @Test
    void largeRequestsRoundUpToWholeMebibytes() {
        assertEquals(1L << 20, DeviceAllocator.sizeClass((1L << 20) - 1));
        assertEquals(2L << 20, DeviceAllocator.sizeClass((1L << 20) + 1));
        assertEquals(3L << 20, DeviceAllocator.sizeClass((2L << 20) + 12345));
    }
}
