package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.DoubleBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's fractional powers and their gradients at the bases where PyTorch 1.13's pow is not C's: it takes
 * x^0.5 as sqrt(x) and x^-0.5 as 1 / sqrt(x), so that (-0)^0.5 is -0, (-0)^-0.5 is -inf and (-inf)^+-0.5 is NaN
 * (C's pow: +0, +inf and +inf or +0), and the gradient of x^1.5, 1.5 x^0.5, follows. F32 (the float routines) and
 * F64 alike; the expected values were printed by models/src/test/pytorch/pow_special_values.py.
 */
class PowSpecialValuesTest {
    private static final double NaN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double[] BASES = {-INF, -0.0, 0.0, -1.0, INF, NaN, 1.0, 4.0};
    private static final double[] EXPONENTS = {0.5, -0.5, 1.5, -1.5};
    /** For each exponent: the values, then the gradients (of a gradient of ones); the same in float32 and float64. */
    private static final double[][] PYTORCH = {
        {NaN, -0.0, 0.0, NaN, INF, NaN, 1.0, 2.0},
        {NaN, -INF, INF, NaN, 0.0, NaN, 0.5, 0.25},
        {NaN, -INF, INF, NaN, 0.0, NaN, 1.0, 0.5},
        {-0.0, -INF, -INF, NaN, -0.0, NaN, -0.5, -0.0625},
        {INF, 0.0, 0.0, NaN, INF, NaN, 1.0, 8.0},
        {NaN, -0.0, 0.0, NaN, INF, NaN, 1.5, 3.0},
        {0.0, INF, INF, NaN, 0.0, NaN, 1.0, 0.125},
        {-0.0, -INF, -INF, NaN, -0.0, NaN, -1.5, -0.046875},
    };

    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(1, false);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void f32PowersAndGradientsArePyTorchs() {
        assertPyTorchs(DType.F32);
    }

    @Test
    void f64PowersAndGradientsArePyTorchs() {
        assertPyTorchs(DType.F64);
    }

    private static void assertPyTorchs(DType dtype) {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.empty(Shape.of(BASES.length), DType.F64, backend);
            backend.copyFromHost(DoubleBuffer.wrap(BASES), x);
            Tensor input = x.to(dtype);
            for (int e = 0; e < EXPONENTS.length; e++) {
                double p = EXPONENTS[e];
                Tensor y = Tensor.empty(input.shape(), dtype, backend);
                backend.unary(UnaryOp.POW, p, input, y);
                Tensor gradient = Tensor.empty(input.shape(), dtype, backend);
                backend.unaryBackward(UnaryOp.POW, p, input, y, input.fullLike(1), gradient);
                assertSame(PYTORCH[2 * e], y, dtype + " x^" + p);
                assertSame(PYTORCH[2 * e + 1], gradient, dtype + " gradient of x^" + p);
            }
        }
    }

    /** Each value as PyTorch's to the bit (assertEquals compares doubles' bits: the sign of a zero counts). */
    private static void assertSame(double[] expected, Tensor actual, String what) {
        double[] a = actual.to(DType.F64).toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], a[i], what + " at x = " + BASES[i]);
        }
    }
}
