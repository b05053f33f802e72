package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/** Small helpers shared by the layer tests. */
final class Tensors {
    private Tensors() {
    }

    static void assertValues(double[] expected, Tensor actual, double tolerance) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tolerance, "element " + i + " of " + actual.shape());
        }
    }

    /** Overwrites a parameter's values (same shape) under noGrad. */
    static void set(Tensor parameter, double... values) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            parameter.assign(Tensor.fromArray(values, parameter.shape().dims()).to(parameter.dtype()));
        }
    }
}
