package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The broadcast walk the element-wise kernels receive, against strides worked out by hand. */
class BroadcastPlanTest {

    private static long[] head(long[] values, int n) {
        return Arrays.copyOf(values, n);
    }

    @Test
    void sameShapeOperandsMergeIntoOneDimension() {
        BroadcastPlan p = new BroadcastPlan("add", Shape.of(4, 3, 5), Shape.of(4, 3, 5), Shape.of(4, 3, 5));
        assertEquals(1, p.rank);
        assertArrayEquals(new long[] {60}, head(p.dims, 1));
        assertArrayEquals(new long[] {1}, head(p.strides[0], 1));
        assertArrayEquals(new long[] {1}, head(p.strides[1], 1));
    }

    @Test
    void rowVectorAgainstMatrixHasZeroStrideAlongRows() {
        BroadcastPlan p = new BroadcastPlan("add", Shape.of(8, 10), Shape.of(8, 10), Shape.of(10));
        assertEquals(2, p.rank);
        assertArrayEquals(new long[] {8, 10}, head(p.dims, 2));
        assertArrayEquals(new long[] {10, 1}, head(p.strides[0], 2));
        assertArrayEquals(new long[] {0, 1}, head(p.strides[1], 2));
    }

    @Test
    void scalarOperandIsBroadcastEverywhere() {
        BroadcastPlan p = new BroadcastPlan("mul", Shape.of(2, 3, 4), Shape.of(2, 3, 4), Shape.scalar());
        assertEquals(1, p.rank);
        assertArrayEquals(new long[] {24}, head(p.dims, 1));
        assertArrayEquals(new long[] {0}, head(p.strides[1], 1));
    }

    @Test
    void broadcastOnBothSidesKeepsEachOperandsOwnStrides() {
        // [4, 1, 5] op [3, 1] -> [4, 3, 5]: a repeats along the middle axis, b along the first and last.
        BroadcastPlan p = new BroadcastPlan("sub", Shape.of(4, 3, 5), Shape.of(4, 1, 5), Shape.of(3, 1));
        assertEquals(3, p.rank);
        assertArrayEquals(new long[] {4, 3, 5}, head(p.dims, 3));
        assertArrayEquals(new long[] {5, 0, 1}, head(p.strides[0], 3));
        assertArrayEquals(new long[] {0, 1, 0}, head(p.strides[1], 3));
    }

    @Test
    void sizeOneDimensionsAreDropped() {
        BroadcastPlan p = new BroadcastPlan("add", Shape.of(1, 6, 1, 2), Shape.of(1, 6, 1, 2), Shape.of(6, 1, 1));
        assertEquals(2, p.rank);
        assertArrayEquals(new long[] {6, 2}, head(p.dims, 2));
        assertArrayEquals(new long[] {2, 1}, head(p.strides[0], 2));
        assertArrayEquals(new long[] {1, 0}, head(p.strides[1], 2));
    }

    @Test
    void moreThanEightUnmergeableDimensionsAreRefusedByName() {
        int[] out = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] alternating = {2, 1, 2, 1, 2, 1, 2, 1, 2, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BroadcastPlan("add", Shape.of(out), Shape.of(out), Shape.of(alternating)));
        assertEquals(true, e.getMessage().startsWith("add:"), e.getMessage());
    }
}
