package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * {@code prod_backward} gives the product of the others, no division), and odd lengths.
 */
class ProdCumsumTest {
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
    void integerTensorsAreRefused() {
        Tensor x = Tensor.fromArray(new long[] {1, 2}, 2);
        assertEquals("cumsum: needs F32 or F64, got I64 for [2]",
                assertThrows(IllegalArgumentException.class, () -> x.cumsum(0)).getMessage());
        assertEquals("prod: needs F32 or F64, got I64 for [2]",
                assertThrows(IllegalArgumentException.class, () -> x.prod(0, false)).getMessage());
    }
}
