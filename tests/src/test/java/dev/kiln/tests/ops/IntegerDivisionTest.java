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
 * {@link Tensor#floorDivide}, {@link Tensor#remainder} and {@link Tensor#fmod} of integer tensors give integers of
 * their dtype, exactly, as PyTorch 1.13's (beyond 2^53, where doubles round, and at the dtype's ends), and
 * {@link Tensor#div} of integers is PyTorch's true division, in F32 (values printed by
 * {@code models/src/test/pytorch/integer_division.py}).
 */
class IntegerDivisionTest {
    private static final long TWO_53 = 1L << 53;
    private static final long TWO_62 = 1L << 62;
    private static final long[] A64 = {7, -7, 7, -7, TWO_53 + 1, Long.MIN_VALUE, Long.MAX_VALUE, 0, -TWO_62 - 3,
        Long.MIN_VALUE + 1};
    private static final long[] B64 = {2, 2, -2, -2, 2, 3, -7, 5, 1L << 40, -7};
    private static final int[] A32 = {Integer.MAX_VALUE, -7, 16777217, Integer.MIN_VALUE, 5, -16777219};
    private static final int[] B32 = {-2, 3, 2};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void i64FloorDivideIsExactAsPyTorchs() {
        Tensor y = Tensor.fromArray(A64, 10).floorDivide(Tensor.fromArray(B64, 10));
        // torch.floor_divide(a64, b64): torch.int64 [10]
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {3L, -4L, -4L, 3L, 4503599627370496L, -3074457345618258603L,
            -1317624576693539401L, 0L, -4194305L, 1317624576693539401L}, y.toLongArray());
    }

    @Test
    void i64RemainderTakesTheDivisorsSignAsPyTorchs() {
        Tensor y = Tensor.fromArray(A64, 10).remainder(Tensor.fromArray(B64, 10));
        // torch.remainder(a64, b64): torch.int64 [10]
        assertArrayEquals(new long[] {1L, 1L, -1L, -1L, 1L, 1L, 0L, 0L, 1099511627773L, 0L}, y.toLongArray());
    }

    @Test
    void i64FmodTakesTheDividendsSignAsPyTorchs() {
        Tensor y = Tensor.fromArray(A64, 10).fmod(Tensor.fromArray(B64, 10));
        // torch.fmod(a64, b64): torch.int64 [10]
        assertArrayEquals(new long[] {1L, -1L, 1L, -1L, 1L, -2L, 0L, 0L, -3L, 0L}, y.toLongArray());
    }

    @Test
    void i32DivisionsBroadcastAndStayI32AsPyTorchs() {
        Tensor a = Tensor.fromArray(A32, 2, 3);
        Tensor b = Tensor.fromArray(B32, 3);
        Tensor quotient = a.floorDivide(b);
        // torch.floor_divide(a32, b32): torch.int32 [2, 3]
        assertEquals(DType.I32, quotient.dtype());
        assertArrayEquals(new int[] {2, 3}, quotient.shape().dims());
        assertArrayEquals(new long[] {-1073741824L, -3L, 8388608L, 1073741824L, 1L, -8388610L},
                quotient.toLongArray());
        // torch.remainder(a32, b32), torch.fmod(a32, b32): torch.int32 [2, 3]
        assertArrayEquals(new long[] {-1L, 2L, 1L, 0L, 2L, 1L}, a.remainder(b).toLongArray());
        assertArrayEquals(new long[] {1L, -1L, 1L, 0L, 2L, -1L}, a.fmod(b).toLongArray());
    }

    @Test
    void theMinimumFloorDividedByMinusOneWrapsToItself() {
        // PyTorch 1.13's CPU kernel dies of SIGFPE here; two's complement (and Kiln's CUDA kernel) wrap.
        Tensor minusOne = Tensor.fromArray(new long[] {-1}, 1);
        Tensor min = Tensor.fromArray(new long[] {Long.MIN_VALUE}, 1);
        assertArrayEquals(new long[] {Long.MIN_VALUE}, min.floorDivide(minusOne).toLongArray());
        assertArrayEquals(new long[] {0}, min.remainder(minusOne).toLongArray());
        assertArrayEquals(new long[] {0}, min.fmod(minusOne).toLongArray());
        Tensor min32 = Tensor.fromArray(new int[] {Integer.MIN_VALUE}, 1);
        assertArrayEquals(new long[] {Integer.MIN_VALUE},
                min32.floorDivide(Tensor.fromArray(new int[] {-1}, 1)).toLongArray());
    }

    @Test
    void anIntegerZeroDivisorIsAnErrorNamingTheOpAsPyTorchsZeroDivisionError() {
        Tensor a = Tensor.fromArray(new long[] {1, 2}, 2);
        Tensor zero = Tensor.fromArray(new long[] {3, 0}, 2);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> a.floorDivide(zero));
        assertTrue(e.getMessage().startsWith("floor_divide: integer division by zero"), e.getMessage());
        assertTrue(assertThrows(ArithmeticException.class, () -> a.remainder(zero)).getMessage()
                .startsWith("remainder: "));
        assertTrue(assertThrows(ArithmeticException.class, () -> a.fmod(zero)).getMessage().startsWith("fmod: "));
    }

    @Test
    void i64DivIsTrueDivisionInF32AsPyTorchs() {
        Tensor n = Tensor.fromArray(new long[] {16777217, 7, -7, TWO_53 + 1, 1, 0, -1}, 7);
        Tensor d = Tensor.fromArray(new long[] {5, 2, 2, 3, 0, 0, 0}, 7);
        Tensor y = n.div(d);
        // torch.div(n, d): torch.float32 [7]; 16777217 is 16777216 in F32 before the division
        assertEquals(DType.F32, y.dtype());
        assertArrayEquals(new double[] {3355443.25, 3.5, -3.5, 3002399841058816.0, Double.POSITIVE_INFINITY,
            Double.NaN, -Double.POSITIVE_INFINITY}, y.toDoubleArray());
    }

    @Test
    void i32DivIsTrueDivisionInF32AsPyTorchs() {
        Tensor n = Tensor.fromArray(new int[] {16777217, 7, -7, Integer.MAX_VALUE, 1, 0, -1}, 7);
        Tensor d = Tensor.fromArray(new int[] {5, 2, 2, 3, 0, 0, 0}, 7);
        Tensor y = n.div(d);
        // torch.div(n32, d.int()): torch.float32 [7]
        assertEquals(DType.F32, y.dtype());
        assertArrayEquals(new double[] {3355443.25, 3.5, -3.5, 715827904.0, Double.POSITIVE_INFINITY, Double.NaN,
            -Double.POSITIVE_INFINITY}, y.toDoubleArray());
    }
}
