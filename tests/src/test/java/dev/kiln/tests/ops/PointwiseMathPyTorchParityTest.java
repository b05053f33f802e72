package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * lerp, addcmul, addcdiv, hypot, logaddexp, logaddexp2, xlogy, copysign, heaviside, logit, sinc and F.logSigmoid
 * against the values and gradients PyTorch 1.13 printed in F64 and in F32: broadcast operands, and the special points
 * (xlogy(0, 0) = 0, sinc(0) = 1, hypot and its NaN gradient at the origin, equal and opposite infinities in
 * logaddexp, signed zeros in copysign and heaviside, logit at and beyond 0 and 1 with and without eps). The gradient
 * is that of {@code (y * w).sum()}, w = 1 + 0.5 (k mod 4) over y's elements k.
 */
class PointwiseMathPyTorchParityTest {
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
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = PyTorchValues.leaf(dtype, inputs[i], dims[i]);
        }
        Tensor y = op.apply(in);
        assertMatches(name + " " + dtype, values, y, dtype);
        if (gradients.length == 0) {
            assertFalse(y.requiresGrad(), name + ": PyTorch has no gradient for it, so no graph is recorded");
            return;
        }
        double[] w = new double[(int) y.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = 1 + 0.5 * (k % 4);
        }
        PyTorchValues.backward(y, w);
        for (int i = 0; i < in.length; i++) {
            PyTorchValues.assertValues(name + " " + dtype + " gradient of input " + i, gradients[i], dims[i],
                    in[i].grad(), PyTorchValues.tolerance(dtype));
        }
    }

    /** Values within the dtype's tolerance, NaN and infinities exact, and zeros with PyTorch's sign. */
    private static void assertMatches(String what, double[] expected, Tensor actual, DType dtype) {
        PyTorchValues.assertValues(what, expected, actual.shape().dims(), actual, PyTorchValues.tolerance(dtype));
        assertEquals(expected.length, actual.size(), what + ": size");
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (expected[i] == 0) {
                assertEquals(Math.copySign(1, expected[i]), Math.copySign(1, a[i]), what + ": the sign of zero " + i);
            }
        }
    }

    /** One case in F64 and in F32, each against PyTorch's values in that dtype. */
    private static Stream<Arguments> cases(String name, Function<Tensor[], Tensor> op, double[][] inputs, int[][] dims,
                                           double[] values64, double[][] gradients64, double[] values32,
                                           double[][] gradients32) {
        return Stream.of(Arguments.of(name, DType.F64, op, inputs, dims, values64, gradients64),
                Arguments.of(name, DType.F32, op, inputs, dims, values32, gradients32));
    }

    // Printed by models/src/test/pytorch/pointwise_math.py (PyTorch 1.13.0a0).

    static Stream<Arguments> cases() {
        return Stream.of(
                cases("lerp scalar weight 0.3", in -> in[0].lerp(in[1], 0.3),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, 0.25, -2.0, 3.5, 4.0, -1.0}},
                    new int[][] {{6}, {6}},
                    new double[] {0.8, -0.8, 0.8, 3.5, 0.6749999999999999, 0.4},
                    new double[][] {
                    {0.7, 1.0499999999999998, 1.4, 1.75, 0.7, 1.0499999999999998},
                    {0.3, 0.44999999999999996, 0.6, 0.75, 0.3, 0.44999999999999996}},
                    new double[] {0.800000011920929, -0.7999999523162842, 0.7999999523162842, 3.5, 0.6750000715255737,
                    0.3999999761581421},
                    new double[][] {
                    {0.699999988079071, 1.0499999523162842, 1.399999976158142, 1.75, 0.699999988079071,
                    1.0499999523162842},
                    {0.30000001192092896, 0.45000001788139343, 0.6000000238418579, 0.75,
                    0.30000001192092896, 0.45000001788139343}}),
                cases("lerp scalar weight 0.75", in -> in[0].lerp(in[1], 0.75),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, 0.25, -2.0, 3.5, 4.0, -1.0}},
                    new int[][] {{6}, {6}},
                    new double[] {1.25, -0.125, -1.0, 3.5, 2.8125, -0.5},
                    new double[][] {
                    {0.25, 0.375, 0.5, 0.625, 0.25, 0.375},
                    {0.75, 1.125, 1.5, 1.875, 0.75, 1.125}},
                    new double[] {1.25, -0.125, -1.0, 3.5, 2.8125, -0.5},
                    new double[][] {
                    {0.25, 0.375, 0.5, 0.625, 0.25, 0.375},
                    {0.75, 1.125, 1.5, 1.875, 0.75, 1.125}}),
                cases("lerp scalar weight -1.5", in -> in[0].lerp(in[1], -1.5),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, 0.25, -2.0, 3.5, 4.0, -1.0}},
                    new int[][] {{6}, {6}},
                    new double[] {-1.0, -3.5, 8.0, 3.5, -7.875, 4.0},
                    new double[][] {
                    {2.5, 3.75, 5.0, 6.25, 2.5, 3.75},
                    {-1.5, -2.25, -3.0, -3.75, -1.5, -2.25}},
                    new double[] {-1.0, -3.5, 8.0, 3.5, -7.875, 4.0},
                    new double[][] {
                    {2.5, 3.75, 5.0, 6.25, 2.5, 3.75},
                    {-1.5, -2.25, -3.0, -3.75, -1.5, -2.25}}),
                cases("lerp tensor weight broadcast", in -> in[0].lerp(in[1], in[2]),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, 0.25, -2.0},
                    {0.25, 0.75}},
                    new int[][] {{2, 3}, {3}, {2, 1}},
                    new double[] {0.75, -0.875, 1.0, 2.0, 0.0, -1.25},
                    new double[][] {
                    {0.75, 1.125, 1.5, 0.625, 0.25, 0.375},
                    {2.125, 1.125, 1.625},
                    {-4.75, -8.5}},
                    new double[] {0.75, -0.875, 1.0, 2.0, 0.0, -1.25},
                    new double[][] {
                    {0.75, 1.125, 1.5, 0.625, 0.25, 0.375},
                    {2.125, 1.125, 1.625},
                    {-4.75, -8.5}}),
                cases("addcmul", in -> in[0].addcmul(in[1], in[2], 0.5),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, -0.5, 2.0},
                    {0.5, -3.0}},
                    new int[][] {{2, 3}, {3}, {2, 1}},
                    new double[] {0.875, -1.375, 2.5, 1.25, 0.0, -2.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {-3.5, -1.125, -1.75},
                    {2.375, 3.125}},
                    new double[] {0.875, -1.375, 2.5, 1.25, 0.0, -2.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {-3.5, -1.125, -1.75},
                    {2.375, 3.125}}),
                cases("addcmul value 1", in -> in[0].addcmul(in[1], in[2]),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, -0.5, 2.0},
                    {0.5, -3.0}},
                    new int[][] {{2, 3}, {3}, {2, 1}},
                    new double[] {1.25, -1.5, 3.0, -1.0, 0.75, -5.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {-7.0, -2.25, -3.5},
                    {4.75, 6.25}},
                    new double[] {1.25, -1.5, 3.0, -1.0, 0.75, -5.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {-7.0, -2.25, -3.5},
                    {4.75, 6.25}}),
                cases("addcdiv", in -> in[0].addcdiv(in[1], in[2], -2),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, -0.5, 2.0},
                    {0.5, -4.0}},
                    new int[][] {{2, 3}, {3}, {2, 1}},
                    new double[] {-5.5, 0.75, -6.0, 4.25, -1.0, 2.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {-2.75, -5.5, -7.25},
                    {38.0, 0.78125}},
                    new double[] {-5.5, 0.75, -6.0, 4.25, -1.0, 2.0},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {-2.75, -5.5, -7.25},
                    {38.0, 0.78125}}),
                cases("addcdiv value 1", in -> in[0].addcdiv(in[1], in[2]),
                    new double[][] {{0.5, -1.25, 2.0, 3.5, -0.75, 1.0},
                    {1.5, -0.5, 2.0},
                    {0.5, -4.0}},
                    new int[][] {{2, 3}, {3}, {2, 1}},
                    new double[] {3.5, -2.25, 6.0, 3.125, -0.625, 0.5},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {1.375, 2.75, 3.625},
                    {-19.0, -0.390625}},
                    new double[] {3.5, -2.25, 6.0, 3.125, -0.625, 0.5},
                    new double[][] {
                    {1.0, 1.5, 2.0, 2.5, 1.0, 1.5},
                    {1.375, 2.75, 3.625},
                    {-19.0, -0.390625}}),
                cases("hypot", in -> in[0].hypot(in[1]),
                    new double[][] {{3.0, 0.0, -1.5, 0.0, 0.0009765625, 2.5, -0.0, INF, NAN, -INF},
                    {4.0, 0.0, 0.0, -2.0, 0.5, -6.0, 0.0, NAN, 1.0, 3.0}},
                    new int[][] {{10}, {10}},
                    new double[] {5.0, 0.0, 1.5, 2.0, 0.5000009536734069, 6.5, 0.0, INF, NAN, INF},
                    new double[][] {
                    {0.6, NAN, -2.0, 0.0, 0.0019531212747203597, 0.5769230769230769, NAN, NAN, NAN, NAN},
                    {0.8, NAN, 0.0, -2.5, 0.9999980926568242, -1.3846153846153846, NAN, NAN, NAN, 0.0}},
                    new double[] {5.0, 0.0, 1.5, 2.0, 0.5000009536743164, 6.5, 0.0, INF, NAN, INF},
                    new double[][] {
                    {0.6000000238418579, NAN, -2.0, 0.0, 0.0019531212747097015, 0.5769230723381042, NAN,
                    NAN, NAN, NAN},
                    {0.800000011920929, NAN, 0.0, -2.5, 0.9999980926513672, -1.384615421295166, NAN, NAN,
                    NAN, 0.0}}),
                cases("logaddexp", in -> in[0].logaddexp(in[1]),
                    new double[][] {{0.5, -INF, INF, INF, 1000.0, -1000.0, NAN, 1.0, -3.0, 0.0, -INF},
                    {0.25, -INF, INF, -INF, 1000.0, 1.0, 1.0, NAN, 2.0, -INF, 5.0}},
                    new int[][] {{11}, {11}},
                    new double[] {1.0759394198788437, -INF, INF, INF, 1000.6931471805599, 1.0, NAN, NAN,
                    2.006715348489118, 0.0, 5.0},
                    new double[][] {
                    {0.5621765008857981, NAN, NAN, 2.5, 0.5, 0.0, NAN, NAN, 0.0066928509242848554, 1.5, 0.0},
                    {0.43782349911420193, NAN, NAN, 0.0, 0.5, 1.5, NAN, NAN, 0.9933071490757153, 0.0, 2.0}},
                    new double[] {1.075939416885376, -INF, INF, INF, 1000.6931762695312, 1.0, NAN, NAN,
                    2.0067152976989746, 0.0, 5.0},
                    new double[][] {
                    {0.562176525592804, NAN, NAN, 2.5, 0.5, 0.0, NAN, NAN, 0.006692850962281227, 1.5, 0.0},
                    {0.43782350420951843, NAN, NAN, 0.0, 0.5, 1.5, NAN, NAN, 0.9933071732521057, 0.0, 2.0}}),
                cases("logaddexp2", in -> in[0].logaddexp2(in[1]),
                    new double[][] {{0.5, -INF, INF, INF, 1000.0, -1000.0, NAN, 1.0, -3.0, 0.0, -INF},
                    {0.25, -INF, INF, -INF, 1000.0, 1.0, 1.0, NAN, 2.0, -INF, 5.0}},
                    new int[][] {{11}, {11}},
                    new double[] {1.3804084504769958, -INF, INF, INF, 1001.0, 1.0, NAN, NAN, 2.0443941193584534, 0.0,
                    5.0},
                    new double[][] {
                    {0.5432136168629449, NAN, NAN, 2.5, 0.5, 6.999477138774142e-302, NAN, NAN,
                    0.030303030303030304, 1.5, 0.0},
                    {0.45678638313705516, NAN, NAN, 0.0, 0.5, 1.5, NAN, NAN, 0.9696969696969697, 0.0, 2.0}},
                    new double[] {1.3804084062576294, -INF, INF, INF, 1001.0, 1.0, NAN, NAN, 2.044394016265869, 0.0, 5.0},
                    new double[][] {
                    {0.5432136058807373, NAN, NAN, 2.5, 0.5, 0.0, NAN, NAN, 0.03030303120613098, 1.5, 0.0},
                    {0.4567863941192627, NAN, NAN, 0.0, 0.5, 1.5, NAN, NAN, 0.9696969985961914, 0.0, 2.0}}),
                cases("xlogy", in -> in[0].xlogy(in[1]),
                    new double[][] {{0.0, 0.0, 0.0, 1.5, -2.0, 0.5, 1.0, 0.0, 3.0, NAN},
                    {0.0, 1.0, NAN, 2.0, 0.5, 0.0, -1.0, INF, INF, 1.0}},
                    new int[][] {{10}, {10}},
                    new double[] {0.0, 0.0, NAN, 1.0397207708399179, 1.3862943611198906, -INF, NAN, 0.0, INF, NAN},
                    new double[][] {
                    {0.0, 0.0, NAN, 1.7328679513998633, -0.6931471805599453, -INF, NAN, INF, INF, 0.0},
                    {NAN, 0.0, NAN, 1.875, -4.0, INF, -2.0, 0.0, 0.0, NAN}},
                    new double[] {0.0, 0.0, NAN, 1.0397207736968994, 1.3862943649291992, -INF, NAN, 0.0, INF, NAN},
                    new double[][] {
                    {0.0, 0.0, NAN, 1.732867956161499, -0.6931471824645996, -INF, NAN, INF, INF, 0.0},
                    {NAN, 0.0, NAN, 1.875, -4.0, INF, -2.0, 0.0, 0.0, NAN}}),
                cases("copysign", in -> in[0].copysign(in[1]),
                    new double[][] {{1.5, -2.0, 0.0, -0.0, 3.0, 2.5, -INF, NAN, -0.5},
                    {-1.0, 2.0, -0.0, -3.0, 0.0, INF, 1.0, -1.0, -INF}},
                    new int[][] {{9}, {9}},
                    new double[] {-1.5, 2.0, -0.0, -0.0, 3.0, 2.5, INF, NAN, -0.5},
                    new double[][] {
                    {-1.0, -1.5, 0.0, 0.0, 1.0, 1.5, NAN, NAN, 1.0},
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
                    new double[] {-1.5, 2.0, -0.0, -0.0, 3.0, 2.5, INF, NAN, -0.5},
                    new double[][] {
                    {-1.0, -1.5, 0.0, 0.0, 1.0, 1.5, NAN, NAN, 1.0},
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}),
                cases("heaviside", in -> in[0].heaviside(in[1]),
                    new double[][] {{-1.5, 0.0, 2.0, -0.0, NAN, INF, -INF},
                    {0.5, 0.5, 7.0, -1.0, 3.0, 2.0, 4.0}},
                    new int[][] {{7}, {7}},
                    new double[] {0.0, 0.5, 1.0, -1.0, 0.0, 1.0, 0.0},
                    new double[][] {},
                    new double[] {0.0, 0.5, 1.0, -1.0, 0.0, 1.0, 0.0},
                    new double[][] {}),
                cases("logit", in -> in[0].logit(),
                    new double[][] {{0.0, 0.25, 0.5, 0.75, 1.0, 1.5, -0.5, 0.125, 0.875, NAN}},
                    new int[][] {{10}},
                    new double[] {-INF, -1.0986122886681098, 0.0, 1.0986122886681098, INF, NAN, NAN, -1.9459101490553135,
                    1.9459101490553132, NAN},
                    new double[][] {
                    {INF, 8.0, 8.0, 13.333333333333334, INF, NAN, NAN, 22.857142857142858,
                    9.142857142857142, NAN}},
                    new double[] {-INF, -1.0986123085021973, 0.0, 1.0986123085021973, INF, NAN, NAN, -1.945910096168518,
                    1.945910096168518, NAN},
                    new double[][] {
                    {INF, 8.0, 8.0, 13.333333015441895, INF, NAN, NAN, 22.85714340209961, 9.142857551574707,
                    NAN}}),
                cases("logit eps 0.2", in -> in[0].logit(0.2),
                    new double[][] {{0.0, 0.25, 0.5, 0.75, 1.0, 1.5, -0.5, 0.125, 0.875, NAN}},
                    new int[][] {{10}},
                    new double[] {-1.3862943611198906, -1.0986122886681098, 0.0, 1.0986122886681098, 1.3862943611198908,
                    1.3862943611198908, -1.3862943611198906, -1.3862943611198906, 1.3862943611198908, NAN},
                    new double[][] {
                    {0.0, 8.0, 8.0, 13.333333333333334, 0.0, 0.0, 0.0, 0.0, 0.0, NAN}},
                    new double[] {-1.3862943649291992, -1.0986123085021973, 0.0, 1.0986123085021973, 1.3862944841384888,
                    1.3862944841384888, -1.3862943649291992, -1.3862943649291992, 1.3862944841384888, NAN},
                    new double[][] {
                    {0.0, 8.0, 8.0, 13.333333015441895, 0.0, 0.0, 0.0, 0.0, 0.0, NAN}}),
                cases("logit eps 0", in -> in[0].logit(0),
                    new double[][] {{0.0, 0.25, 0.5, 0.75, 1.0, 1.5, -0.5, 0.125, 0.875, NAN}},
                    new int[][] {{10}},
                    new double[] {-INF, -1.0986122886681098, 0.0, 1.0986122886681098, INF, INF, -INF,
                    -1.9459101490553135, 1.9459101490553132, NAN},
                    new double[][] {
                    {INF, 8.0, 8.0, 13.333333333333334, INF, 0.0, 0.0, 22.857142857142858,
                    9.142857142857142, NAN}},
                    new double[] {-INF, -1.0986123085021973, 0.0, 1.0986123085021973, INF, INF, -INF, -1.945910096168518,
                    1.945910096168518, NAN},
                    new double[][] {
                    {INF, 8.0, 8.0, 13.333333015441895, INF, 0.0, 0.0, 22.85714340209961, 9.142857551574707,
                    NAN}}),
                cases("sinc", in -> in[0].sinc(),
                    new double[][] {{0.0, 0.5, -0.25, 1.0, 1.5, -2.75, 3.0, 2.25, -0.0, INF, NAN}},
                    new int[][] {{11}},
                    new double[] {1.0, 0.6366197723675814, 0.9003163161571061, 3.8981718325193755e-17,
                    -0.2122065907891938, 0.0818469378324643, 3.8981718325193755e-17, 0.10003514623967844,
                    1.0, NAN, NAN},
                    new double[][] {
                    {0.0, -1.9098593171027438, 1.5456762797644679, -2.5, 0.14147106052612907,
                    0.4303383921921878, -0.6666666666666666, 0.6745240388298548, 0.0, NAN, NAN}},
                    new double[] {1.0, 0.6366197466850281, 0.9003162980079651, -2.7827534054836178e-08,
                    -0.21220658719539642, 0.08184687793254852, -2.530538223410872e-09, 0.10003514587879181,
                    1.0, NAN, NAN},
                    new double[][] {
                    {0.0, -1.9098594188690186, 1.5456759929656982, -2.5, 0.14147105813026428,
                    0.43033862113952637, -0.6666666865348816, 0.6745240688323975, 0.0, NAN, NAN}}),
                cases("logSigmoid", in -> F.logSigmoid(in[0]),
                    new double[][] {{-100.0, -20.0, -1.0, 0.0, 0.5, 20.0, 100.0, -INF, INF, NAN, -800.0, 40.0}},
                    new int[][] {{12}},
                    new double[] {-100.0, -20.000000002061153, -1.3132616875182228, -0.6931471805599453,
                    -0.4740769841801067, -2.061153620314381e-09, -3.720075976020836e-44, -INF, 0.0, NAN,
                    -800.0, -4.248354255291589e-18},
                    new double[][] {
                    {1.0, 1.4999999969082696, 1.4621171572600098, 1.25, 0.37754066879814546,
                    3.091730427285305e-09, 7.440151952041672e-44, 2.5, 0.0, NAN, 2.0,
                    1.0620885638228972e-17}},
                    new double[] {-100.0, -20.0, -1.3132617473602295, -0.6931471824645996, -0.4740769863128662,
                    -2.06115369216775e-09, -3.923635700109488e-44, -INF, 0.0, NAN, -800.0,
                    -4.24835413113866e-18},
                    new double[][] {
                    {1.0, 1.5, 1.4621171951293945, 1.25, 0.3775406777858734, 3.0917304272293222e-09,
                    7.567011707354012e-44, 2.5, 0.0, NAN, 2.0, 1.0620884914256343e-17}})).flatMap(s -> s);
    }
}
