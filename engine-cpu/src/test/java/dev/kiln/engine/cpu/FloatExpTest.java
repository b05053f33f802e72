package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlpsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatExp} against Math in double over dense sweeps of the floats (every 1009th: 4.3 million arguments; every
 * float measured exp 1.013 ulps, expm1 1.44, the sigmoid 2.40; every 97th, ELU 1.83 for SELU's alpha), its
 * overflow, underflow into the subnormals, and special values.
 */
class FloatExpTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;
    private static final double SELU_ALPHA = 1.6732632423543772;

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    @Test
    void expIsWithinOneUlpAndAFiftieth() {
        assertWithinUlps("exp", 1.02, FloatExp::exp, Math::exp, DENSE, -ALL, ALL);
    }

    @Test
    void expOverflowsWhereFloatDoesAndRoundsSubnormalResultsOnce() {
        assertEquals((float) Math.exp(88.72283f), FloatSweep.apply(FloatExp::exp, 88.72283f));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatExp::exp, 88.72284f));
        for (float x = -103.9f; x < -87.4f; x += 0.013f) {
            float expected = (float) Math.exp(x);
            assertTrue(Math.abs(apply(FloatExp::exp, x) - expected) <= Float.MIN_VALUE, "exp(" + x + ")");
        }
        assertEquals(0f, apply(FloatExp::exp, -104f));
    }

    @Test
    void expOfInfinitiesAndNan() {
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatExp::exp, Float.POSITIVE_INFINITY));
        assertEquals(0f, apply(FloatExp::exp, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatExp::exp, Float.NaN));
        assertEquals(1f, apply(FloatExp::exp, -0f));
    }

    @Test
    void expm1IsWithinTwoUlpsAndKeepsTheSignOfZero() {
        assertWithinUlps("expm1", 2, FloatExp::expm1, Math::expm1, DENSE, -ALL, ALL);
        assertEquals(-0f, apply(FloatExp::expm1, -0f));
        assertEquals(0f, apply(FloatExp::expm1, 0f));
        assertEquals(-Float.MIN_VALUE, apply(FloatExp::expm1, -Float.MIN_VALUE));
        assertEquals(-1f, apply(FloatExp::expm1, Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatExp::expm1, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatExp::expm1, Float.NaN));
    }

    @Test
    void sigmoidIsWithinThreeUlpsDownToItsSubnormals() {
        assertWithinUlps("sigmoid", 3, FloatExp::sigmoid, FloatExpTest::sigmoid, DENSE, -ALL, ALL);
        float tiny = apply(FloatExp::sigmoid, -100f);
        assertTrue(Math.abs(tiny - sigmoid(-100)) <= Float.MIN_VALUE, "sigmoid(-100) = " + tiny);
        assertEquals(0f, apply(FloatExp::sigmoid, Float.NEGATIVE_INFINITY));
        assertEquals(1f, apply(FloatExp::sigmoid, Float.POSITIVE_INFINITY));
        assertEquals(0.5f, apply(FloatExp::sigmoid, -0f));
        assertEquals(Float.NaN, apply(FloatExp::sigmoid, Float.NaN));
    }

    @Test
    void eluIsWithinOneAndNineTenthsUlpsForAlphaOneSelusAndAThird() {
        for (double alpha : new double[] {1, SELU_ALPHA, 0.3}) {
            assertWithinUlps("elu alpha " + alpha, 1.9, (v, len) -> FloatExp.elu(v, len, alpha),
                    x -> x > 0 ? x : alpha * Math.expm1(x), DENSE, -ALL, ALL);
        }
    }

    @Test
    void eluKeepsNegativeZeroAndSaturatesAtMinusAlpha() {
        CpuElementwise.FloatChunk elu = (v, len) -> FloatExp.elu(v, len, SELU_ALPHA);
        assertEquals(-0f, apply(elu, -0f));
        assertEquals(0f, apply(elu, 0f));
        assertEquals((float) -SELU_ALPHA, apply(elu, Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, apply(elu, Float.POSITIVE_INFINITY));
        assertEquals(Float.MIN_VALUE, apply(elu, Float.MIN_VALUE));
        assertEquals(Float.NaN, apply(elu, Float.NaN));
    }

    /** 1 on the positive side, y + alpha (rounded once) on the other, 1 at x = +inf rather than inf times 0. */
    @Test
    void eluGradientIsOneAboveZeroAndOutputPlusAlphaBelow() {
        float alpha = (float) SELU_ALPHA;
        float[] x = {2f, 1e-30f, Float.POSITIVE_INFINITY, -0f, -0.5f, -30f, Float.NEGATIVE_INFINITY, Float.NaN};
        float[] y = x.clone();
        FloatExp.elu(y, y.length, alpha);
        float[] grad = new float[x.length];
        java.util.Arrays.fill(grad, 3f);
        FloatExp.eluGradient(x, y, grad, x.length, alpha);
        for (int i = 0; i < x.length; i++) {
            float expected = Float.isNaN(x[i]) ? Float.NaN : 3 * (x[i] > 0 ? 1 : y[i] + alpha);
            assertEquals(expected, grad[i], "at " + x[i]);
        }
    }

    /** Below -87 the sigmoid is subnormal, and SiLU's product with it loses digits (an absolute error near 1e-43). */
    @Test
    void nonPositiveExpIsExpToTheBitDownToItsSubnormalResults() {
        float[] x = new float[Chunks.SIZE];
        float[] v = new float[Chunks.SIZE];
        float[] expected = new float[Chunks.SIZE];
        for (float from = -112f; from < 0; from += Chunks.SIZE * 0.0013f) {
            for (int i = 0; i < Chunks.SIZE; i++) {
                x[i] = Math.min(0, from + i * 0.0013f);
                v[i] = x[i];
                expected[i] = x[i];
            }
            FloatExp.expBlock(expected, Chunks.SIZE);
            FloatExp.nonPositiveExpBlock(v, Chunks.SIZE);
            for (int i = 0; i < Chunks.SIZE; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(v[i]), "exp(" + x[i] + ")");
            }
        }
    }

    @Test
    void siluIsWithinThreeAndAHalfUlpsWhileTheSigmoidIsNormal() {
        assertWithinUlps("silu", 3.5, FloatExp::silu, x -> x * sigmoid(x), DENSE, -87, ALL);
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatExp::silu, Float.POSITIVE_INFINITY));
        assertEquals(-0f, apply(FloatExp::silu, -0f));
    }

    /** Within 5 ulps of the larger of s and x s (1 - s): the derivative crosses zero near x = -1.28. */
    @Test
    void siluDerivativeIsWithinFiveUlpsOfItsLargerTerm() {
        DoubleUnaryOperator derivative = x -> sigmoid(x) * (1 + x * (1 - sigmoid(x)));
        DoubleUnaryOperator larger = x -> Math.max(sigmoid(x), Math.abs(x * sigmoid(x) * (1 - sigmoid(x))));
        assertWithinUlpsOf("silu'", 5, FloatExp::siluDerivative, derivative, larger, DENSE, -87, ALL);
    }
}
