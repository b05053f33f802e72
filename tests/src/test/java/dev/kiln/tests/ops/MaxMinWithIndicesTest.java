package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#maxWithIndices} and {@link Tensor#minWithIndices} against PyTorch 1.13's {@code torch.max(x, dim)} and
 * {@code torch.min(x, dim)} ({@code models/src/test/pytorch/max_min_unbind.py}): on a matrix with ties (the first
 * is taken) and NaN (which wins, its first position indexed), values, indices and the values' gradient of
 * {@code (v * w).sum()}, which goes to the indexed element.
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
}
