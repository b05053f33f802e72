package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A step graph's memory: its blocks serve only its own recording and return to the cache when it closes. */
class GraphPoolTest {
    private static final DeviceAllocator.Block A = new DeviceAllocator.Block(0x1000, 512);
    private static final DeviceAllocator.Block B = new DeviceAllocator.Block(0x2000, 512);
    private static final DeviceAllocator.Block EARLIER = new DeviceAllocator.Block(0x9000, 1024);

    @Test
    void aFreedBlockOfTheGraphServesItsNextRequestOfThatSize() {
        GraphPool pool = new GraphPool();
        pool.own(A);
        assertTrue(pool.owns(A));
        assertFalse(pool.owns(B), "never handed out while recording");
        assertNull(pool.take(512), "nothing freed yet");
        pool.giveBack(A);
        assertNull(pool.take(1024), "another size class");
        assertSame(A, pool.take(512));
        assertNull(pool.take(512), "taken once");
    }

    @Test
    void releaseReturnsFreeAndRetiredBlocksAndForgetsTheRest() {
        GraphPool pool = new GraphPool();
        pool.own(A);
        pool.own(B);
        pool.giveBack(A);
        pool.retire(EARLIER);
        List<DeviceAllocator.Block> back = pool.release();
        assertEquals(2, back.size());
        assertTrue(back.contains(A) && back.contains(EARLIER), "the free block and the retired one: " + back);
        assertFalse(pool.owns(B), "B, still in use, goes to the cache when its tensor is closed");
        assertThrows(IllegalStateException.class, pool::release);
    }
}
