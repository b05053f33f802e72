package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cummax, cummin (values, I64 indices: the later of equal values, the latest NaN) and logcumsumexp along rows and
 * columns against what PyTorch 1.13 printed in F64 and F32, with the gradient of {@code (y * w).sum()}, w = 1 + 0.5
 * (k mod 4); F64 gradient checks to the second order; and errors. Tolerances as {@link PyTorchValues#tolerance}, save
 * logcumsumexp's gradient (1e-12 in F64, 1e-4 in F32): {@code exp(x - out)} with out near 1000, where the spacing is
 * 1.1e-13 in F64 and 6e-5 in F32, as in PyTorch's own results.
 */
class CumulativePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        Engine.seed(20261206L);
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
        PyTorchValues.assertValues(name + " " + dtype, values, dims[0], y, PyTorchValues.tolerance(dtype));
        if (gradients.length == 0) {
            assertEquals(DType.I64, y.dtype(), name + ": indices are I64");
            assertFalse(y.requiresGrad(), name + ": indices carry no gradient");
            return;
        }
        double[] w = new double[(int) y.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = 1 + 0.5 * (k % 4);
        }
        PyTorchValues.backward(y, w);
        double tolerance = !name.startsWith("logcumsumexp") ? PyTorchValues.tolerance(dtype)
                : dtype == DType.F32 ? 1e-4 : 1e-12;
        PyTorchValues.assertValues(name + " " + dtype + " gradient", gradients[0], dims[0], x.grad(), tolerance);
    }

    static Stream<Arguments> differentiable() {
        return Stream.of(
                Arguments.of("cummax", (Function<Tensor, Tensor>) x -> x.cummax(1).values()),
                Arguments.of("cummin", (Function<Tensor, Tensor>) x -> x.cummin(0).values()),
                Arguments.of("logcumsumexp", (Function<Tensor, Tensor>) x -> x.logcumsumexp(1)),
                Arguments.of("logcumsumexp axis 0", (Function<Tensor, Tensor>) x -> x.logcumsumexp(0)));
    }

    /** Distinct values (no ties, where cummax's gradient jumps). */
    private static Tensor distinct() {
        double[] v = new double[15];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(1.7 * i + 0.3) * 3;
        }
        return Tensor.fromArray(v, 3, 5).requiresGrad(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void gradientMatchesFiniteDifferences(String name, Function<Tensor, Tensor> f) {
        GradCheck.check(name, in -> f.apply(in[0]), distinct());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void secondDerivativeMatchesFiniteDifferences(String name, Function<Tensor, Tensor> f) {
        DoubleBackwardTest.checkSecondOrder(name + " * x", in -> f.apply(in[0]).mul(in[0]), distinct());
    }

    @Test
    void logcumsumexpOfALongAxisMatchesASequentialLoop() {
        double[] v = new double[1000];
        double[] expected = new double[1000];
        double running = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            v[i] = 5 * Math.sin(0.37 * i);
            double m = Math.max(running, v[i]);
            running = m + Math.log(Math.exp(running - m) + Math.exp(v[i] - m));
            expected[i] = running;
        }
        PyTorchValues.assertValues("logcumsumexp of 1000", expected, new int[] {1000},
                Tensor.fromArray(v, 1000).logcumsumexp(0), 1e-13);
    }

    @Test
    void anAxisOutOfRangeIsRefused() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> x.cummax(2));
        assertThrows(IllegalArgumentException.class, () -> x.logcumsumexp(-3));
    }

    private static Stream<Arguments> cases(String name, Function<Tensor[], Tensor> op, double[][] inputs, int[][] dims,
                                           double[] values64, double[][] gradients64, double[] values32,
                                           double[][] gradients32) {
        return Stream.of(Arguments.of(name, DType.F64, op, inputs, dims, values64, gradients64),
                Arguments.of(name, DType.F32, op, inputs, dims, values32, gradients32));
    }

    // Printed by models/src/test/pytorch/cumulative.py (PyTorch 1.13.0a0).

    static Stream<Arguments> cases() {
        return Stream.of(
                cases("cummax axis 1", in -> in[0].cummax(1).values(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {1.0, 3.0, 3.0, 3.0, 5.0, 5.0, 2.0, NAN, NAN, NAN, NAN, NAN, -INF, -INF, 0.0, INF, INF,
                    INF, 0.5, 0.5, 0.5, 0.5, 0.5, 4.0},
                    new double[][] {
                    {1.0, 1.5, 4.5, 0.0, 2.5, 0.0, 2.0, 3.5, 0.0, 6.0, 0.0, 0.0, 1.0, 1.5, 2.0, 2.5, 2.5,
                    0.0, 2.0, 2.5, 2.5, 0.0, 2.0, 2.5}},
                    new double[] {1.0, 3.0, 3.0, 3.0, 5.0, 5.0, 2.0, NAN, NAN, NAN, NAN, NAN, -INF, -INF, 0.0, INF, INF,
                    INF, 0.5, 0.5, 0.5, 0.5, 0.5, 4.0},
                    new double[][] {
                    {1.0, 1.5, 4.5, 0.0, 2.5, 0.0, 2.0, 3.5, 0.0, 6.0, 0.0, 0.0, 1.0, 1.5, 2.0, 2.5, 2.5,
                    0.0, 2.0, 2.5, 2.5, 0.0, 2.0, 2.5}}),
                cases("cummax indices axis 1", in -> in[0].cummax(1).indices(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {0.0, 1.0, 2.0, 2.0, 4.0, 4.0, 0.0, 1.0, 1.0, 3.0, 3.0, 3.0, 0.0, 1.0, 2.0, 3.0, 4.0,
                    4.0, 0.0, 1.0, 2.0, 2.0, 4.0, 5.0},
                    new double[][] {},
                    new double[] {0.0, 1.0, 2.0, 2.0, 4.0, 4.0, 0.0, 1.0, 1.0, 3.0, 3.0, 3.0, 0.0, 1.0, 2.0, 3.0, 4.0,
                    4.0, 0.0, 1.0, 2.0, 2.0, 4.0, 5.0},
                    new double[][] {}),
                cases("cummin axis 1", in -> in[0].cummin(1).values(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 2.0, NAN, NAN, NAN, NAN, NAN, -INF, -INF, -INF, -INF,
                    -INF, -INF, 0.5, 0.5, 0.5, -2.0, -2.0, -2.0},
                    new double[][] {
                    {8.0, 0.0, 0.0, 0.0, 0.0, 1.5, 2.0, 3.5, 0.0, 6.0, 0.0, 0.0, 1.0, 8.5, 0.0, 0.0, 0.0,
                    0.0, 2.0, 2.5, 1.0, 6.0, 0.0, 0.0}},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 2.0, NAN, NAN, NAN, NAN, NAN, -INF, -INF, -INF, -INF,
                    -INF, -INF, 0.5, 0.5, 0.5, -2.0, -2.0, -2.0},
                    new double[][] {
                    {8.0, 0.0, 0.0, 0.0, 0.0, 1.5, 2.0, 3.5, 0.0, 6.0, 0.0, 0.0, 1.0, 8.5, 0.0, 0.0, 0.0,
                    0.0, 2.0, 2.5, 1.0, 6.0, 0.0, 0.0}}),
                cases("cummin indices axis 1", in -> in[0].cummin(1).indices(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 1.0, 1.0, 3.0, 3.0, 3.0, 0.0, 1.0, 1.0, 1.0, 1.0,
                    1.0, 0.0, 1.0, 2.0, 3.0, 3.0, 3.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 1.0, 1.0, 3.0, 3.0, 3.0, 0.0, 1.0, 1.0, 1.0, 1.0,
                    1.0, 0.0, 1.0, 2.0, 3.0, 3.0, 3.0},
                    new double[][] {}),
                cases("logcumsumexp axis 1", in -> in[0].logcumsumexp(1),
                    new double[][] {{1.0, 2.0, 3.0, 1000.0, 1000.0, -1000.0, -INF, -INF, 0.0, -INF, 5.0, 0.25, 0.5, -0.25,
                    -3.0, 2.5, 0.0, 1.5}},
                    new int[][] {{3, 6}},
                    new double[] {1.0, 2.313261687518223, 3.4076059644443806, 1000.0, 1000.6931471805599,
                    1000.6931471805599, -INF, -INF, 0.0, 0.0, 5.006715348489118, 5.015272422772222, 0.5,
                    0.8868710061148999, 0.907172939708775, 2.6851092640929077, 2.7510971159524904,
                    3.0027819735817554},
                    new double[][] {
                    {1.5834732783957535, 1.5860448100546023, 1.3304819115496436, 3.7499999999999343,
                    1.2500000000000522, 0.0, NAN, NAN, 2.5299752619519995, 0.0, 4.448723321223526,
                    0.02130141682447289, 3.859058917332238, 1.350523804863687, 0.05557196896677411,
                    3.7627489927633646, 0.1383308952014113, 0.3337654208725252}},
                    new double[] {1.0, 2.3132617473602295, 3.4076058864593506, 1000.0, 1000.6931762695312,
                    1000.6931762695312, -INF, -INF, 0.0, 0.0, 5.006715297698975, 5.015272617340088, 0.5,
                    0.8868709802627563, 0.9071729183197021, 2.6851093769073486, 2.7510972023010254,
                    3.002781867980957},
                    new double[][] {
                    {1.5834732055664062, 1.5860447883605957, 1.330482006072998, 3.7500805854797363,
                    1.249924898147583, 0.0, NAN, NAN, 2.529975414276123, 0.0, 4.448723316192627,
                    0.02130141295492649, 3.8590588569641113, 1.350523829460144, 0.055571965873241425,
                    3.762748956680298, 0.13833090662956238, 0.33376544713974}}),
                cases("cummax axis 0", in -> in[0].cummax(0).values(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 3.0, NAN, 7.0, 0.0, 2.0, NAN, 3.0, NAN, INF,
                    1.0, 2.0, NAN, 3.0, NAN, INF, 4.0},
                    new double[][] {
                    {1.0, 1.5, 6.0, 2.5, 1.0, 1.5, 5.0, 6.5, 0.0, 5.5, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0, 3.0,
                    1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5}},
                    new double[] {1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 3.0, NAN, 7.0, 0.0, 2.0, NAN, 3.0, NAN, INF,
                    1.0, 2.0, NAN, 3.0, NAN, INF, 4.0},
                    new double[][] {
                    {1.0, 1.5, 6.0, 2.5, 1.0, 1.5, 5.0, 6.5, 0.0, 5.5, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0, 3.0,
                    1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5}}),
                cases("cummax indices axis 0", in -> in[0].cummax(0).indices(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0,
                    2.0, 1.0, 1.0, 0.0, 1.0, 2.0, 3.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0,
                    2.0, 1.0, 1.0, 0.0, 1.0, 2.0, 3.0},
                    new double[][] {}),
                cases("cummin axis 0", in -> in[0].cummin(0).values(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 1.0, NAN, 1.0, NAN, 5.0, -1.0, -INF, NAN, 0.0, NAN, 5.0,
                    -1.0, -INF, NAN, 0.0, NAN, 0.5, -1.0},
                    new double[][] {
                    {3.0, 1.5, 2.0, 2.5, 4.0, 8.0, 0.0, 6.5, 1.0, 5.5, 0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0}},
                    new double[] {1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 1.0, NAN, 1.0, NAN, 5.0, -1.0, -INF, NAN, 0.0, NAN, 5.0,
                    -1.0, -INF, NAN, 0.0, NAN, 0.5, -1.0},
                    new double[][] {
                    {3.0, 1.5, 2.0, 2.5, 4.0, 8.0, 0.0, 6.5, 1.0, 5.5, 0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0}}),
                cases("cummin indices axis 0", in -> in[0].cummin(0).indices(),
                    new double[][] {{1.0, 3.0, 3.0, 2.0, 5.0, -1.0, 2.0, NAN, 1.0, NAN, 7.0, 0.0, -INF, -INF, 0.0, INF, INF,
                    1.0, 0.5, 0.5, 0.5, -2.0, 0.5, 4.0}},
                    new int[][] {{4, 6}},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 2.0, 1.0, 2.0, 1.0, 0.0,
                    0.0, 2.0, 1.0, 2.0, 1.0, 3.0, 0.0},
                    new double[][] {},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 2.0, 1.0, 2.0, 1.0, 0.0,
                    0.0, 2.0, 1.0, 2.0, 1.0, 3.0, 0.0},
                    new double[][] {}),
                cases("logcumsumexp axis 0", in -> in[0].logcumsumexp(0),
                    new double[][] {{1.0, 2.0, 3.0, 1000.0, 1000.0, -1000.0, -INF, -INF, 0.0, -INF, 5.0, 0.25, 0.5, -0.25,
                    -3.0, 2.5, 0.0, 1.5}},
                    new int[][] {{3, 6}},
                    new double[] {1.0, 2.0, 3.0, 1000.0, 1000.0, -1000.0, 1.0, 2.0, 3.048587351573742, 1000.0, 1000.0,
                    0.25, 1.4740769841801067, 2.100206558916747, 3.0509457635229986, 1000.0, 1000.0,
                    1.751929081345373},
                    new double[][] {
                    {3.6224593312018545, 5.356975802651336, 4.8532345502171905, 6.5000000000001235,
                    4.000000000000015, 1.4999999999999938, 0.0, 0.0, 0.14205418362121483, 0.0, 0.0,
                    2.8340502082379637, 0.3775406687981454, 0.14302419734866426, 0.004711266161593362, 0.0,
                    0.0, 1.1659497917620367}},
                    new double[] {1.0, 2.0, 3.0, 1000.0, 1000.0, -1000.0, 1.0, 2.0, 3.0485873222351074, 1000.0, 1000.0,
                    0.25, 1.4740769863128662, 2.1002066135406494, 3.05094575881958, 1000.0, 1000.0,
                    1.7519290447235107},
                    new double[][] {
                    {3.6224591732025146, 5.356975555419922, 4.85323429107666, 6.500155925750732,
                    3.999988555908203, 1.4999871253967285, 0.0, 0.0, 0.14205418527126312, 0.0, 0.0,
                    2.834050178527832, 0.3775406777858734, 0.14302419126033783, 0.00471126614138484, 0.0,
                    0.0, 1.165949821472168}})).flatMap(s -> s);
    }
}
