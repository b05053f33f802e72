package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.QuantileInterpolation;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#quantile} and {@link Tensor#nanquantile} in each interpolation mode against what PyTorch 1.13 printed
 * in F64 and F32: along rows holding ties and NaN (a row of NaN only), along columns, of all elements, at q = 0 and
 * 1, with the gradient of {@code (y * w).sum()}, w = 1 + 0.5 (k mod 4); F64 gradient checks; and errors.
 */
class QuantilePyTorchParityTest {
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
    void matchesPyTorchWithItsGradient(String name, DType dtype, Function<Tensor[], Tensor> op, double[][] inputs,
                                       int[][] dims, double[] values, double[][] gradients) {
        Tensor x = PyTorchValues.leaf(dtype, inputs[0], dims[0]);
        Tensor y = op.apply(new Tensor[] {x});
        assertEquals(values.length, y.size(), name + ": size");
        PyTorchValues.assertValues(name + " " + dtype, values, y.shape().dims(), y, PyTorchValues.tolerance(dtype));
        double[] w = new double[(int) y.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = 1 + 0.5 * (k % 4);
        }
        PyTorchValues.backward(y, w);
        PyTorchValues.assertValues(name + " " + dtype + " gradient", gradients[0], dims[0], x.grad(),
                PyTorchValues.tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(QuantileInterpolation.class)
    void gradientMatchesFiniteDifferences(QuantileInterpolation mode) {
        double[] v = new double[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(1.3 * i + 0.2) * 2;
        }
        Tensor x = Tensor.fromArray(v, 4, 6).requiresGrad(true);
        GradCheck.check("quantile " + mode, in -> in[0].quantile(0.35, 1, false, mode), x);
        GradCheck.check("nanquantile " + mode, in -> in[0].nanquantile(0.8, 0, true, mode), x);
    }

    @Test
    void aQOutsideZeroToOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F64, 3).quantile(1.5));
        assertEquals("quantile: q must be in [0, 1], got 1.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.F64, 3).nanquantile(NAN));
    }

    @Test
    void anEmptyAxisIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F64, 2, 0).quantile(0.5, 1, false, QuantileInterpolation.LINEAR));
        assertEquals("quantile: the input [2, 0] is empty along axis 1; expected at least one element",
                e.getMessage());
    }

    @Test
    void theQuantileOfAllElementsIsAScalar() {
        Tensor q = Tensor.fromArray(new double[] {4, 1, 3, 2}, 2, 2).quantile(0.5);
        assertEquals(0, q.rank());
        assertEquals(2.5, q.item());
    }

    private static Stream<Arguments> cases(String name, Function<Tensor[], Tensor> op, double[][] inputs, int[][] dims,
                                           double[] values64, double[][] gradients64, double[] values32,
                                           double[][] gradients32) {
        return Stream.of(Arguments.of(name, DType.F64, op, inputs, dims, values64, gradients64),
                Arguments.of(name, DType.F32, op, inputs, dims, values32, gradients32));
    }

    // Printed by models/src/test/pytorch/quantile.py (PyTorch 1.13.0a0).

    static Stream<Arguments> cases() {
        return Stream.of(
                cases("quantile linear q=0.3 axis 1", in -> in[0].quantile(0.3, 1, false, QuantileInterpolation.LINEAR),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-0.20000000000000018, NAN, NAN, 0.04999999999999982},
                    new double[][] {
                    {0.0, 0.20000000000000018, 0.0, 0.0, 0.7999999999999998, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.9999999999999996, 0.0,
                    0.5000000000000004, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-0.19999992847442627, NAN, NAN, 0.05000007152557373},
                    new double[][] {
                    {0.0, 0.19999992847442627, 0.0, 0.0, 0.8000000715255737, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.000000238418579, 0.0,
                    0.4999998211860657, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile linear q=0.3 axis 1", in -> in[0].nanquantile(0.3, 1, true, QuantileInterpolation.LINEAR),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-0.20000000000000018, 0.6, NAN, 0.04999999999999982},
                    new double[][] {
                    {0.0, 0.20000000000000018, 0.0, 0.0, 0.7999999999999998, 0.0, 0.0, 0.29999999999999993,
                    0.0, 0.0, 0.0, 1.2000000000000002, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    1.9999999999999996, 0.0, 0.5000000000000004, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-0.19999992847442627, 0.6000000238418579, NAN, 0.05000007152557373},
                    new double[][] {
                    {0.0, 0.19999992847442627, 0.0, 0.0, 0.8000000715255737, 0.0, 0.0, 0.30000007152557373,
                    0.0, 0.0, 0.0, 1.1999999284744263, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    2.000000238418579, 0.0, 0.4999998211860657, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile linear q=0.5 axis 1", in -> in[0].quantile(0.5, 1, false, QuantileInterpolation.LINEAR),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile linear q=0.5 axis 1", in -> in[0].nanquantile(0.5, 1, true, QuantileInterpolation.LINEAR),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile linear q=0.75 axis 0", in -> in[0].quantile(0.75, 0, false, QuantileInterpolation.LINEAR),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {2.5, 6.5, 4.375, 1.375, 0.375, 6.25, 1.25},
                    new double[][] {
                    {0.75, 0.375, 0.5, 1.875, 0.25, 1.125, 0.5, 0.25, 1.125, 1.5, 0.625, 0.75, 0.375, 1.5}},
                    new double[] {2.5, 6.5, 4.375, 1.375, 0.375, 6.25, 1.25},
                    new double[][] {
                    {0.75, 0.375, 0.5, 1.875, 0.25, 1.125, 0.5, 0.25, 1.125, 1.5, 0.625, 0.75, 0.375, 1.5}}),
                cases("quantile lower q=0.3 axis 1", in -> in[0].quantile(0.3, 1, false, QuantileInterpolation.LOWER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-1.0, NAN, NAN, -0.75},
                    new double[][] {
                    {0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-1.0, NAN, NAN, -0.75},
                    new double[][] {
                    {0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile lower q=0.3 axis 1", in -> in[0].nanquantile(0.3, 1, true, QuantileInterpolation.LOWER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-1.0, 0.5, NAN, -0.75},
                    new double[][] {
                    {0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-1.0, 0.5, NAN, -0.75},
                    new double[][] {
                    {0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile lower q=0.5 axis 1", in -> in[0].quantile(0.5, 1, false, QuantileInterpolation.LOWER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile lower q=0.5 axis 1", in -> in[0].nanquantile(0.5, 1, true, QuantileInterpolation.LOWER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile lower q=0.75 axis 0", in -> in[0].quantile(0.75, 0, false, QuantileInterpolation.LOWER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {1.0, -1.0, 2.5, -2.0, 0.0, 4.0, -4.0},
                    new double[][] {
                    {0.0, 1.5, 2.0, 0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 0.0, 2.5, 0.0, 1.5, 0.0}},
                    new double[] {1.0, -1.0, 2.5, -2.0, 0.0, 4.0, -4.0},
                    new double[][] {
                    {0.0, 1.5, 2.0, 0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 0.0, 2.5, 0.0, 1.5, 0.0}}),
                cases("quantile higher q=0.3 axis 1", in -> in[0].quantile(0.3, 1, false, QuantileInterpolation.HIGHER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {0.0, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {0.0, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile higher q=0.3 axis 1", in -> in[0].nanquantile(0.3, 1, true, QuantileInterpolation.HIGHER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {0.0, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {0.0, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile higher q=0.5 axis 1", in -> in[0].quantile(0.5, 1, false, QuantileInterpolation.HIGHER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile higher q=0.5 axis 1", in -> in[0].nanquantile(0.5, 1, true, QuantileInterpolation.HIGHER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile higher q=0.75 axis 0", in -> in[0].quantile(0.75, 0, false, QuantileInterpolation.HIGHER),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {3.0, 9.0, 5.0, 2.5, 0.5, 7.0, 3.0},
                    new double[][] {
                    {1.0, 0.0, 0.0, 2.5, 0.0, 1.5, 0.0, 0.0, 1.5, 2.0, 0.0, 1.0, 0.0, 2.0}},
                    new double[] {3.0, 9.0, 5.0, 2.5, 0.5, 7.0, 3.0},
                    new double[][] {
                    {1.0, 0.0, 0.0, 2.5, 0.0, 1.5, 0.0, 0.0, 1.5, 2.0, 0.0, 1.0, 0.0, 2.0}}),
                cases("quantile midpoint q=0.3 axis 1", in -> in[0].quantile(0.3, 1, false, QuantileInterpolation.MIDPOINT),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-0.5, NAN, NAN, -0.25},
                    new double[][] {
                    {0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 1.25, 0.0, 1.25, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-0.5, NAN, NAN, -0.25},
                    new double[][] {
                    {0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 1.25, 0.0, 1.25, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile midpoint q=0.3 axis 1", in -> in[0].nanquantile(0.3, 1, true, QuantileInterpolation.MIDPOINT),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-0.5, 0.75, NAN, -0.25},
                    new double[][] {
                    {0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 1.25, 0.0, 1.25, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-0.5, 0.75, NAN, -0.25},
                    new double[][] {
                    {0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 1.25, 0.0, 1.25, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile midpoint q=0.5 axis 1", in -> in[0].quantile(0.5, 1, false, QuantileInterpolation.MIDPOINT),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile midpoint q=0.5 axis 1", in -> in[0].nanquantile(0.5, 1, true, QuantileInterpolation.MIDPOINT),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile midpoint q=0.75 axis 0", in -> in[0].quantile(0.75, 0, false, QuantileInterpolation.MIDPOINT),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {2.0, 4.0, 3.75, 0.25, 0.25, 5.5, -0.5},
                    new double[][] {
                    {0.5, 0.75, 1.0, 1.25, 0.5, 0.75, 1.0, 0.5, 0.75, 1.0, 1.25, 0.5, 0.75, 1.0}},
                    new double[] {2.0, 4.0, 3.75, 0.25, 0.25, 5.5, -0.5},
                    new double[][] {
                    {0.5, 0.75, 1.0, 1.25, 0.5, 0.75, 1.0, 0.5, 0.75, 1.0, 1.25, 0.5, 0.75, 1.0}}),
                cases("quantile nearest q=0.3 axis 1", in -> in[0].quantile(0.3, 1, false, QuantileInterpolation.NEAREST),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {0.0, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {0.0, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile nearest q=0.3 axis 1", in -> in[0].nanquantile(0.3, 1, true, QuantileInterpolation.NEAREST),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {0.0, 0.5, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {0.0, 0.5, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile nearest q=0.5 axis 1", in -> in[0].quantile(0.5, 1, false, QuantileInterpolation.NEAREST),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, NAN, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 2.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("nanquantile nearest q=0.5 axis 1", in -> in[0].nanquantile(0.5, 1, true, QuantileInterpolation.NEAREST),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {2.5, 1.0, NAN, 0.25},
                    new double[][] {
                    {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("quantile nearest q=0.75 axis 0", in -> in[0].quantile(0.75, 0, false, QuantileInterpolation.NEAREST),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {3.0, 9.0, 5.0, 2.5, 0.5, 7.0, 3.0},
                    new double[][] {
                    {1.0, 0.0, 0.0, 2.5, 0.0, 1.5, 0.0, 0.0, 1.5, 2.0, 0.0, 1.0, 0.0, 2.0}},
                    new double[] {3.0, 9.0, 5.0, 2.5, 0.5, 7.0, 3.0},
                    new double[][] {
                    {1.0, 0.0, 0.0, 2.5, 0.0, 1.5, 0.0, 0.0, 1.5, 2.0, 0.0, 1.0, 0.0, 2.0}}),
                cases("quantile of all elements q=0.9", in -> in[0].quantile(0.9),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {6.400000000000002},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.7000000000000011, 0.0, 0.0, 0.0, 0.29999999999999893, 0.0,
                    0.0, 0.0, 0.0}},
                    new double[] {6.399999618530273},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.6999998092651367, 0.0, 0.0, 0.0, 0.3000001907348633, 0.0,
                    0.0, 0.0, 0.0}}),
                cases("nanquantile of all elements q=0.1", in -> in[0].nanquantile(0.1),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0, NAN, NAN, NAN,
                    NAN, NAN, NAN, NAN, 0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0}},
                    new int[][] {{4, 7}},
                    new double[] {-2.2},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.19999999999999996, 0.0}},
                    new double[] {-2.1999998092651367},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8000000715255737, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.19999992847442627, 0.0}}),
                cases("quantile q=0 and q=1", in -> in[0].quantile(0, 1, false, QuantileInterpolation.LINEAR).add(in[0].quantile(1, 1, false, QuantileInterpolation.LINEAR)),
                    new double[][] {{3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0}},
                    new int[][] {{2, 7}},
                    new double[] {3.0, 7.0},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.5, 0.0, 1.5, 0.0, 0.0, 0.0}},
                    new double[] {3.0, 7.0},
                    new double[][] {
                    {0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.5, 0.0, 1.5, 0.0, 0.0, 0.0}})).flatMap(s -> s);
    }
}
