package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Histogram;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * F.triuIndices, trilIndices, blockDiag, vander, trapezoid, cumulativeTrapezoid, renorm, unravelIndex (PyTorch 2's
 * formula), linspace, logspace and histogram against the values and gradients PyTorch 1.13 printed in F64 (to 1e-12)
 * and F32; the gradient is that of {@code (y * w).sum()}, w = 1 + 0.5 (k mod 4); a histogram is compared as its counts
 * then its edges. Then F64 gradient checks (second order where composed), and the errors.
 */
class ConstructionOpsPyTorchParityTest {
    private static final double F64_TOLERANCE = 1e-12;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorchWithItsGradients(String name, DType dtype, Function<Tensor[], Tensor> op, double[][] inputs,
                                        int[][] dims, double[] values, double[][] gradients) {
        double tol = dtype == DType.F64 ? F64_TOLERANCE : PyTorchValues.tolerance(dtype);
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = PyTorchValues.leaf(dtype, inputs[i], dims[i]);
        }
        Tensor y = op.apply(in);
        PyTorchValues.assertValues(name + " " + dtype, values, y.shape().dims(), y, tol);
        if (gradients.length == 0) {
            return;
        }
        double[] w = new double[(int) y.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = 1 + 0.5 * (k % 4);
        }
        PyTorchValues.backward(y, w);
        for (int i = 0; i < in.length; i++) {
            PyTorchValues.assertValues(name + " " + dtype + " gradient of input " + i, gradients[i], dims[i],
                    in[i].grad(), tol);
        }
    }

    @Test
    void composedOpsHaveFiniteDifferenceGradientsOfFirstAndSecondOrder() {
        Tensor y = StatisticsPyTorchParityTest.distinct(3, 5);
        Tensor x = Tensor.fromArray(new double[] {0, 0.5, 1.5, 1.75, 3}, 5).requiresGrad(true);
        GradCheck.check("blockDiag", in -> F.blockDiag(in[0], in[1].narrow(0, 0, 2)), y, x);
        DoubleBackwardTest.checkSecondOrder("vander", in -> F.vander(in[0], 4, false), x);
        DoubleBackwardTest.checkSecondOrder("trapezoid", in -> F.trapezoid(in[0], in[1], 1), y, x);
        DoubleBackwardTest.checkSecondOrder("cumulativeTrapezoid", in -> F.cumulativeTrapezoid(in[0], in[1], 1), y, x);
        GradCheck.check("trapezoid dx", in -> F.trapezoid(in[0], 0.5, 0), y);
        GradCheck.check("cumulativeTrapezoid dx", in -> F.cumulativeTrapezoid(in[0], 0.5, 0), y);
        DoubleBackwardTest.checkSecondOrder("renorm p=2", in -> in[0].renorm(2, 0, 2), y);
        DoubleBackwardTest.checkSecondOrder("renorm p=3", in -> in[0].renorm(3, 1, 1), y);
    }

    @Test
    void aVanderOfIntegersIsI64() {
        Tensor v = F.vander(Tensor.fromArray(new int[] {2, -3}, 2), 3, false);
        assertEquals(DType.I64, v.dtype());
        assertArrayEquals(new long[] {4, 2, 1, 9, -3, 1}, v.toLongArray());
    }

    @Test
    void blockDiagTakesAScalarAsOneByOne() {
        Tensor b = F.blockDiag(Tensor.full(5, DType.F64), Tensor.fromArray(new double[] {1, 2}, 2));
        assertArrayEquals(new int[] {2, 3}, b.shape().dims());
        assertArrayEquals(new double[] {5, 0, 0, 0, 1, 2}, b.toDoubleArray());
    }

    @Test
    void trapezoidOfNoSamplesIsZeroAndItsRunningIntegralIsEmpty() {
        Tensor y = Tensor.zeros(DType.F64, 3, 0);
        assertArrayEquals(new double[] {0, 0, 0}, F.trapezoid(y, 1, 1).toDoubleArray());
        assertArrayEquals(new int[] {3, 0}, F.cumulativeTrapezoid(y, 1, 1).shape().dims());
    }

    @Test
    void trapezoidRefusesSamplePointsOfAnotherLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.trapezoid(Tensor.ones(DType.F64, 3, 5), Tensor.ones(DType.F64, 4), 1));
        assertEquals("trapezoid: x [4] must hold one point per sample, 5 along axis 1 of y [3, 5], got 4",
                e.getMessage());
    }

    @Test
    void renormRefusesANonPositiveOrderANegativeMaxnormAndAVector() {
        Tensor x = Tensor.ones(DType.F64, 2, 2);
        assertEquals("renorm: p must be positive (or Double.POSITIVE_INFINITY), got 0.0", assertThrows(
                IllegalArgumentException.class, () -> x.renorm(0, 0, 1)).getMessage());
        assertEquals("renorm: maxnorm must be >= 0, got -1.0", assertThrows(
                IllegalArgumentException.class, () -> x.renorm(2, 0, -1)).getMessage());
        assertEquals("renorm: input needs at least 2 dimensions, got [2]", assertThrows(
                IllegalArgumentException.class, () -> Tensor.ones(DType.F64, 2).renorm(2, 0, 1)).getMessage());
    }

    @Test
    void constructionsRefuseWhatTheyCannotBuild() {
        assertEquals("vander: x must be 1-D, got [2, 2]", assertThrows(IllegalArgumentException.class,
                () -> F.vander(Tensor.ones(DType.F64, 2, 2), 2, false)).getMessage());
        assertEquals("blockDiag: tensor 1 must have 2 or fewer dimensions, got [1, 1, 1]", assertThrows(
                IllegalArgumentException.class, () -> F.blockDiag(Tensor.ones(DType.F64, 2, 2),
                        Tensor.ones(DType.F64, 1, 1, 1))).getMessage());
        assertEquals("linspace: steps must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
                () -> F.linspace(0, 1, -1)).getMessage());
        assertEquals("triuIndices: the row and column counts must be >= 0, got -1 and 3", assertThrows(
                IllegalArgumentException.class, () -> F.triuIndices(-1, 3, 0)).getMessage());
    }

    @Test
    void unravelIndexRefusesFloatingIndicesAndEmptySizes() {
        assertEquals("unravelIndex: indices must be I32 or I64, got F64", assertThrows(IllegalArgumentException.class,
                () -> F.unravelIndex(Tensor.ones(DType.F64, 2), 2, 3)).getMessage());
        assertEquals("unravelIndex: shape [2, 0] must have positive sizes, got 0 at axis 1", assertThrows(
                IllegalArgumentException.class, () -> F.unravelIndex(Tensor.fromArray(new long[] {1}, 1), 2, 0))
                .getMessage());
    }

    @Test
    void histogramRefusesNoBinsAnUnorderedRangeAndTheRangeOfNaN() {
        Tensor x = Tensor.fromArray(new double[] {1, NAN}, 2);
        assertEquals("histogram: bins must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> F.histogram(x, 0, 0, 1, null, false)).getMessage());
        assertEquals("histogram: expected a finite range with min <= max, got [2.0, 1.0]", assertThrows(
                IllegalArgumentException.class, () -> F.histogram(x, 3, 2, 1, null, false)).getMessage());
        assertEquals("histogram: expected a finite range with min <= max, got [NaN, NaN]", assertThrows(
                IllegalArgumentException.class, () -> F.histogram(x, 3, null, false)).getMessage());
    }

    /**
     * PyTorch 1.13 counts NaN, as printed by {@code models/src/test/pytorch/histogram_nan.py}: with bins over a range in
     * bin 1 (bin 0 of one), where its linear estimate from NaN cast to an integer lands; with edges in the last bin.
     */
    @Test
    void histogramOfBinsOverARangeCountsNaNInBinOne() {
        Tensor x = Tensor.fromArray(new double[] {1, NAN, 2, NAN, 0.5}, 5);
        Tensor w = Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 5);
        assertArrayEquals(new double[] {5}, F.histogram(x, 1, 0, 3, null, false).hist().toDoubleArray());
        assertArrayEquals(new double[] {2, 3}, F.histogram(x, 2, 0, 3, null, false).hist().toDoubleArray());
        assertArrayEquals(new double[] {1, 3, 1}, F.histogram(x, 3, 0, 3, null, false).hist().toDoubleArray());
        assertArrayEquals(new double[] {5, 7, 3}, F.histogram(x, 3, 0, 3, w, false).hist().toDoubleArray());
        assertArrayEquals(new double[] {0.26666666666666666, 0.7999999999999999, 0.26666666666666666, 0},
                F.histogram(x, 4, 0, 3, null, true).hist().toDoubleArray(), 1e-15);
    }

    @Test
    void histogramOfEdgesCountsNaNInTheLastBin() {
        Tensor x = Tensor.fromArray(new double[] {1, NAN, 2, NAN, 0.5}, 5);
        Tensor w = Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 5);
        Tensor edges = Tensor.fromArray(new double[] {0, 1, 2, 3}, 4);
        assertArrayEquals(new double[] {5, 1, 9}, F.histogram(x, edges, w, false).hist().toDoubleArray());
        assertArrayEquals(new double[] {0.2, 0.2, 0.6}, F.histogram(x, edges, null, true).hist().toDoubleArray(),
                1e-15);
        assertArrayEquals(new double[] {4}, F.histogram(x, Tensor.fromArray(new double[] {0, 1.5}, 2), null, false)
                .hist().toDoubleArray());
    }

    private static Tensor joined(Histogram h) {
        return Tensor.cat(List.of(h.hist(), h.binEdges()), 0);
    }

    /** One case in F64 and in F32, each against PyTorch's values in that dtype. */
    private static Stream<Arguments> cases(String name, Function<Tensor[], Tensor> op, double[][] inputs, int[][] dims,
                                           double[] values64, double[][] gradients64, double[] values32,
                                           double[][] gradients32) {
        return Stream.of(Arguments.of(name, DType.F64, op, inputs, dims, values64, gradients64),
                Arguments.of(name, DType.F32, op, inputs, dims, values32, gradients32));
    }

    // Printed by models/src/test/pytorch/construction.py (PyTorch 1.13.0a0).

    static Stream<Arguments> cases() {
        return Stream.of(
                cases("triuIndices 4 5 1", in -> F.triuIndices(4, 5, 1).to(in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0,
                    3.0, 4.0, 4.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0,
                    3.0, 4.0, 4.0},
                    new double[][] {}),
                cases("triuIndices 4 5 -1", in -> F.triuIndices(4, 5, -1).to(in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0,
                    0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0,
                    0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0},
                    new double[][] {}),
                cases("trilIndices 4 5 0", in -> F.trilIndices(4, 5, 0).to(in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0,
                    1.0, 2.0, 3.0},
                    new double[][] {},
                    new double[] {0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0,
                    1.0, 2.0, 3.0},
                    new double[][] {}),
                cases("trilIndices 5 2 2", in -> F.trilIndices(5, 2, 2).to(in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0,
                    1.0, 0.0, 1.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0,
                    1.0, 0.0, 1.0},
                    new double[][] {}),
                cases("trilIndices 3 3 -1", in -> F.trilIndices(3, 3, -1).to(in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {1.0, 2.0, 2.0, 0.0, 0.0, 1.0},
                    new double[][] {},
                    new double[] {1.0, 2.0, 2.0, 0.0, 0.0, 1.0},
                    new double[][] {}),
                cases("blockDiag", in -> F.blockDiag(in[0], in[1], in[2]),
                    new double[][] {{0.5, -1.0, 2.0, 1.5, 0.25, -0.75},
                    {3.0, -2.0, 0.5},
                    {1.0, 2.0, -1.5, 4.0}},
                    new int[][] {{2, 3}, {3}, {2, 2}},
                    new double[] {0.5, -1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.25, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 3.0, -2.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, -1.5, 4.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 1.0, 1.5, 2.0},
                    {2.5, 1.0, 1.5},
                    {2.0, 2.5, 2.0, 2.5}},
                    new double[] {0.5, -1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.25, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 3.0, -2.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, -1.5, 4.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 1.0, 1.5, 2.0},
                    {2.5, 1.0, 1.5},
                    {2.0, 2.5, 2.0, 2.5}}),
                cases("vander", in -> F.vander(in[0], 5, false),
                    new double[][] {{2.0, -1.0, 0.0, 0.5, 3.0}},
                    new int[][] {{5}},
                    new double[] {16.0, 8.0, 4.0, 2.0, 1.0, 1.0, -1.0, 1.0, -1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0625,
                    0.125, 0.25, 0.5, 1.0, 81.0, 27.0, 9.0, 3.0, 1.0},
                    new double[][] {
                    {60.5, -4.0, 1.5, 5.5, 163.0}},
                    new double[] {16.0, 8.0, 4.0, 2.0, 1.0, 1.0, -1.0, 1.0, -1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0625,
                    0.125, 0.25, 0.5, 1.0, 81.0, 27.0, 9.0, 3.0, 1.0},
                    new double[][] {
                    {60.5, -4.0, 1.5, 5.5, 163.0}}),
                cases("vander increasing n=3", in -> F.vander(in[0], 3, true),
                    new double[][] {{2.0, -1.0, 0.0, 0.5, 3.0}},
                    new int[][] {{5}},
                    new double[] {1.0, 2.0, 4.0, 1.0, -1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.5, 0.25, 1.0, 3.0, 9.0},
                    new double[][] {
                    {9.5, -2.0, 2.5, 4.5, 13.5}},
                    new double[] {1.0, 2.0, 4.0, 1.0, -1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.5, 0.25, 1.0, 3.0, 9.0},
                    new double[][] {
                    {9.5, -2.0, 2.5, 4.5, 13.5}}),
                cases("trapezoid x along axis 1", in -> F.trapezoid(in[0], in[1], 1),
                    new double[][] {{1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5},
                    {0.0, 0.5, 1.5, 1.75, 3.0}},
                    new int[][] {{3, 5}, {5}},
                    new double[] {4.0625, 3.6875, 4.6875},
                    new double[][] {
                    {0.25, 0.75, 0.625, 0.75, 0.625, 0.375, 1.125, 0.9375, 1.125, 0.9375, 0.5, 1.5, 1.25,
                    1.5, 1.25},
                    {-2.875, 0.0, -2.3125, -5.5, 10.6875}},
                    new double[] {4.0625, 3.6875, 4.6875},
                    new double[][] {
                    {0.25, 0.75, 0.625, 0.75, 0.625, 0.375, 1.125, 0.9375, 1.125, 0.9375, 0.5, 1.5, 1.25,
                    1.5, 1.25},
                    {-2.875, 0.0, -2.3125, -5.5, 10.6875}}),
                cases("trapezoid x of y's shape", in -> F.trapezoid(in[0], in[1], -1),
                    new double[][] {{1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5},
                    {0.0, 1.0, 2.5, 3.0, 4.5, -1.0, 0.0, 0.5, 2.0, 2.25, 1.0, 1.5, 3.0, 3.5, 5.0}},
                    new int[][] {{3, 5}, {3, 5}},
                    new double[] {6.125, 1.84375, 6.375},
                    new double[][] {
                    {0.5, 1.25, 1.0, 1.0, 0.75, 0.75, 1.125, 1.5, 1.3125, 0.1875, 0.5, 2.0, 2.0, 2.0, 1.5},
                    {-1.75, 0.75, -0.25, -0.25, 1.5, -2.625, 2.25, 0.9375, -3.75, 3.1875, 1.5, -3.0, -3.0,
                    -1.5, 6.0}},
                    new double[] {6.125, 1.84375, 6.375},
                    new double[][] {
                    {0.5, 1.25, 1.0, 1.0, 0.75, 0.75, 1.125, 1.5, 1.3125, 0.1875, 0.5, 2.0, 2.0, 2.0, 1.5},
                    {-1.75, 0.75, -0.25, -0.25, 1.5, -2.625, 2.25, 0.9375, -3.75, 3.1875, 1.5, -3.0, -3.0,
                    -1.5, 6.0}}),
                cases("trapezoid dx 0.5 axis 0", in -> F.trapezoid(in[0], 0.5, 0),
                    new double[][] {{1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5}},
                    new int[][] {{3, 5}},
                    new double[] {0.75, 1.5, -0.375, 1.75, 2.625},
                    new double[][] {
                    {0.25, 0.375, 0.5, 0.625, 0.25, 0.5, 0.75, 1.0, 1.25, 0.5, 0.25, 0.375, 0.5, 0.625,
                    0.25}},
                    new double[] {0.75, 1.5, -0.375, 1.75, 2.625},
                    new double[][] {
                    {0.25, 0.375, 0.5, 0.625, 0.25, 0.5, 0.75, 1.0, 1.25, 0.5, 0.25, 0.375, 0.5, 0.625,
                    0.25}}),
                cases("cumulativeTrapezoid x along axis 1", in -> F.cumulativeTrapezoid(in[0], in[1], 1),
                    new double[][] {{1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5},
                    {0.0, 0.5, 1.5, 1.75, 3.0}},
                    new int[][] {{3, 5}, {5}},
                    new double[] {0.875, 1.875, 2.1875, 4.0625, 0.875, 1.125, 1.03125, 3.6875, -0.375, 0.375, 0.9375,
                    4.6875},
                    new double[][] {
                    {1.75, 4.75, 3.5625, 2.125, 1.5625, 1.75, 4.75, 3.5625, 2.125, 1.5625, 1.75, 4.75,
                    3.5625, 2.125, 1.5625},
                    {-19.25, 7.25, -2.0625, -2.5, 16.5625}},
                    new double[] {0.875, 1.875, 2.1875, 4.0625, 0.875, 1.125, 1.03125, 3.6875, -0.375, 0.375, 0.9375,
                    4.6875},
                    new double[][] {
                    {1.75, 4.75, 3.5625, 2.125, 1.5625, 1.75, 4.75, 3.5625, 2.125, 1.5625, 1.75, 4.75,
                    3.5625, 2.125, 1.5625},
                    {-19.25, 7.25, -2.0625, -2.5, 16.5625}}),
                cases("cumulativeTrapezoid x of y's shape axis 0", in -> F.cumulativeTrapezoid(in[0], in[1], 0),
                    new double[][] {{1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5},
                    {0.0, 1.0, 2.5, 3.0, 4.5, -1.0, 0.0, 0.5, 2.0, 2.25, 1.0, 1.5, 3.0, 3.5, 5.0}},
                    new int[][] {{3, 5}, {3, 5}},
                    new double[] {-1.5, -2.0, 1.5, -1.625, -4.5, -1.5, -0.5, 1.5, 1.1875, 4.4375},
                    new double[][] {
                    {-1.25, -1.75, -4.5, -1.75, -2.8125, 0.25, -0.25, -1.375, -1.0, -0.75, 1.5, 1.5, 3.125,
                    0.75, 2.0625},
                    {-3.75, -7.0, 3.375, -5.6875, -5.0, 3.75, 5.0, -3.375, 3.8125, 0.125, 0.0, 2.0, 0.0,
                    1.875, 4.875}},
                    new double[] {-1.5, -2.0, 1.5, -1.625, -4.5, -1.5, -0.5, 1.5, 1.1875, 4.4375},
                    new double[][] {
                    {-1.25, -1.75, -4.5, -1.75, -2.8125, 0.25, -0.25, -1.375, -1.0, -0.75, 1.5, 1.5, 3.125,
                    0.75, 2.0625},
                    {-3.75, -7.0, 3.375, -5.6875, -5.0, 3.75, 5.0, -3.375, 3.8125, 0.125, 0.0, 2.0, 0.0,
                    1.875, 4.875}}),
                cases("cumulativeTrapezoid dx 1.5", in -> F.cumulativeTrapezoid(in[0], 1.5, -1),
                    new double[][] {{1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5}},
                    new int[][] {{3, 5}},
                    new double[] {2.625, 4.125, 6.0, 8.25, 2.625, 3.0, 2.4375, 5.625, -1.125, 0.0, 3.375, 7.875},
                    new double[][] {
                    {5.25, 9.75, 7.875, 5.25, 1.875, 5.25, 9.75, 7.875, 5.25, 1.875, 5.25, 9.75, 7.875,
                    5.25, 1.875}},
                    new double[] {2.625, 4.125, 6.0, 8.25, 2.625, 3.0, 2.4375, 5.625, -1.125, 0.0, 3.375, 7.875},
                    new double[][] {
                    {5.25, 9.75, 7.875, 5.25, 1.875, 5.25, 9.75, 7.875, 5.25, 1.875, 5.25, 9.75, 7.875,
                    5.25, 1.875}}),
                cases("renorm p=2 axis 0 maxnorm 2", in -> in[0].renorm(2, 0, 2),
                    new double[][] {{3.0, 4.0, 0.0, 1.0, 0.5, -0.25, 0.5, 1.0, -2.0, 2.0, 1.0, 0.0}},
                    new int[][] {{3, 4}},
                    new double[] {1.1766967877521815, 1.568929050336242, 0.0, 0.3922322625840605, 0.5, -0.25, 0.5, 1.0,
                    -1.3333332888888905, 1.3333332888888905, 0.6666666444444452, 0.0},
                    new double[][] {
                    {-0.12822976794538116, -0.10560098016316474, 0.784464525168121, 0.8070933129503374, 1.0,
                    1.5, 2.0, 2.5, 1.1111110592592615, 0.5555555518518515, 1.1111110814814824,
                    1.666666611111113}},
                    new double[] {1.17669677734375, 1.5689290761947632, 0.0, 0.3922322690486908, 0.5, -0.25, 0.5, 1.0,
                    -1.3333333730697632, 1.3333333730697632, 0.6666666865348816, 0.0},
                    new double[][] {
                    {-0.1282297670841217, -0.1056009829044342, 0.7844645380973816, 0.8070933222770691, 1.0,
                    1.5, 2.0, 2.5, 1.111111044883728, 0.555555522441864, 1.111111044883728,
                    1.6666666269302368}}),
                cases("renorm p=1 axis 1 maxnorm 1.5", in -> in[0].renorm(1, 1, 1.5),
                    new double[][] {{3.0, 4.0, 0.0, 1.0, 0.5, -0.25, 0.5, 1.0, -2.0, 2.0, 1.0, 0.0}},
                    new int[][] {{3, 4}},
                    new double[] {0.8181818033057854, 0.9599999846400002, 0.0, 0.7499999625000019, 0.13636363388429756,
                    -0.059999999040000015, 0.5, 0.7499999625000019, -0.5454545355371903,
                    0.4799999923200001, 1.0, 0.0},
                    new double[][] {
                    {0.19834710518407214, 0.028800004838399854, 2.0, 9.374999041286779e-08,
                    0.19834710518407214, 0.6911999836416003, 2.0, 9.374999041286779e-08,
                    0.3471074303531181, 0.028800004838399854, 2.0, 1.8749999062500051}},
                    new double[] {0.8181818723678589, 0.9599999785423279, 0.0, 0.75, 0.13636364042758942,
                    -0.05999999865889549, 0.5, 0.75, -0.5454545617103577, 0.47999998927116394, 1.0, 0.0},
                    new double[][] {
                    {0.19834710657596588, 0.028800005093216896, 2.0, 9.374998910516297e-08,
                    0.19834710657596588, 0.6911999583244324, 2.0, 9.374998910516297e-08,
                    0.3471074402332306, 0.028800005093216896, 2.0, 1.8749998807907104}}),
                cases("renorm p=inf axis 0 maxnorm 1", in -> in[0].renorm(Double.POSITIVE_INFINITY, 0, 1),
                    new double[][] {{3.0, 4.0, 0.0, 1.0, 0.5, -0.25, 0.5, 1.0, -2.0, 2.0, 1.0, 0.0}},
                    new int[][] {{3, 2, 2}},
                    new double[] {0.7499999812500004, 0.9999999750000006, 0.0, 0.24999999375000015, 0.5, -0.25, 0.5, 1.0,
                    -0.9999999500000026, 0.9999999500000026, 0.4999999750000013, 0.0},
                    new double[][] {
                    {0.24999999375000015, -0.3437499734375011, 0.4999999875000003, 0.6249999843750004, 1.0,
                    1.5, 2.0, 2.5, 0.8749999375000043, 0.37499999999999906, 0.9999999500000026,
                    1.2499999375000033}},
                    new double[] {0.75, 1.0, 0.0, 0.25, 0.5, -0.25, 0.5, 1.0, -1.0, 1.0, 0.5, 0.0},
                    new double[][] {
                    {0.25, -0.3437499701976776, 0.5, 0.625, 1.0, 1.5, 2.0, 2.5, 0.8749999403953552, 0.375,
                    0.9999999403953552, 1.2499998807907104}}),
                cases("renorm p=3 axis 2 maxnorm 0.75", in -> in[0].renorm(3, 2, 0.75),
                    new double[][] {{3.0, 4.0, 0.0, 1.0, 0.5, -0.25, 0.5, 1.0, -2.0, 2.0, 1.0, 0.0}},
                    new int[][] {{3, 2, 2}},
                    new double[] {0.6798501035282337, 0.7145184390595897, 0.0, 0.17862960976489742, 0.11330835058803895,
                    -0.044657402441224354, 0.11330835058803895, 0.17862960976489742, -0.4532334023521558,
                    0.35725921952979484, 0.2266167011760779, 0.0},
                    new double[][] {
                    {-0.026568846970500277, -0.258177657567444, 0.4532334023521558, 0.4136913948988191,
                    0.2195837692831174, 0.26999957899193516, 0.4462004704591953, 0.4136913948988191,
                    0.33914361146344596, 0.1364138965936486, 0.4251016747803138, 0.44657402441224353}},
                    new double[] {0.6798501014709473, 0.7145184278488159, 0.0, 0.17862960696220398, 0.11330834776163101,
                    -0.044657401740550995, 0.11330834776163101, 0.17862960696220398, -0.45323339104652405,
                    0.35725921392440796, 0.22661669552326202, 0.0},
                    new double[][] {
                    {-0.02656884677708149, -0.25817766785621643, 0.45323339104652405, 0.4136914014816284,
                    0.21958376467227936, 0.26999959349632263, 0.4462004601955414, 0.4136914014816284,
                    0.3391436040401459, 0.13641390204429626, 0.4251016676425934, 0.44657403230667114}}),
                cases("unravelIndex (PyTorch 2's formula)", in -> Tensor.stack(F.unravelIndex(Tensor.fromArray(new long[] {0, 7, 59, -1, 60, 23, -61, 13}, 2, 4), 3, 4, 5), 0).to(in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.0, 0.0, 2.0, 2.0, 0.0, 1.0, 2.0, 0.0, 0.0, 1.0, 3.0, 3.0, 0.0, 0.0, 3.0, 2.0, 0.0,
                    2.0, 4.0, 4.0, 0.0, 3.0, 4.0, 3.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 2.0, 2.0, 0.0, 1.0, 2.0, 0.0, 0.0, 1.0, 3.0, 3.0, 0.0, 0.0, 3.0, 2.0, 0.0,
                    2.0, 4.0, 4.0, 0.0, 3.0, 4.0, 3.0},
                    new double[][] {}),
                cases("linspace -1 2.5 7", in -> F.linspace(-1, 2.5, 7, in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {-1.0, -0.41666666666666663, 0.16666666666666674, 0.7499999999999999,
                    1.3333333333333333, 1.9166666666666665, 2.5},
                    new double[][] {},
                    new double[] {-1.0, -0.4166666865348816, 0.16666662693023682, 0.7500000596046448, 1.3333333730697632,
                    1.9166667461395264, 2.5},
                    new double[][] {}),
                cases("linspace 3 -2 6", in -> F.linspace(3, -2, 6, in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {3.0, 2.0, 1.0, 0.0, -1.0, -2.0},
                    new double[][] {},
                    new double[] {3.0, 2.0, 1.0, 0.0, -1.0, -2.0},
                    new double[][] {}),
                cases("linspace 0.1 0.7 1", in -> F.linspace(0.1, 0.7, 1, in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.1},
                    new double[][] {},
                    new double[] {0.10000000149011612},
                    new double[][] {}),
                cases("linspace 0 1 11", in -> F.linspace(0, 1, 11, in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001,
                    0.8, 0.9, 1.0},
                    new double[][] {},
                    new double[] {0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645,
                    0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421, 1.0},
                    new double[][] {}),
                cases("logspace -2 3 6 base 10", in -> F.logspace(-2, 3, 6, 10, in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {0.01, 0.1, 1.0, 10.0, 100.0, 1000.0},
                    new double[][] {},
                    new double[] {0.009999999776482582, 0.10000000149011612, 1.0, 10.0, 100.0, 1000.0},
                    new double[][] {}),
                cases("logspace 0 5 4 base 2", in -> F.logspace(0, 5, 4, 2, in[0].dtype()),
                    new double[][] {{0.0}},
                    new int[][] {{1}},
                    new double[] {1.0, 3.174802103936399, 10.079368399158984, 32.0},
                    new double[][] {},
                    new double[] {1.0, 3.17480206489563, 10.079368591308594, 32.0},
                    new double[][] {}),
                cases("histogram 4 bins over [0, 2]", in -> joined(F.histogram(in[0], 4, 0, 2, null, false)),
                    new double[][] {{0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 3.5, 1.5}},
                    new int[][] {{12}},
                    new double[] {1.0, 3.0, 2.0, 3.0, 0.0, 0.5, 1.0, 1.5, 2.0},
                    new double[][] {},
                    new double[] {1.0, 3.0, 2.0, 3.0, 0.0, 0.5, 1.0, 1.5, 2.0},
                    new double[][] {}),
                cases("histogram 5 bins of the data's range", in -> joined(F.histogram(in[0], 5, null, false)),
                    new double[][] {{0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 0.1, 1.5}},
                    new int[][] {{3, 4}},
                    new double[] {3.0, 3.0, 2.0, 2.0, 2.0, -0.25, 0.30000000000000004, 0.8500000000000001, 1.4, 1.95,
                    2.5},
                    new double[][] {},
                    new double[] {3.0, 3.0, 2.0, 2.0, 2.0, -0.25, 0.30000001192092896, 0.8500000238418579,
                    1.399999976158142, 1.9500000476837158, 2.5},
                    new double[][] {}),
                cases("histogram weighted density", in -> joined(F.histogram(in[0], 3, 0, 2, in[1], true)),
                    new double[][] {{0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 3.5, 1.5},
                    {1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 2.0, 0.25, 1.0, 1.0, 4.0, 0.5}},
                    new int[][] {{12}, {12}},
                    new double[] {0.6857142857142857, 0.29999999999999993, 0.5142857142857145, 0.0, 0.6666666666666666,
                    1.3333333333333335, 2.0},
                    new double[][] {},
                    new double[] {0.6857142448425293, 0.30000004172325134, 0.514285683631897, 0.0, 0.6666666865348816,
                    1.3333332538604736, 2.0},
                    new double[][] {}),
                cases("histogram of edges weighted", in -> joined(F.histogram(in[0], in[2], in[1], false)),
                    new double[][] {{0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 3.5, 1.5},
                    {1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 2.0, 0.25, 1.0, 1.0, 4.0, 0.5},
                    {-1.0, 0.0, 0.5, 2.0, 3.0}},
                    new int[][] {{12}, {12}, {5}},
                    new double[] {2.0, 1.0, 6.75, 4.0, -1.0, 0.0, 0.5, 2.0, 3.0},
                    new double[][] {},
                    new double[] {2.0, 1.0, 6.75, 4.0, -1.0, 0.0, 0.5, 2.0, 3.0},
                    new double[][] {}),
                cases("histogram of edges density", in -> joined(F.histogram(in[0], in[1], null, true)),
                    new double[][] {{0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 3.5, 1.5},
                    {-1.0, 0.0, 0.5, 2.0, 3.0}},
                    new int[][] {{12}, {5}},
                    new double[] {0.09090909090909091, 0.18181818181818182, 0.42424242424242425, 0.18181818181818182,
                    -1.0, 0.0, 0.5, 2.0, 3.0},
                    new double[][] {},
                    new double[] {0.09090909361839294, 0.1818181872367859, 0.42424240708351135, 0.1818181872367859, -1.0,
                    0.0, 0.5, 2.0, 3.0},
                    new double[][] {}),
                cases("histogram of one point", in -> joined(F.histogram(in[0], 3, null, false)),
                    new double[][] {{2.0, 2.0}},
                    new int[][] {{2}},
                    new double[] {0.0, 2.0, 0.0, 1.5, 1.8333333333333333, 2.1666666666666665, 2.5},
                    new double[][] {},
                    new double[] {0.0, 2.0, 0.0, 1.5, 1.8333333730697632, 2.1666667461395264, 2.5},
                    new double[][] {})).flatMap(s -> s);
    }

    /** With no elements and no range, the bins span [0, 1], as PyTorch's (and NumPy's) default. */
    @Test
    void theHistogramOfNoElementsSpansZeroToOne() {
        Histogram h = F.histogram(Tensor.zeros(DType.F64, 0), 2, null, false);
        assertArrayEquals(new double[] {0, 0}, h.hist().toDoubleArray());
        assertArrayEquals(new double[] {0, 0.5, 1}, h.binEdges().toDoubleArray());
    }
}
