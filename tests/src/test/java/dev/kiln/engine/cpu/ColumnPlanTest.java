package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The column plan's writes straight into a column buffer: every entry of a tap's row is written, the padding
 * with zero, whatever the buffer held before (a cached block keeps an earlier op's values). Reference: the same
 * row filled into a zeroed heap array.
 */
class ColumnPlanTest {
    private final CpuMemory memory = new CpuMemory(1024);

    @AfterEach
    void trim() {
        memory.trim();
    }

    @Test
    void interleavedRowsPutStraightIntoTheBufferZeroTheirPadding() {
        int images = 5;
        ColumnPlan plan = new ColumnPlan(geometry(6, 7, 1));
        int rowLength = plan.outPlane * images;
        double[] source = random(plan.plane() * images);
        CpuStorage col = staleBuffer((long) plan.taps * rowLength);
        double[] zeros = new double[rowLength];
        double[] expected = new double[plan.taps * rowLength];
        for (int tap = 0; tap < plan.taps; tap++) {
            plan.putTapRowInterleaved(source, 0, tap, col, (long) tap * rowLength, images, zeros);
            plan.fillTapRowInterleaved(source, 0, tap, expected, tap * rowLength, images);
        }
        assertBufferEquals(expected, col);
    }

    @Test
    void perImageSpansPutStraightIntoTheBufferZeroTheirHolesAndGaps() {
        ColumnPlan plan = new ColumnPlan(geometry(20, 18, 2));
        double[] source = random(plan.plane());
        CpuStorage col = staleBuffer((long) plan.taps * plan.outPlane);
        double[] zeros = new double[plan.outPlane];
        double[] expected = new double[plan.taps * plan.outPlane];
        for (int tap = 0; tap < plan.taps; tap++) {
            plan.putTapRow(source, 0, tap, col, (long) tap * plan.outPlane, zeros);
            plan.fillTapRow(source, 0, tap, expected, tap * plan.outPlane);
        }
        assertBufferEquals(expected, col);
    }

    /** One image and channel of {@code height x width}, a 3x3 kernel at stride 1 with this padding. */
    private static Conv2dGeometry geometry(int height, int width, int padding) {
        return new Conv2dGeometry(1, 1, height, width, 1, 3, 3, 1, 1, padding, padding, 1, 1);
    }

    private static double[] random(int n) {
        Random r = new Random(3);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() + 1;
        }
        return v;
    }

    /** An F64 buffer holding NaN everywhere, as a cached block holds whatever its last user wrote. */
    private CpuStorage staleBuffer(long elements) {
        CpuStorage s = new CpuStorage(null, memory, memory.allocate(elements * Double.BYTES), DType.F64, elements);
        for (int i = 0; i < elements; i++) {
            s.f64.put(i, Double.NaN);
        }
        return s;
    }

    private static void assertBufferEquals(double[] expected, CpuStorage col) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], col.f64.get(i), "column entry " + i);
        }
    }
}
