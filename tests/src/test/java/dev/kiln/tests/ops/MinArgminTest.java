package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#min()}, {@link Tensor#min(int, boolean)} and {@link Tensor#argmin} against PyTorch 1.13's
 * {@code min} and {@code argmin} on a matrix with tied minima: the first occurrence is selected and gets the gradient
 * (of {@code (y * w).sum()}), and NaN is the minimum where a slice holds one.
 */
class MinArgminTest {
    /** Ties: row 0 has 1 twice, row 2 has 0.5 and -0.25 twice, column 0 has no tie. */
    private static final double[] M = {3, 1, 1, 4, 2, 2, 5, -1.5, 0.5, -0.25, 0.5, -0.25};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void minOverRowsSelectsTheFirstOfTiedMinimaForValueIndexAndGradientAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, M, 3, 4);
        Tensor y = x.min(1, false);
        // v, i = x.min(1); (v * [1, 2, 3]).sum().backward()
        assertValues("values", new double[] {1, -1.5, -0.25}, new int[] {3}, y, 0);
        assertArrayEquals(new long[] {1, 3, 1}, x.argmin(1, false).toLongArray());
        backward(y, new double[] {1, 2, 3});
        assertValues("gradient", new double[] {0, 1, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0}, new int[] {3, 4}, x.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void minOverColumnsKeepingTheAxisAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, M, 3, 4);
        Tensor y = x.min(0, true);
        // v, i = x.min(0, keepdim=True); (v * [[1, 2, 3, 4]]).sum().backward()
        assertValues("values", new double[] {0.5, -0.25, 0.5, -1.5}, new int[] {1, 4}, y, 0);
        assertArrayEquals(new long[] {2, 2, 2, 1}, x.argmin(0, true).toLongArray());
        assertEquals(Shape.of(1, 4), x.argmin(0, true).shape());
        backward(y, new double[] {1, 2, 3, 4});
        assertValues("gradient", new double[] {0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 0}, new int[] {3, 4}, x.grad(), 0);
    }

    @Test
    void minOfAllSplitsTheGradientAmongTiedMinimaAsPyTorch() {
        Tensor x = leaf(DType.F64, new double[] {3, 1, 1, 4}, 4);
        Tensor y = x.min();
        assertEquals(Shape.scalar(), y.shape());
        assertEquals(1, y.item());
        y.backward();
        // x = torch.tensor([3., 1., 1., 4.], requires_grad=True); x.min().backward(); x.grad
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, x.grad().toDoubleArray());
    }

    @Test
    void maxOfAllSplitsTheGradientAmongTiedMaximaAsPyTorch() {
        Tensor x = leaf(DType.F64, new double[] {3, 1, 3, 3}, 2, 2);
        x.max().mul(6.0).backward();
        // x = torch.tensor([[3., 1.], [3., 3.]], requires_grad=True); (6 * x.max()).backward(); x.grad
        assertArrayEquals(new double[] {2, 0, 2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void aNaNMaximumSplitsTheGradientAmongTheNaNs() {
        Tensor x = leaf(DType.F64, new double[] {NAN, 1, NAN, 4}, 4);
        x.max().backward();
        // torch.tensor([nan, 1., nan, 4.], requires_grad=True).max().backward() gives [0.5, 0, 0.5, 0]
        assertArrayEquals(new double[] {0.5, 0, 0.5, 0}, x.grad().toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aNaNIsTheMinimumAndArgminPointsAtTheFirstNaNAsPyTorch(DType dtype) {
        Tensor x = tensor(dtype, new double[] {1, NAN, 0, NAN, 2, 0, -1, 4}, 2, 4);
        // torch.min(x, 1) gives values [nan, -1] and indices [1, 2]; torch.min(x) gives nan
        assertValues("values", new double[] {NAN, -1}, new int[] {2}, x.min(1, false), 0);
        assertArrayEquals(new long[] {1, 2}, x.argmin(1, false).toLongArray());
        assertTrue(Double.isNaN(x.min().item()));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void argminOfIntegersPicksTheFirstSmallestAsPyTorch(DType dtype) {
        Tensor x = tensor(dtype, new double[] {5, -3, 7, -3, 0, 9, -8, 2}, 2, 4);
        // torch.tensor([[5, -3, 7, -3], [0, 9, -8, 2]]).argmin(1)
        assertArrayEquals(new long[] {1, 2}, x.argmin(1, false).toLongArray());
        assertArrayEquals(new long[] {1, 0, 1, 0}, x.argmin(0, false).toLongArray());
    }

    @Test
    void anAxisOutOfRangeIsRefusedNamingTheOpTheAxisAndTheShape() {
        Tensor x = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.argmin(2, false));
        assertTrue(e.getMessage().startsWith("argmin: axis 2 is out of range for shape [2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.min(-3, false));
        assertTrue(e.getMessage().startsWith("min: axis -3 is out of range for shape [2, 3]"), e.getMessage());
    }

    @Test
    void anEmptyAxisHasNoMinimum() {
        Tensor x = Tensor.zeros(2, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.min(1, false));
        assertEquals("min: axis 1 of [2, 0] is empty", e.getMessage());
    }
}
