package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.assertMatches;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.leaf;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.pattern;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.weigh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * takeAlongDim, maskedSelect, nonzero/argwhere, any, all, countNonzero, amax, amin, nansum, nanmean and clone against
 * PyTorch 1.13's values and gradients ({@code models/src/test/pytorch/tensor_ops.py selection}), in F64 and F32 (inputs
 * in multiples of 1/8; each gradient that of {@code (y * pattern(9)).sum()}); any and all give 1 and 0 in the input's
 * dtype, as Kiln's comparisons do, where PyTorch gives bool. Then finite-difference checks and the errors.
 */
class SelectionReductionOpsPyTorchParityTest {
    private static final double[] LOGICAL = {0, 0, 0, 1, 0, NAN, 2, -1, 3};
    private static final double[] EXTREMES = {1, 3, 3, -2, 0.5, 3, -1, -2, 2, 2, -4, 0};
    private static final double[] WITH_NAN = {1.5, NAN, -0.5, NAN, NAN, NAN};

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
    void takeAlongDimGathersWithBroadcastIndicesAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, 1, 3, 4);
        assertMatches("takeAlongDim", TAKE_ALONG, new int[] {3, 1},
                weigh(x.takeAlongDim(Tensor.fromArray(new long[] {2, 0, 3}, 3, 1), 1)));
        assertMatches("gradient", TAKE_ALONG_GRAD, new int[] {3, 4}, x.grad());
        assertMatches("broadcast indices", TAKE_ALONG_BROADCAST, new int[] {2, 4},
                x.takeAlongDim(Tensor.fromArray(new int[] {1, 2}, 2, 1), 0));
        assertMatches("flattened", TAKE_ALONG_FLAT, new int[] {2, 2},
                x.takeAlongDim(Tensor.fromArray(new long[] {11, 0, 5, 5}, 2, 2)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maskedSelectTakesTheMaskedElementsInOrderAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, 2, 3, 4);
        Tensor mask = PyTorchValues.tensor(DType.I32, MASK, 4);
        assertMatches("maskedSelect", MASKED_SELECT, new int[] {9}, weigh(x.maskedSelect(mask)));
        assertMatches("gradient", MASKED_SELECT_GRAD, new int[] {3, 4}, x.grad());
        assertEquals(Shape.of(0), x.maskedSelect(Tensor.zeros(DType.I32, 3, 1)).shape());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void takeAlongDimAndMaskedSelectKeepIntegerDtypes(DType dtype) {
        Tensor x = Tensor.fromArray(new long[] {5, -7, 1L << 40, 3}, 2, 2).to(dtype);
        Tensor taken = x.takeAlongDim(Tensor.fromArray(new long[] {1, 0}, 2, 1), 1);
        assertEquals(dtype, taken.dtype());
        assertArrayEquals(new long[] {-7, x.toLongArray()[2]}, taken.toLongArray());
        assertArrayEquals(new long[] {5, -7}, x.maskedSelect(Tensor.fromArray(new int[] {1, 0}, 2, 1))
                .toLongArray());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void nonzeroAndArgwhereListTheIndicesOfNonZerosAsPyTorch(DType dtype) {
        double[] z = {0, 1.5, 0, dtype.isFloating() ? NAN : 7, 0, -2};
        Tensor t = PyTorchValues.tensor(dtype, z, 2, 3);
        double[] expected = dtype.isFloating() ? NONZERO : new double[] {0, 1, 1, 0, 1, 2};
        assertEquals(DType.I64, t.nonzero().dtype());
        assertMatches("nonzero", expected, new int[] {3, 2}, t.nonzero());
        assertMatches("argwhere", expected, new int[] {3, 2}, t.argwhere());
        assertEquals(Shape.of(0, 2), Tensor.zeros(dtype, 2, 3).nonzero().shape());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void anyAllAndCountNonzeroAsPyTorchInTheInputsDtype(DType dtype) {
        double[] values = LOGICAL.clone();
        values[5] = dtype.isFloating() ? NAN : 5;
        Tensor b = PyTorchValues.tensor(dtype, values, 3, 3);
        assertEquals(dtype, b.any(1, false).dtype());
        assertMatches("any rows", ANY_ROWS, new int[] {3}, b.any(1, false));
        assertMatches("all rows", ALL_ROWS, new int[] {3}, b.all(1, false));
        assertMatches("any columns", ANY_COLUMNS, new int[] {1, 3}, b.any(0, true));
        assertMatches("all columns", ALL_COLUMNS, new int[] {1, 3}, b.all(0, true));
        assertMatches("any", new double[] {1}, new int[] {}, b.any());
        assertMatches("all", new double[] {0}, new int[] {}, b.all());
        assertEquals(DType.I64, b.countNonzero(0).dtype());
        assertMatches("countNonzero", COUNT_NONZERO, new int[] {3}, b.countNonzero(0));
        assertMatches("countNonzero all", new double[] {5}, new int[] {}, b.countNonzero());
    }

    @Test
    void anEmptySliceHoldsNoNonZero() {
        Tensor empty = Tensor.zeros(DType.F32, 2, 0);
        assertArrayEquals(new double[] {0, 0}, empty.any(1, false).toDoubleArray());
        assertArrayEquals(new double[] {1, 1}, empty.all(1, false).toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void amaxAndAminSplitTheGradientEvenlyAmongTiesAsPyTorch(DType dtype) {
        Tensor t = PyTorchValues.leaf(dtype, EXTREMES, 3, 2, 2);
        assertMatches("amax", AMAX, new int[] {2}, weigh(t.amax(new int[] {0, 2}, false)));
        assertMatches("amax gradient", AMAX_GRAD, new int[] {3, 2, 2}, t.grad());
        t.clearGrad();
        assertMatches("amin", AMIN, new int[] {3, 1, 2}, weigh(t.amin(new int[] {1}, true)));
        assertMatches("amin gradient", AMIN_GRAD, new int[] {3, 2, 2}, t.grad());
        t.clearGrad();
        t.amax(new int[0], false).backward();
        assertMatches("amax of all, gradient", AMAX_ALL_GRAD, new int[] {3, 2, 2}, t.grad());
    }

    @Test
    void aNaNMaximumSharesItsGradientAmongTheNaNsAsMaxOfAllDoes() {
        Tensor t = Tensor.fromArray(new double[] {1, NAN, NAN, 2}, 2, 2).requiresGrad(true);
        Tensor m = t.amax(new int[] {1}, false);
        assertArrayEquals(new double[] {NAN, NAN}, m.toDoubleArray());
        m.sum().backward();
        assertArrayEquals(new double[] {0, 1, 1, 0}, t.grad().toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nansumAndNanmeanSkipNaNAsPyTorch(DType dtype) {
        Tensor n = PyTorchValues.leaf(dtype, WITH_NAN, 2, 3);
        assertMatches("nansum", NANSUM, new int[] {2}, weigh(n.nansum(new int[] {1}, false)));
        assertMatches("nansum gradient", NANSUM_GRAD, new int[] {2, 3}, n.grad());
        n.clearGrad();
        assertMatches("nanmean", NANMEAN, new int[] {2}, weigh(n.nanmean(new int[] {1}, false)));
        assertMatches("nanmean gradient", NANMEAN_GRAD, new int[] {2, 3}, n.grad());
        assertMatches("nanmean of all", NANMEAN_ALL, new int[] {}, n.nanmean());
        assertMatches("nansum of all", new double[] {1}, new int[] {}, n.nansum());
        assertMatches("nansum columns", NANSUM_COLUMNS, new int[] {1, 3}, n.nansum(new int[] {0}, true));
    }

    @Test
    void cloneCopiesAndPassesTheGradientBack() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor c = x.clone();
        assertNotSame(x.storage(), c.storage());
        c.mul(c).sum().backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 3, 4, 5).requiresGrad(true);
        Tensor withNaN = Tensor.fromArray(new double[] {1.5, NAN, -0.5, 0.25, NAN, 2}, 2, 3).requiresGrad(true);
        Tensor index = Tensor.fromArray(new long[] {4, 0, 0, 2, 1, 1}, 3, 1, 2);
        GradCheck.check("takeAlongDim", in -> in[0].takeAlongDim(index, 2), x);
        GradCheck.check("maskedSelect", in -> in[0].maskedSelect(in[0].gt(0)), x);
        GradCheck.check("amax", in -> in[0].amax(new int[] {0, 2}, true), x);
        GradCheck.check("amin", in -> in[0].amin(new int[] {1}, false), x);
        GradCheck.check("nansum", in -> in[0].nansum(new int[] {0, 2}, false), x);
        GradCheck.check("nanmean", in -> in[0].nanmean(new int[] {1}, true), x);
        GradCheck.check("nansum with NaN", in -> in[0].nansum(new int[] {1}, false), withNaN);
        GradCheck.check("clone", in -> in[0].clone(), x);
        for (var op : List.<UnaryOperator<Tensor>>of(t -> t.amax(new int[] {0, 2}, false), t -> t.amin(new int[0], true),
                t -> t.nanmean(new int[] {1}, false), t -> t.takeAlongDim(Tensor.fromArray(new long[] {1, 0}, 1, 2, 1), 1))) {
            DoubleBackwardTest.checkSecondOrder("op", in -> op.apply(in[0]).square(), x);
        }
    }

    @Test
    void badArgumentsAreNamedWithWhatWasExpected() {
        Tensor m = Tensor.zeros(DType.F64, 2, 3);
        assertMessage("takeAlongDim: indices [3] must have the rank of the input [2, 3], 2, got 1",
                () -> m.takeAlongDim(Tensor.fromArray(new long[] {0, 1, 2}, 3), 1));
        assertMessage("takeAlongDim: indices must be I64 or I32, got F64 for [2, 3]", () -> m.takeAlongDim(m, 1));
        assertMessage("maskedSelect: shapes [2, 3] and [2] do not broadcast (dimension 1: 3 vs 2)",
                () -> m.maskedSelect(Tensor.zeros(DType.I32, 2)));
        assertMessage("amin: axis 1 appears more than once in [1, -1] for shape [2, 3]",
                () -> m.amin(new int[] {1, -1}, false));
        assertMessage("any: axis 2 is out of range for shape [2, 3] (rank 2: axes -2 to 1)", () -> m.any(2, false));
        assertMessage("nanmean: needs F32 or F64, got I32 for [2, 3]", () -> m.to(DType.I32).nanmean());
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    // Printed by models/src/test/pytorch/tensor_ops.py selection (PyTorch 1.13.0a0)
    // torch.take_along_dim(x, tensor([[2], [0], [3]]), 1), x = pattern(1, 3, 4): [3, 1]
    private static final double[] TAKE_ALONG = {-1.0, 0.75, 0.5};
    // x.grad: [3, 4]
    private static final double[] TAKE_ALONG_GRAD = {0.0, 0.0, 0.25, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.125};
    // torch.take_along_dim(x, tensor([[1], [2]]), 0): [2, 4]
    private static final double[] TAKE_ALONG_BROADCAST = {0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5};
    // torch.take_along_dim(x, tensor([[11, 0], [5, 5]])): [4]
    private static final double[] TAKE_ALONG_FLAT = {0.5, -0.625, -0.5, -0.5};
    // pattern(3, 4) > 0: [4]
    private static final double[] MASK = {1.0, 1.0, 0.0, 1.0};
    // torch.masked_select(x, mask), x = pattern(2, 3, 4): [9]
    private static final double[] MASKED_SELECT = {-0.25, 0.625, 0.25, -1.0, -0.125, -0.5, 0.375, -0.875, 0.875};
    // x.grad: [3, 4]
    private static final double[] MASKED_SELECT_GRAD = {0.25, -1.0, 0.0, -0.125, 0.75, -0.5, 0.0, 0.375, -0.875, 0.0, 0.0, 0.875};
    // torch.nonzero(z), z = [[0, 1.5, 0], [nan, 0, -2]]: [3, 2]
    private static final double[] NONZERO = {0.0, 1.0, 1.0, 0.0, 1.0, 2.0};
    // b.any(1), b = [[0, 0, 0], [1, 0, nan], [2, -1, 3]]: [3]
    private static final double[] ANY_ROWS = {0.0, 1.0, 1.0};
    // b.all(1): [3]
    private static final double[] ALL_ROWS = {0.0, 0.0, 1.0};
    // b.any(0, keepdim=True): [1, 3]
    private static final double[] ANY_COLUMNS = {1.0, 1.0, 1.0};
    // b.all(0, keepdim=True): [1, 3]
    private static final double[] ALL_COLUMNS = {0.0, 0.0, 0.0};
    // torch.count_nonzero(b, 0): [3]
    private static final double[] COUNT_NONZERO = {2.0, 1.0, 2.0};
    // torch.amax(t, (0, 2)), t = [[[1, 3], [3, -2]], [[0.5, 3], [-1, -2]], [[2, 2], [-4, 0]]]: [2]
    private static final double[] AMAX = {3.0, 3.0};
    // t.grad: [3, 2, 2]
    private static final double[] AMAX_GRAD = {0.0, 0.125, -1.0, -0.0, 0.0, 0.125, -0.0, -0.0, 0.0, 0.0, -0.0, -0.0};
    // torch.amin(t, 1, keepdim=True): [3, 1, 2]
    private static final double[] AMIN = {1.0, -2.0, -1.0, -2.0, -4.0, 0.0};
    // t.grad: [3, 2, 2]
    private static final double[] AMIN_GRAD = {0.25, -0.0, 0.0, -1.0, -0.0, 0.0, -0.125, 0.75, -0.0, 0.0, -0.5, 0.375};
    // t.grad of torch.amax(t, ()): [3, 2, 2]
    private static final double[] AMAX_ALL_GRAD = {0.0, 0.3333333333333333, 0.3333333333333333, 0.0, 0.0, 0.3333333333333333, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // torch.nansum(n, 1), n = [[1.5, nan, -0.5], [nan, nan, nan]]: [2]
    private static final double[] NANSUM = {1.0, 0.0};
    // n.grad: [2, 3]
    private static final double[] NANSUM_GRAD = {0.25, 0.0, 0.25, -0.0, -0.0, -0.0};
    // torch.nanmean(n, 1): [2]
    private static final double[] NANMEAN = {0.5, NAN};
    // n.grad: [2, 3]
    private static final double[] NANMEAN_GRAD = {0.125, 0.0, 0.125, NAN, NAN, NAN};
    // torch.nanmean(n): [1]
    private static final double[] NANMEAN_ALL = {0.5};
    // torch.nansum(n, 0, keepdim=True): [1, 3]
    private static final double[] NANSUM_COLUMNS = {1.5, 0.0, -0.5};
}
