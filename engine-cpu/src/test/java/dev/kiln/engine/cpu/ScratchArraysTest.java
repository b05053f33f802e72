package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScratchArraysTest {
    private static final int KEPT_DOUBLES = (int) (ScratchArrays.KEPT_BYTES / Double.BYTES);
    private static final int KEPT_FLOATS = (int) (ScratchArrays.KEPT_BYTES / Float.BYTES);

    @Test
    void aSmallArrayIsKeptForTheNextCall() {
        ScratchArrays s = new ScratchArrays(2, 1);
        double[] first = s.doubles(1, 100);
        assertSame(first, s.doubles(1, 80), "a shorter request reuses the kept array");
        assertEquals(100 * Double.BYTES, s.keptBytes());
    }

    @Test
    void aLongerRequestGrowsTheSlot() {
        ScratchArrays s = new ScratchArrays(1, 1);
        s.floats(0, 10);
        float[] grown = s.floats(0, 1000);
        assertEquals(1000, grown.length);
        assertSame(grown, s.floats(0, 1000));
    }

    @Test
    void anArrayOfTheLimitIsKept() {
        ScratchArrays s = new ScratchArrays(1, 1);
        assertSame(s.doubles(0, KEPT_DOUBLES), s.doubles(0, KEPT_DOUBLES));
        assertSame(s.floats(0, KEPT_FLOATS), s.floats(0, KEPT_FLOATS));
        assertEquals(2 * ScratchArrays.KEPT_BYTES, s.keptBytes());
    }

    @Test
    void anArrayPastTheLimitIsMadeForItsCallAndNotKept() {
        ScratchArrays s = new ScratchArrays(1, 1);
        double[] small = s.doubles(0, 64);
        double[] large = s.doubles(0, KEPT_DOUBLES + 1);
        assertTrue(large.length > KEPT_DOUBLES);
        assertNotSame(large, s.doubles(0, KEPT_DOUBLES + 1), "each large call gets its own array");
        assertSame(small, s.doubles(0, 64), "the small array kept before stays");
        float[] largeFloats = s.floats(0, KEPT_FLOATS + 1);
        assertNotSame(largeFloats, s.floats(0, KEPT_FLOATS + 1));
        assertEquals(64 * Double.BYTES, s.keptBytes());
    }
}
