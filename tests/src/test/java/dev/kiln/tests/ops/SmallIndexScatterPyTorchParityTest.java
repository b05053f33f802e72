package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.assertMessage;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.checkBothOrders;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.indices;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.leaf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * scatterAdd, scatter and scatterReduce with an index smaller than src along every axis and than the destination off
 * the scatter's axis, and gather with an index smaller than its input off the axis, as PyTorch allows: PyTorch 1.13's values and F64 gradients
 * ({@code models/src/test/pytorch/scatter_small_index.py}), finite-difference checks of first and second derivatives,
 * and the shapes refused. x is [3, 5] and src [3, 4] throughout; only src's leading block of the index's shape is read
 * and only x's block of the index's extent off the axis is written.
 */
class SmallIndexScatterPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** [[4, 0, 4], [1, 1, 3]] along axis 1: rows 0-1 written, src's [:2, :3] read. */
    private static Tensor rows(DType dtype) {
        return indices(dtype, new long[] {4, 0, 4}, new long[] {1, 1, 3});
    }

    private static void assertParity(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        ScatterOpsPyTorchParityTest.assertParity(SmallIndexScatterPyTorchParityTest.class, name, new int[] {3, 5}, f,
                inputs);
    }

    private static Tensor x() {
        return leaf(DType.F64, 1, 3, 5);
    }

    private static Tensor src() {
        return leaf(DType.F64, 2, 3, 4);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void scatterAddReadsTheSourceBlockOfTheIndexShapeAsPyTorch(DType indexType) {
        Tensor rows = rows(indexType);
        assertParity("ADD_ROWS", in -> in[0].scatterAdd(1, rows, in[1]), x(), src());
        Tensor columns = indices(indexType, new long[] {2, 0}, new long[] {2, 1});
        assertParity("ADD_COLUMNS", in -> in[0].scatterAdd(0, columns, in[1]), x(), src());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void scatterWritesOnlyTheBlockOfTheIndexExtentAsPyTorch(DType indexType) {
        Tensor rows = indices(indexType, new long[] {4, 0, 2}, new long[] {1, 0, 3});
        assertParity("SCATTER_ROWS", in -> in[0].scatter(1, rows, in[1]), x(), src());
        Tensor columns = indices(indexType, new long[] {2, 0}, new long[] {1, 1});
        assertParity("SCATTER_COLUMNS", in -> in[0].scatter(0, columns, in[1]), x(), src());
        assertParity("SCATTER_VALUE", in -> in[0].scatter(0, columns, 0.75), x());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void gatherReadsTheBlockOfTheIndexExtentOffTheAxisAsPyTorch(DType indexType) {
        Tensor rows = rows(indexType);
        ScatterOpsPyTorchParityTest.assertParity(SmallIndexScatterPyTorchParityTest.class, "GATHER_ROWS",
                new int[] {2, 3}, in -> in[0].gather(1, rows), x());
        Tensor columns = indices(indexType, new long[] {2, 0}, new long[] {2, 1});
        ScatterOpsPyTorchParityTest.assertParity(SmallIndexScatterPyTorchParityTest.class, "GATHER_COLUMNS",
                new int[] {2, 2}, in -> in[0].gather(0, columns), x());
    }

    @ParameterizedTest
    @CsvSource({"sum, true", "sum, false", "prod, true", "prod, false", "mean, true", "mean, false", "amax, true",
            "amax, false", "amin, true", "amin, false"})
    void scatterReduceWithASmallerIndexReducesAsPyTorch(String reduce, boolean includeSelf) {
        Tensor rows = rows(DType.I64);
        assertParity("REDUCE_" + reduce.toUpperCase() + (includeSelf ? "_WITH_SELF" : "_WITHOUT_SELF"),
                in -> in[0].scatterReduce(1, rows, in[1], reduce, includeSelf), x(), src());
    }

    @Test
    void firstAndSecondDerivativesPassFiniteDifferenceChecks() {
        Tensor x = Tensor.uniform(-1, 1, DType.F64, 3, 5).requiresGrad(true);
        Tensor src = Tensor.uniform(-1, 1, DType.F64, 3, 4).requiresGrad(true);
        Tensor rows = rows(DType.I32);
        Tensor distinct = indices(DType.I64, new long[] {4, 0, 2}, new long[] {1, 0, 3});
        checkBothOrders("scatterAdd", in -> in[0].scatterAdd(1, rows, in[1]), x, src);
        checkBothOrders("scatter", in -> in[0].scatter(1, distinct, in[1]), x, src);
        checkBothOrders("gather", in -> in[0].gather(1, rows), x);
        for (String reduce : new String[] {"sum", "prod", "mean", "amax", "amin"}) {
            for (boolean includeSelf : new boolean[] {true, false}) {
                checkBothOrders("scatterReduce " + reduce + " " + includeSelf,
                        in -> in[0].scatterReduce(1, rows, in[1], reduce, includeSelf), x, src);
            }
        }
    }

    @Test
    void anIndexLargerThanTheSourceOrTheDestinationOffTheAxisIsRefused() {
        Tensor x = Tensor.zeros(DType.F64, 3, 5);
        assertMessage("scatterAdd: index [2, 3] must be no larger than the source [3, 2] along every axis, but is 3 > 2"
                + " along axis 1", () -> x.scatterAdd(1, Tensor.zeros(DType.I64, 2, 3), Tensor.zeros(DType.F64, 3, 2)));
        assertMessage("scatter: index [4, 2] must be no larger than the destination [3, 5] along every axis but 1, but"
                + " is 4 > 3 along axis 0",
                () -> x.scatter(1, Tensor.zeros(DType.I64, 4, 2), Tensor.zeros(DType.F64, 4, 2)));
        assertMessage("gather: index [4, 2] must be no larger than [3, 5] along every axis but 1, but is 4 > 3 along"
                + " axis 0", () -> x.gather(1, Tensor.zeros(DType.I64, 4, 2)));
        assertMessage("scatterReduce: index [2], source [3, 4] and destination [3, 5] must have one rank",
                () -> x.scatterReduce(1, Tensor.zeros(DType.I64, 2), Tensor.zeros(DType.F64, 3, 4), "amax", true));
    }

    @Test
    void scattersOfASmallerIndexKeepNoneOfTheirStepsWithoutGradients() {
        BytesInUse.settle();
        Backend backend = Engine.get().backend();
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(3, 5);
        Tensor src = Tensor.randn(3, 4);
        Tensor rows = rows(DType.I64);
        List<Tensor> all = new ArrayList<>(List.of(x, src, rows));
        all.add(x.scatterAdd(1, rows, src));
        all.add(x.scatter(1, rows, src));
        all.add(x.scatter(1, rows, 0.5));
        all.add(x.gather(1, rows));
        for (String reduce : new String[] {"sum", "prod", "mean", "amax", "amin"}) {
            all.add(x.scatterReduce(1, rows, src, reduce, false));
        }
        all.forEach(Tensor::close);
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs and the results");
    }

    // Printed by models/src/test/pytorch/scatter_small_index.py (PyTorch 1.13.0a0).
    // x.scatter_add(1, [[4, 0, 4], [1, 1, 3]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] ADD_ROWS = {0.0, 0.25, -1.0, -0.125, -0.125, -0.5, -0.75, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] ADD_ROWS_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] ADD_ROWS_GRAD1 = {-0.5, 0.25, -0.5, 0.0, -0.875, -0.875, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_add(0, [[2, 0], [2, 1]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] ADD_COLUMNS = {-0.625, 0.875, -1.0, -0.125, 0.75, -0.5, 0.25, -0.875, 0.0, 0.875, -1.625, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] ADD_COLUMNS_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] ADD_COLUMNS_GRAD1 = {0.5, -1.0, 0.0, 0.0, 0.5, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter(1, [[4, 0, 2], [1, 0, 3]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] SCATTER_ROWS = {0.625, 0.25, -0.625, -0.125, -0.25, -0.125, -1.0, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] SCATTER_ROWS_GRAD0 = {0.0, -1.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] SCATTER_ROWS_GRAD1 = {-0.5, 0.25, -0.125, 0.0, -0.875, 0.375, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter(0, [[2, 0], [1, 1]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] SCATTER_COLUMNS = {-0.625, 0.625, -1.0, -0.125, 0.75, -1.0, -0.125, -0.875, 0.0, 0.875, -0.25, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] SCATTER_COLUMNS_GRAD0 = {0.25, 0.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.875, -0.375, 0.0, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] SCATTER_COLUMNS_GRAD1 = {0.5, -1.0, 0.0, 0.0, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter(0, [[2, 0], [1, 1]], 0.75), x = pattern(1, 3, 5): [3, 5]
    private static final double[] SCATTER_VALUE = {-0.625, 0.75, -1.0, -0.125, 0.75, 0.75, 0.75, -0.875, 0.0, 0.875, 0.75, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] SCATTER_VALUE_GRAD0 = {0.25, 0.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.875, -0.375, 0.0, -0.75, 0.125, 1.0, -0.25};
    // x.gather(1, [[4, 0, 4], [1, 1, 3]]), x = pattern(1, 3, 5): [2, 3]
    private static final double[] GATHER_ROWS = {0.75, -0.625, 0.75, 0.375, 0.375, 0.0};
    // gradient to input 0: [3, 5]
    private static final double[] GATHER_ROWS_GRAD0 = {-1.0, 0.0, 0.0, 0.0, 0.125, 0.0, 0.25, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.gather(0, [[2, 0], [2, 1]]), x = pattern(1, 3, 5): [2, 2]
    private static final double[] GATHER_COLUMNS = {-0.375, 0.25, -0.375, 0.375};
    // gradient to input 0: [3, 5]
    private static final double[] GATHER_COLUMNS_GRAD0 = {0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.125, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'sum', include_self=True), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_SUM_WITH_SELF = {0.0, 0.25, -1.0, -0.125, -0.125, -0.5, -0.75, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_SUM_WITH_SELF_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_SUM_WITH_SELF_GRAD1 = {-0.5, 0.25, -0.5, 0.0, -0.875, -0.875, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'sum', include_self=False), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_SUM_WITHOUT_SELF = {0.625, 0.25, -1.0, -0.125, -0.875, -0.5, -1.125, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_SUM_WITHOUT_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.75, 0.0, 0.375, 0.0, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_SUM_WITHOUT_SELF_GRAD1 = {-0.5, 0.25, -0.5, 0.0, -0.875, -0.875, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'prod', include_self=True), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_PROD_WITH_SELF = {-0.390625, 0.25, -1.0, -0.125, 0.1171875, -0.5, 0.046875, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_PROD_WITH_SELF_GRAD0 = {0.15625, -1.0, -0.125, 0.75, -0.078125, 0.375, -0.109375, 0.0, 0.65625, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_PROD_WITH_SELF_GRAD1 = {0.234375, -0.15625, 0.09375, 0.0, 0.041015625, 0.328125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'prod', include_self=False), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_PROD_WITHOUT_SELF = {0.625, 0.25, -1.0, -0.125, 0.15625, -0.5, 0.125, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_PROD_WITHOUT_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.75, 0.0, 0.375, 0.0, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_PROD_WITHOUT_SELF_GRAD1 = {0.3125, 0.25, 0.125, 0.0, 0.109375, 0.875, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'mean', include_self=True), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_MEAN_WITH_SELF = {0.0, 0.25, -1.0, -0.125, -0.041666666666666664, -0.5, -0.25, -0.875, 0.375, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_MEAN_WITH_SELF_GRAD0 = {0.125, -1.0, -0.125, 0.75, -0.16666666666666666, 0.375, -0.2916666666666667, 0.0, 0.4375, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_MEAN_WITH_SELF_GRAD1 = {-0.16666666666666666, 0.125, -0.16666666666666666, 0.0, -0.2916666666666667, -0.2916666666666667, 0.4375, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'mean', include_self=False), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_MEAN_WITHOUT_SELF = {0.625, 0.25, -1.0, -0.125, -0.4375, -0.5, -0.5625, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_MEAN_WITHOUT_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.75, 0.0, 0.375, 0.0, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_MEAN_WITHOUT_SELF_GRAD1 = {-0.25, 0.25, -0.25, 0.0, -0.4375, -0.4375, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'amax', include_self=True), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_AMAX_WITH_SELF = {0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_AMAX_WITH_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_AMAX_WITH_SELF_GRAD1 = {-0.0, 0.25, -0.0, 0.0, -0.0, -0.0, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'amax', include_self=False), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_AMAX_WITHOUT_SELF = {0.625, 0.25, -1.0, -0.125, -0.25, -0.5, -0.125, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_AMAX_WITHOUT_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.75, 0.0, 0.375, 0.0, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_AMAX_WITHOUT_SELF_GRAD1 = {-0.5, 0.25, -0.0, 0.0, -0.0, -0.875, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'amin', include_self=True), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_AMIN_WITH_SELF = {-0.625, 0.25, -1.0, -0.125, -0.625, -0.5, -1.0, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_AMIN_WITH_SELF_GRAD0 = {0.25, -1.0, -0.125, 0.75, 0.0, 0.375, 0.0, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_AMIN_WITH_SELF_GRAD1 = {-0.0, 0.0, -0.5, 0.0, -0.875, -0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, 'amin', include_self=False), x = pattern(1, 3, 5), src = pattern(2, 3, 4): [3, 5]
    private static final double[] REDUCE_AMIN_WITHOUT_SELF = {0.625, 0.25, -1.0, -0.125, -0.625, -0.5, -1.0, -0.875, 0.75, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0};
    // gradient to input 0: [3, 5]
    private static final double[] REDUCE_AMIN_WITHOUT_SELF_GRAD0 = {0.0, -1.0, -0.125, 0.75, 0.0, 0.375, 0.0, 0.0, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25};
    // gradient to input 1: [3, 4]
    private static final double[] REDUCE_AMIN_WITHOUT_SELF_GRAD1 = {-0.0, 0.25, -0.5, 0.0, -0.875, -0.0, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0};
}
