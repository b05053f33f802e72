package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the distributions' PyTorch parity tests share: a scope per test, F64 leaves and constants ([2, 3] unless dims
 * are given), and the comparison of a result and its leaves' gradients for the upstream gradient 1, 2, 3, ... in the
 * result's shape with what PyTorch printed, to 1e-10 (relative above 1) unless a tolerance is given.
 */
abstract class DistributionParity {
    static final double TOLERANCE = 1e-10;
    private static final double F32_TOLERANCE = 1e-5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A leaf and the gradient PyTorch gave it. */
    record Gradient(Tensor leaf, double[] expected) {
    }

    static Gradient grad(Tensor leaf, double[] expected) {
        return new Gradient(leaf, expected);
    }

    /** An F64 leaf requiring a gradient, [2, 3] unless {@code dims} are given. */
    static Tensor leaf(double[] values, int... dims) {
        return constant(values, dims).requiresGrad(true);
    }

    /** An F64 tensor, [2, 3] unless {@code dims} are given. */
    static Tensor constant(double[] values, int... dims) {
        return Tensor.fromArray(values.clone(), dims.length == 0 ? new int[] {2, 3} : dims);
    }

    /** Compares {@code result}, backpropagates 1, 2, 3, ... in its shape and compares each leaf's gradient. */
    static void check(String what, Tensor result, double[] expected, Gradient... gradients) {
        check(what, result, expected, TOLERANCE, gradients);
    }

    /** {@link #check(String, Tensor, double[], Gradient...)} with the gradients held to {@code gradientTolerance}. */
    static void check(String what, Tensor result, double[] expected, double gradientTolerance, Gradient... gradients) {
        // Each leaf's gradient is PyTorch's for this result alone, not accumulated over earlier checks.
        clearGrads(gradients);
        assertClose(what, expected, result, TOLERANCE);
        result.backward(Tensor.arange(1, result.size() + 1, 1, DType.F64).reshape(result.shape().dims()));
        for (int i = 0; i < gradients.length; i++) {
            assertClose(what + " gradient " + i, gradients[i].expected(), gradients[i].leaf().grad(), gradientTolerance);
        }
    }

    /** {@link #check(String, Tensor, double[], Gradient...)} of an F32 result, to 1e-5. */
    static void checkF32(String what, Tensor result, double[] expected, Gradient... gradients) {
        clearGrads(gradients);
        assertCloseF32(what, expected, result);
        result.backward(Tensor.arange(1, result.size() + 1, 1, DType.F32).reshape(result.shape().dims()));
        for (int i = 0; i < gradients.length; i++) {
            assertCloseF32(what + " gradient " + i, gradients[i].expected(), gradients[i].leaf().grad());
        }
    }

    private static void clearGrads(Gradient... gradients) {
        for (Gradient g : gradients) {
            g.leaf().clearGrad();
        }
    }

    static void assertClose(String what, double[] expected, Tensor actual) {
        assertClose(what, expected, actual, TOLERANCE);
    }

    /** Element by element to {@code relative} (relative above 1); a NaN or infinite expectation must be met exactly. */
    static void assertClose(String what, double[] expected, Tensor actual, double relative) {
        double[] got = actual.to(DType.F64).toDoubleArray();
        assertEquals(expected.length, got.length, what + " element count");
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) {
                assertTrue(Double.isNaN(got[i]), what + " element " + i + " must be NaN, got " + got[i]);
                continue;
            }
            // An infinite expectation must be met exactly (a tolerance scaled by it would accept anything).
            double tolerance = Double.isInfinite(expected[i]) ? 0 : relative * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], got[i], tolerance, what + " element " + i);
        }
    }

    /** An F32 result against PyTorch's float64 numbers to single precision: 1e-5, relative above 1. */
    static void assertCloseF32(String what, double[] expected, Tensor actual) {
        assertEquals(DType.F32, actual.dtype(), what + " dtype");
        double[] got = actual.to(DType.F64).toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], F32_TOLERANCE * Math.max(1, Math.abs(expected[i])),
                    what + " element " + i);
        }
    }
}
