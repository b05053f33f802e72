package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#searchsorted} and {@link Tensor#bucketize} against what PyTorch 1.13 printed: values equal to
 * repeated entries (the first or past the last of them, by {@code right}), -0.0 beside 0.0, NaN after every entry,
 * infinities, a 1-D sequence for values of rank 2, a 2-D sequence row by row, and int64; and their errors.
 */
class SearchSortedPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name, DType dtype, double[] sorted, int[] sortedDims, double[] values, int[] valueDims,
                        boolean right, long[] expected) {
        Tensor result = Tensor.searchsorted(PyTorchValues.tensor(dtype, sorted, sortedDims),
                PyTorchValues.tensor(dtype, values, valueDims), right);
        assertEquals(DType.I64, result.dtype());
        assertArrayEquals(valueDims, result.shape().dims());
        assertArrayEquals(expected, result.toLongArray(), name);
    }

    @Test
    void bucketizeIsSearchsortedInTheBoundaries() {
        Tensor boundaries = Tensor.fromArray(new double[] {-2, 0, 0, 1.5, 3, 3, 3, 7}, 8);
        Tensor x = Tensor.fromArray(new double[] {-3, -2, 0, 0.5, 3, 7, 8, NAN, INF, -INF, 1.5, -0.0}, 12);
        assertArrayEquals(BUCKETIZE, x.bucketize(boundaries, false).toLongArray());
        assertArrayEquals(BUCKETIZE_RIGHT, x.bucketize(boundaries, true).toLongArray());
    }

    @Test
    void anEmptySequenceOrNoValuesGiveZerosOfTheValuesShape() {
        assertArrayEquals(new long[] {0, 0}, Tensor.searchsorted(Tensor.zeros(DType.F64, 0),
                Tensor.ones(DType.F64, 2), false).toLongArray());
        assertArrayEquals(new int[] {2, 0}, Tensor.searchsorted(Tensor.ones(DType.F64, 3),
                Tensor.zeros(DType.F64, 2, 0), true).shape().dims());
    }

    @Test
    void leadingAxesThatDifferAreRefusedWithBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.searchsorted(Tensor.zeros(DType.F64, 2, 5), Tensor.zeros(DType.F64, 3, 4), false));
        assertEquals("searchsorted: sorted sequence [2, 5] and values [3, 4]: expected a 1-D sequence, or values with"
                + " the sequence's leading axes [2] and any last axis", e.getMessage());
    }

    @Test
    void valuesOfAnotherDtypeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.searchsorted(Tensor.zeros(DType.F64, 5), Tensor.zeros(DType.F32, 3), false));
        assertEquals("searchsorted: values [3] are F32, expected the sorted sequence's dtype F64; convert them with"
                + " to(DType)", e.getMessage());
    }

    @Test
    void bucketizeRefusesBoundariesThatAreNotOneDimensional() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F64, 3).bucketize(Tensor.zeros(DType.F64, 2, 2), false));
        assertEquals("bucketize: boundaries must be 1-D, got [2, 2]", e.getMessage());
    }

    // Printed by models/src/test/pytorch/searchsorted.py (PyTorch 1.13.0a0).

    private static final long[] BUCKETIZE = {0L, 0L, 1L, 3L, 4L, 7L, 8L, 8L, 8L, 0L, 3L, 1L};
    private static final long[] BUCKETIZE_RIGHT = {0L, 1L, 3L, 3L, 7L, 8L, 8L, 8L, 8L, 0L, 4L, 3L};

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("1-D F64 right=false", DType.F64,
                    new double[] {-2.0, 0.0, 0.0, 1.5, 3.0, 3.0, 3.0, 7.0}, new int[] {8},
                    new double[] {-3.0, -2.0, 0.0, 0.5, 3.0, 7.0, 8.0, NAN, INF, -INF, 1.5, -0.0}, new int[] {3, 4}, false,
                    new long[] {0L, 0L, 1L, 3L, 4L, 7L, 8L, 8L, 8L, 0L, 3L, 1L}),
                Arguments.of("2-D F64 right=false", DType.F64,
                    new double[] {-1.0, 0.0, 2.0, 2.0, 5.0, 0.5, 0.5, 0.5, 1.0, 4.0, -INF, -3.0, 0.0, 1.0, INF}, new int[] {3, 5},
                    new double[] {2.0, -1.5, 5.0, 6.0, 0.5, 0.25, 4.0, 1.0, -INF, INF, 0.0, -5.0}, new int[] {3, 4}, false,
                    new long[] {2L, 0L, 4L, 5L, 0L, 0L, 4L, 3L, 0L, 4L, 2L, 1L}),
                Arguments.of("1-D F32 right=false", DType.F32,
                    new double[] {-2.0, 0.0, 0.0, 1.5, 3.0, 3.0, 3.0, 7.0}, new int[] {8},
                    new double[] {-3.0, -2.0, 0.0, 0.5, 3.0, 7.0, 8.0, NAN, INF, -INF, 1.5, -0.0}, new int[] {3, 4}, false,
                    new long[] {0L, 0L, 1L, 3L, 4L, 7L, 8L, 8L, 8L, 0L, 3L, 1L}),
                Arguments.of("2-D F32 right=false", DType.F32,
                    new double[] {-1.0, 0.0, 2.0, 2.0, 5.0, 0.5, 0.5, 0.5, 1.0, 4.0, -INF, -3.0, 0.0, 1.0, INF}, new int[] {3, 5},
                    new double[] {2.0, -1.5, 5.0, 6.0, 0.5, 0.25, 4.0, 1.0, -INF, INF, 0.0, -5.0}, new int[] {3, 4}, false,
                    new long[] {2L, 0L, 4L, 5L, 0L, 0L, 4L, 3L, 0L, 4L, 2L, 1L}),
                Arguments.of("1-D I64 right=false", DType.I64,
                    new double[] {-5.0, 0.0, 0.0, 3.0, 9.0}, new int[] {5},
                    new double[] {-6.0, -5.0, 0.0, 1.0, 9.0, 10.0, 3.0}, new int[] {7}, false,
                    new long[] {0L, 0L, 1L, 3L, 4L, 5L, 3L}),
                Arguments.of("1-D F64 right=true", DType.F64,
                    new double[] {-2.0, 0.0, 0.0, 1.5, 3.0, 3.0, 3.0, 7.0}, new int[] {8},
                    new double[] {-3.0, -2.0, 0.0, 0.5, 3.0, 7.0, 8.0, NAN, INF, -INF, 1.5, -0.0}, new int[] {3, 4}, true,
                    new long[] {0L, 1L, 3L, 3L, 7L, 8L, 8L, 8L, 8L, 0L, 4L, 3L}),
                Arguments.of("2-D F64 right=true", DType.F64,
                    new double[] {-1.0, 0.0, 2.0, 2.0, 5.0, 0.5, 0.5, 0.5, 1.0, 4.0, -INF, -3.0, 0.0, 1.0, INF}, new int[] {3, 5},
                    new double[] {2.0, -1.5, 5.0, 6.0, 0.5, 0.25, 4.0, 1.0, -INF, INF, 0.0, -5.0}, new int[] {3, 4}, true,
                    new long[] {4L, 0L, 5L, 5L, 3L, 0L, 5L, 4L, 1L, 5L, 3L, 1L}),
                Arguments.of("1-D F32 right=true", DType.F32,
                    new double[] {-2.0, 0.0, 0.0, 1.5, 3.0, 3.0, 3.0, 7.0}, new int[] {8},
                    new double[] {-3.0, -2.0, 0.0, 0.5, 3.0, 7.0, 8.0, NAN, INF, -INF, 1.5, -0.0}, new int[] {3, 4}, true,
                    new long[] {0L, 1L, 3L, 3L, 7L, 8L, 8L, 8L, 8L, 0L, 4L, 3L}),
                Arguments.of("2-D F32 right=true", DType.F32,
                    new double[] {-1.0, 0.0, 2.0, 2.0, 5.0, 0.5, 0.5, 0.5, 1.0, 4.0, -INF, -3.0, 0.0, 1.0, INF}, new int[] {3, 5},
                    new double[] {2.0, -1.5, 5.0, 6.0, 0.5, 0.25, 4.0, 1.0, -INF, INF, 0.0, -5.0}, new int[] {3, 4}, true,
                    new long[] {4L, 0L, 5L, 5L, 3L, 0L, 5L, 4L, 1L, 5L, 3L, 1L}),
                Arguments.of("1-D I64 right=true", DType.I64,
                    new double[] {-5.0, 0.0, 0.0, 3.0, 9.0}, new int[] {5},
                    new double[] {-6.0, -5.0, 0.0, 1.0, 9.0, 10.0, 3.0}, new int[] {7}, true,
                    new long[] {0L, 1L, 3L, 3L, 5L, 5L, 4L}));
    }
}
