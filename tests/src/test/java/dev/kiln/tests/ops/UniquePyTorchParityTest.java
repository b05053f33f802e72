package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UniqueValues;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#unique} and {@link Tensor#uniqueConsecutive} against what PyTorch 1.13 printed: values, the inverse in
 * the input's shape and the counts, of floats with repeats, both zeros (one value) and infinities, runs broken by NaN,
 * and of int64. One difference: PyTorch 1.13's CPU unique of a tensor holding NaN returns its values out of order with
 * counts of 0; Kiln sorts NaN last, each NaN a value of its own, as unique_consecutive of the sorted values gives.
 */
class UniquePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static void assertUnique(UniqueValues u, double[] values, long[] inverse, long[] counts, int... dims) {
        PyTorchValues.assertValues("values", values, new int[] {values.length}, u.values(), 0);
        assertArrayEquals(dims, u.inverse().shape().dims(), "the inverse has the input's shape");
        assertArrayEquals(inverse, u.inverse().toLongArray(), "inverse");
        assertArrayEquals(counts, u.counts().toLongArray(), "counts");
    }

    @Test
    void uniqueOfFloatsMatchesPyTorch() {
        assertUnique(Tensor.fromArray(X_NUMBERS, 3, 4).unique(true, true), UNIQUE, UNIQUE_INVERSE, UNIQUE_COUNTS, 3, 4);
    }

    @Test
    void uniqueConsecutiveOfFloatsWithNaNMatchesPyTorch() {
        assertUnique(Tensor.fromArray(X, 3, 4).uniqueConsecutive(true, true), UNIQUE_CONSECUTIVE,
                UNIQUE_CONSECUTIVE_INVERSE, UNIQUE_CONSECUTIVE_COUNTS, 3, 4);
    }

    @Test
    void bothOfInt64MatchPyTorch() {
        Tensor i = Tensor.fromArray(I, I.length);
        assertUnique(i.unique(true, true), UNIQUE_I64, UNIQUE_I64_INVERSE, UNIQUE_I64_COUNTS, I.length);
        assertUnique(i.uniqueConsecutive(true, true), UNIQUE_CONSECUTIVE_I64, UNIQUE_CONSECUTIVE_I64_INVERSE,
                UNIQUE_CONSECUTIVE_I64_COUNTS, I.length);
    }

    @Test
    void uniqueSortsEachNaNLastAsAValueOfItsOwn() {
        UniqueValues u = Tensor.fromArray(new double[] {NAN, 2, NAN, 2}, 4).unique(true, true);
        PyTorchValues.assertValues("values", new double[] {2, NAN, NAN}, new int[] {3}, u.values(), 0);
        assertArrayEquals(new long[] {1, 0, 2, 0}, u.inverse().toLongArray());
        assertArrayEquals(new long[] {2, 1, 1}, u.counts().toLongArray());
    }

    @Test
    void whatIsNotAskedForIsNullAndAnEmptyTensorHasNoValues() {
        UniqueValues u = Tensor.zeros(DType.F64, 2, 0).unique(false, false);
        assertArrayEquals(new int[] {0}, u.values().shape().dims());
        assertNull(u.inverse());
        assertNull(u.counts());
    }

    // Printed by models/src/test/pytorch/unique.py (PyTorch 1.13.0a0).

    private static final double[] X = {3.0, -1.0, 3.0, NAN, 0.0, -0.0, 2.5, 2.5, NAN, -INF, 3.0, INF};
    private static final double[] X_NUMBERS = {3.0, -1.0, 3.0, 0.5, 0.0, -0.0, 2.5, 2.5, -1.0, -INF, 3.0, INF};
    private static final double[] UNIQUE = {-INF, -1.0, 0.0, 0.5, 2.5, 3.0, INF};
    private static final long[] UNIQUE_INVERSE = {5L, 1L, 5L, 3L, 2L, 2L, 4L, 4L, 1L, 0L, 5L, 6L};
    private static final long[] UNIQUE_COUNTS = {1L, 2L, 2L, 1L, 2L, 3L, 1L};
    private static final double[] UNIQUE_CONSECUTIVE = {3.0, -1.0, 3.0, NAN, 0.0, 2.5, NAN, -INF, 3.0, INF};
    private static final long[] UNIQUE_CONSECUTIVE_INVERSE = {0L, 1L, 2L, 3L, 4L, 4L, 5L, 5L, 6L, 7L, 8L, 9L};
    private static final long[] UNIQUE_CONSECUTIVE_COUNTS = {1L, 1L, 1L, 1L, 2L, 2L, 1L, 1L, 1L, 1L};
    private static final long[] I = {5L, 5L, -2L, 7L, 7L, 7L, 5L, 0L};
    private static final double[] UNIQUE_I64 = {-2.0, 0.0, 5.0, 7.0};
    private static final long[] UNIQUE_I64_INVERSE = {2L, 2L, 0L, 3L, 3L, 3L, 2L, 1L};
    private static final long[] UNIQUE_I64_COUNTS = {1L, 1L, 3L, 3L};
    private static final double[] UNIQUE_CONSECUTIVE_I64 = {5.0, -2.0, 7.0, 5.0, 0.0};
    private static final long[] UNIQUE_CONSECUTIVE_I64_INVERSE = {0L, 0L, 1L, 2L, 2L, 2L, 3L, 4L};
    private static final long[] UNIQUE_CONSECUTIVE_I64_COUNTS = {2L, 1L, 3L, 1L, 1L};
}
