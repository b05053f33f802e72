package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#sort}, {@link Tensor#topk}, {@link Tensor#kthvalue} and {@link Tensor#median} where PyTorch's numbers
 * (SortTopkPyTorchParityTest) do not reach: long rows of many ties in every dtype against a stable sort on the host
 * (the CPU backend sorts short rows, long rows and the first few of many in three ways), Kiln's rule for ties in
 * topk, topk unsorted, signed zeros kept, empty axes, and the errors.
 */
class SortTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Stream<Arguments> dtypesAndLengths() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (int n : new int[] {1, 7, 32, 33, 1000, 5000}) {
                cases.add(Arguments.of(dtype, n));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} rows of {1}")
    @MethodSource("dtypesAndLengths")
    void sortOrdersRowsOfManyTiesAsAStableSortWithNaNAboveEveryNumber(DType dtype, int n) {
        double[] x = draws(dtype, 3 * n, n);
        for (boolean descending : new boolean[] {false, true}) {
            IndexedValues sorted = tensor(dtype, x, 3, n).sort(1, descending);
            assertSortedRows(x, 3, n, n, descending, sorted, dtype + " n " + n + " descending " + descending);
        }
    }

    @ParameterizedTest(name = "{0} rows of {1}")
    @MethodSource("dtypesAndLengths")
    void topkIsTheSortsFirstKForFewAndForManyOfTheRow(DType dtype, int n) {
        double[] x = draws(dtype, 3 * n, n);
        for (int k : new int[] {1, Math.max(1, n / 20), n}) {
            for (boolean largest : new boolean[] {false, true}) {
                IndexedValues top = tensor(dtype, x, 3, n).topk(k, 1, largest, true);
                assertSortedRows(x, 3, n, k, largest, top, dtype + " n " + n + " k " + k + " largest " + largest);
            }
        }
    }

    @Test
    void topkTakesTheEarlierOfEqualElements() {
        IndexedValues top = tensor(DType.F32, new double[] {1, 3, 2, 3, 3, 1}, 6).topk(2, 0, true, true);
        assertArrayEquals(new long[] {1, 3}, top.indices().toLongArray());
        IndexedValues bottom = tensor(DType.F32, new double[] {1, 3, 2, 3, 3, 1}, 6).topk(2, 0, false, true);
        assertArrayEquals(new long[] {0, 5}, bottom.indices().toLongArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void topkUnsortedKeepsTheOrderAlongTheAxisAndItsGradient(DType dtype) {
        Tensor x = leaf(dtype, new double[] {5, 1, 9, 3, 7, 0, 2, 8, 6, 4}, 2, 5);
        IndexedValues top = x.topk(3, 1, true, false);
        backward(top.values(), new double[] {1, 2, 3, 4, 5, 6});

        assertArrayEquals(new double[] {5, 9, 7, 8, 6, 4}, top.values().toDoubleArray());
        assertArrayEquals(new long[] {0, 2, 4, 2, 3, 4}, top.indices().toLongArray());
        assertArrayEquals(new double[] {1, 0, 2, 0, 3, 0, 0, 4, 5, 6}, x.grad().toDoubleArray());
    }

    @Test
    void sortKeepsTheSignOfEachZeroWhileOrderingThemAsEqual() {
        IndexedValues sorted = tensor(DType.F64, new double[] {0.0, -0.0, -1, 0.0, -0.0}, 5).sort(0, false);
        assertArrayEquals(new long[] {2, 0, 1, 3, 4}, sorted.indices().toLongArray());
        double[] v = sorted.values().toDoubleArray();
        assertArrayEquals(new long[] {Double.doubleToRawLongBits(-1.0), 0, Long.MIN_VALUE, 0, Long.MIN_VALUE},
                new long[] {Double.doubleToRawLongBits(v[0]), Double.doubleToRawLongBits(v[1]),
                        Double.doubleToRawLongBits(v[2]), Double.doubleToRawLongBits(v[3]),
                        Double.doubleToRawLongBits(v[4])}, "bit patterns of the sorted values");
    }

    @Test
    void kthvalueCountsNaNAsTheLargest() {
        Tensor x = tensor(DType.F32, new double[] {NAN, 1, 3, 0}, 4);
        IndexedValues fourth = x.kthvalue(4, 0, false);
        IndexedValues third = x.kthvalue(3, 0, true);
        assertEquals(NAN, fourth.values().item());
        assertEquals(0, fourth.indices().item());
        assertArrayEquals(new int[] {1}, third.values().shape().dims());
        assertEquals(3, third.values().item());
        assertEquals(2, third.indices().item());
    }

    @Test
    void anEmptyAxisSortsToNothingAndTopZeroTakesNothing() {
        IndexedValues empty = Tensor.zeros(2, 0).sort(1, false);
        assertArrayEquals(new int[] {2, 0}, empty.values().shape().dims());
        assertArrayEquals(new int[] {2, 0}, empty.indices().shape().dims());
        IndexedValues none = Tensor.ones(2, 3).topk(0, 1, true, true);
        assertArrayEquals(new int[] {2, 0}, none.values().shape().dims());
        assertEquals(DType.I64, none.indices().dtype());
    }

    @Test
    void kOutsideTheAxisIsRefusedNamingKTheAxisAndItsSize() {
        Tensor x = Tensor.zeros(2, 5);
        assertMessage("topk: k 6 is out of range [0, 5] for axis 1 of size 5 in shape [2, 5]",
                () -> x.topk(6, 1, true, true));
        assertMessage("topk: k -1 is out of range [0, 5] for axis -1 of size 5 in shape [2, 5]",
                () -> x.topk(-1, -1, true, true));
        assertMessage("kthvalue: k 0 is out of range [1, 2] for axis 0 of size 2 in shape [2, 5]",
                () -> x.kthvalue(0, 0, false));
    }

    @Test
    void anAxisOutsideTheShapeOrAnEmptyMedianIsRefused() {
        assertMessage("sort: axis 2 is out of range for shape [2, 5] (rank 2: axes -2 to 1)",
                () -> Tensor.zeros(2, 5).sort(2, false));
        assertMessage("median: axis 1 of [2, 0] is empty", () -> Tensor.zeros(2, 0).median(1, false));
    }

    private static void assertMessage(String expected, Runnable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call::run).getMessage());
    }

    /**
     * {@code count} values of about {@code n / 4} distinct ones, so that ties abound; for floating dtypes NaN, both
     * infinities and both zeros among them.
     */
    private static double[] draws(DType dtype, int count, int n) {
        Random random = new Random(31L * n + dtype.ordinal());
        double[] specials = {NAN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0};
        double[] x = new double[count];
        for (int i = 0; i < count; i++) {
            int choice = random.nextInt(Math.max(2, n / 4));
            x[i] = dtype.isFloating() && random.nextInt(10) == 0 ? specials[random.nextInt(specials.length)]
                    : (choice - n / 8) * (dtype.isFloating() ? 0.5 : 1);
        }
        return x;
    }

    /** Each row's first k in the order of a stable host sort: NaN above every number, -0.0 equal to 0.0. */
    private static void assertSortedRows(double[] x, int rows, int n, int k, boolean descending, IndexedValues actual,
                                         String what) {
        Comparator<Double> ascending = (a, b) -> a.equals(b) || (a == 0 && b == 0) ? 0 : Double.compare(a, b);
        long[] expectedIndices = new long[rows * k];
        double[] expectedValues = new double[rows * k];
        for (int r = 0; r < rows; r++) {
            int row = r;
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                order.add(j);
            }
            Comparator<Integer> byValue = (a, b) -> ascending.compare(x[row * n + a], x[row * n + b]);
            order.sort(descending ? byValue.reversed() : byValue);
            for (int j = 0; j < k; j++) {
                expectedIndices[r * k + j] = order.get(j);
                expectedValues[r * k + j] = x[r * n + order.get(j)];
            }
        }
        assertArrayEquals(expectedIndices, actual.indices().toLongArray(), what + ": indices");
        assertArrayEquals(expectedValues, actual.values().toDoubleArray(), what + ": values");
    }
}
