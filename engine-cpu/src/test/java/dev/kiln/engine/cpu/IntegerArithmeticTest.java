package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's integer ADD, SUB and MUL are exact and wrap at the dtype's width, as PyTorch's: beyond 2^53, where
 * doubles round, and past 2^63 and 2^31, where a double converted back would saturate. Floor division, remainder,
 * fmod, comparisons, MAX, MIN and where are exact there too.
 */
class IntegerArithmeticTest {
    private static final long TWO_53 = 1L << 53;
    private static final long TWO_62 = 1L << 62;
    private static final long TWO_32 = 1L << 32;

    private static CpuBackend backend;
    private Scope scope;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2, false);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void i64ArithmeticIsExactBeyond2To53AndWrapsPast2To63() {
        Tensor a = i64(new long[] {TWO_53 + 1, TWO_62, TWO_32 + 1, -7, 0, 5}, 2, 3);
        Tensor b = i64(new long[] {2, TWO_62, TWO_32 + 1}, 3);
        assertArrayEquals(new long[] {TWO_53 + 3, Long.MIN_VALUE, 2 * TWO_32 + 2, -5, TWO_62, TWO_32 + 6},
                binary(BinaryOp.ADD, a, b, DType.I64, 2, 3), "a + b, b broadcast over the rows");
        assertArrayEquals(new long[] {TWO_53 - 1, 0, 0, -9, -TWO_62, -TWO_32 + 4},
                binary(BinaryOp.SUB, a, b, DType.I64, 2, 3), "a - b");
        assertArrayEquals(new long[] {2 * TWO_53 + 2, 0, 2 * TWO_32 + 1, -14, 0, 5 * TWO_32 + 5},
                binary(BinaryOp.MUL, a, b, DType.I64, 2, 3), "a * b, (2^62)^2 and (2^32 + 1)^2 wrapped");
    }

    @Test
    void i32ArithmeticWrapsPast2To31() {
        Tensor a = i32(new int[] {Integer.MAX_VALUE, 65537, -3}, 3);
        Tensor b = i32(new int[] {1, 65537, 5}, 3);
        assertArrayEquals(new long[] {Integer.MIN_VALUE, 131074, 2}, binary(BinaryOp.ADD, a, b, DType.I32, 3),
                "a + b");
        assertArrayEquals(new long[] {Integer.MAX_VALUE - 1, 0, -8}, binary(BinaryOp.SUB, a, b, DType.I32, 3),
                "a - b");
        assertArrayEquals(new long[] {Integer.MAX_VALUE, 131073, -15}, binary(BinaryOp.MUL, a, b, DType.I32, 3),
                "a * b, 65537^2 = 2^32 + 131073 wrapped");
    }

    @Test
    void i64ComparisonsTellApartValuesThatDoublesRoundTogether() {
        Tensor a = i64(new long[] {TWO_53 + 1, Long.MAX_VALUE, Long.MIN_VALUE + 1, 3}, 4);
        Tensor b = i64(new long[] {TWO_53, Long.MAX_VALUE - 1, Long.MIN_VALUE, 3}, 4);
        assertArrayEquals(new long[] {0, 0, 0, 1}, binary(BinaryOp.EQ, a, b, DType.I64, 4), "a == b");
        assertArrayEquals(new long[] {1, 1, 1, 0}, binary(BinaryOp.NE, a, b, DType.I64, 4), "a != b");
        assertArrayEquals(new long[] {0, 0, 0, 0}, binary(BinaryOp.LT, a, b, DType.I64, 4), "a < b");
        assertArrayEquals(new long[] {0, 0, 0, 1}, binary(BinaryOp.LE, a, b, DType.I64, 4), "a <= b");
        assertArrayEquals(new long[] {1, 1, 1, 0}, binary(BinaryOp.GT, a, b, DType.I64, 4), "a > b");
        assertArrayEquals(new long[] {1, 1, 1, 1}, binary(BinaryOp.GE, a, b, DType.I64, 4), "a >= b");
    }

    @Test
    void i64MaxAndMinKeepEveryBit() {
        Tensor a = i64(new long[] {TWO_53 + 1, Long.MAX_VALUE, Long.MIN_VALUE + 1, -TWO_53 - 1}, 4);
        Tensor b = i64(new long[] {TWO_53, Long.MAX_VALUE - 1, Long.MIN_VALUE, -TWO_53}, 4);
        assertArrayEquals(new long[] {TWO_53 + 1, Long.MAX_VALUE, Long.MIN_VALUE + 1, -TWO_53},
                binary(BinaryOp.MAX, a, b, DType.I64, 4), "max(a, b)");
        assertArrayEquals(new long[] {TWO_53, Long.MAX_VALUE - 1, Long.MIN_VALUE, -TWO_53 - 1},
                binary(BinaryOp.MIN, a, b, DType.I64, 4), "min(a, b)");
    }

    @Test
    void i64WhereKeepsEveryBit() {
        Tensor cond = i64(new long[] {1, 0, 1, 0}, 4);
        Tensor a = i64(new long[] {TWO_53 + 1, 0, Long.MAX_VALUE, 0}, 4);
        Tensor b = i64(new long[] {0, Long.MIN_VALUE + 1, 0, -TWO_53 - 1}, 4);
        Tensor out = Tensor.empty(Shape.of(4), DType.I64, backend);
        backend.where(cond, a, b, out);
        assertArrayEquals(new long[] {TWO_53 + 1, Long.MIN_VALUE + 1, Long.MAX_VALUE, -TWO_53 - 1},
                out.toLongArray(), "where(cond, a, b)");
    }

    @Test
    void i64FloorDivideRemainderAndFmodAreExactBeyond2To53() {
        // Through doubles 2^53 + 1 is 2^53: even, so quotient 2^52 and remainder 0.
        Tensor a = i64(new long[] {TWO_53 + 1, -TWO_53 - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1}, 4);
        Tensor b = i64(new long[] {2, 2, -1, -7}, 4);
        assertArrayEquals(new long[] {TWO_53 / 2, -TWO_53 / 2 - 1, Long.MIN_VALUE, 1317624576693539401L},
                binary(BinaryOp.FLOOR_DIVIDE, a, b, DType.I64, 4), "floor(a / b), MIN / -1 wrapped");
        assertArrayEquals(new long[] {1, 1, 0, 0}, binary(BinaryOp.REMAINDER, a, b, DType.I64, 4),
                "a % b with the divisor's sign");
        assertArrayEquals(new long[] {1, -1, 0, 0}, binary(BinaryOp.FMOD, a, b, DType.I64, 4),
                "fmod(a, b) with the dividend's sign");
    }

    @Test
    void integerDivisionByZeroIsAnErrorNamingTheOp() {
        Tensor a = i32(new int[] {1, 2}, 2);
        Tensor b = i32(new int[] {1, 0}, 2);
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> binary(BinaryOp.REMAINDER, a, b, DType.I32, 2));
        assertEquals("remainder: integer division by zero (a divisor element is 0)", e.getMessage());
    }

    private static long[] binary(BinaryOp op, Tensor a, Tensor b, DType dtype, int... dims) {
        Tensor out = Tensor.empty(Shape.of(dims), dtype, backend);
        backend.binary(op, a, b, out);
        return out.toLongArray();
    }

    private static Tensor i64(long[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.I64, backend);
        backend.copyFromHost(LongBuffer.wrap(values), t);
        return t;
    }

    private static Tensor i32(int[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.I32, backend);
        backend.copyFromHost(IntBuffer.wrap(values), t);
        return t;
    }
}
