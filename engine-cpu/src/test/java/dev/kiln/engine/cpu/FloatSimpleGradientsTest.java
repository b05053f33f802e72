package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.UnaryOp;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatSimpleGradients} with an output gradient of 1 (so the derivative itself) against the double
 * derivatives over every 1009th float, where they round (over every 97th, from y rounded to float as the backward
 * reads it: sqrt's 1.49 ulps, reciprocal's 1.90, PyTorch's -g y^2, whose y^2 doubles y's rounding, exp2's 1.23;
 * from x: log2's 1.44, log10's 0.89), and to the bit where they select:
 * abs's and leaky ReLU's values at 0, -0, NaN and infinities as PyTorch 1.13 gives them.
 */
class FloatSimpleGradientsTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;
    private static final float SLOPE = 0.01f;

    @FunctionalInterface
    private interface OperandGradient {
        void apply(float[] operand, float[] grad, int len);
    }

    /** x turned into the derivative: the routine fed {@code operand}(x) in float and a gradient of ones. */
    private static CpuElementwise.FloatChunk derivative(DoubleUnaryOperator operand, OperandGradient routine) {
        return (v, len) -> {
            float[] grad = new float[len];
            for (int i = 0; i < len; i++) {
                v[i] = (float) operand.applyAsDouble(v[i]);
                grad[i] = 1;
            }
            routine.apply(v, grad, len);
            System.arraycopy(grad, 0, v, 0, len);
        };
    }

    private static CpuElementwise.FloatChunk fromOutput(UnaryOp op, OperandGradient routine) {
        return derivative(x -> CpuElementwise.forward(op, 0, x), routine);
    }

    private static DoubleUnaryOperator reference(UnaryOp op) {
        return x -> CpuElementwise.derivative(op, 0, x, CpuElementwise.forward(op, 0, x));
    }

    /** gradient * d abs / dx at x, x passed as its bits. */
    private static float abs(float x, float gradient) {
        float[] grad = {gradient};
        FloatSimpleGradients.abs(new int[] {Float.floatToRawIntBits(x)}, grad, 1);
        return grad[0];
    }

    private static float leakyRelu(float x, float gradient) {
        float[] grad = {gradient};
        FloatSimpleGradients.leakyRelu(new int[] {Float.floatToRawIntBits(x)}, grad, 1, SLOPE);
        return grad[0];
    }

    @Test
    void sqrtGradientIsWithinOneAndAHalfUlps() {
        assertWithinUlps("sqrt'", 1.5, fromOutput(UnaryOp.SQRT, FloatSimpleGradients::sqrt), reference(UnaryOp.SQRT),
                DENSE, -ALL, ALL);
    }

    @Test
    void reciprocalGradientIsWithinTwoUlps() {
        assertWithinUlps("reciprocal'", 2, fromOutput(UnaryOp.RECIPROCAL, FloatSimpleGradients::reciprocal),
                reference(UnaryOp.RECIPROCAL), DENSE, -ALL, ALL);
    }

    /** Up to x = 127: beyond, 2^x overflows in float before ln 2 brings it back, as in PyTorch's kernel. */
    @Test
    void exp2GradientIsWithinOneAndAHalfUlps() {
        assertWithinUlps("exp2'", 1.5, fromOutput(UnaryOp.EXP2, FloatSimpleGradients::exp2),
                reference(UnaryOp.EXP2), DENSE, -ALL, 127);
    }

    @Test
    void log2GradientIsWithinOneAndAHalfUlps() {
        assertWithinUlps("log2'", 1.5, derivative(x -> x, FloatSimpleGradients::log2), reference(UnaryOp.LOG2),
                DENSE, -ALL, ALL);
    }

    @Test
    void log10GradientIsWithinOneAndAHalfUlps() {
        assertWithinUlps("log10'", 1.5, derivative(x -> x, FloatSimpleGradients::log10), reference(UnaryOp.LOG10),
                DENSE, -ALL, ALL);
    }

    @Test
    void absGradientIsTheSignOfXOverEveryNinetySeventhFloat() {
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += 97) {
            float x = Float.intBitsToFloat((int) bits);
            float sign = x > 0 ? 1 : x < 0 ? -1 : 0;
            assertEquals(sign, abs(x, 1), "at " + x);
        }
    }

    /** PyTorch's sgn is +0 at +-0 and NaN, so the gradient there is gradient * +0: -0 for a negative one, NaN for inf. */
    @Test
    void absGradientAtZerosAndNanIsPyTorchs() {
        assertEquals(0f, abs(-0f, 1));
        assertEquals(0f, abs(0f, 1));
        assertEquals(0f, abs(Float.NaN, 1));
        assertEquals(-0f, abs(-0f, -1));
        assertEquals(Float.NaN, abs(0f, Float.POSITIVE_INFINITY));
        assertEquals(-1f, abs(Float.NEGATIVE_INFINITY, 1));
        assertEquals(1f, abs(Float.MIN_VALUE, 1));
        assertEquals(-3f, abs(-Float.MIN_VALUE, 3));
    }

    /** 1 where x > 0, the slope elsewhere, at 0, -0 and NaN too (PyTorch's x > 0 ? g : g * slope). */
    @Test
    void leakyReluGradientSwitchesAtZeroAsPyTorchs() {
        assertEquals(SLOPE, leakyRelu(0f, 1));
        assertEquals(SLOPE, leakyRelu(-0f, 1));
        assertEquals(SLOPE, leakyRelu(Float.NaN, 1));
        assertEquals(SLOPE, leakyRelu(Float.NEGATIVE_INFINITY, 1));
        assertEquals(-SLOPE, leakyRelu(-Float.MIN_VALUE, -1));
        assertEquals(1f, leakyRelu(Float.MIN_VALUE, 1));
        assertEquals(-7f, leakyRelu(Float.POSITIVE_INFINITY, -7));
        assertEquals(Float.POSITIVE_INFINITY, leakyRelu(-1f, Float.POSITIVE_INFINITY));
        assertEquals(SLOPE * 3, leakyRelu(-2f, 3));
    }

    /** 0 times the gradient, as the double loop's g * 0. */
    @Test
    void piecewiseConstantGradientIsTheGradientTimesZero() {
        float[] grad = {2, -2, Float.POSITIVE_INFINITY};
        FloatSimpleGradients.zero(grad, grad.length);
        assertEquals(0f, grad[0]);
        assertEquals(-0f, grad[1]);
        assertEquals(Float.NaN, grad[2]);
    }

    @Test
    void sqrtGradientAtZeroIsInfiniteWithYsSign() {
        assertEquals(Float.POSITIVE_INFINITY, apply(fromOutput(UnaryOp.SQRT, FloatSimpleGradients::sqrt), 0f));
        assertEquals(Float.NEGATIVE_INFINITY, apply(fromOutput(UnaryOp.SQRT, FloatSimpleGradients::sqrt), -0f));
    }
}
