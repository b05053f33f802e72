package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.engine.Tensor;

/** {@link PyTorchParity}'s assertions at 1e-12, for tests that run in F64 only. */
final class F64Parity {
    static final double TOLERANCE = 1e-12;

    private F64Parity() {
    }

    static void assertValues(String what, Tensor actual, double... expected) {
        assertNotNull(actual, what);
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + what + " " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], TOLERANCE, "element " + i + " of " + what + " " + actual.shape());
        }
    }

    /** The gradient of a parameter by PyTorch's name. */
    static void assertGradient(Module module, String parameter, double... expected) {
        Tensor p = module.namedParameters().get(parameter);
        assertNotNull(p, "parameter " + parameter + " of " + module);
        assertValues("gradient of " + parameter, p.grad(), expected);
    }
}
