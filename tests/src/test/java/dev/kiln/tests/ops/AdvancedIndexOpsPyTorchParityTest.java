package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.assertMessage;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.checkBothOrders;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.indices;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.vector;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * take, put, indexPut ({@code x[i, j] = v}) and index ({@code x[i, j]}) against PyTorch 1.13's values and F64
 * gradients ({@code models/src/test/pytorch/scatter_index.py index}; inputs in multiples of 1/8, each gradient that of
 * {@code (y * pattern(9)).sum()}), with I32 and I64 indices, negative ones counted from the end; where positions repeat
 * without accumulating, the last wins, as on PyTorch's CPU. Then finite-difference checks and the errors.
 */
class AdvancedIndexOpsPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static void assertParity(String name, int[] dims, Function<Tensor[], Tensor> f, Tensor... inputs) {
        ScatterOpsPyTorchParityTest.assertParity(AdvancedIndexOpsPyTorchParityTest.class, name, dims, f, inputs);
    }

    /** {@code [[0], [-1]]}: rows 0 and 2 of a tensor [3, ...]. */
    private static Tensor rows(DType dtype) {
        return indices(dtype, new long[] {0}, new long[] {-1});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void takeReadsRowMajorPositionsCountingNegativeOnesFromTheEndAsPyTorch(DType indexType) {
        Tensor index = indices(indexType, new long[] {-1, 0}, new long[] {5, 5}, new long[] {11, -12});
        assertParity("TAKE", new int[] {3, 2}, in -> in[0].take(index), leaf(DType.F64, 1, 3, 4));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void putWritesOrAddsTheSourceAtRowMajorPositionsAsPyTorch(DType indexType) {
        assertParity("PUT", new int[] {3, 4},
                in -> in[0].put(indices(indexType, new long[] {-1, 0}, new long[] {5, 6}, new long[] {10, -9}), in[1],
                        false), leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 3, 2));
        assertParity("PUT_ACCUMULATE", new int[] {3, 4},
                in -> in[0].put(indices(indexType, new long[] {-1, 0}, new long[] {5, 5}, new long[] {11, -12}), in[1],
                        true), leaf(DType.F64, 1, 3, 4), leaf(DType.F64, 2, 3, 2));
    }

    @Test
    void putLetsTheLastOfRepeatedPositionsWin() {
        Tensor y = Tensor.zeros(DType.F64, 5).put(vector(DType.I64, 1, 3, 1), Tensor.fromArray(new double[] {1, 2, 3},
                3), false);
        assertValues("repeated", PUT_REPEATED, new int[] {5}, y, 1e-12);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void indexPutWritesBroadcastValuesAtBroadcastIndexTensorsAsPyTorch(DType indexType) {
        Tensor columns = vector(indexType, 3, 0, -2);
        assertParity("INDEX_PUT", new int[] {3, 4, 2}, in -> in[0].indexPut(List.of(rows(indexType), columns), in[1],
                false), leaf(DType.F64, 1, 3, 4, 2), leaf(DType.F64, 2, 3, 2));
        Tensor ones = indices(indexType, new long[] {1}, new long[] {1});
        assertParity("INDEX_PUT_ACCUMULATE", new int[] {3, 4, 2}, in -> in[0].indexPut(List.of(rows(indexType), ones),
                in[1], true), leaf(DType.F64, 1, 3, 4, 2), leaf(DType.F64, 2, 2, 1, 2));
    }

    @Test
    void indexPutAddsEveryRepeatedPositionWhenAccumulating() {
        Tensor y = Tensor.zeros(DType.F64, 3, 2).indexPut(List.of(vector(DType.I64, 1, 1, -2), vector(DType.I32, 0)),
                Tensor.fromArray(new double[] {5, 6, 7}, 3), true);
        assertArrayEquals(new double[] {0, 0, 18, 0, 0, 0}, y.toDoubleArray());
    }

    /**
     * Repeated positions without accumulating: the last write wins, so only it receives the output's gradient there
     * and the destination none. PyTorch 1.13 gives every repeated entry {@code grad[index]} (index_put's backward is
     * {@code grad.index(indices)} whatever wrote last): {2, 4, 2, 2} here and 11 for the broadcast scalar, the
     * gradient of a function that writes every entry, not of the one computed, which fails a finite-difference
     * check; its documentation calls repeated indices without accumulate undefined. Kiln keeps the exact gradient.
     */
    @Test
    void indexPutWithRepeatedPositionsSendsTheGradientToTheLastWriteOnly() {
        Tensor weights = Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 5);
        Tensor x = Tensor.fromArray(new double[] {0, 1, 2, 3, 4}, 5).requiresGrad(true);
        Tensor values = Tensor.fromArray(new double[] {10, 20, 30, 40}, 4).requiresGrad(true);
        Tensor y = x.indexPut(List.of(vector(DType.I64, 1, 3, 1, 1)), values, false);
        assertArrayEquals(new double[] {0, 40, 2, 20, 4}, y.toDoubleArray());
        y.mul(weights).sum().backward();
        assertArrayEquals(new double[] {1, 0, 3, 0, 5}, x.grad().toDoubleArray(), "the destination's gradient");
        assertArrayEquals(new double[] {0, 4, 0, 2}, values.grad().toDoubleArray(), "the values' gradient");
        Tensor scalar = Tensor.full(7.0, DType.F64).requiresGrad(true);
        Tensor.zeros(DType.F64, 5).indexPut(List.of(vector(DType.I64, 2, 2, 4)), scalar, false).mul(weights).sum()
                .backward();
        assertArrayEquals(new double[] {8}, new double[] {scalar.grad().item()}, "a broadcast value's gradient");
        Tensor repeated = vector(DType.I64, 1, 3, 1, 1);
        checkBothOrders("indexPut at repeated positions", in -> in[0].indexPut(List.of(repeated), in[1], false),
                Tensor.uniform(-1, 1, DType.F64, 5).requiresGrad(true),
                Tensor.uniform(-1, 1, DType.F64, 4).requiresGrad(true));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void indexReadsAtBroadcastIndexTensorsAsPyTorch(DType indexType) {
        Tensor columns = vector(indexType, 3, 0, -2);
        assertParity("INDEX", new int[] {2, 3, 2}, in -> in[0].index(List.of(rows(indexType), columns)),
                leaf(DType.F64, 1, 3, 4, 2));
        assertParity("INDEX_ALL_AXES", new int[] {2, 3}, in -> in[0].index(List.of(rows(indexType), columns,
                vector(indexType, 1))), leaf(DType.F64, 1, 3, 4, 2));
    }

    @Test
    void firstAndSecondDerivativesPassFiniteDifferenceChecks() {
        Tensor x = Tensor.uniform(-1, 1, DType.F64, 3, 4, 2).requiresGrad(true);
        Tensor flat = indices(DType.I64, new long[] {-1, 0, 7}, new long[] {5, 5, 23});
        Tensor source = Tensor.uniform(-1, 1, DType.F64, 2, 3).requiresGrad(true);
        Tensor values = Tensor.uniform(-1, 1, DType.F64, 3, 2).requiresGrad(true);
        List<Tensor> at = List.of(rows(DType.I32), vector(DType.I64, 3, 0, -2));
        checkBothOrders("take", in -> in[0].take(flat), x);
        checkBothOrders("put accumulating", in -> in[0].put(flat, in[1], true), x, source);
        checkBothOrders("put", in -> in[0].put(indices(DType.I64, new long[] {-1, 0, 7}, new long[] {5, 4, 23}), in[1],
                false), x, source);
        checkBothOrders("indexPut", in -> in[0].indexPut(at, in[1], false), x, values);
        checkBothOrders("indexPut accumulating", in -> in[0].indexPut(at, in[1], true), x, values);
        checkBothOrders("index", in -> in[0].index(at), x);
    }

    @Test
    void badArgumentsAreRefusedNamingTheValue() {
        Tensor x = Tensor.zeros(DType.F64, 3, 4, 2);
        assertMessage("take: index 24 is out of range [-24, 24) for the 24 elements of [3, 4, 2]",
                () -> x.take(vector(DType.I64, 0, 24)));
        assertMessage("put: index [2] and source [3] must hold as many elements, got 2 and 3",
                () -> x.put(vector(DType.I64, 0, 1), Tensor.zeros(DType.F64, 3), false));
        assertMessage("index: index -4 is out of range [-3, 3) for axis 0 of [3, 4, 2]",
                () -> x.index(List.of(vector(DType.I32, 0, -4))));
        assertMessage("indexPut: index 4 is out of range [-4, 4) for axis 1 of [3, 4, 2]",
                () -> x.indexPut(List.of(vector(DType.I32, 0), vector(DType.I64, 4)), Tensor.zeros(DType.F64, 2), true));
        assertMessage("indexPut (values and the indexed shape): shapes [3] and [2, 2] do not broadcast (dimension 1: 3"
                + " vs 2)", () -> x.indexPut(List.of(vector(DType.I64, 0, 1), vector(DType.I64, 1, 2)),
                        Tensor.zeros(DType.F64, 3), false));
        assertMessage("indexPut: values [4, 2, 2] must broadcast to the indexed shape [2, 2]",
                () -> x.indexPut(List.of(vector(DType.I64, 0, 1), vector(DType.I64, 1, 2)),
                        Tensor.zeros(DType.F64, 4, 2, 2), false));
        assertMessage("index: 4 index tensors for [3, 4, 2], expected 1 to 3",
                () -> x.index(List.of(vector(DType.I64, 0), vector(DType.I64, 0), vector(DType.I64, 0),
                        vector(DType.I64, 0))));
    }

    // Printed by models/src/test/pytorch/scatter_index.py index (PyTorch 1.13.0a0).
    // x.take([[-1, 0], [5, 5], [11, -12]]), x = pattern(1, 3, 4): [3, 2]
    private static final double[] TAKE = {0.5, -0.625, -0.5, -0.5, 0.5, -0.625};
    // gradient to input 0: [3, 4]
    private static final double[] TAKE_GRAD0 = {-0.625, 0.0, 0.0, 0.0, 0.0, 0.625, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25};
    // x.put([[-1, 0], [5, 6], [10, -9]], source), source = pattern(2, 3, 2): [3, 4]
    private static final double[] PUT = {0.625, 0.25, -1.0, -0.125, 0.75, -0.625, 0.25, -0.875, 0.0, 0.875, -1.0, -0.25};
    // gradient to input 0: [3, 4]
    private static final double[] PUT_GRAD0 = {0.0, -1.0, -0.125, 0.0, -0.5, 0.0, 0.0, 0.0, 0.875, -0.375, 0.0, 0.0};
    // gradient to input 1: [3, 2]
    private static final double[] PUT_GRAD1 = {-0.75, 0.25, 0.375, -0.875, 0.5, 0.75};
    // x.put([[-1, 0], [5, 5], [11, -12]], source, accumulate=True): [3, 4]
    private static final double[] PUT_ACCUMULATE = {-0.125, 0.25, -1.0, -0.125, 0.75, -0.875, 0.375, -0.875, 0.0, 0.875, -0.375, -0.75};
    // gradient to input 0: [3, 4]
    private static final double[] PUT_ACCUMULATE_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75};
    // gradient to input 1: [3, 2]
    private static final double[] PUT_ACCUMULATE_GRAD1 = {-0.75, 0.25, 0.375, 0.375, -0.75, 0.25};
    // zeros(5).put([1, 3, 1], [1, 2, 3]): [5]
    private static final double[] PUT_REPEATED = {0.0, 3.0, 0.0, 2.0, 0.0};
    // x[i, j] = v, x = pattern(1, 3, 4, 2), i = [[0], [-1]], j = [3, 0, -2], v = pattern(2, 3, 2): [3, 4, 2]
    private static final double[] INDEX_PUT = {-0.625, 0.25, -1.0, -0.125, -1.0, -0.125, -0.25, 0.625, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, -0.625, 0.25, 0.25, -1.0, -1.0, -0.125, -0.25, 0.625};
    // gradient to input 0: [3, 4, 2]
    private static final double[] INDEX_PUT_GRAD0 = {0.0, 0.0, -0.125, 0.75, 0.0, 0.0, 0.0, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, 0.0, 0.0, -1.0, -0.125, 0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [3, 2]
    private static final double[] INDEX_PUT_GRAD1 = {-0.5, -0.875, -0.375, -0.75, 0.25, -0.125};
    // x.index_put_((i, [[1], [1]]), v, accumulate=True), i = [[0], [-1]], v = pattern(2, 2, 1, 2): [3, 4, 2]
    private static final double[] INDEX_PUT_ACCUMULATE = {-0.625, 0.25, -1.25, 0.5, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, -0.375, -0.75, -0.125, 0.75, -0.5, 0.375};
    // gradient to input 0: [3, 4, 2]
    private static final double[] INDEX_PUT_ACCUMULATE_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875};
    // gradient to input 1: [2, 1, 2]
    private static final double[] INDEX_PUT_ACCUMULATE_GRAD1 = {-0.125, 0.75, -1.0, -0.125};
    // x[i, j], x = pattern(1, 3, 4, 2): [2, 3, 2]
    private static final double[] INDEX = {0.375, -0.875, -0.625, 0.25, 0.75, -0.5, -0.5, 0.375, 0.625, -0.625, -0.125, 0.75};
    // gradient to input 0: [3, 4, 2]
    private static final double[] INDEX_GRAD0 = {-0.125, 0.75, 0.0, 0.0, -0.5, 0.375, 0.25, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.875, -0.375, 0.0, 0.0, 0.5, -0.75, -0.875, 0.0};
    // x[i, j, [1]]: [2, 3]
    private static final double[] INDEX_ALL_AXES = {-0.875, 0.25, -0.5, 0.375, -0.625, 0.75};
    // gradient to input 0: [3, 4, 2]
    private static final double[] INDEX_ALL_AXES_GRAD0 = {0.0, -1.0, 0.0, 0.0, 0.0, -0.125, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.375, 0.0, 0.75};
}
