package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.assertMessage;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.checkBothOrders;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.indices;
import static dev.kiln.tests.ops.ScatterOpsPyTorchParityTest.vector;
import static dev.kiln.tests.ops.ShapeProductOpsPyTorchParityTest.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Idx;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Subscripts {@code x[...]} mixing integers, slices, new axes, an ellipsis, index tensors and masks ({@link Idx}),
 * read ({@code index}) and written ({@code indexPut}), against PyTorch 1.13's values and F64 gradients
 * ({@code models/src/test/pytorch/mixed_index.py}; inputs in multiples of 1/8, each gradient that of
 * {@code (y * pattern(9)).sum()}): where the broadcast index shape goes, how slices clip, how repeated positions add
 * up. Then finite-difference checks and the errors.
 */
class MixedIndexPyTorchParityTest {
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
        ScatterOpsPyTorchParityTest.assertParity(MixedIndexPyTorchParityTest.class, name, dims, f, inputs);
    }

    /** {@code [[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]]} in {@code dtype}: any dtype masks, non-zero selects. */
    private static Tensor mask(DType dtype) {
        return indices(DType.I64, new long[] {1, 0, 1, 1}, new long[] {0, 0, 0, 0}, new long[] {0, 1, 1, 0}).to(dtype);
    }

    /** {@code [[0, -1], [2, 2]]}: a repeated column, and one counted from the end. */
    private static Tensor columns(DType dtype) {
        return indices(dtype, new long[] {0, -1}, new long[] {2, 2});
    }

    /** {@code [0, -1]}. */
    private static Tensor i(DType dtype) {
        return vector(dtype, 0, -1);
    }

    /** {@code [[1], [-2]]}. */
    private static Tensor j(DType dtype) {
        return indices(dtype, new long[] {1}, new long[] {-2});
    }

    private static Idx[] at(Idx... entries) {
        return entries;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "I32"})
    void aMaskSelectsItsNonZeroPositionsOfTheAxesItCoversAsPyTorch(DType maskType) {
        assertParity("MASK", new int[] {5, 5}, in -> in[0].index(Idx.mask(mask(maskType))), leaf(DType.F64, 1, 3, 4, 5));
        Tensor last = vector(DType.I64, 0, 1, 1, 0, 1).to(maskType);
        assertParity("MASK_LAST", new int[] {3, 4, 3}, in -> in[0].index(Idx.ellipsis(), Idx.mask(last)),
                leaf(DType.F64, 1, 3, 4, 5));
    }

    @Test
    void aMaskBroadcastsWithIndexTensorsAsTheIndexOfItsNonZerosAsPyTorch() {
        Tensor rows = vector(DType.I64, 1, 0, 1);
        assertParity("MASK_AND_TENSOR", new int[] {2, 2, 4},
                in -> in[0].index(Idx.mask(rows), Idx.all(), Idx.tensor(j(DType.I32))), leaf(DType.F64, 1, 3, 4, 5));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void adjacentIndexTensorsKeepTheirPlaceAsPyTorch(DType indexType) {
        Idx c = Idx.tensor(columns(indexType));
        assertParity("COLUMNS", new int[] {3, 2, 2, 5}, in -> in[0].index(Idx.all(), c), leaf(DType.F64, 1, 3, 4, 5));
        assertParity("ELLIPSIS", new int[] {3, 4, 2, 2}, in -> in[0].index(Idx.ellipsis(), c),
                leaf(DType.F64, 1, 3, 4, 5));
        assertParity("STEP", new int[] {2, 2, 2, 5}, in -> in[0].index(Idx.slice(0, 3, 2), c),
                leaf(DType.F64, 1, 3, 4, 5));
        assertParity("NEW_AXES", new int[] {1, 2, 2, 1, 5},
                in -> in[0].index(Idx.newAxis(), Idx.at(-1), c, Idx.newAxis()), leaf(DType.F64, 1, 3, 4, 5));
    }

    @Test
    void anIntegerBetweenIndexTensorsDoesNotSeparateThemAsInPyTorch() {
        assertParity("INTEGER_BETWEEN", new int[] {2, 2, 2},
                in -> in[0].index(Idx.all(), Idx.tensor(i(DType.I64)), Idx.at(1), Idx.tensor(j(DType.I64))),
                leaf(DType.F64, 1, 2, 3, 4, 5));
    }

    @Test
    void aZeroDimensionalIndexTensorSelectsAsAnIntegerAndSeparatesNothingAsInPyTorch() {
        Tensor last = Tensor.fromArray(new long[] {-1});
        assertParity("SCALAR_TENSOR_BETWEEN", new int[] {2, 4, 2},
                in -> in[0].index(Idx.all(), Idx.tensor(last), Idx.all(), Idx.tensor(i(DType.I64))),
                leaf(DType.F64, 1, 2, 3, 4, 5));
    }

    @Test
    void indexPutWritesWhereAZeroDimensionalIndexTensorSelectsAsAnIntegerAsInPyTorch() {
        Tensor last = Tensor.fromArray(new long[] {-1});
        assertParity("PUT_SCALAR_TENSOR_FIRST", new int[] {2, 3, 4, 5},
                in -> in[0].indexPut(at(Idx.tensor(last), Idx.all(), Idx.tensor(i(DType.I32))), in[1], false),
                leaf(DType.F64, 1, 2, 3, 4, 5), leaf(DType.F64, 2, 3, 2, 1));
    }

    @Test
    void separatedIndexTensorsPutTheirShapeFirstAsPyTorch() {
        assertParity("SEPARATED", new int[] {2, 2, 4},
                in -> in[0].index(Idx.tensor(i(DType.I64)), Idx.all(), Idx.tensor(j(DType.I32))),
                leaf(DType.F64, 1, 3, 4, 5));
    }

    @Test
    void slicesCountNegativeBoundsFromTheEndAndClipThemAsPyTorch() {
        assertParity("BOUNDS", new int[] {2, 3, 2}, in -> in[0].index(Idx.from(-2), Idx.until(-1), Idx.slice(1, 9, 3)),
                leaf(DType.F64, 1, 3, 4, 5));
    }

    @Test
    void anAllZeroMaskSelectsAndWritesNothing() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor none = Tensor.zeros(DType.I32, 2);
        assertEquals(Shape.of(0, 3), x.index(Idx.mask(none)).shape());
        assertArrayEquals(x.toDoubleArray(), x.indexPut(at(Idx.mask(none)), 7, true).toDoubleArray());
    }

    @Test
    void indexPutWritesValuesOrOneValueAtAMaskAsPyTorch() {
        assertParity("PUT_MASK", new int[] {3, 4, 5}, in -> in[0].indexPut(at(Idx.mask(mask(DType.I32))), in[1], false),
                leaf(DType.F64, 1, 3, 4, 5), leaf(DType.F64, 2, 5));
        assertParity("PUT_MASK_VALUE", new int[] {3, 4, 5},
                in -> in[0].indexPut(at(Idx.mask(mask(DType.F64))), 0.25, false), leaf(DType.F64, 1, 3, 4, 5));
    }

    @Test
    void indexPutWritesBroadcastValuesWhereTheSubscriptReadsAsPyTorch() {
        assertParity("PUT_SEPARATED", new int[] {3, 4, 5},
                in -> in[0].indexPut(at(Idx.tensor(i(DType.I32)), Idx.all(), Idx.tensor(j(DType.I64))), in[1], false),
                leaf(DType.F64, 1, 3, 4, 5), leaf(DType.F64, 2, 2, 1, 4));
    }

    @Test
    void indexPutAddsAtEveryRepeatedPositionWhenAccumulatingAsPyTorch() {
        Idx c = Idx.tensor(columns(DType.I64));
        assertParity("PUT_COLUMNS_ACCUMULATE", new int[] {3, 4, 5}, in -> in[0].indexPut(at(Idx.all(), c), in[1], true),
                leaf(DType.F64, 1, 3, 4, 5), leaf(DType.F64, 2, 3, 2, 2, 5));
        assertParity("PUT_STEP_ACCUMULATE", new int[] {3, 4, 5},
                in -> in[0].indexPut(at(Idx.slice(0, 3, 2), Idx.all(), c), in[1], true), leaf(DType.F64, 1, 3, 4, 5),
                leaf(DType.F64, 2, 4, 1, 2));
        assertParity("PUT_INTEGER_BETWEEN_ACCUMULATE", new int[] {2, 3, 4, 5},
                in -> in[0].indexPut(at(Idx.all(), Idx.tensor(i(DType.I64)), Idx.at(1), Idx.tensor(j(DType.I64))),
                        in[1], true), leaf(DType.F64, 1, 2, 3, 4, 5), leaf(DType.F64, 2, 2, 1, 2));
    }

    @Test
    void indexPutWithoutAccumulatingLetsTheLastOfRepeatedPositionsWin() {
        Tensor y = Tensor.zeros(DType.F64, 2, 3).indexPut(at(Idx.at(1), Idx.tensor(vector(DType.I64, 2, 0, 2))),
                Tensor.fromArray(new double[] {1, 2, 3}, 3), false);
        assertArrayEquals(new double[] {0, 0, 0, 2, 0, 3}, y.toDoubleArray());
    }

    @Test
    void firstAndSecondDerivativesPassFiniteDifferenceChecks() {
        Tensor x = Tensor.uniform(-1, 1, DType.F64, 3, 4, 5).requiresGrad(true);
        Tensor values = Tensor.uniform(-1, 1, DType.F64, 2, 1, 4).requiresGrad(true);
        Tensor spread = Tensor.uniform(-1, 1, DType.F64, 3, 2, 2, 5).requiresGrad(true);
        Idx c = Idx.tensor(columns(DType.I64));
        Idx[] separated = at(Idx.tensor(i(DType.I32)), Idx.all(), Idx.tensor(j(DType.I64)));
        checkBothOrders("mask", in -> in[0].index(Idx.mask(mask(DType.I32))), x);
        checkBothOrders("columns with a step", in -> in[0].index(Idx.newAxis(), Idx.slice(0, 3, 2), c), x);
        checkBothOrders("separated", in -> in[0].index(separated), x);
        checkBothOrders("indexPut", in -> in[0].indexPut(separated, in[1], false), x, values);
        checkBothOrders("indexPut accumulating", in -> in[0].indexPut(at(Idx.all(), c), in[1], true), x, spread);
    }

    @Test
    void badSubscriptsAreRefusedNamingTheValue() {
        Tensor x = Tensor.zeros(DType.F64, 3, 4, 5);
        assertMessage("index: index 4 is out of range [-4, 4) for axis 1 of [3, 4, 5]",
                () -> x.index(Idx.all(), Idx.at(4)));
        assertMessage("index: index -6 is out of range [-5, 5) for axis 2 of [3, 4, 5]",
                () -> x.index(Idx.newAxis(), Idx.ellipsis(), Idx.tensor(vector(DType.I64, 0, -6))));
        assertMessage("indexPut: index 4 is out of range [-4, 4) for axis 1 of [3, 4, 5]",
                () -> x.indexPut(at(Idx.tensor(i(DType.I64)), Idx.tensor(vector(DType.I64, 4))), 1, true));
        assertMessage("index: mask [3, 5] does not match the axes from 0 of [3, 4, 5], which are [3, 4]",
                () -> x.index(Idx.mask(Tensor.zeros(DType.I32, 3, 5))));
        assertMessage("index: too many indices for [3, 4, 5]: they index 4 axes, its rank is 3",
                () -> x.index(Idx.mask(Tensor.zeros(DType.I32, 3, 4)), Idx.newAxis(), Idx.at(0), Idx.at(0)));
        assertMessage("index: a subscript may hold one ellipsis, got 2", () -> x.index(Idx.ellipsis(), Idx.ellipsis()));
        assertMessage("Idx.slice: step must be greater than zero, got 0", () -> Idx.slice(0, 3, 0));
        Idx[] columns = at(Idx.all(), Idx.tensor(columns(DType.I64)));
        assertMessage("indexPut (values and the indexed shape): shapes [3] and [3, 2, 2, 5] do not broadcast"
                + " (dimension 3: 3 vs 5)", () -> x.indexPut(columns, Tensor.zeros(DType.F64, 3), false));
        assertMessage("indexPut: values [2, 1, 1, 1, 5] must broadcast to the indexed shape [3, 2, 2, 5]",
                () -> x.indexPut(columns, Tensor.zeros(DType.F64, 2, 1, 1, 1, 5), false));
    }

    @Test
    void aNullEntryIsRefusedWhereItWouldBeSkipped() {
        Tensor x = Tensor.zeros(DType.F64, 3, 4, 5);
        assertMessage("index: entry 0 of the subscript is null (PyTorch's None is Idx.newAxis())",
                () -> x.index(null, Idx.at(0)));
        assertMessage("indexPut: entry 1 of the subscript is null (PyTorch's None is Idx.newAxis())",
                () -> x.indexPut(at(Idx.all(), null), 1, false));
        assertMessage("Idx.tensor: the index tensor is null", () -> Idx.tensor(null));
        assertMessage("Idx.mask: the mask is null", () -> Idx.mask(null));
    }

    // Printed by models/src/test/pytorch/mixed_index.py (PyTorch 1.13.0a0).
    // x[m], x = pattern(1, 3, 4, 5), m = [[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]]: [5, 5]
    private static final double[] MASK = {-0.625, 0.25, -1.0, -0.125, 0.75, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125};
    // gradient to input 0: [3, 4, 5]
    private static final double[] MASK_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x[..., [0, 1, 1, 0, 1]]: [3, 4, 3]
    private static final double[] MASK_LAST = {0.25, -1.0, 0.75, 0.375, -0.875, 0.875, 0.5, -0.75, 1.0, 0.625, -0.625, -1.0, 0.75, -0.5, -0.875, 0.875, -0.375, -0.75, 1.0, -0.25, -0.625, -1.0, -0.125, -0.5, -0.875, 0.0, -0.375, -0.75, 0.125, -0.25, -0.625, 0.25, -0.125, -0.5, 0.375, 0.0};
    // gradient to input 0: [3, 4, 5]
    private static final double[] MASK_LAST_GRAD0 = {0.0, 0.25, -1.0, 0.0, -0.125, 0.0, 0.75, -0.5, 0.0, 0.375, 0.0, -0.875, 0.0, 0.0, 0.875, 0.0, -0.375, 0.5, 0.0, -0.75, 0.0, 0.125, 1.0, 0.0, -0.25, 0.0, 0.625, -0.625, 0.0, 0.25, 0.0, -1.0, -0.125, 0.0, 0.75, 0.0, -0.5, 0.375, 0.0, -0.875, 0.0, 0.0, 0.875, 0.0, -0.375, 0.0, 0.5, -0.75, 0.0, 0.125, 0.0, 1.0, -0.25, 0.0, 0.625, 0.0, -0.625, 0.25, 0.0, -1.0};
    // x[[1, 0, 1], :, j], j = [[1], [-2]]: [2, 2, 4]
    private static final double[] MASK_AND_TENSOR = {0.25, 0.375, 0.5, 0.625, -0.875, -0.75, -0.625, -0.5, -0.125, 0.0, 0.125, 0.25, 0.875, 1.0, -1.0, -0.875};
    // gradient to input 0: [3, 4, 5]
    private static final double[] MASK_AND_TENSOR_GRAD0 = {0.0, 0.25, 0.0, 0.875, 0.0, 0.0, -1.0, 0.0, -0.375, 0.0, 0.0, -0.125, 0.0, 0.5, 0.0, 0.0, 0.75, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.125, 0.0, 0.0, 0.375, 0.0, 1.0, 0.0, 0.0, -0.875, 0.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.625, 0.0};
    // x[:, c], c = [[0, -1], [2, 2]]: [3, 2, 2, 5]
    private static final double[] COLUMNS = {-0.625, 0.25, -1.0, -0.125, 0.75, -0.25, 0.625, -0.625, 0.25, -1.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.25, -1.0, -0.125, 0.75, -0.5, 0.125, 1.0, -0.25, 0.625, -0.625, 0.125, 1.0, -0.25, 0.625, -0.625, 0.375, -0.875, 0.0, 0.875, -0.375, 0.75, -0.5, 0.375, -0.875, 0.0, 0.625, -0.625, 0.25, -1.0, -0.125, 0.625, -0.625, 0.25, -1.0, -0.125};
    // gradient to input 0: [3, 4, 5]
    private static final double[] COLUMNS_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 1.125, -1.375, 0.375, 0.0, -0.375, 0.375, -0.875, 0.0, 0.875, -0.375, 0.75, -0.5, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.375, 1.375, -1.125, 0.625, 0.875, -0.375, 0.5, -0.75, 0.125, -0.875, 0.0, 0.875, -0.375, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, -1.125, 0.625, -1.875, -0.125, 1.625, -0.75, 0.125, 1.0, -0.25, 0.625};
    // x[i, :, j], i = [0, -1]: [2, 2, 4]
    private static final double[] SEPARATED = {0.25, 0.375, 0.5, 0.625, -0.875, -0.75, -0.625, -0.5, -0.125, 0.0, 0.125, 0.25, 0.875, 1.0, -1.0, -0.875};
    // gradient to input 0: [3, 4, 5]
    private static final double[] SEPARATED_GRAD0 = {0.0, 0.25, 0.0, 0.875, 0.0, 0.0, -1.0, 0.0, -0.375, 0.0, 0.0, -0.125, 0.0, 0.5, 0.0, 0.0, 0.75, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.125, 0.0, 0.0, 0.375, 0.0, 1.0, 0.0, 0.0, -0.875, 0.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.625, 0.0};
    // x[..., c]: [3, 4, 2, 2]
    private static final double[] ELLIPSIS = {-0.625, 0.75, -1.0, -1.0, -0.5, 0.875, -0.875, -0.875, -0.375, 1.0, -0.75, -0.75, -0.25, -1.0, -0.625, -0.625, -0.125, -0.875, -0.5, -0.5, 0.0, -0.75, -0.375, -0.375, 0.125, -0.625, -0.25, -0.25, 0.25, -0.5, -0.125, -0.125, 0.375, -0.375, 0.0, 0.0, 0.5, -0.25, 0.125, 0.125, 0.625, -0.125, 0.25, 0.25, 0.75, 0.0, 0.375, 0.375};
    // gradient to input 0: [3, 4, 5]
    private static final double[] ELLIPSIS_GRAD0 = {0.25, 0.0, 0.625, 0.0, -1.0, -0.5, 0.0, -0.875, 0.0, 0.375, 0.875, 0.0, -0.25, 0.0, -0.375, 0.125, 0.0, 0.375, 0.0, 1.0, -0.625, 0.0, -1.125, 0.0, 0.25, 0.75, 0.0, -0.5, 0.0, -0.5, 0.0, 0.0, 0.125, 0.0, 0.875, -0.75, 0.0, 0.75, 0.0, 0.125, 0.625, 0.0, -0.75, 0.0, -0.625, -0.125, 0.0, -0.125, 0.0, 0.75, -0.875, 0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 1.125, 0.0, -0.75};
    // x[0:3:2, c]: [2, 2, 2, 5]
    private static final double[] STEP = {-0.625, 0.25, -1.0, -0.125, 0.75, -0.25, 0.625, -0.625, 0.25, -1.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.375, 0.5, -0.75, 0.125, 1.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.75, -0.5, 0.375, -0.875, 0.0, 0.625, -0.625, 0.25, -1.0, -0.125, 0.625, -0.625, 0.25, -1.0, -0.125};
    // gradient to input 0: [3, 4, 5]
    private static final double[] STEP_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 1.125, -1.375, 0.375, 0.0, -0.375, 0.375, -0.875, 0.0, 0.875, -0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, -0.5, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.375, 1.375, -1.125, 0.625, 0.875, -0.375, 0.5, -0.75, 0.125};
    // x[-2:, :-1, 1:9:3]: [2, 3, 2]
    private static final double[] BOUNDS = {0.75, -0.875, 0.875, -0.75, 1.0, -0.625, -0.875, -0.375, -0.75, -0.25, -0.625, -0.125};
    // gradient to input 0: [3, 4, 5]
    private static final double[] BOUNDS_GRAD0 = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, -1.0, 0.0, -0.125, 0.0, 0.0, 0.75, 0.0, -0.5, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.875, 0.0, 0.0, 0.0, 0.0, 0.875, 0.0, 0.0, -0.375, 0.0, 0.5, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x[None, -1, c, None]: [1, 2, 2, 1, 5]
    private static final double[] NEW_AXES = {0.375, -0.875, 0.0, 0.875, -0.375, 0.75, -0.5, 0.375, -0.875, 0.0, 0.625, -0.625, 0.25, -1.0, -0.125, 0.625, -0.625, 0.25, -1.0, -0.125};
    // gradient to input 0: [3, 4, 5]
    private static final double[] NEW_AXES_GRAD0 = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, -1.0, -0.125, 0.75, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 1.125, -1.375, 0.375, 0.0, -0.375, 0.375, -0.875, 0.0, 0.875, -0.375};
    // x[:, i, 1, j], x = pattern(1, 2, 3, 4, 5): [2, 2, 2]
    private static final double[] INTEGER_BETWEEN = {0.375, -0.75, 0.0, 1.0, -0.25, 0.75, -0.625, 0.375};
    // gradient to input 0: [2, 3, 4, 5]
    private static final double[] INTEGER_BETWEEN_GRAD0 = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, -0.125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    // x[m] = v, v = pattern(2, 5): [3, 4, 5]
    private static final double[] PUT_MASK = {-0.25, 0.625, -0.625, 0.25, -1.0, -0.5, 0.375, -0.875, 0.0, 0.875, -0.25, 0.625, -0.625, 0.25, -1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, -0.25, 0.625, -0.625, 0.25, -1.0, -0.25, 0.625, -0.625, 0.25, -1.0, 0.75, -0.5, 0.375, -0.875, 0.0};
    // gradient to input 0: [3, 4, 5]
    private static final double[] PUT_MASK_GRAD0 = {0.0, 0.0, 0.0, 0.0, 0.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.375, -0.875, 0.0, 0.875};
    // gradient to input 1: [5]
    private static final double[] PUT_MASK_GRAD1 = {0.0, -2.0, 0.25, 0.375, 0.5};
    // x[m] = 0.25: [3, 4, 5]
    private static final double[] PUT_MASK_VALUE = {0.25, 0.25, 0.25, 0.25, 0.25, -0.5, 0.375, -0.875, 0.0, 0.875, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.75, -0.5, 0.375, -0.875, 0.0};
    // gradient to input 0: [3, 4, 5]
    private static final double[] PUT_MASK_VALUE_GRAD0 = {0.0, 0.0, 0.0, 0.0, 0.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.375, -0.875, 0.0, 0.875};
    // x[i, :, j] = v, v = pattern(2, 2, 1, 4): [3, 4, 5]
    private static final double[] PUT_SEPARATED = {-0.625, -0.25, -1.0, -1.0, 0.75, -0.5, 0.625, -0.875, -0.125, 0.875, -0.375, -0.625, -0.75, 0.75, 1.0, -0.25, 0.25, -0.625, -0.5, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.25, 0.0, -1.0, -0.375, 0.5, 0.625, 0.125, -0.125, -0.25, 0.625, -0.625, 0.25, 0.75, -0.125, 0.75, 0.25, 0.375, -0.5, 0.0};
    // gradient to input 0: [3, 4, 5]
    private static final double[] PUT_SEPARATED_GRAD0 = {0.25, 0.0, -0.125, 0.0, -0.5, 0.375, 0.0, 0.0, 0.0, -0.375, 0.5, 0.0, 0.125, 0.0, -0.25, 0.625, 0.0, 0.25, 0.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, 0.0, 0.5, -0.75, 0.0, 1.0, 0.0, 0.625, -0.625, 0.0, -1.0, 0.0, 0.75, -0.5, 0.0, -0.875, 0.0, 0.875};
    // gradient to input 1: [2, 1, 4]
    private static final double[] PUT_SEPARATED_GRAD1 = {-1.0, -0.75, -0.5, -0.25, 0.375, 0.625, 0.875, -1.0};
    // x[:, c] += v accumulating, v = pattern(2, 3, 2, 2, 5): [3, 4, 5]
    private static final double[] PUT_COLUMNS_ACCUMULATE = {-0.875, 0.875, -1.625, 0.125, -0.25, -0.5, 0.375, -0.875, 0.0, 0.875, -0.25, 2.375, -1.375, 1.25, -0.375, -0.375, 1.375, -1.125, 0.625, -1.875, 0.125, -0.25, -0.625, 1.125, -1.375, 0.0, 0.875, -0.375, 0.5, -0.75, 1.25, -0.375, 0.125, 0.625, -1.0, 0.625, -1.875, -0.125, 1.625, -0.875, 1.125, -1.375, 0.375, 0.0, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -1.0, 1.625, -2.125, 0.5, 1.625, -0.875, 0.875, -1.625, 0.125};
    // gradient to input 0: [3, 4, 5]
    private static final double[] PUT_COLUMNS_ACCUMULATE_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875};
    // gradient to input 1: [3, 2, 2, 5]
    private static final double[] PUT_COLUMNS_ACCUMULATE_GRAD1 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.625, -0.625, 0.25, -1.0, -0.125, 0.5, -0.75, 0.125, 1.0, -0.25, 0.5, -0.75, 0.125, 1.0, -0.25, 0.75, -0.5, 0.375, -0.875, 0.0, -1.0, -0.125, 0.75, -0.5, 0.375, 1.0, -0.25, 0.625, -0.625, 0.25, 1.0, -0.25, 0.625, -0.625, 0.25, -0.875, 0.0, 0.875, -0.375, 0.5, -0.5, 0.375, -0.875, 0.0, 0.875, -0.625, 0.25, -1.0, -0.125, 0.75, -0.625, 0.25, -1.0, -0.125, 0.75};
    // x[0:3:2, :, c] += v accumulating, v = pattern(2, 4, 1, 2): [3, 4, 5]
    private static final double[] PUT_STEP_ACCUMULATE = {-0.875, 0.25, -0.625, -0.125, 1.375, -1.125, 0.375, -1.25, 0.0, 1.125, -1.375, 0.5, -1.875, 0.125, 0.875, 0.5, 0.625, -0.375, 0.25, -1.5, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.125, -0.875, 0.375, 0.875, 0.25, -0.125, -0.75, -0.25, 1.0, 0.0, -0.375, -0.625, -0.875, -1.0, -0.25, 1.5, -0.5, 0.625, -0.875, -0.5};
    // gradient to input 0: [3, 4, 5]
    private static final double[] PUT_STEP_ACCUMULATE_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875};
    // gradient to input 1: [4, 1, 2]
    private static final double[] PUT_STEP_ACCUMULATE_GRAD1 = {0.125, 0.75, 0.625, 1.25, -1.0, -0.375, -0.5, 0.125};
    // x[:, i, 1, j] += v accumulating, x = pattern(1, 2, 3, 4, 5), v = pattern(2, 2, 1, 2): [2, 3, 4, 5]
    private static final double[] PUT_INTEGER_BETWEEN_ACCUMULATE = {-0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.125, -0.875, -0.25, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.125, 0.125, 1.625, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.875, 0.625, -1.25, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 1.0, -0.5, 0.625, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625};
    // gradient to input 0: [2, 3, 4, 5]
    private static final double[] PUT_INTEGER_BETWEEN_ACCUMULATE_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25};
    // gradient to input 1: [2, 1, 2]
    private static final double[] PUT_INTEGER_BETWEEN_ACCUMULATE_GRAD1 = {0.0, -0.125, 0.875, -1.375};
    // x[:, s, :, i], s = tensor(-1), x = pattern(1, 2, 3, 4, 5): [2, 4, 2]
    private static final double[] SCALAR_TENSOR_BETWEEN = {0.375, -0.375, 0.5, -0.25, 0.625, -0.125, 0.75, 0.0, -0.25, -1.0, -0.125, -0.875, 0.0, -0.75, 0.125, -0.625};
    // gradient to input 0: [2, 3, 4, 5]
    private static final double[] SCALAR_TENSOR_BETWEEN_GRAD0 = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, -1.0, -0.125, 0.0, 0.0, 0.0, 0.75, -0.5, 0.0, 0.0, 0.0, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.875, 0.0, 0.0, 0.0, -0.375, 0.5, 0.0, 0.0, 0.0, -0.75, 0.125, 0.0, 0.0, 0.0, 1.0, -0.25, 0.0, 0.0, 0.0, 0.625};
    // x[s, :, i] = v, v = pattern(2, 3, 2, 1), x = pattern(1, 2, 3, 4, 5): [2, 3, 4, 5]
    private static final double[] PUT_SCALAR_TENSOR_FIRST = {-0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, -0.25, -0.25, -0.25, -0.25, -0.25, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, 0.625, 0.625, 0.625, 0.625, 0.625, -0.625, -0.625, -0.625, -0.625, -0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, 0.25, 0.25, 0.25, 0.25, 0.25, -1.0, -1.0, -1.0, -1.0, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, -0.125, -0.125, -0.125, -0.125, -0.125};
    // gradient to input 0: [2, 3, 4, 5]
    private static final double[] PUT_SCALAR_TENSOR_FIRST_GRAD0 = {0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 1.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25, 0.625, -0.625, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, -1.0, -0.125, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, -0.5, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, -0.75, 0.125, 0.0, 0.0, 0.0, 0.0, 0.0};
    // gradient to input 1: [3, 2, 1]
    private static final double[] PUT_SCALAR_TENSOR_FIRST_GRAD1 = {0.5, 0.25, 0.875, 0.625, -0.875, 1.0};
}
