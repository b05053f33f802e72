package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The diagonal, product, axis-moving, repeating, grid and difference ops of Tensor and F against PyTorch 1.13's
 * values and gradients ({@code models/src/test/pytorch/tensor_ops.py shape}), in F64 and F32: the inputs and weights
 * are multiples of 1/8, so both dtypes must give PyTorch's numbers to their own rounding. Each gradient is that of
 * {@code (y * pattern(9)).sum()}. Then finite-difference checks of first and second derivatives in F64, and the
 * errors for bad arguments.
 */
class ShapeProductOpsPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** {@code ((7 k + 3 seed) mod 17 - 8) / 8} for k = 0 .. size - 1, as tensor_ops.py's pattern. */
    static double[] pattern(int seed, int size) {
        return IntStream.range(0, size).mapToDouble(k -> ((7 * k + 3 * seed) % 17 - 8) / 8.0).toArray();
    }

    static Tensor leaf(DType dtype, int seed, int... dims) {
        return PyTorchValues.leaf(dtype, pattern(seed, IntStream.of(dims).reduce(1, (a, b) -> a * b)), dims);
    }

    /** Backward of {@code (y * pattern(9)).sum()}; returns y. */
    static Tensor weigh(Tensor y) {
        PyTorchValues.backward(y, pattern(9, (int) y.size()));
        return y;
    }

    static void assertMatches(String what, double[] expected, int[] dims, Tensor actual) {
        assertValues(what + " " + actual.dtype(), expected, dims, actual, PyTorchValues.tolerance(actual.dtype()));
    }

    private static Tensor arange(DType dtype, int... dims) {
        return Tensor.fromArray(IntStream.range(0, IntStream.of(dims).reduce(1, (a, b) -> a * b)).asDoubleStream()
                .toArray(), dims).to(dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void diagonalTakesTheOffsetDiagonalOfAnyTwoAxesAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, 1, 2, 3, 4);
        assertMatches("diagonal", DIAGONAL, new int[] {3, 2}, weigh(x.diagonal(1, 0, 2)));
        assertMatches("gradient", DIAGONAL_GRAD, new int[] {2, 3, 4}, x.grad());
        assertMatches("diagonal below", DIAGONAL_BELOW, new int[] {2, 3}, x.diagonal(-1, -1, -2));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void diagBuildsAMatrixFromAVectorAndReadsOneFromAMatrixAsPyTorch(DType dtype) {
        Tensor v = leaf(dtype, 2, 3);
        assertMatches("diag of a vector", DIAG_OF_VECTOR, new int[] {4, 4}, weigh(v.diag(1)));
        assertMatches("gradient", DIAG_OF_VECTOR_GRAD, new int[] {3}, v.grad());
        Tensor m = leaf(dtype, 3, 3, 4);
        assertMatches("diag of a matrix", DIAG_OF_MATRIX, new int[] {2}, m.diag(-1));
        Tensor trace = m.trace();
        trace.backward();
        assertMatches("trace", TRACE, new int[] {}, trace);
        assertMatches("trace gradient", TRACE_GRAD, new int[] {3, 4}, m.grad());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void diagEmbedPlacesTheMatricesInTheGivenAxesAsPyTorch(DType dtype) {
        Tensor e = leaf(dtype, 4, 2, 3);
        assertMatches("diagEmbed", DIAG_EMBED, new int[] {4, 2, 4}, weigh(e.diagEmbed(-1, 0, 2)));
        assertMatches("gradient", DIAG_EMBED_GRAD, new int[] {2, 3}, e.grad());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void outerAndKronMultiplyEveryPairAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, 5, 3);
        Tensor b = leaf(dtype, 6, 4);
        assertMatches("outer", OUTER, new int[] {3, 4}, weigh(a.outer(b)));
        assertMatches("outer gradient a", OUTER_GRAD_A, new int[] {3}, a.grad());
        assertMatches("outer gradient b", OUTER_GRAD_B, new int[] {4}, b.grad());
        Tensor c = leaf(dtype, 7, 2, 3);
        Tensor d = leaf(dtype, 8, 2, 1, 2);
        assertMatches("kron", KRON, new int[] {2, 2, 6}, weigh(c.kron(d)));
        assertMatches("kron gradient a", KRON_GRAD_A, new int[] {2, 3}, c.grad());
        assertMatches("kron gradient b", KRON_GRAD_B, new int[] {2, 1, 2}, d.grad());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tensordotContractsPairedAxesAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, 10, 2, 3, 4);
        Tensor b = leaf(dtype, 11, 4, 3, 5);
        assertMatches("tensordot", TENSORDOT, new int[] {2, 5},
                weigh(F.tensordot(a, b, new int[] {1, 2}, new int[] {1, 0})));
        assertMatches("gradient a", TENSORDOT_GRAD_A, new int[] {2, 3, 4}, a.grad());
        assertMatches("gradient b", TENSORDOT_GRAD_B, new int[] {4, 3, 5}, b.grad());
        assertMatches("tensordot 1", TENSORDOT_ONE, new int[] {2, 3, 5},
                F.tensordot(a, PyTorchValues.tensor(dtype, pattern(12, 20), 4, 5), 1));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossMultipliesBroadcastThreeVectorsAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, 13, 3, 4);
        Tensor b = leaf(dtype, 14, 3, 1);
        assertMatches("cross", CROSS, new int[] {3, 4}, weigh(a.cross(b, 0)));
        assertMatches("gradient a", CROSS_GRAD_A, new int[] {3, 4}, a.grad());
        assertMatches("gradient b", CROSS_GRAD_B, new int[] {3, 1}, b.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void movedimSwapaxesAndRot90ReorderAsPyTorchInEveryDtype(DType dtype) {
        assertMatches("movedim", MOVEDIM, new int[] {3, 4, 2},
                arange(dtype, 2, 3, 4).movedim(new int[] {0, 1}, new int[] {2, 0}));
        assertEquals(arange(dtype, 2, 3, 4).transpose(0, 2).toString(), arange(dtype, 2, 3, 4).swapaxes(0, 2).toString());
        Tensor r = arange(dtype, 3, 4);
        assertMatches("rot90", ROT90, new int[] {4, 3}, r.rot90(1, 0, 1));
        assertMatches("rot90 -1", ROT90_MINUS_ONE, new int[] {4, 3}, r.rot90(-1, 0, 1));
        assertMatches("rot90 2", ROT90_TWO, new int[] {3, 4}, r.rot90(2, 1, 0));
        assertMatches("rot90 5", ROT90, new int[] {4, 3}, r.rot90(5, 0, 1));
    }

    @Test
    void rot90sGradientIsTheOppositeTurn() {
        Tensor r = arange(DType.F64, 3, 4).requiresGrad(true);
        weigh(r.rot90(1, 0, 1));
        assertMatches("gradient", ROT90_GRAD, new int[] {3, 4}, r.grad());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void repeatAndTileCopyTheWholeTensorAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, 15, 2, 3);
        assertMatches("repeat", REPEAT, new int[] {2, 2, 6}, weigh(x.repeat(2, 1, 2)));
        assertMatches("gradient", REPEAT_GRAD, new int[] {2, 3}, x.grad());
        assertMatches("tile", TILE, new int[] {2, 6}, x.tile(2));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void repeatInterleaveRepeatsEachSliceInPlaceAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, 16, 3, 2);
        assertMatches("repeatInterleave", REPEAT_INTERLEAVE, new int[] {3, 2},
                weigh(x.repeatInterleave(Tensor.fromArray(new long[] {1, 0, 2}, 3), 0)));
        assertMatches("gradient", REPEAT_INTERLEAVE_GRAD, new int[] {3, 2}, x.grad());
        assertMatches("repeatInterleave 2", REPEAT_INTERLEAVE_TWO, new int[] {3, 4}, x.repeatInterleave(2, 1));
        assertMatches("one count for all", REPEAT_INTERLEAVE_TWO, new int[] {3, 4},
                x.repeatInterleave(Tensor.fromArray(new int[] {2}, 1), 1));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void meshgridAndCartesianProdAsPyTorch(DType dtype) {
        Tensor a = leaf(dtype, 17, 3);
        Tensor b = leaf(dtype, 18, 2);
        List<Tensor> ij = F.meshgrid(List.of(a, b), "ij");
        assertMatches("ij 0", MESHGRID_IJ_0, new int[] {3, 2}, ij.get(0));
        assertMatches("ij 1", MESHGRID_IJ_1, new int[] {3, 2}, ij.get(1));
        List<Tensor> xy = F.meshgrid(List.of(a, b), "xy");
        assertMatches("xy 0", MESHGRID_XY_0, new int[] {2, 3}, xy.get(0));
        assertMatches("xy 1", MESHGRID_XY_1, new int[] {2, 3}, xy.get(1));
        xy.get(0).mul(PyTorchValues.tensor(dtype, pattern(9, 6), 2, 3))
                .add(xy.get(1).mul(PyTorchValues.tensor(dtype, pattern(19, 6), 2, 3))).sum().backward();
        assertMatches("xy gradient a", MESHGRID_XY_GRAD_A, new int[] {3}, a.grad());
        assertMatches("xy gradient b", MESHGRID_XY_GRAD_B, new int[] {2}, b.grad());
        assertMatches("cartesianProd", CARTESIAN_PROD, new int[] {12, 3},
                F.cartesianProd(List.of(a, b, PyTorchValues.tensor(dtype, pattern(20, 2), 2))));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void diffTakesRepeatedDifferencesWithPrependedAndAppendedValuesAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, 21, 2, 5);
        Tensor before = leaf(dtype, 22, 2, 1);
        Tensor after = leaf(dtype, 23, 2, 2);
        assertMatches("diff", DIFF, new int[] {2, 6}, weigh(x.diff(2, 1, before, after)));
        assertMatches("gradient x", DIFF_GRAD_X, new int[] {2, 5}, x.grad());
        assertMatches("gradient before", DIFF_GRAD_BEFORE, new int[] {2, 1}, before.grad());
        assertMatches("gradient after", DIFF_GRAD_AFTER, new int[] {2, 2}, after.grad());
        assertMatches("diff rows", DIFF_ROWS, new int[] {1, 5}, x.diff(0));
        assertEquals(Shape.of(2, 0), x.diff(7, 1, null, null).shape());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "I32", "I64"})
    void theRearrangingOpsKeepEveryDtype(DType dtype) {
        Tensor exact = arange(DType.F64, 2, 3, 4);
        Tensor x = exact.to(dtype);
        Tensor counts = Tensor.fromArray(new int[] {2, 0, 1}, 3);
        for (var op : List.<UnaryOperator<Tensor>>of(t -> t.diagonal(1, 0, 2), t -> t.diagEmbed(1, 0, 2),
                t -> t.reshape(24).diag(-1), t -> t.rot90(3, 2, 1), t -> t.repeat(2, 1, 1, 2), t -> t.tile(2),
                t -> t.repeat(0, 1, 1), t -> t.repeatInterleave(2, 1), t -> t.repeatInterleave(counts, 1),
                t -> F.meshgrid(List.of(t.reshape(24).narrow(0, 0, 3), t.reshape(24).narrow(0, 5, 2)), "xy").get(0),
                t -> F.cartesianProd(List.of(t.reshape(24).narrow(0, 0, 3), t.reshape(24).narrow(0, 5, 2))))) {
            Tensor y = op.apply(x);
            assertEquals(dtype, y.dtype());
            assertValues(dtype.toString(), op.apply(exact).toDoubleArray(), y.shape().dims(), y, 0);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 3, 4, 5).requiresGrad(true);
        Tensor v = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
        Tensor y = Tensor.randn(DType.F64, 3, 5).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 5, 2).requiresGrad(true);
        GradCheck.check("diagonal", in -> in[0].diagonal(-1, 2, 0), x);
        GradCheck.check("diagEmbed", in -> in[0].diagEmbed(2, 1, 0), v);
        GradCheck.check("diag", in -> in[0].reshape(6).diag(-2), v);
        GradCheck.check("trace", in -> in[0].trace(), y);
        GradCheck.check("outer", in -> in[0].reshape(6).outer(in[1].reshape(15)), v, y);
        GradCheck.check("kron", in -> in[0].kron(in[1]), v, w);
        GradCheck.check("tensordot", in -> F.tensordot(in[0], in[1], new int[] {2}, new int[] {0}), x, w);
        GradCheck.check("cross", in -> in[0].cross(in[1].narrow(0, 0, 1).narrow(1, 0, 3), -1), v, y);
        GradCheck.check("movedim", in -> in[0].movedim(0, 2), x);
        GradCheck.check("rot90", in -> in[0].rot90(3, 2, 1), x);
        GradCheck.check("repeat", in -> in[0].repeat(2, 1, 3), v);
        GradCheck.check("tile", in -> in[0].tile(2), v);
        GradCheck.check("repeatInterleave", in -> in[0].repeatInterleave(Tensor.fromArray(new long[] {2, 0, 1}, 3), 0),
                y);
        GradCheck.check("meshgrid", in -> {
            List<Tensor> grids = F.meshgrid(List.of(in[0].reshape(6), in[1].reshape(10)), "xy");
            return grids.get(0).mul(grids.get(1));
        }, v, w);
        GradCheck.check("cartesianProd", in -> F.cartesianProd(List.of(in[0].reshape(6), in[1].reshape(10))), v, w);
        GradCheck.check("diff", in -> in[0].diff(2, 1, in[1].narrow(1, 0, 1), in[1]), y, y.narrow(1, 0, 2).detach()
                .requiresGrad(true));
    }

    @Test
    void secondDerivativesMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        for (var op : List.<UnaryOperator<Tensor>>of(t -> t.diagonal(1, 0, 1), t -> t.diagEmbed(-1, 0, 2),
                t -> t.rot90(1, 0, 1), t -> t.repeat(2, 1), t -> t.kron(t), t -> t.diff(2, 1, t, null),
                t -> t.narrow(1, 0, 3).cross(t.narrow(1, 1, 3), 0))) {
            DoubleBackwardTest.checkSecondOrder("op", in -> op.apply(in[0]).square(), x);
        }
    }

    @Test
    void badArgumentsAreNamedWithWhatWasExpected() {
        Tensor m = Tensor.zeros(DType.F64, 2, 3);
        assertMessage("diagonal: dim1 1 and dim2 -1 are the same axis 1 of shape [2, 3]; they must differ",
                () -> m.diagonal(0, 1, -1));
        assertMessage("diag: needs a vector or a matrix, got shape [2, 3, 1]", () -> m.reshape(2, 3, 1).diag(0));
        assertMessage("trace: needs a matrix, got shape [6]", () -> m.reshape(6).trace());
        assertMessage("outer: needs two vectors, got shapes [2, 3] and [2, 3]", () -> m.outer(m));
        assertMessage("tensordot: axis 1 of a [2, 3] has size 3 but axis 0 of b [2, 3] has size 2",
                () -> F.tensordot(m, m, 1));
        assertMessage("cross: input [2, 3] must have size 3 along axis 0 of the broadcast shape [2, 3], got size 2",
                () -> m.cross(m, 0));
        assertMessage("movedim: source [0] and destination [1, 0] must have as many axes, got 1 and 2",
                () -> m.movedim(new int[] {0}, new int[] {1, 0}));
        assertMessage("rot90: dims [1, -1] name axis 1 of shape [2, 3] twice; they must differ", () -> m.rot90(1, 1, -1));
        assertMessage("repeat: [2] gives 1 repeats for a tensor of shape [2, 3]; give at least one per axis (2)",
                () -> m.repeat(2));
        assertMessage("repeatInterleave: repeats [2] must hold one count per slice (3, axis 1 of [2, 3]) or one for"
                + " all, got 2", () -> m.repeatInterleave(Tensor.fromArray(new long[] {1, 2}, 2), 1));
        assertMessage("meshgrid: indexing must be \"ij\" or \"xy\", got yx", () -> F.meshgrid(List.of(m), "yx"));
        assertMessage("diff: append [2, 3, 1] must have the shape of the input [2, 3] but along axis 1",
                () -> m.diff(1, 1, null, m.reshape(2, 3, 1)));
        assertMessage("diff: n must not be negative, got -1", () -> m.diff(-1, 0, null, null));
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    // Printed by models/src/test/pytorch/tensor_ops.py shape (PyTorch 1.13.0a0)
    // torch.diagonal(x, 1, 0, 2), x = pattern(1, 2, 3, 4): [3, 2]
    private static final double[] DIAGONAL = {0.25, 1.0, -0.5, 0.25, 0.875, -0.5};
    // x.grad: [2, 3, 4]
    private static final double[] DIAGONAL_GRAD = {0.0, 0.25, 0.0, 0.0, 0.0, -0.125, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.375, 0.0};
    // torch.diagonal(x, -1, -1, -2): [2, 3]
    private static final double[] DIAGONAL_BELOW = {0.25, 0.375, 0.5, 0.125, 0.25, 0.375};
    // torch.diag(v, 1), v = pattern(2, 3): [4, 4]
    private static final double[] DIAG_OF_VECTOR = {0.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.625, 0.0, 0.0, 0.0, 0.0, -0.625, 0.0, 0.0, 0.0, 0.0};
    // v.grad: [3]
    private static final double[] DIAG_OF_VECTOR_GRAD = {-1.0, -0.875, -0.75};
    // torch.diag(m, -1), m = pattern(3, 3, 4): [2]
    private static final double[] DIAG_OF_MATRIX = {-0.625, -0.5};
    // torch.trace(m): [1]
    private static final double[] TRACE = {0.75};
    // m.grad of torch.trace(m): [3, 4]
    private static final double[] TRACE_GRAD = {1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0};
    // torch.diag_embed(e, -1, 0, 2), e = pattern(4, 2, 3): [4, 2, 4]
    private static final double[] DIAG_EMBED = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.125, 0.0, 0.0, 0.0, 0.625, 0.0};
    // e.grad: [2, 3]
    private static final double[] DIAG_EMBED_GRAD = {0.875, 0.25, -0.375, 0.125, -0.5, 1.0};
    // torch.outer(a, b), a = pattern(5, 3), b = pattern(6, 4): [3, 4]
    private static final double[] OUTER = {-0.765625, 0.0, 0.765625, -0.328125, 0.328125, -0.0, -0.328125, 0.140625, -0.4375, 0.0, 0.4375, -0.1875};
    // a.grad: [3]
    private static final double[] OUTER_GRAD_A = {-0.609375, -0.328125, -0.046875};
    // b.grad: [4]
    private static final double[] OUTER_GRAD_B = {0.84375, -1.203125, 0.46875, 0.28125};
    // torch.kron(a, b), a = pattern(7, 2, 3), b = pattern(8, 2, 1, 2): [2, 2, 6]
    private static final double[] KRON = {0.0625, -0.375, -0.046875, 0.28125, 0.109375, -0.65625, -0.0, 0.0, -0.109375, 0.65625, 0.046875, -0.28125, 0.25, -0.1875, -0.1875, 0.140625, 0.4375, -0.328125, -0.0, 0.0, -0.4375, 0.328125, 0.1875, -0.140625};
    // a.grad: [2, 3]
    private static final double[] KRON_GRAD_A = {-0.46875, 0.9375, 0.75, 0.5625, -0.953125, -1.140625};
    // b.grad: [2, 1, 2]
    private static final double[] KRON_GRAD_B = {0.84375, 0.40625, 0.90625, -0.59375};
    // torch.tensordot(a, b, dims=([1, 2], [1, 0])), a = pattern(10, 2, 3, 4), b = pattern(11, 4, 3, 5): [2, 5]
    private static final double[] TENSORDOT = {1.390625, 0.3125, -1.828125, -0.25, 0.53125, 1.78125, 1.78125, -2.46875, 0.71875, -1.140625};
    // a.grad: [2, 3, 4]
    private static final double[] TENSORDOT_GRAD_A = {-0.171875, -0.9375, -0.90625, -0.078125, -0.78125, -0.75, 0.078125, -0.15625, -0.859375, -0.828125, 0.0, 1.890625, -0.046875, -0.84375, -0.84375, -0.046875, -0.84375, -0.84375, -0.046875, -0.046875, -0.84375, -0.84375, -0.046875, 1.8125};
    // b.grad: [4, 3, 5]
    private static final double[] TENSORDOT_GRAD_B = {0.34375, -1.0625, -0.078125, 0.90625, -0.5, -0.125, 0.34375, 0.015625, -0.3125, 0.15625, -0.59375, 1.75, 0.109375, -1.53125, 0.8125, -0.4375, 1.28125, 0.078125, -1.125, 0.59375, 0.421875, -1.296875, -0.09375, 1.109375, -0.609375, -0.046875, 0.109375, 0.0, -0.109375, 0.046875, 0.109375, -0.359375, -0.03125, 0.296875, -0.171875, -0.359375, 1.046875, 0.0625, -0.921875, 0.484375, 0.5, -1.53125, -0.109375, 1.3125, -0.71875, 0.125, 0.125, 0.125, 0.125, 0.125, 0.1875, -0.59375, -0.046875, 0.5, -0.28125, -0.28125, 0.8125, 0.046875, -0.71875, 0.375};
    // torch.tensordot(a, c, 1), c = pattern(12, 4, 5): [2, 3, 5]
    private static final double[] TENSORDOT_ONE = {0.171875, -0.484375, 1.78125, -0.203125, -0.859375, -0.265625, 0.171875, -0.71875, -0.015625, 0.421875, 0.359375, 0.03125, -1.359375, 0.171875, -0.15625, -0.34375, 0.421875, 0.390625, 0.09375, 0.859375, 0.015625, 0.015625, -0.515625, 0.015625, 0.015625, 0.640625, -0.125, -1.15625, 0.203125, -0.5625};
    // torch.linalg.cross(a, b, dim=0), a = pattern(13, 3, 4), b = pattern(14, 3, 1): [3, 4]
    private static final double[] CROSS = {-0.59375, 0.96875, -0.125, -0.421875, -0.140625, 0.1875, -0.28125, 0.046875, -0.328125, 0.4375, -0.65625, 0.109375};
    // a.grad: [3, 4]
    private static final double[] CROSS_GRAD_A = {0.578125, -0.1875, 0.109375, -0.65625, -0.09375, 0.375, 0.046875, -0.28125, -0.21875, 0.875, 0.109375, -0.65625};
    // b.grad: [3, 1]
    private static final double[] CROSS_GRAD_B = {-2.140625, -2.625, -1.078125};
    // torch.movedim(r, (0, 1), (2, 0)), r = arange(24).reshape(2, 3, 4): [3, 4, 2]
    private static final double[] MOVEDIM = {0.0, 12.0, 1.0, 13.0, 2.0, 14.0, 3.0, 15.0, 4.0, 16.0, 5.0, 17.0, 6.0, 18.0, 7.0, 19.0, 8.0, 20.0, 9.0, 21.0, 10.0, 22.0, 11.0, 23.0};
    // torch.rot90(r, 1, [0, 1]), r = arange(12).reshape(3, 4): [4, 3]
    private static final double[] ROT90 = {3.0, 7.0, 11.0, 2.0, 6.0, 10.0, 1.0, 5.0, 9.0, 0.0, 4.0, 8.0};
    // r.grad: [3, 4]
    private static final double[] ROT90_GRAD = {-0.375, -0.875, 0.75, 0.25, 0.5, 0.0, -0.5, -1.0, -0.75, 0.875, 0.375, -0.125};
    // torch.rot90(r, -1, [0, 1]): [4, 3]
    private static final double[] ROT90_MINUS_ONE = {8.0, 4.0, 0.0, 9.0, 5.0, 1.0, 10.0, 6.0, 2.0, 11.0, 7.0, 3.0};
    // torch.rot90(r, 2, [1, 0]): [3, 4]
    private static final double[] ROT90_TWO = {11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0};
    // x.repeat(2, 1, 2), x = pattern(15, 2, 3): [2, 2, 6]
    private static final double[] REPEAT = {0.375, -0.875, 0.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, 0.875, -0.375, 0.5, 0.375, -0.875, 0.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, 0.875, -0.375, 0.5};
    // x.grad: [2, 3]
    private static final double[] REPEAT_GRAD = {1.75, -1.125, 0.25, -2.75, 0.75, 0.0};
    // x.tile((2,)): [2, 6]
    private static final double[] TILE = {0.375, -0.875, 0.0, 0.375, -0.875, 0.0, 0.875, -0.375, 0.5, 0.875, -0.375, 0.5};
    // torch.repeat_interleave(x, tensor([1, 0, 2]), dim=0), x = pattern(16, 3, 2): [3, 2]
    private static final double[] REPEAT_INTERLEAVE = {0.75, -0.5, 0.0, 0.875, 0.0, 0.875};
    // x.grad: [3, 2]
    private static final double[] REPEAT_INTERLEAVE_GRAD = {0.25, -1.0, 0.0, 0.0, -0.625, 1.125};
    // torch.repeat_interleave(x, 2, dim=1): [3, 4]
    private static final double[] REPEAT_INTERLEAVE_TWO = {0.75, 0.75, -0.5, -0.5, 0.375, 0.375, -0.875, -0.875, 0.0, 0.0, 0.875, 0.875};
    // torch.meshgrid(a, b, indexing='ij')[0], a = pattern(17, 3), b = pattern(18, 2): [3, 2]
    private static final double[] MESHGRID_IJ_0 = {-1.0, -1.0, -0.125, -0.125, 0.75, 0.75};
    // torch.meshgrid(a, b, indexing='ij')[1]: [3, 2]
    private static final double[] MESHGRID_IJ_1 = {-0.625, 0.25, -0.625, 0.25, -0.625, 0.25};
    // torch.meshgrid(a, b, indexing='xy')[0]: [2, 3]
    private static final double[] MESHGRID_XY_0 = {-1.0, -0.125, 0.75, -1.0, -0.125, 0.75};
    // torch.meshgrid(a, b, indexing='xy')[1]: [2, 3]
    private static final double[] MESHGRID_XY_1 = {-0.625, -0.625, -0.625, 0.25, 0.25, 0.25};
    // a.grad of (xy[0] * pattern(9, 2, 3) + xy[1] * pattern(19, 2, 3)).sum(): [3]
    private static final double[] MESHGRID_XY_GRAD_A = {1.0, -1.5, 0.25};
    // b.grad: [2]
    private static final double[] MESHGRID_XY_GRAD_B = {-0.25, -0.875};
    // torch.cartesian_prod(a, b, c), c = pattern(20, 2): [12, 3]
    private static final double[] CARTESIAN_PROD = {-1.0, -0.625, 0.125, -1.0, -0.625, 1.0, -1.0, 0.25, 0.125, -1.0, 0.25, 1.0, -0.125, -0.625, 0.125, -0.125, -0.625, 1.0, -0.125, 0.25, 0.125, -0.125, 0.25, 1.0, 0.75, -0.625, 0.125, 0.75, -0.625, 1.0, 0.75, 0.25, 0.125, 0.75, 0.25, 1.0};
    // torch.diff(x, 2, 1, before, after), x = pattern(21, 2, 5), before = pattern(22, 2, 1), after = pattern(23, 2, 2): [2, 6]
    private static final double[] DIFF = {-0.875, 2.125, 0.0, -2.125, 0.625, 1.5, -2.25, 2.125, -2.125, 2.125, 0.125, -2.25};
    // x.grad: [2, 5]
    private static final double[] DIFF_GRAD_X = {-1.5, 2.125, 0.0, -2.125, 2.125, 1.75, 0.0, -2.125, 2.125, -2.125};
    // before.grad: [2, 1]
    private static final double[] DIFF_GRAD_BEFORE = {0.25, -0.875};
    // after.grad: [2, 2]
    private static final double[] DIFF_GRAD_AFTER = {-1.25, 0.375, 2.0, -0.75};
    // torch.diff(x, dim=0): [1, 5]
    private static final double[] DIFF_ROWS = {0.125, 0.125, 0.125, -2.0, 0.125};
}
