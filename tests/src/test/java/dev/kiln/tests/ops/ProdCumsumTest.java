package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#prod} and {@link Tensor#cumsum} against PyTorch 1.13's {@code prod} and {@code cumsum}: values and
 * the gradient of {@code (y * w).sum()}, for products over rows holding one zero and two zeros (PyTorch's
 * {@code prod_backward} gives the product of the others, no division), and odd lengths; and of integer tensors, I64
 * as PyTorch's, exact where F32 and F64 would round (beyond 2^24 and 2^53) and wrapping past 2^63 (values printed by
 * {@code models/src/test/pytorch/integer_cumsum_prod.py}).
 */
class ProdCumsumTest {
    private static final long TWO_32 = 1L << 32;
    private static final long TWO_53 = 1L << 53;
    private static final long TWO_62 = 1L << 62;
    private static final double[] Q = {2, 0, 3, 1.5, -1, 0, 0, 4, 2, 1, 1, 2, 3, -0.5, 0.25};
    private static final double[] C = {1, 2, 3, 4, 5, 6, 7, 0.5, -1, 2, -3, 4, -5, 6, 1000, 0.125, -1000, 0, 2, 0.25,
        8};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static double[] ramp(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = i + 1;
        }
        return w;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void prodOverRowsWithOneAndWithTwoZerosAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, Q, 3, 5);
        Tensor y = x.prod(1, false);
        // x.prod(1); (y * [1, 2, 3]).sum().backward()
        assertValues("values", new double[] {0, 0, -0.75}, new int[] {3}, y, tolerance(dtype));
        backward(y, ramp(3));
        assertValues("gradient", new double[] {0, -9, 0, 0, 0, 0, 0, 0, 0, 0, -2.25, -1.125, -0.75, 4.5, -9},
                new int[] {3, 5}, x.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void prodOverAnOddColumnKeepingTheAxisAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, Q, 3, 5);
        Tensor y = x.prod(0, true);
        // x.prod(0, keepdim=True); (y * [[1, 2, 3, 4, 5]]).sum().backward()
        assertValues("values", new double[] {0, 0, 36, -1.5, -0.25}, new int[] {1, 5}, y, tolerance(dtype));
        backward(y, ramp(5));
        assertValues("gradient", new double[] {0, 0, 36, -4, 1.25, 2, 0, 27, -3, -1.25, 0, 0, 36, 12, -5},
                new int[] {3, 5}, x.grad(), tolerance(dtype));
    }

    @Test
    void prodOfAllAsPyTorch() {
        // x[2:].prod(); y.backward()
        Tensor x = leaf(DType.F64, new double[] {1, 2, 3, -0.5, 0.25}, 1, 5);
        Tensor y = x.prod();
        assertEquals(-0.75, y.item());
        y.backward();
        assertArrayEquals(new double[] {-0.75, -0.375, -0.25, 1.5, -3}, x.grad().toDoubleArray());
    }

    @Test
    void theProductOverAnEmptyAxisIsOneAsPyTorchs() {
        // torch.ones(2, 0).prod(1)
        assertArrayEquals(new double[] {1, 1}, Tensor.zeros(2, 0).prod(1, false).toDoubleArray());
    }

    @Test
    void prodOverAnAxisOfOneIsANewTensor() {
        Tensor x = Tensor.fromArray(new double[] {2, 3}, 2, 1);
        Tensor y = x.prod(1, true);
        y.close();
        assertArrayEquals(new double[] {2, 3}, x.toDoubleArray());
    }

    @Test
    void prodOverAnAxisOfOneDroppingItIsATensorOfItsOwn() {
        Tensor x = Tensor.fromArray(new double[] {2, 3}, 2, 1);
        Tensor y = x.prod(1, false);
        assertNotSame(x.storage(), y.storage(), "torch.prod returns a new tensor, not a view of its input");
        y.addInPlace(Tensor.ones(DType.F64, 2), 1);
        assertArrayEquals(new double[] {2, 3}, x.toDoubleArray());
    }

    @Test
    void prodOverAnAxisOfOneThatRecordsIsATensorOfItsOwn() {
        Tensor x = leaf(DType.F64, new double[] {2, 3}, 2, 1);
        Tensor y = x.prod(1, false);
        assertNotSame(x.storage(), y.storage());
        backward(y, new double[] {5, 7});
        assertArrayEquals(new double[] {5, 7}, x.grad().toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cumsumAlongRowsOfSevenAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, C, 3, 7);
        Tensor y = x.cumsum(1);
        // x.cumsum(1); (y * arange(21).reshape(3, 7)).sum().backward()
        assertValues("values", new double[] {1, 3, 6, 10, 15, 21, 28, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 1000,
                1000.125, 0.125, 0.125, 2.125, 2.375, 10.375}, new int[] {3, 7}, y, tolerance(dtype));
        backward(y, IntStream.range(0, 21).asDoubleStream().toArray());
        assertValues("gradient", new double[] {21, 21, 20, 18, 15, 11, 6, 70, 63, 55, 46, 36, 25, 13, 119, 105, 90,
                74, 57, 39, 20}, new int[] {3, 7}, x.grad(), tolerance(dtype));
    }

    @Test
    void cumsumAlongColumnsAsPyTorch() {
        Tensor x = leaf(DType.F64, C, 3, 7);
        Tensor y = x.cumsum(-2);
        // x.cumsum(0); (y * arange(21).reshape(3, 7)).sum().backward()
        assertValues("values", new double[] {1, 2, 3, 4, 5, 6, 7, 1.5, 1, 5, 1, 9, 1, 13, 1001.5, 1.125, -995, 1, 11,
                1.25, 21}, new int[] {3, 7}, y, 1e-15);
        backward(y, IntStream.range(0, 21).asDoubleStream().toArray());
        assertValues("gradient", new double[] {21, 24, 27, 30, 33, 36, 39, 21, 23, 25, 27, 29, 31, 33, 14, 15, 16, 17,
                18, 19, 20}, new int[] {3, 7}, x.grad(), 0);
    }

    @Test
    void cumsumOfALongAxisMatchesASequentialLoop() {
        double[] v = new double[1000];
        double[] expected = new double[1000];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(i);
            sum += v[i];
            expected[i] = sum;
        }
        assertValues("cumsum of 1000", expected, new int[] {1000}, Tensor.fromArray(v, 1000).cumsum(0), 1e-12);
    }

    @Test
    void cumsumOfI32IsAnI64ExactBeyond2To31And2To24AsPyTorchs() {
        Tensor x = Tensor.fromArray(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -5,
            (1 << 24) + 1, (1 << 24) + 1, 1, 3}, 2, 4);
        Tensor y = x.cumsum(1);
        // x.cumsum(1), x int32: int64 [2, 4]
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new int[] {2, 4}, y.shape().dims());
        assertArrayEquals(new long[] {2147483647L, 4294967294L, 6442450941L, 6442450936L, 16777217L, 33554434L,
            33554435L, 33554438L}, y.toLongArray());
    }

    @Test
    void cumsumOfI64IsExactBeyond2To53AndWrapsPast2To63AsPyTorchs() {
        Tensor x = Tensor.fromArray(new long[] {TWO_53 + 1, 1, 2, TWO_62, 2, TWO_62}, 3, 2);
        Tensor y = x.cumsum(0);
        // x.cumsum(0), x int64: int64 [3, 2]
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {9007199254740993L, 1L, 9007199254740995L, 4611686018427387905L,
            9007199254740997L, -9223372036854775807L}, y.toLongArray());
    }

    @Test
    void prodOfI32IsAnI64ExactBeyond2To53AsPyTorchs() {
        Tensor x = Tensor.fromArray(new int[] {1048577, 1048579, 1048583, 65537, -65539, 3}, 2, 3);
        Tensor rows = x.prod(1, false);
        // x.prod(1), x int32: int64 [2]
        assertEquals(DType.I64, rows.dtype());
        assertArrayEquals(new long[] {1152933599267258389L, -12885688329L}, rows.toLongArray());
        Tensor columns = x.prod(0, true);
        // x.prod(0, keepdim=True): int64 [1, 3]
        assertArrayEquals(new int[] {1, 3}, columns.shape().dims());
        assertArrayEquals(new long[] {68720590849L, -68722819081L, 3145749L}, columns.toLongArray());
    }

    @Test
    void prodOfAllOfI64WrapsPast2To63AsPyTorchs() {
        // torch.tensor([2**32 + 1, 2**32 + 1, 3]).prod(): int64 []
        Tensor y = Tensor.fromArray(new long[] {TWO_32 + 1, TWO_32 + 1, 3}, 3).prod();
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {25769803779L}, y.toLongArray());
    }

    @Test
    void theProductOfIntegersOverAnEmptyAxisIsAnI64One() {
        // torch.ones(2, 0, dtype=torch.int32).prod(1): int64 [2]
        Tensor y = Tensor.fromArray(new int[0], 2, 0).prod(1, false);
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {1, 1}, y.toLongArray());
    }
}
