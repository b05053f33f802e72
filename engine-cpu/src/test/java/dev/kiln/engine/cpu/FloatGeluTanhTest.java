package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.apply;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlpsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatGeluTanh} against GELU's tanh approximation in double, written as x sigmoid(2u) (which keeps its
 * digits where 1 + tanh(u) cancels), over every 1009th float from x = -10 up (below, sigmoid(2u) nears the
 * subnormals). Measured over every 97th and every 1009th float: GELU within 3.02 ulps, its derivative 5.07 of its
 * larger term.
 */
class FloatGeluTanhTest {
    private static final int DENSE = 1009;
    private static final double ALL = Double.POSITIVE_INFINITY;
    /** Where sigmoid(2u) is still a normal float. */
    private static final double LOW = -10;
    private static final double BETA = Math.sqrt(2 / Math.PI);
    private static final double KAPPA = 0.044715;

    /** 2u = 2 sqrt(2/pi) (x + 0.044715 x^3): tanh(u) = 2 sigmoid(2u) - 1. */
    private static double twiceInner(double x) {
        return 2 * BETA * (x + KAPPA * (x * x * x));
    }

    /** exp(-|t|), from which both sigmoid(t) and sigmoid(t) (1 - sigmoid(t)) follow without cancellation. */
    private static double expOfMinusAbs(double t) {
        return Math.exp(-Math.abs(t));
    }

    private static double sigmoid(double t) {
        double e = expOfMinusAbs(t);
        return (t >= 0 ? 1 : e) / (1 + e);
    }

    private static double gelu(double x) {
        return x * sigmoid(twiceInner(x));
    }

    private static double sigmoidSlopeTerm(double x) {
        double e = expOfMinusAbs(twiceInner(x));
        return x * e / ((1 + e) * (1 + e)) * 2 * BETA * (1 + 3 * KAPPA * x * x);
    }

    @Test
    void geluIsWithinThreeAndATenthUlpsWhileTheSigmoidIsNormal() {
        assertWithinUlps("gelu_tanh", 3.1, FloatGeluTanh::gelu, FloatGeluTanhTest::gelu, DENSE, LOW, ALL);
    }

    /** PyTorch's own form, where 1 + tanh(u) keeps its digits in double. */
    @Test
    void geluIsTheTanhFormulaOfPyTorch() {
        assertWithinUlps("gelu_tanh", 3.1, FloatGeluTanh::gelu,
                x -> 0.5 * x * (1 + Math.tanh(BETA * (x + KAPPA * x * x * x))), DENSE, -3, ALL);
    }

    @Test
    void geluOfInfinitiesZerosAndNanIsThatOfTheTanhFormula() {
        assertEquals(Float.POSITIVE_INFINITY, apply(FloatGeluTanh::gelu, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatGeluTanh::gelu, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatGeluTanh::gelu, Float.NaN));
        assertEquals(-0f, apply(FloatGeluTanh::gelu, -0f));
        assertEquals(0f, apply(FloatGeluTanh::gelu, 0f));
        assertEquals(-0f, apply(FloatGeluTanh::gelu, -1e30f));
        assertEquals(1e30f, apply(FloatGeluTanh::gelu, 1e30f));
    }

    /**
     * In ulps of the larger of sigmoid(2u) and its slope term: the derivative crosses zero near x = -0.75. Up to
     * the largest float, where the reference's slope term is not yet infinity times 0.
     */
    @Test
    void geluDerivativeIsWithinFiveAndAFifthUlpsOfItsLargerTerm() {
        DoubleUnaryOperator derivative = x -> sigmoid(twiceInner(x)) + sigmoidSlopeTerm(x);
        DoubleUnaryOperator larger = x -> Math.max(sigmoid(twiceInner(x)), Math.abs(sigmoidSlopeTerm(x)));
        assertWithinUlpsOf("gelu_tanh'", 5.2, FloatGeluTanh::geluDerivative, derivative, larger, DENSE, LOW,
                Float.MAX_VALUE);
    }

    /** NaN at the infinities, as PyTorch 1.13 gives (its form multiplies an infinity by 0 there), in F32 and F64. */
    @Test
    void geluDerivativeAtTheInfinitiesIsNaNAsInPyTorch() {
        assertEquals(Float.NaN, apply(FloatGeluTanh::geluDerivative, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatGeluTanh::geluDerivative, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, apply(FloatGeluTanh::geluDerivative, Float.NaN));
        assertEquals(0.5f, apply(FloatGeluTanh::geluDerivative, 0f));
    }
}
