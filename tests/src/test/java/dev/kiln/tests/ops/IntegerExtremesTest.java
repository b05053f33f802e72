package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.DType;
import dev.kiln.engine.MinMax;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#amax}, {@link Tensor#amin} and {@link Tensor#aminmax} of I32 and I64 tensors against PyTorch 1.13:
 * values in the input's dtype, exact where F64 would round (I64 beyond 2^53) and at the dtype's ends (values printed by
 * {@code models/src/test/pytorch/integer_extremes.py}).
 */
class IntegerExtremesTest {
    private static final long TWO_53 = 1L << 53;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Rows that differ only past 2^53, and I64's ends. */
    private static Tensor big() {
        return Tensor.fromArray(new long[] {TWO_53 + 1, TWO_53 + 3, TWO_53 + 2, -TWO_53 - 1, -TWO_53 - 3,
            Long.MAX_VALUE, Long.MIN_VALUE, 5, -7, TWO_53 + 3, TWO_53 + 1, 0}, 4, 3);
    }

    private static Tensor small() {
        return Tensor.fromArray(new int[] {3, Integer.MIN_VALUE, 7, Integer.MAX_VALUE, -2, 7}, 2, 3);
    }

    private static void assertLongs(DType dtype, int[] shape, long[] expected, Tensor actual) {
        assertEquals(dtype, actual.dtype());
        assertArrayEquals(shape, actual.shape().dims());
        assertArrayEquals(expected, actual.toLongArray());
    }

    @Test
    void amaxOfI64OverAnAxisIsExactBeyond2To53AsPyTorchs() {
        // big.amax(1): torch.int64 [4]
        assertLongs(DType.I64, new int[] {4}, new long[] {9007199254740995L, 9223372036854775807L, 5L,
            9007199254740995L}, big().amax(new int[] {1}, false));
    }

    @Test
    void aminOfI64KeepingTheAxisReachesTheDtypesLowestAsPyTorchs() {
        // big.amin(0, keepdim=True): torch.int64 [1, 3]
        assertLongs(DType.I64, new int[] {1, 3}, new long[] {-9223372036854775808L, -9007199254740995L, -7L},
                big().amin(new int[] {0}, true));
    }

    @Test
    void amaxAndAminOfAllOfI64AreScalarsAsPyTorchs() {
        // big.amax((0, 1)), big.amin(): torch.int64 []
        assertLongs(DType.I64, new int[0], new long[] {Long.MAX_VALUE}, big().amax(new int[] {0, 1}, false));
        assertLongs(DType.I64, new int[0], new long[] {Long.MIN_VALUE}, big().amin(new int[0], false));
    }

    @Test
    void aminmaxOfI64AlongAnAxisAsPyTorchs() {
        MinMax m = big().aminmax(1, false);
        // torch.aminmax(big, dim=1): torch.int64 [4] each
        assertLongs(DType.I64, new int[] {4}, new long[] {9007199254740993L, -9007199254740995L,
            -9223372036854775808L, 0L}, m.min());
        assertLongs(DType.I64, new int[] {4}, new long[] {9007199254740995L, 9223372036854775807L, 5L,
            9007199254740995L}, m.max());
    }

    @Test
    void amaxAndAminOfI32StayI32AsPyTorchs() {
        // small.amax(0): torch.int32 [3]; small.amin(1, keepdim=True): torch.int32 [2, 1]
        assertLongs(DType.I32, new int[] {3}, new long[] {2147483647L, -2L, 7L}, small().amax(new int[] {0}, false));
        assertLongs(DType.I32, new int[] {2, 1}, new long[] {-2147483648L, -2L}, small().amin(new int[] {1}, true));
    }

    @Test
    void aminmaxOfAllOfI32AsPyTorchs() {
        MinMax m = small().aminmax();
        // torch.aminmax(small): torch.int32 [] each
        assertLongs(DType.I32, new int[0], new long[] {Integer.MIN_VALUE}, m.min());
        assertLongs(DType.I32, new int[0], new long[] {Integer.MAX_VALUE}, m.max());
    }

    @Test
    void theExtremesOfIntegersRecordNoGradient() {
        assertFalse(big().amax(new int[] {1}, false).requiresGrad());
    }
}
