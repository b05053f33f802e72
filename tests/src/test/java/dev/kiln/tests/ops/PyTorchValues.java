package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Comparing a tensor with values PyTorch 1.13 printed (in F64): inputs are chosen exact in F32 too, so an F32 run
 * differs from them by its own rounding only.
 */
final class PyTorchValues {
    static final double NAN = Double.NaN;
    static final double INF = Double.POSITIVE_INFINITY;

    private PyTorchValues() {
    }

    /** {@code values} as a tensor of {@code dtype} (F32, F64, I32 or I64) and shape {@code dims}. */
    static Tensor tensor(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype);
    }

    /** {@code values} as a leaf of {@code dtype} (F32 or F64) that requires a gradient. */
    static Tensor leaf(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype).requiresGrad(true);
    }

    /** Relative tolerance of a result computed in {@code dtype} in a handful of steps. */
    static double tolerance(DType dtype) {
        return dtype == DType.F32 ? 2e-6 : 1e-13;
    }

    /**
     * Same shape, and each element within {@code tol * max(1, |expected|)}; NaN and infinities must match exactly
     * (an infinity by its sign).
     */
    static void assertValues(String what, double[] expected, int[] dims, Tensor actual, double tol) {
        assertEquals(Shape.of(dims), actual.shape(), what + ": shape");
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                assertEquals(e, a[i], what + ": element " + i);
            } else if (!(Math.abs(a[i] - e) <= tol * Math.max(1, Math.abs(e)))) {
                fail(what + ": element " + i + " expected " + e + " but was " + a[i]);
            }
        }
    }

    /** Backward of {@code sum(y * weights)}: y's gradient is {@code weights} (y's shape). */
    static void backward(Tensor y, double[] weights) {
        y.backward(Tensor.fromArray(weights, y.shape().dims()).to(y.dtype()));
    }
}
