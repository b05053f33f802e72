package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.leaf;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * scatter, scatterReduce, indexFill, indexCopy and maskedScatter against PyTorch 1.13's values and F64 gradients
 * ({@code models/src/test/pytorch/scatter_index.py}; inputs in multiples of 1/8, each gradient that of
 * {@code (y * pattern(9)).sum()}), with I32 and I64 indices; where entries write one element several times the last
 * wins, as on PyTorch's CPU. Then finite-difference checks of first and second derivatives, and the errors.
 */
class ScatterOpsPyTorchParityTest {
    private static final double TOLERANCE = 1e-12;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Rows of indices as a tensor of {@code dtype} (I32 or I64). */
    static Tensor indices(DType dtype, long[]... rows) {
        long[] flat = java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
        return Tensor.fromArray(flat, rows.length, rows[0].length).to(dtype);
    }

    static Tensor vector(DType dtype, long... values) {
        return Tensor.fromArray(values, values.length).to(dtype);
    }

    /**
     * f of the inputs against PyTorch's {@code name} (shape {@code dims}), and the gradients of its weighted sum to
     * each input against {@code name_GRAD0}, {@code name_GRAD1}, printed in the given class.
     */
    static void assertParity(Class<?> printed, String name, int[] dims, Function<Tensor[], Tensor> f,
            Tensor... inputs) {
        Tensor y = f.apply(inputs);
        assertValues(name, value(printed, name), dims, y, TOLERANCE);
        PyTorchValues.backward(y, pattern(9, (int) y.size()));
        for (int k = 0; k < inputs.length; k++) {
            assertValues(name + " gradient to input " + k, value(printed, name + "_GRAD" + k), inputs[k].shape().dims(),
                    inputs[k].grad(), TOLERANCE);
        }
    }

    /** A printed constant by name. */
    static double[] value(Class<?> printed, String name) {
        try {
            java.lang.reflect.Field field = printed.getDeclaredField(name);
            field.setAccessible(true);
            return (double[]) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no printed value " + name, e);
        }
    }

    static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    private static void assertParity(String name, int[] dims, Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertParity(ScatterOpsPyTorchParityTest.class, name, dims, f, inputs);
    }

    private static Tensor f64(double[] values, int... dims) {
        return Tensor.fromArray(values, dims).requiresGrad(true);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void scatterWritesTheSourceAtTheIndicesAlongEitherAxisAsPyTorch(DType indexType) {
        Tensor rows = indices(indexType, new long[] {3, 0}, new long[] {1, 2}, new long[] {0, 3});
        assertParity("SCATTER_ROWS", new int[] {3, 4}, in -> in[0].scatter(1, rows, in[1]),
                leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 3, 2));
        Tensor columns = indices(indexType, new long[] {2, 0, 1, 2}, new long[] {0, 1, 2, 1});
        assertParity("SCATTER_COLUMNS", new int[] {3, 4}, in -> in[0].scatter(0, columns, in[1]),
                leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 2, 4));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void scatterOfAValueWritesItAtTheIndicesAsPyTorch(DType indexType) {
        Tensor rows = indices(indexType, new long[] {3, 0}, new long[] {1, 2}, new long[] {0, 3});
        assertParity("SCATTER_VALUE", new int[] {3, 4}, in -> in[0].scatter(1, rows, 0.75), leaf(DType.F64, 1, 3, 4));
    }

    @Test
    void scatterLetsTheLastOfRepeatedEntriesWinAndGivesTheOverwrittenNoGradient() {
        Tensor src = f64(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        Tensor y = Tensor.zeros(DType.F64, 2, 4).scatter(1, indices(DType.I64, new long[] {1, 1, 3, 1},
                new long[] {0, 0, 0, 2}), src);
        assertValues("repeated", SCATTER_REPEATED, new int[] {2, 4}, y, TOLERANCE);
        y.sum().backward();
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 1, 1}, src.grad().toDoubleArray());
    }

    @Test
    void scattersOfNoEntriesCopyTheInput() {
        Tensor x = leaf(DType.F64, 1, 3, 4);
        Tensor none = Tensor.zeros(DType.I64, 3, 0);
        Tensor nothing = Tensor.zeros(DType.F64, 3, 0);
        for (Tensor y : new Tensor[] {x.scatter(1, none, nothing), x.scatter(1, none, 2),
            x.scatterReduce(1, none, nothing, "amax", false), x.scatterReduce(1, none, nothing, "mean", true),
            x.indexFill(0, Tensor.zeros(DType.I32, 0), 1), x.indexCopy(1, Tensor.zeros(DType.I32, 0), nothing),
            x.maskedScatter(Tensor.zeros(DType.I32, 4), nothing)}) {
            assertArrayEquals(x.toDoubleArray(), y.toDoubleArray());
        }
    }

    @Test
    void scatterKeepsAnIntegerDtype() {
        Tensor y = Tensor.fromArray(new long[] {1L << 40, 2, 3}, 3).scatter(0, vector(DType.I32, 2, 0),
                Tensor.fromArray(new long[] {-5, 7}, 2));
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {7, 2, -5}, y.toLongArray());
    }

    @ParameterizedTest
    @CsvSource({"sum, true", "sum, false", "prod, true", "prod, false", "mean, true", "mean, false", "amax, true",
        "amax, false", "amin, true", "amin, false"})
    void scatterReduceReducesEachElementWithTheEntriesSentToItAsPyTorch(String reduce, boolean includeSelf) {
        String suffix = reduce.toUpperCase(java.util.Locale.ROOT) + (includeSelf ? "_WITH_SELF" : "_WITHOUT_SELF");
        for (DType indexType : new DType[] {DType.I32, DType.I64}) {
            try (Scope s = Scope.open()) {
                Tensor index = indices(indexType, new long[] {1, 3, 1, 0, 1}, new long[] {2, 2, 2, 2, 0},
                        new long[] {0, 3, 3, 1, 0});
                assertParity("REDUCE_" + suffix, new int[] {3, 4},
                        in -> in[0].scatterReduce(1, index, in[1], reduce, includeSelf),
                        leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 3, 5));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"sum, true", "sum, false", "prod, true", "prod, false", "mean, true", "mean, false", "amax, true",
        "amax, false", "amin, true", "amin, false"})
    void scatterReduceSplitsTiesEvenlyAndDifferentiatesProductsOfZerosAsPyTorch(String reduce, boolean includeSelf) {
        String suffix = reduce.toUpperCase(java.util.Locale.ROOT) + (includeSelf ? "_WITH_SELF" : "_WITHOUT_SELF");
        Tensor index = indices(DType.I64, new long[] {1, 1, 0, 2, 3, 0});
        assertParity("TIES_" + suffix, new int[] {1, 4},
                in -> in[0].scatterReduce(1, index, in[1], reduce, includeSelf),
                f64(new double[] {1, 2, 0, -1}, 1, 4), f64(new double[] {2, 2, 1, 0, 0, 3}, 1, 6));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void indexFillFillsTheIndexedSlicesAsPyTorch(DType indexType) {
        assertParity("INDEX_FILL", new int[] {3, 4}, in -> in[0].indexFill(1, vector(indexType, 2, 0, 2), -0.25),
                leaf(DType.F64, 1, 3, 4));
    }

    @Test
    void indexFillCountsNegativeIndicesFromTheEndAsPyTorch() {
        Tensor x = leaf(DType.F64, 1, 3, 4);
        assertArrayEquals(x.indexFill(1, vector(DType.I32, 3, 0), 5).toDoubleArray(),
                x.indexFill(1, vector(DType.I32, -1, -4), 5).toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void indexCopyCopiesTheSourceSlicesToTheIndexedOnesAsPyTorch(DType indexType) {
        assertParity("INDEX_COPY", new int[] {3, 4}, in -> in[0].indexCopy(0, vector(indexType, 2, 0), in[1]),
                leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 2, 4));
    }

    @Test
    void indexCopyLetsTheLastOfRepeatedIndicesWin() {
        Tensor source = f64(new double[] {1, 2, 3}, 3);
        Tensor y = Tensor.zeros(DType.F64, 5).indexCopy(0, vector(DType.I64, 1, 3, 1), source);
        assertValues("repeated", INDEX_COPY_REPEATED, new int[] {5}, y, TOLERANCE);
        y.sum().backward();
        assertArrayEquals(new double[] {0, 1, 1}, source.grad().toDoubleArray());
    }

    @Test
    void maskedScatterWritesTheSourceInOrderWhereTheMaskIsSetAsPyTorch() {
        Tensor mask = Tensor.fromArray(new int[] {1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0}, 3, 4);
        assertParity("MASKED_SCATTER", new int[] {3, 4}, in -> in[0].maskedScatter(mask, in[1]),
                leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 3, 3));
    }

    @Test
    void maskedScatterBroadcastsTheMaskAsPyTorch() {
        Tensor rowMask = Tensor.fromArray(new long[] {1, 0, 0, 1}, 4);
        assertParity("MASKED_SCATTER_ROW", new int[] {3, 4}, in -> in[0].maskedScatter(rowMask, in[1]),
                leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 7));
    }

    @Test
    void firstAndSecondDerivativesPassFiniteDifferenceChecks() {
        Tensor x = Tensor.uniform(-1, 1, DType.F64, 3, 4).requiresGrad(true);
        Tensor src = Tensor.uniform(-1, 1, DType.F64, 3, 5).requiresGrad(true);
        Tensor index = indices(DType.I32, new long[] {1, 3, 1, 0, 1}, new long[] {2, 2, 2, 2, 0},
                new long[] {0, 3, 3, 1, 0});
        for (String reduce : new String[] {"sum", "prod", "mean", "amax", "amin"}) {
            for (boolean includeSelf : new boolean[] {true, false}) {
                checkBothOrders("scatterReduce " + reduce + " " + includeSelf,
                        in -> in[0].scatterReduce(1, index, in[1], reduce, includeSelf), x, src);
            }
        }
        Tensor rows = indices(DType.I64, new long[] {3, 0, 3}, new long[] {1, 2, 2}, new long[] {0, 3, 1});
        Tensor src3 = Tensor.uniform(-1, 1, DType.F64, 3, 3).requiresGrad(true);
        Tensor source = Tensor.uniform(-1, 1, DType.F64, 10).requiresGrad(true);
        Tensor mask = Tensor.fromArray(new int[] {1, 0, 1, 1}, 4);
        checkBothOrders("scatter", in -> in[0].scatter(1, rows, in[1]), x, src3);
        checkBothOrders("scatter value", in -> in[0].scatter(1, rows, 0.5), x);
        checkBothOrders("indexFill", in -> in[0].indexFill(1, vector(DType.I32, 3, 1), 2), x);
        checkBothOrders("indexCopy", in -> in[0].indexCopy(1, vector(DType.I64, 3, 0, 3), in[1]), x, src3);
        checkBothOrders("maskedScatter", in -> in[0].maskedScatter(mask, in[1]), x, source);
    }

    /** Finite-difference checks of f's gradient and of the gradient of its square's. */
    static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(name, f, inputs);
        DoubleBackwardTest.checkSecondOrder(name, in -> f.apply(in).square(), inputs);
    }

    @Test
    void badArgumentsAreRefusedNamingTheValue() {
        Tensor x = Tensor.zeros(DType.F64, 3, 4);
        Tensor src = Tensor.zeros(DType.F64, 3, 2);
        assertMessage("scatter: index 4 is out of range [0, 4) for axis 1 of [3, 4]",
                () -> x.scatter(1, indices(DType.I64, new long[] {0, 1}, new long[] {4, 0}, new long[] {0, 0}), src));
        assertMessage("scatterReduce: index -1 is out of range [0, 4) for axis 1 of [3, 4]",
                () -> x.scatterReduce(1, indices(DType.I32, new long[] {0, 1}, new long[] {1, 0}, new long[] {-1, 0}),
                        src, "amax", true));
        assertMessage("scatterReduce: reduce must be one of [sum, prod, mean, amax, amin], got \"max\"",
                () -> x.scatterReduce(1, Tensor.zeros(DType.I64, 3, 2), src, "max", true));
        assertMessage("scatter: index [4, 2] must be no larger than the destination [3, 4] along every axis but 1, but"
                + " is 4 > 3 along axis 0",
                () -> x.scatter(1, Tensor.zeros(DType.I64, 4, 2), Tensor.zeros(DType.F64, 4, 2)));
        assertMessage("indexFill: index -4 is out of range [-3, 3) for axis 0 of [3, 4]",
                () -> x.indexFill(0, vector(DType.I64, 0, -4), 1));
        assertMessage("indexFill: index [1, 2] must be a vector or a scalar",
                () -> x.indexFill(0, Tensor.zeros(DType.I64, 1, 2), 1));
        assertMessage("indexCopy: source [2, 4] must be [3, 4] for [3, 4] and 3 indices along axis 0",
                () -> x.indexCopy(0, vector(DType.I64, 0, 1, 2), Tensor.zeros(DType.F64, 2, 4)));
        assertMessage("maskedScatter: source [2] holds 2 elements, fewer than the mask's 9 non-zeros",
                () -> x.maskedScatter(Tensor.fromArray(new int[] {1, 1, 1, 0}, 4), Tensor.zeros(DType.F64, 2)));
    }

    // Printed by models/src/test/pytorch/scatter_index.py scatter (PyTorch 1.13.0a0).
    // x.scatter(1, [[3, 0], [1, 2], [0, 3]], src), x = pattern(1, 3, 4), src = pattern(2, 3, 2): [3, 4]
    private static final double[] SCATTER_ROWS = {0.625, 0.25, -1.0, -0.25, 0.75, -0.625, 0.25, -0.875, -1.0, 0.875, -0.375, -0.125};
    // gradient to input 0: [3, 4]
    private static final double[] SCATTER_ROWS_GRAD0 = {0.0, -1.0, -0.125, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, -0.375, 0.5, 0.0};
    // gradient to input 1: [3, 2]
    private static final double[] SCATTER_ROWS_GRAD1 = {0.75, 0.25, 0.375, -0.875, 0.875, -0.75};
    // x.scatter(0, [[2, 0, 1, 2], [0, 1, 2, 1]], src), x = pattern(1, 3, 4), src = pattern(2, 2, 4): [3, 4]
    private static final double[] SCATTER_COLUMNS = {-1.0, 0.625, -1.0, -0.125, 0.75, -0.125, -0.625, -0.5, -0.25, 0.875, 0.75, 0.25};
    // gradient to input 0: [3, 4]
    private static final double[] SCATTER_COLUMNS_GRAD0 = {0.0, 0.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.0, -0.375, 0.0, 0.0};
    // gradient to input 1: [2, 4]
    private static final double[] SCATTER_COLUMNS_GRAD1 = {0.875, -1.0, -0.875, -0.75, 0.25, 0.375, 0.5, 0.0};
    // x.scatter(1, [[3, 0], [1, 2], [0, 3]], 0.75): [3, 4]
    private static final double[] SCATTER_VALUE = {0.75, 0.25, -1.0, 0.75, 0.75, 0.75, 0.75, -0.875, 0.75, 0.875, -0.375, 0.75};
    // gradient to input 0: [3, 4]
    private static final double[] SCATTER_VALUE_GRAD0 = {0.0, -1.0, -0.125, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, -0.375, 0.5, 0.0};
    // zeros(2, 4).scatter(1, [[1, 1, 3, 1], [0, 0, 0, 2]], [[1, 2, 3, 4], [5, 6, 7, 8]]): [2, 4]
    private static final double[] SCATTER_REPEATED = {0.0, 4.0, 0.0, 3.0, 7.0, 0.0, 8.0, 0.0};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'sum', include_self=True), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_SUM_WITH_SELF = {-0.375, -1.625, -1.0, 0.5, -0.125, -0.5, 0.875, -0.875, -0.75, 1.375, -0.375, 1.0};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_SUM_WITH_SELF_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_SUM_WITH_SELF_GRAD1 = {-1.0, 0.75, -1.0, 0.25, -1.0, -0.875, -0.875, -0.875, -0.875, -0.5, 0.875, -0.75, -0.75, -0.375, 0.875};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'sum', include_self=True), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_SUM_WITH_SELF = {5.0, 6.0, 0.0, -1.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_SUM_WITH_SELF_GRAD0 = {0.25, -1.0, -0.125, 0.75};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_SUM_WITH_SELF_GRAD1 = {-1.0, -1.0, 0.25, -0.125, 0.75, 0.25};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'sum', include_self=False), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_SUM_WITHOUT_SELF = {0.25, -1.875, -1.0, 0.625, -0.875, -0.5, 0.5, -0.875, -0.75, 0.5, -0.375, 0.5};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_SUM_WITHOUT_SELF_GRAD0 = {0.0, 0.0, -0.125, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_SUM_WITHOUT_SELF_GRAD1 = {-1.0, 0.75, -1.0, 0.25, -1.0, -0.875, -0.875, -0.875, -0.875, -0.5, 0.875, -0.75, -0.75, -0.375, 0.875};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'sum', include_self=False), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_SUM_WITHOUT_SELF = {4.0, 4.0, 0.0, 0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_SUM_WITHOUT_SELF_GRAD0 = {0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_SUM_WITHOUT_SELF_GRAD1 = {-1.0, -1.0, 0.25, -0.125, 0.75, 0.25};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'prod', include_self=True), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_PROD_WITH_SELF = {-0.15625, -0.0390625, -1.0, -0.078125, -0.65625, -0.5, 0.006591796875, -0.875, -0.0, 0.4375, -0.375, -0.1640625};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_PROD_WITH_SELF_GRAD0 = {0.0625, 0.15625, -0.125, 0.46875, 0.4375, 0.375, -0.015380859375, 0.0, -0.0, -0.1875, 0.5, 0.24609375};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_PROD_WITH_SELF_GRAD1 = {-0.15625, -0.09375, -0.0625, -0.15625, -0.0390625, 0.046142578125, -0.0076904296875, 0.01153564453125, -0.015380859375, -0.375, -0.0, 0.140625, -0.328125, -0.328125, 0.0};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'prod', include_self=True), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_PROD_WITH_SELF = {3.0, 8.0, 0.0, -0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_PROD_WITH_SELF_GRAD0 = {0.75, -4.0, -0.0, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_PROD_WITH_SELF_GRAD1 = {-4.0, -4.0, 0.75, -0.0, -0.75, 0.25};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'prod', include_self=False), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_PROD_WITHOUT_SELF = {0.25, -0.15625, -1.0, 0.625, -0.875, -0.5, 0.017578125, -0.875, -0.0, 0.5, -0.375, -0.328125};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_PROD_WITHOUT_SELF_GRAD0 = {0.0, 0.0, -0.125, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_PROD_WITHOUT_SELF_GRAD1 = {-0.625, 0.75, -0.25, 0.25, -0.15625, 0.123046875, -0.0205078125, 0.03076171875, -0.041015625, -0.5, -0.65625, 0.28125, -0.65625, -0.375, 0.0};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'prod', include_self=False), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_PROD_WITHOUT_SELF = {3.0, 4.0, 0.0, 0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_PROD_WITHOUT_SELF_GRAD0 = {0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_PROD_WITHOUT_SELF_GRAD1 = {-2.0, -2.0, 0.75, -0.125, 0.75, 0.25};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'mean', include_self=True), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_MEAN_WITH_SELF = {-0.1875, -0.40625, -1.0, 0.25, -0.0625, -0.5, 0.175, -0.875, -0.25, 0.6875, -0.375, 0.3333333333333333};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_MEAN_WITH_SELF_GRAD0 = {0.125, -0.25, -0.125, 0.375, -0.25, 0.375, -0.175, 0.0, 0.2916666666666667, -0.1875, 0.5, -0.25};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_MEAN_WITH_SELF_GRAD1 = {-0.25, 0.375, -0.25, 0.125, -0.25, -0.175, -0.175, -0.175, -0.175, -0.25, 0.2916666666666667, -0.25, -0.25, -0.1875, 0.2916666666666667};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'mean', include_self=True), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_MEAN_WITH_SELF = {1.6666666666666667, 2.0, 0.0, -0.5};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_MEAN_WITH_SELF_GRAD0 = {0.08333333333333333, -0.3333333333333333, -0.0625, 0.375};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_MEAN_WITH_SELF_GRAD1 = {-0.3333333333333333, -0.3333333333333333, 0.08333333333333333, -0.0625, 0.375, 0.08333333333333333};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'mean', include_self=False), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_MEAN_WITHOUT_SELF = {0.25, -0.625, -1.0, 0.625, -0.875, -0.5, 0.125, -0.875, -0.375, 0.5, -0.375, 0.25};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_MEAN_WITHOUT_SELF_GRAD0 = {0.0, 0.0, -0.125, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_MEAN_WITHOUT_SELF_GRAD1 = {-0.3333333333333333, 0.75, -0.3333333333333333, 0.25, -0.3333333333333333, -0.21875, -0.21875, -0.21875, -0.21875, -0.5, 0.4375, -0.375, -0.375, -0.375, 0.4375};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'mean', include_self=False), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_MEAN_WITHOUT_SELF = {2.0, 2.0, 0.0, 0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_MEAN_WITHOUT_SELF_GRAD0 = {0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_MEAN_WITHOUT_SELF_GRAD1 = {-0.5, -0.5, 0.125, -0.125, 0.75, 0.125};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'amax', include_self=True), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_AMAX_WITH_SELF = {0.25, 0.25, -1.0, 0.625, 0.75, -0.5, 0.75, -0.875, 0.0, 0.875, -0.375, 0.875};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_AMAX_WITH_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.0, -0.5, 0.375, -0.0, 0.0, 0.4375, -0.375, 0.5, -0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_AMAX_WITH_SELF_GRAD1 = {-0.0, 0.75, -0.0, 0.25, -0.0, -0.0, -0.875, -0.0, -0.0, -0.0, 0.4375, -0.75, -0.0, -0.0, 0.0};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'amax', include_self=True), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_AMAX_WITH_SELF = {3.0, 2.0, 0.0, 0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_AMAX_WITH_SELF_GRAD0 = {0.0, -0.3333333333333333, -0.0625, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_AMAX_WITH_SELF_GRAD1 = {-0.3333333333333333, -0.3333333333333333, 0.0, -0.0625, 0.75, 0.25};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'amax', include_self=False), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_AMAX_WITHOUT_SELF = {0.25, -0.25, -1.0, 0.625, -0.875, -0.5, 0.75, -0.875, 0.0, 0.5, -0.375, 0.875};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_AMAX_WITHOUT_SELF_GRAD0 = {0.0, 0.0, -0.125, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_AMAX_WITHOUT_SELF_GRAD1 = {-1.0, 0.75, -0.0, 0.25, -0.0, -0.0, -0.875, -0.0, -0.0, -0.5, 0.4375, -0.75, -0.0, -0.375, 0.0};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'amax', include_self=False), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_AMAX_WITHOUT_SELF = {3.0, 2.0, 0.0, 0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_AMAX_WITHOUT_SELF_GRAD0 = {0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_AMAX_WITHOUT_SELF_GRAD1 = {-0.3333333333333333, -0.3333333333333333, 0.0, -0.0625, 0.75, 0.25};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'amin', include_self=True), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_AMIN_WITH_SELF = {-0.625, -1.0, -1.0, -0.125, -0.875, -0.5, -0.5, -0.875, -0.75, 0.5, -0.375, -0.375};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_AMIN_WITH_SELF_GRAD0 = {0.25, -0.0, -0.125, 0.75, -0.0, 0.375, -0.0, 0.0, 0.0, -0.0, 0.5, -0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_AMIN_WITH_SELF_GRAD1 = {-0.0, 0.0, -0.0, 0.0, -1.0, -0.0, -0.0, -0.875, -0.0, -0.5, 0.0, -0.0, -0.75, -0.375, 0.875};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'amin', include_self=True), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_AMIN_WITH_SELF = {1.0, 2.0, 0.0, -1.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_AMIN_WITH_SELF_GRAD0 = {0.125, -0.3333333333333333, -0.0625, 0.75};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_AMIN_WITH_SELF_GRAD1 = {-0.3333333333333333, -0.3333333333333333, 0.125, -0.0625, 0.0, 0.0};
    // x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, 'amin', include_self=False), x = pattern(1, 3, 4), src = pattern(2, 3, 5): [3, 4]
    private static final double[] REDUCE_AMIN_WITHOUT_SELF = {0.25, -1.0, -1.0, 0.625, -0.875, -0.5, -0.5, -0.875, -0.75, 0.5, -0.375, -0.375};
    // gradient to input 0: [3, 4]
    private static final double[] REDUCE_AMIN_WITHOUT_SELF_GRAD0 = {0.0, 0.0, -0.125, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0};
    // gradient to input 1: [3, 5]
    private static final double[] REDUCE_AMIN_WITHOUT_SELF_GRAD1 = {-0.0, 0.75, -0.0, 0.25, -1.0, -0.0, -0.0, -0.875, -0.0, -0.5, 0.0, -0.0, -0.75, -0.375, 0.875};
    // self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, 'amin', include_self=False), self = [[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]: [1, 4]
    private static final double[] TIES_AMIN_WITHOUT_SELF = {1.0, 2.0, 0.0, 0.0};
    // gradient to input 0: [1, 4]
    private static final double[] TIES_AMIN_WITHOUT_SELF_GRAD0 = {0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [1, 6]
    private static final double[] TIES_AMIN_WITHOUT_SELF_GRAD1 = {-0.3333333333333333, -0.3333333333333333, 0.125, -0.0625, 0.75, 0.0};
    // x.index_fill(1, [2, 0, 2], -0.25), x = pattern(1, 3, 4): [3, 4]
    private static final double[] INDEX_FILL = {-0.25, 0.25, -0.25, -0.125, -0.25, -0.5, -0.25, -0.875, -0.25, 0.875, -0.25, 0.5};
    // gradient to input 0: [3, 4]
    private static final double[] INDEX_FILL_GRAD0 = {0.0, -1.0, 0.0, 0.75, 0.0, 0.375, 0.0, 0.0, 0.0, -0.375, 0.0, -0.75};
    // x.index_copy(0, [2, 0], source), x = pattern(1, 3, 4), source = pattern(2, 2, 4): [3, 4]
    private static final double[] INDEX_COPY = {-1.0, -0.125, 0.75, -0.5, 0.75, -0.5, 0.375, -0.875, -0.25, 0.625, -0.625, 0.25};
    // gradient to input 0: [3, 4]
    private static final double[] INDEX_COPY_GRAD0 = {0.0, 0.0, 0.0, 0.0, -0.5, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [2, 4]
    private static final double[] INDEX_COPY_GRAD1 = {0.875, -0.375, 0.5, -0.75, 0.25, -1.0, -0.125, 0.75};
    // zeros(5).index_copy(0, [1, 3, 1], [1, 2, 3]): [5]
    private static final double[] INDEX_COPY_REPEATED = {0.0, 3.0, 0.0, 2.0, 0.0};
    // x.masked_scatter(mask, source), mask = [[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]], source = pattern(2, 3, 3): [3, 4]
    private static final double[] MASKED_SCATTER = {-0.25, 0.25, 0.625, -0.625, 0.75, -0.5, 0.375, -0.875, 0.0, 0.25, -1.0, 0.5};
    // gradient to input 0: [3, 4]
    private static final double[] MASKED_SCATTER_GRAD0 = {0.0, -1.0, 0.0, 0.0, -0.5, 0.375, -0.875, 0.0, 0.875, 0.0, 0.0, -0.75};
    // gradient to input 1: [3, 3]
    private static final double[] MASKED_SCATTER_GRAD1 = {0.25, -0.125, 0.75, -0.375, 0.5, 0.0, 0.0, 0.0, 0.0};
    // x.masked_scatter(row mask [1, 0, 0, 1], source), source = pattern(2, 7): [3, 4]
    private static final double[] MASKED_SCATTER_ROW = {-0.25, 0.25, -1.0, 0.625, -0.625, -0.5, 0.375, 0.25, -1.0, 0.875, -0.375, -0.125};
    // gradient to input 0: [3, 4]
    private static final double[] MASKED_SCATTER_ROW_GRAD0 = {0.0, -1.0, -0.125, 0.0, 0.0, 0.375, -0.875, 0.0, 0.0, -0.375, 0.5, 0.0};
    // gradient to input 1: [7]
    private static final double[] MASKED_SCATTER_ROW_GRAD1 = {0.25, 0.75, -0.5, 0.0, 0.875, -0.75, 0.0};
}
