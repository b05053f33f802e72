package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Tensor;

/** Int8 weights against the values and scales PyTorch's quantisation printed: both exactly. */
final class Int8WeightsAssertions {
    private Int8WeightsAssertions() {
    }

    /** {@code actual}'s int8 values (held as floats) are {@code expected}. */
    static void assertInts(String what, Tensor actual, int... expected) {
        float[] got = actual.toFloatArray();
        int[] rounded = new int[got.length];
        for (int i = 0; i < got.length; i++) {
            rounded[i] = (int) got[i];
        }
        assertArrayEquals(expected, rounded, what);
    }

    /** {@code actual}'s F32 scales are {@code expected} rounded to float. */
    static void assertScales(String what, Tensor actual, double... expected) {
        float[] got = actual.toFloatArray();
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < got.length; i++) {
            assertEquals((float) expected[i], got[i], what + " " + i);
        }
    }
}
