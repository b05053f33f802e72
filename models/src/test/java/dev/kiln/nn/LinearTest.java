package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinearTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    @Test
    void anImageBatchWhoseAxesHoldTheFeaturesIsToldToFlattenFirst() {
        try (Linear lin = new Linear(28 * 28, 10); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lin.forward(Tensor.zeros(2, 1, 28, 28)));
            assertEquals("Linear(784, 10): input [2, 1, 28, 28] must end in 784 features; its axes after the first hold"
                    + " 784: flatten them first (a Flatten() before the Linear)", e.getMessage());
        }
    }

    @Test
    void weightIsOutByInAndBiasIsOut() {
        try (Linear lin = new Linear(5, 3)) {
            assertArrayEquals(new int[] {3, 5}, lin.weight().shape().dims());
            assertArrayEquals(new int[] {3}, lin.bias().shape().dims());
            assertEquals(DType.F32, lin.weight().dtype());
            assertTrue(lin.weight().requiresGrad());
        }
    }

    @Test
    void forwardComputesXTimesWeightTransposedPlusBias() {
        try (Linear lin = new Linear(2, 3); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4, 5, 6);
            set(lin.bias(), 0.5, -1, 2);
            Tensor y = lin.forward(Tensor.fromArray(new float[] {1, -1, 2, 0.5f}, 2, 2));
            // row (1, -1): 1-2+0.5, 3-4-1, 5-6+2; row (2, 0.5): 2+1+0.5, 6+2-1, 10+3+2
            assertValues(new double[] {-0.5, -2, 1, 3.5, 7, 15}, y, 1e-6);
        }
    }

    @Test
    void withoutBiasHasOnlyWeight() {
        try (Linear lin = new Linear(4, 2, false); Scope s = Scope.open()) {
            assertNull(lin.bias());
            assertEquals(1, lin.parameters().size());
            assertEquals(8, lin.parameterCount());
            assertArrayEquals(new int[] {3, 2}, lin.forward(Tensor.zeros(3, 4)).shape().dims());
        }
    }

    @Test
    void defaultInitIsUniformWithinOneOverSqrtFanIn() {
        int in = 400;
        try (Linear lin = new Linear(in, 500)) {
            double bound = 1 / Math.sqrt(in);
            for (Tensor p : lin.parameters()) {
                double[] v = p.toDoubleArray();
                double sum = 0;
                double sq = 0;
                for (double x : v) {
                    assertTrue(Math.abs(x) <= bound, "value " + x + " outside +-" + bound);
                    sum += x;
                    sq += x * x;
                }
                double mean = sum / v.length;
                double std = Math.sqrt(sq / v.length - mean * mean);
                double expectedStd = bound / Math.sqrt(3);
                assertEquals(0, mean, 5 * expectedStd / Math.sqrt(v.length));
                assertEquals(expectedStd, std, 0.1 * expectedStd, p.shape().toString());
            }
        }
    }

    @Test
    void leadingDimensionsAreKept() {
        try (Linear lin = new Linear(4, 6); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 4);
            Tensor y = lin.forward(x);
            assertArrayEquals(new int[] {2, 3, 6}, y.shape().dims());
            assertValues(lin.forward(x.reshape(6, 4)).toDoubleArray(), y.reshape(6, 6), 1e-6);
        }
    }

    @Test
    void wrongFeatureCountIsAClearError() {
        try (Linear lin = new Linear(4, 6); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(2, 5)));
            assertTrue(e.getMessage().contains("[2, 5]"), e.getMessage());
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (Linear lin = new Linear(4, 3); Scope s = Scope.open()) {
            lin.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 5, 4).requiresGrad(true);
            GradCheck.check("Linear", in -> lin.forward(in[0]), x, lin.weight(), lin.bias());
        }
    }
}
