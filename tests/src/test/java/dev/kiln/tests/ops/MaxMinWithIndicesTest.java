package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#maxWithIndices} and {@link Tensor#minWithIndices} against PyTorch 1.13's {@code torch.max(x, dim)} and
 * {@code torch.min(x, dim)} ({@code models/src/test/pytorch/max_min_unbind.py}): on a matrix with ties (the first
 * is taken) and NaN (which wins, its first position indexed), values, indices and the values' gradient of
 * {@code (v * w).sum()}, which goes to the indexed element; a 0-d tensor taken as one element; integers exact in
 * their dtype.
 */
class MaxMinWithIndicesTest {
    private static final double[] M = {1, 3, 3, 0, NAN, 2, NAN, 5, -1, -1, -2, -3};

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
    void maxOverRowsGivesTheFirstMaximumItsIndexAndItsGradientAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, M, 3, 4);
        IndexedValues max = x.maxWithIndices(1, false);
        assertValues("values", new double[] {3, NAN, -1}, new int[] {3}, max.values(), 0);
        assertArrayEquals(new long[] {1, 0, 0}, max.indices().toLongArray());
        assertEquals(DType.I64, max.indices().dtype());
        backward(max.values(), new double[] {1, 2, 3});
        assertValues("gradient", new double[] {0, 1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, new int[] {3, 4}, x.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxOverColumnsKeepingTheAxisAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, M, 3, 4);
        IndexedValues max = x.maxWithIndices(0, true);
        assertValues("values", new double[] {NAN, 3, NAN, 5}, new int[] {1, 4}, max.values(), 0);
        assertEquals(Shape.of(1, 4), max.indices().shape());
        assertArrayEquals(new long[] {1, 0, 1, 1}, max.indices().toLongArray());
        backward(max.values(), new double[] {1, 2, 3, 4});
        assertValues("gradient", new double[] {0, 2, 0, 0, 1, 0, 3, 4, 0, 0, 0, 0}, new int[] {3, 4}, x.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void minOverRowsGivesTheFirstMinimumItsIndexAndItsGradientAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, M, 3, 4);
        IndexedValues min = x.minWithIndices(1, false);
        assertValues("values", new double[] {0, NAN, -3}, new int[] {3}, min.values(), 0);
        assertArrayEquals(new long[] {3, 0, 3}, min.indices().toLongArray());
        backward(min.values(), new double[] {1, 2, 3});
        assertValues("gradient", new double[] {0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3}, new int[] {3, 4}, x.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void minOverColumnsKeepingTheAxisAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, M, 3, 4);
        IndexedValues min = x.minWithIndices(0, true);
        assertValues("values", new double[] {NAN, -1, NAN, -3}, new int[] {1, 4}, min.values(), 0);
        assertArrayEquals(new long[] {1, 2, 1, 2}, min.indices().toLongArray());
        backward(min.values(), new double[] {1, 2, 3, 4});
        assertValues("gradient", new double[] {0, 0, 0, 0, 1, 0, 3, 0, 0, 2, 0, 4}, new int[] {3, 4}, x.grad(), 0);
    }

    @Test
    void axisMinusOneIsTheLastAxisAsPyTorch() {
        // torch.max(M, -1): [3, nan, -1], indices [1, 0, 0].
        IndexedValues max = leaf(DType.F32, M, 3, 4).maxWithIndices(-1, false);
        assertValues("values", new double[] {3, NAN, -1}, new int[] {3}, max.values(), 0);
        assertArrayEquals(new long[] {1, 0, 0}, max.indices().toLongArray());
    }

    @Test
    void aZeroDimensionalTensorIsItsOwnMaximumAtIndexZeroAsPyTorch() {
        // torch.max(tensor(2.5), 0) and torch.min(s, -1, keepdim=True): (2.5, 0), both 0-d.
        Tensor s = Tensor.scalar(2.5).to(DType.F64).requiresGrad(true);
        for (IndexedValues r : new IndexedValues[] {s.maxWithIndices(0, false), s.maxWithIndices(-1, true),
                s.minWithIndices(0, false), s.minWithIndices(-1, true)}) {
            assertEquals(0, r.values().rank());
            assertEquals(0, r.indices().rank());
            assertEquals(2.5, r.values().item());
            assertEquals(0L, r.indices().toLongArray()[0]);
        }
    }

    @Test
    void aZeroDimensionalMaximumPassesItsGradientAsPyTorch() {
        // (3 * torch.max(s, 0).values).backward(): s.grad 3.
        Tensor s = Tensor.scalar(2.5).to(DType.F64).requiresGrad(true);
        s.maxWithIndices(0, false).values().mul(3.0).backward();
        assertEquals(3.0, s.grad().item());
    }

    @Test
    void aZeroDimensionalTensorRefusesAxesOtherThanZeroAndMinusOne() {
        // PyTorch: "Dimension out of range (expected to be in range of [-1, 0], but got 1)".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.scalar(2.5).maxWithIndices(1, false));
        assertTrue(e.getMessage().startsWith("maxWithIndices: axis 1") && e.getMessage().contains("0 or -1"),
                e.getMessage());
    }

    @Test
    void integerExtremesAreExactInTheirDtypeWithTheFirstIndexAsPyTorch() {
        // max: [5, 7, 2^53 + 1] (int64), indices [1, 0, 0]; min: [1, 2, -3], indices [0, 1, 2].
        Tensor x = Tensor.fromArray(new long[] {1, 5, 5, 7, 2, 7, (1L << 53) + 1, 1L << 53, -3}, 3, 3);
        IndexedValues max = x.maxWithIndices(1, false);
        assertEquals(DType.I64, max.values().dtype());
        assertArrayEquals(new long[] {5, 7, (1L << 53) + 1}, max.values().toLongArray());
        assertArrayEquals(new long[] {1, 0, 0}, max.indices().toLongArray());
        IndexedValues min = x.minWithIndices(1, false);
        assertArrayEquals(new long[] {1, 2, -3}, min.values().toLongArray());
        assertArrayEquals(new long[] {0, 1, 2}, min.indices().toLongArray());
    }

    @Test
    void anI32MaximumKeepsItsDtypeAndTheAxisAsPyTorch() {
        // torch.max(int32 [[1, 5, 5], [7, 2, 7]], 0, keepdim=True): [[7, 5, 7]] int32, indices [[1, 0, 1]].
        IndexedValues max = Tensor.fromArray(new int[] {1, 5, 5, 7, 2, 7}, 2, 3).maxWithIndices(0, true);
        assertEquals(DType.I32, max.values().dtype());
        assertEquals(Shape.of(1, 3), max.values().shape());
        assertArrayEquals(new long[] {7, 5, 7}, max.values().toLongArray());
        assertArrayEquals(new long[] {1, 0, 1}, max.indices().toLongArray());
    }

    @Test
    void anEmptyAxisIsRefusedNamingTheOp() {
        // PyTorch: "max(): Expected reduction dim 0 to have non-zero size."
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(0, 3).minWithIndices(0, false));
        assertTrue(e.getMessage().startsWith("minWithIndices: axis 0 of [0, 3] is empty"), e.getMessage());
    }
}
