package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatSweep.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link CpuElementwise#sigmoidGradient} in float against g y (1 - y) in double over a dense sweep of the outputs y
 * in [0, 1] (every 101st float), and at the edges PyTorch 1.13's float kernel gives.
 */
class SigmoidGradientTest {
    private static final int DENSE = 101;
    /** Not a power of two, so that the product with the gradient rounds. */
    private static final float GRADIENT = 0.7f;

    private static void withGradient(float[] y, int len) {
        float[] grad = new float[len];
        java.util.Arrays.fill(grad, GRADIENT);
        CpuElementwise.sigmoidGradient(y, grad, len);
        System.arraycopy(grad, 0, y, 0, len);
    }

    private static float at(float y, float gradient) {
        float[] grad = {gradient};
        CpuElementwise.sigmoidGradient(new float[] {y}, grad, 1);
        return grad[0];
    }

    /** Three roundings (1 - y below 0.5, the two products), each of half an ulp: 1.82 measured. */
    @Test
    void isWithinTwoUlps() {
        assertWithinUlps("sigmoid'", 2, SigmoidGradientTest::withGradient,
                y -> (double) GRADIENT * y * (1 - y), DENSE, 0, 1);
    }

    @Test
    void edgesAreThoseOfPyTorch() {
        assertEquals(0f, at(1f, 3f));
        assertEquals(0f, at(0f, 3f));
        assertEquals(-0f, at(0f, -3f));
        assertEquals(Float.NaN, at(1f, Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, at(Float.NaN, 1f));
        assertEquals(Float.NaN, at(0.5f, Float.NaN));
        assertEquals(Float.NEGATIVE_INFINITY, at(0.5f, Float.NEGATIVE_INFINITY));
    }
}
