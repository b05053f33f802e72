package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlpsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatErf} against {@link Erf} (erf and erfc to near double precision) over dense sweeps of the floats
 * (every 1009th), and the special values.
 */
class FloatErfTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;
    private static final double SQRT_HALF = Math.sqrt(0.5);

    private static double normalCdf(double x) {
        return 0.5 * Erf.erfc(-x * SQRT_HALF);
    }

    private static double normalDensity(double x) {
        return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    @Test
    void erfIsWithinThreeUlps() {
        assertWithinUlps("erf", 3, FloatErf::erf, Erf::erf, DENSE, -ALL, ALL);
    }

    /** Its tail too, down to the subnormals near x = 9.2. */
    @Test
    void erfcIsWithinFiveAndATenthUlps() {
        assertWithinUlps("erfc", 5.1, FloatErf::erfc, Erf::erfc, DENSE, -ALL, ALL);
    }

    /** Below -11, Phi(x) nears the subnormals, and GELU's product with it loses digits. */
    @Test
    void geluIsWithinSixUlpsWhileTheNormalDistributionIsNormal() {
        assertWithinUlps("gelu", 6, FloatErf::gelu, x -> x * normalCdf(x), DENSE, -11, ALL);
    }

    @Test
    void erfDerivativeIsWithinThreeUlps() {
        assertWithinUlps("erf'", 3, FloatErf::erfDerivative, x -> 2 / Math.sqrt(Math.PI) * Math.exp(-x * x), DENSE,
                -ALL, ALL);
    }

    /** Within 5 ulps of the larger of Phi(x) and x phi(x): the derivative crosses zero near x = -0.75. */
    @Test
    void geluDerivativeIsWithinFiveUlpsOfItsLargerTerm() {
        DoubleUnaryOperator derivative = x -> normalCdf(x) + x * normalDensity(x);
        DoubleUnaryOperator larger = x -> Math.max(normalCdf(x), Math.abs(x * normalDensity(x)));
        assertWithinUlpsOf("gelu'", 5, FloatErf::geluDerivative, derivative, larger, DENSE, -11, ALL);
        assertEquals(0f, apply(FloatErf::geluDerivative, -1e30f), 1e-40f);
    }

    /** Phi(x) + x phi(x) is 1 + inf 0 at +inf and 0 - inf 0 at -inf: NaN, as in F64 and PyTorch, not its limits. */
    @Test
    void geluDerivativeAtInfinitiesIsNaN() {
        assertEquals(Float.NaN, apply(FloatErf::geluDerivative, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatErf::geluDerivative, Float.NEGATIVE_INFINITY));
    }

    @Test
    void specialValuesAreThoseOfC() {
        assertEquals(-0f, apply(FloatErf::erf, -0f));
        assertEquals(0f, apply(FloatErf::erf, 0f));
        assertEquals(-Float.MIN_VALUE, apply(FloatErf::erf, -Float.MIN_VALUE));
        assertEquals(1f, apply(FloatErf::erf, Float.POSITIVE_INFINITY));
        assertEquals(-1f, apply(FloatErf::erf, Float.NEGATIVE_INFINITY));
        assertEquals(2f, apply(FloatErf::erfc, Float.NEGATIVE_INFINITY));
        assertEquals(0f, apply(FloatErf::erfc, Float.POSITIVE_INFINITY));
        assertEquals(1f, apply(FloatErf::erfc, -0f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatErf::gelu, Float.POSITIVE_INFINITY));
        assertEquals(-0f, apply(FloatErf::gelu, -0f));
        for (CpuElementwise.FloatChunk f : new CpuElementwise.FloatChunk[] {FloatErf::erf, FloatErf::erfc,
            FloatErf::gelu, FloatErf::erfDerivative, FloatErf::geluDerivative}) {
            assertEquals(Float.NaN, apply(f, Float.NaN));
        }
    }
}
