package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#randint}, PyTorch's {@code torch.randint(low, high, size)}: I64 (torch's int64,
 * {@code models/src/test/pytorch/scalar_in_place.py}) values of [low, high), each about equally often, and an empty
 * range refused as torch refuses it.
 */
class RandintTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void valuesAreLongsOfTheShapeAsked() {
        Tensor t = Tensor.randint(3, 7, 2, 5);
        assertEquals(DType.I64, t.dtype());
        assertArrayEquals(new int[] {2, 5}, t.shape().dims());
    }

    @Test
    void everyValueOfTheRangeComesAboutEquallyOftenAndNoneOutside() {
        int n = 40_000;
        long[] v = Tensor.randint(-2, 3, n).toLongArray();
        int[] counts = new int[5];
        for (long x : v) {
            assertTrue(x >= -2 && x < 3, "value " + x + " outside [-2, 3)");
            counts[(int) (x + 2)]++;
        }
        // 8000 expected each; a binomial standard deviation is about 80, so 400 is 5 of them.
        for (int c : counts) {
            assertTrue(Math.abs(c - n / 5) < 400, "counts " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void aNarrowRangeFarFromZeroStaysInsideIt() {
        // 2^60 + 1 and 2^60 + 3 are no doubles: the draw must not pass through low and high as doubles.
        long low = (1L << 60) + 1;
        for (long x : Tensor.randint(low, low + 2, 64).toLongArray()) {
            assertTrue(x == low || x == low + 1, "value " + x + " outside [" + low + ", " + (low + 2) + ")");
        }
    }

    @Test
    void anEmptyRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(5, 5, 3));
        assertEquals("randint: low must be below high, got low 5 and high 5", e.getMessage());
    }

    @Test
    void aRangeWiderThanALongIsRefusedAsWiderThanTwoToThe53() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.randint(Long.MIN_VALUE, Long.MAX_VALUE, 3));
        assertEquals("randint: the range [-9223372036854775808, 9223372036854775807) is wider than 2^53",
                e.getMessage());
    }
}
