package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.UnaryOp;
import org.junit.jupiter.api.Test;

/** F32 rsqrt ({@link CpuElementwise#unaryF32}) against 1 / sqrt(x) in double. */
class ReciprocalSquareRootTest {
    private static final CpuElementwise.FloatChunk RSQRT = CpuElementwise.unaryF32(UnaryOp.RSQRT, 0);

    /** Every 97th float measured: 1.49 ulps, from the square root's rounding and its reciprocal's. */
    @Test
    void rsqrtIsWithinOneAndAHalfUlps() {
        assertWithinUlps("rsqrt", 1.5, RSQRT, x -> 1 / Math.sqrt(x), 1009, 0, Double.POSITIVE_INFINITY);
    }

    @Test
    void rsqrtOfZerosInfinityAndNegativesIsThatOfDouble() {
        assertEquals(Float.POSITIVE_INFINITY, apply(RSQRT, 0f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(RSQRT, -0f));
        assertEquals(0f, apply(RSQRT, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(RSQRT, -1f));
        assertEquals(Float.NaN, apply(RSQRT, Float.NaN));
        assertEquals(2f, apply(RSQRT, 0.25f));
    }
}
