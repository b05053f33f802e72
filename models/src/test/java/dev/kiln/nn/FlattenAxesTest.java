package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Flatten#Flatten(int, int)}, PyTorch's {@code nn.Flatten(start_dim, end_dim)}: output shapes and reprs of a
 * [2, 3, 4, 5] input and a scalar as PyTorch 1.13 prints them ({@code models/src/test/pytorch/flatten_axes.py}),
 * negative axes counted from the end.
 */
class FlattenAxesTest {
    private static void assertFlattens(int start, int end, int[] expected) {
        try (Scope s = Scope.open()) {
            Flatten f = new Flatten(start, end);
            assertEquals("Flatten(start_dim=" + start + ", end_dim=" + end + ")", f.toString());
            assertArrayEquals(expected, f.forward(Tensor.zeros(2, 3, 4, 5)).shape().dims(), f.toString());
        }
    }

    @Test
    void theDefaultFlattensAllButTheBatch() {
        assertFlattens(1, -1, new int[] {2, 60});
    }

    @Test
    void negativeAxesCountFromTheEnd() {
        assertFlattens(0, -2, new int[] {24, 5});
        assertFlattens(-3, -2, new int[] {2, 12, 5});
        assertFlattens(-1, -1, new int[] {2, 3, 4, 5});
    }

    @Test
    void aRangeInTheMiddleKeepsTheAxesAroundIt() {
        assertFlattens(1, 2, new int[] {2, 12, 5});
        assertFlattens(2, 2, new int[] {2, 3, 4, 5});
    }

    @Test
    void aScalarFlattensToOneValue() {
        try (Scope s = Scope.open()) {
            assertArrayEquals(new int[] {1}, new Flatten(0, -1).forward(Tensor.scalar(3)).shape().dims());
        }
    }

    @Test
    void aStartAfterTheEndIsRefusedNamingBoth() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Flatten(2, 1).forward(Tensor.zeros(2, 3, 4, 5)));
            assertEquals("Flatten(start_dim=2, end_dim=1): input [2, 3, 4, 5] has no axes 2..1 in order to flatten",
                    e.getMessage());
        }
    }
}
