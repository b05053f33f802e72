package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.UnaryOp;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatInverseDerivatives} against {@link ElementaryFunctions}' derivatives in double over every 1009th float
 * (there, and over every 97th: asin's and acos's at most 1.93 ulps, atan's and atanh's 1.90, asinh's 1.96, acosh's
 * 1.96: an FMA's rounding, a square root's and a division's), and special values.
 */
class FloatInverseDerivativesTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;

    private static DoubleUnaryOperator derivative(UnaryOp op) {
        return x -> ElementaryFunctions.derivative(op, x, Double.NaN);
    }

    /** NaN beyond +-1, as the reference. */
    @Test
    void asinDerivativeIsWithinTwoUlps() {
        assertWithinUlps("asin'", 2, FloatInverseDerivatives::asin, derivative(UnaryOp.ASIN), DENSE, -ALL, ALL);
    }

    @Test
    void acosDerivativeIsWithinTwoUlps() {
        assertWithinUlps("acos'", 2, FloatInverseDerivatives::acos, derivative(UnaryOp.ACOS), DENSE, -ALL, ALL);
    }

    @Test
    void atanDerivativeIsWithinTwoUlps() {
        assertWithinUlps("atan'", 2, FloatInverseDerivatives::atan, derivative(UnaryOp.ATAN), DENSE, -ALL, ALL);
    }

    @Test
    void asinhDerivativeIsWithinTwoUlps() {
        assertWithinUlps("asinh'", 2, FloatInverseDerivatives::asinh, derivative(UnaryOp.ASINH), DENSE, -ALL, ALL);
    }

    /** NaN within +-1, as the reference, and finite below -1 (PyTorch's form). */
    @Test
    void acoshDerivativeIsWithinTwoUlps() {
        assertWithinUlps("acosh'", 2, FloatInverseDerivatives::acosh, derivative(UnaryOp.ACOSH), DENSE, -ALL, ALL);
    }

    @Test
    void atanhDerivativeIsWithinTwoUlps() {
        assertWithinUlps("atanh'", 2, FloatInverseDerivatives::atanh, derivative(UnaryOp.ATANH), DENSE, -ALL, ALL);
    }

    @Test
    void polesLimitsAndNanAreTheReferences() {
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatInverseDerivatives::asin, -1f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(FloatInverseDerivatives::acos, 1f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatInverseDerivatives::acosh, 1f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatInverseDerivatives::atanh, -1f));
        assertEquals(0f, apply(FloatInverseDerivatives::atan, Float.NEGATIVE_INFINITY));
        assertEquals(0f, apply(FloatInverseDerivatives::asinh, Float.POSITIVE_INFINITY));
        assertEquals(-0f, apply(FloatInverseDerivatives::atanh, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatInverseDerivatives::asin, 1.0000001f));
        assertEquals(Float.NaN, apply(FloatInverseDerivatives::acosh, 0.5f));
        assertEquals(Float.NaN, apply(FloatInverseDerivatives::atan, Float.NaN));
    }

    /** Beyond 2^40, where x^2 + 1 is x^2 to 2^-80 and overflows from 1.8e19: 1/|x| and 1/x^2, not 0. */
    @Test
    void largeArgumentsKeepTheirDigits() {
        assertEquals(1 / 3e30f, apply(FloatInverseDerivatives::asinh, -3e30f));
        assertEquals(1 / 3e30f, apply(FloatInverseDerivatives::acosh, 3e30f));
        double x = 1e19f;
        float atans = (float) (1 / (x * x));
        // The scale 2^40 / |x| rounds, and its square again: within two ulps, as everywhere.
        assertEquals(atans, apply(FloatInverseDerivatives::atan, 1e19f), 2 * Math.ulp(atans));
    }
}
