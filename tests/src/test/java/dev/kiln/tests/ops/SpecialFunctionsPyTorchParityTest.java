package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
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
 * lgamma, digamma, polygamma(1), polygamma(2) and erfinv against the values and gradients PyTorch 1.13 printed in F64
 * and in F32, at ordinary points, negative non-integers, the poles, +-0, +-infinity and NaN (the gradient of
 * {@code (y * w).sum()}, w = 1 + 0.5 (k mod 4)); and polygamma against mpmath.
 *
 * <p>Tolerances, relative above 1 and absolute below: 1e-12 in F64, but 1e-8 where PyTorch's trigamma is involved
 * (polygamma(1)'s values and digamma's gradient), which sums its asymptotic series from x + 6 only and is off by up
 * to 1e-9 relative (Kiln's is held to mpmath's at 1e-12 below); in F32 1e-5, as the composed series and the shift's
 * sum of ten logarithms round in F32.
 */
class SpecialFunctionsPyTorchParityTest {
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
        PyTorchValues.assertValues(name + " " + dtype, values, dims[0], y, tolerance(dtype, name.equals("polygamma 1")));
        double[] w = new double[(int) y.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = 1 + 0.5 * (k % 4);
        }
        PyTorchValues.backward(y, w);
        PyTorchValues.assertValues(name + " " + dtype + " gradient", gradients[0], dims[0], x.grad(),
                tolerance(dtype, name.equals("digamma")));
    }

    private static double tolerance(DType dtype, boolean pytorchsTrigamma) {
        return dtype == DType.F32 ? 1e-5 : pytorchsTrigamma ? 1e-8 : 1e-12;
    }

    @Test
    void trigammaMatchesMpmathOnBothSidesOfZero() {
        assertRelative("polygamma(1)", MPMATH_TRIGAMMA, Tensor.fromArray(MPMATH_X, MPMATH_X.length).polygamma(1),
                1e-12);
    }

    @Test
    void higherPolygammasMatchMpmathOnBothSidesOfZero() {
        Tensor x = Tensor.fromArray(MPMATH_X_BOTH, MPMATH_X_BOTH.length);
        assertRelative("polygamma(2)", MPMATH_POLYGAMMA_2, x.polygamma(2), 1e-12);
        assertRelative("polygamma(3)", MPMATH_POLYGAMMA_3, x.polygamma(3), 1e-12);
    }

    @Test
    void erfinvKeepsItsDigitsInTheTails() {
        assertRelative("erfinv", MPMATH_ERFINV, Tensor.fromArray(MPMATH_ERFINV_X, MPMATH_ERFINV_X.length).erfinv(),
                1e-15);
    }

    @Test
    void digammaIsNaNAtTheNegativeIntegersWithAnInfiniteGradient() {
        Tensor x = Tensor.fromArray(new double[] {-1, -3}, 2).requiresGrad(true);
        Tensor y = x.digamma();
        // torch.digamma gives NaN there; its gradient, trigamma, is infinite (PyTorch's is 1e32, as its sin(pi x) is
        // not 0 at the integers).
        PyTorchValues.assertValues("digamma", new double[] {NAN, NAN}, new int[] {2}, y, 0);
        y.sum().backward();
        PyTorchValues.assertValues("digamma's gradient", new double[] {INF, INF}, new int[] {2}, x.grad(), 0);
    }

    private static void assertRelative(String what, double[] expected, Tensor actual, double tolerance) {
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], tolerance * Math.abs(expected[i]), what + " element " + i);
        }
    }

    private static Stream<Arguments> cases(String name, Function<Tensor[], Tensor> op, double[][] inputs, int[][] dims,
                                           double[] values64, double[][] gradients64, double[] values32,
                                           double[][] gradients32) {
        return Stream.of(Arguments.of(name, DType.F64, op, inputs, dims, values64, gradients64),
                Arguments.of(name, DType.F32, op, inputs, dims, values32, gradients32));
    }

    // Printed by models/src/test/pytorch/special_functions.py (PyTorch 1.13.0a0, mpmath 1.2.1).

    private static final double[] MPMATH_X = {0.0625, 0.5, 1.0, 3.5, 12.0, 100.5, -0.5, -2.25, -7.75};
    private static final double[] MPMATH_TRIGAMMA = {257.5064200429154, 4.934802200544679, 1.6449340668482264, 0.3303577561002349,
                    0.08690187287176838, 0.009999916669583104, 8.934802200544679, 19.37941051186914,
                    19.61814433435229};
    private static final double[] MPMATH_X_BOTH = {0.0625, 0.5, 1.0, 3.5, 12.0, 100.5, 10000.0, -0.5, -2.25, -7.75};
    private static final double[] MPMATH_POLYGAMMA_2 = {-8194.042305550363, -16.82879664423432, -2.4041138063191885, -0.1082040516417274,
                    -0.007547205368998912, -9.999750014581719e-05, -1.000100005e-08, -0.82879664423432,
                    123.89694977406016, -124.03974558822776};
    private static final double[] MPMATH_POLYGAMMA_3 = {393221.1503699997, 97.40909103400244, 6.493939402266829, 0.07030584881725205,
                    0.001310093231070826, 1.9999000087487087e-06, 2.00030002e-12, 193.40909103400244,
                    1558.4550231887144, 1558.5419205916066};
    private static final double[] MPMATH_ERFINV_X = {-0.999999, 0.9999999999, 0.999, -0.5, 0.0625};
    private static final double[] MPMATH_ERFINV = {-3.458910737275499, 4.572824958544925, 2.3267537655135246, -0.4769362762044699,
                    0.05544594877278202};

    static Stream<Arguments> cases() {
        return Stream.of(
                cases("lgamma", in -> in[0].lgamma(),
                    new double[][] {{0.5, 1.0, 2.0, 3.5, 0.0009765625, 100.5, 10000000000.0, -0.5, -1.5, -2.25, -7.75, 0.0,
                    -0.0, -1.0, -3.0, INF, -INF, NAN}},
                    new int[][] {{18}},
                    new double[] {0.5723649429247001, 0.0, 0.0, 1.2009736023470743, 6.9309089024194614,
                    361.4355404677776, 220258509288.81058, 1.2655121234846454, 0.860047015376481,
                    0.5555015450206475, -8.581847763551867, INF, INF, INF, INF, INF, INF, NAN},
                    new double[][] {
                    {-1.9635100260214229, -0.8658234973522991, 0.845568670196934, 2.7578916016131076,
                    -1024.5756104293405, 6.9077615288727685, 46.05170185978091, 0.09122493494644097,
                    0.7031566406452433, 6.237875346986958, -2.061537665661862, -INF, INF, NAN, NAN, INF,
                    NAN, NAN}},
                    new double[] {0.5723649263381958, 0.0, 0.0, 1.200973629951477, 6.930908679962158, 361.435546875,
                    220258516992.0, 1.2655121088027954, 0.8600470423698425, 0.5555015206336975,
                    -8.58184814453125, INF, INF, INF, INF, INF, INF, NAN},
                    new double[][] {
                    {-1.9635108709335327, -0.8658238649368286, 0.8455684185028076, 2.7578916549682617,
                    -1024.57568359375, 6.907761096954346, 46.051700592041016, 0.0912247896194458,
                    0.7031567692756653, 6.237875461578369, -2.061537742614746, -INF, INF, NAN, NAN, INF,
                    NAN, NAN}}),
                cases("digamma", in -> in[0].digamma(),
                    new double[][] {{0.5, 1.0, 2.0, 3.5, 0.0009765625, 100.5, 10000000000.0, -0.5, -1.5, -2.25, -7.75, 0.0,
                    -0.0, INF, -INF, NAN}},
                    new int[][] {{16}},
                    new double[] {-1.9635100260214229, -0.5772156649015328, 0.422784335098467, 1.103156640645243,
                    -1024.5756104293405, 4.605174352581845, 23.025850929890456, 0.03648997397857639,
                    0.7031566406452433, 4.158583564657972, -1.030768832830931, -INF, INF, INF, NAN, NAN},
                    new double[][] {
                    {4.934802202073678, 2.467401101457506, 1.2898681341763798, 0.8258943903795977,
                    1048577.6425893914, 0.014999875004374656, 2.0000000001e-10, 22.337005500294218,
                    9.37924664484954, 29.069115767705433, 39.23628866870244, INF, INF, 0.0, NAN, NAN}},
                    new double[] {-1.9635108709335327, -0.5772159099578857, 0.4227842092514038, 1.1031566858291626,
                    -1024.57568359375, 4.6051740646362305, 23.025850296020508, 0.03648991510272026,
                    0.7031567692756653, 4.158583641052246, -1.030768871307373, -INF, INF, INF, NAN, NAN},
                    new double[][] {
                    {4.934802055358887, 2.4674010276794434, 1.2898681163787842, 0.8258943557739258,
                    1048577.75, 0.0149998739361763, 2.000000026702864e-10, 22.337005615234375,
                    9.379247665405273, 29.06911849975586, 39.23632049560547, INF, INF, 0.0, NAN, NAN}}),
                cases("polygamma 1", in -> in[0].polygamma(1),
                    new double[][] {{0.5, 1.0, 2.0, 3.5, 0.0009765625, 100.5, 0.0625, 30.0, 7.25, -0.5, -2.25, -7.75}},
                    new int[][] {{12}},
                    new double[] {4.934802202073678, 1.6449340676383375, 0.6449340670881899, 0.33035775615183904,
                    1048577.6425893914, 0.009999916669583104, 257.5064200420596, 0.03389506035774027,
                    0.14787923316154666, 8.934802200117687, 19.379410511803624, 19.61814433435122},
                    new double[][] {
                    {-16.828796644234316, -3.606170709478782, -0.8082276126383772, -0.2705101291043185,
                    -2147483650.397784, -0.0001499962502187258, -16388.084611100723, -0.002871913009321499,
                    -0.021828952295197733, -1.24319496635148, 247.7938995481203, -310.0993639705694}},
                    new double[] {4.934802055358887, 1.644934058189392, 0.6449340581893921, 0.33035773038864136,
                    1048577.75, 0.009999915957450867, 257.5064392089844, 0.033895060420036316,
                    0.1478792428970337, 8.934802055358887, 19.379411697387695, 19.618160247802734},
                    new double[][] {
                    {-16.82879638671875, -3.606170654296875, -0.8082275986671448, -0.27051013708114624,
                    -2147483648.0, -0.00014999625273048878, -16388.083984375, -0.002871912904083729,
                    -0.02182895317673683, -1.2431949377059937, 247.7938995361328, -310.099365234375}}),
                cases("polygamma 2", in -> in[0].polygamma(2),
                    new double[][] {{0.5, 1.0, 2.0, 3.5, 0.0009765625, 100.5, 0.0625, 30.0, 7.25, -0.5, -2.25, -7.75}},
                    new int[][] {{12}},
                    new double[] {-16.828796644234316, -2.404113806319188, -0.4041138063191886, -0.1082040516417274,
                    -2147483650.397784, -9.999750014581719e-05, -8194.042305550362, -0.0011487652037285997,
                    -0.021828952295197733, -0.82879664423432, 123.89694977406015, -124.03974558822777},
                    new double[][] {
                    {97.40909103400242, 9.740909103400243, 0.9878788045336586, 0.17576462204313012,
                    6597069766662.473, 2.999850013123063e-06, 786442.3007399995, 0.00019465009161840317,
                    0.006433037597940158, 290.11363655100365, 3116.9100463774294, 3896.3548014790185}},
                    new double[] {-16.82879638671875, -2.40411376953125, -0.4041137993335724, -0.10820405185222626,
                    -2147483648.0, -9.999750182032585e-05, -8194.0419921875, -0.0011487652081996202,
                    -0.02182895317673683, -0.8287966251373291, 123.8969497680664, -124.03974914550781},
                    new double[][] {
                    {97.40908813476562, 9.740909576416016, 0.9878787994384766, 0.17576463520526886,
                    6597069766656.0, 2.9998502668604488e-06, 786442.3125, 0.00019465008517727256,
                    0.006433037109673023, 290.1136474609375, 3116.909912109375, 3896.35498046875}}),
                cases("erfinv", in -> in[0].erfinv(),
                    new double[][] {{0.0, 0.5, -0.25, 0.75, 0.9375, -0.99, 0.999, 1.0, -1.0, 1.5, NAN, 0.0001, -0.9999,
                    -0.0}},
                    new int[][] {{14}},
                    new double[] {0.0, 0.4769362762044699, -0.2253120550121781, 0.8134198475976187, 1.3171503349861304,
                    -1.8213863677184483, 2.3267537655135153, INF, -INF, NAN, NAN, 8.862269277728947e-05,
                    -2.751063905712083, -0.0},
                    new double[][] {
                    {0.8862269254527579, 1.6688772284579243, 1.864756469211945, 4.293749423418632,
                    5.023378761292888, 36.676314710619465, 397.8790355288326, INF, INF, NAN, NAN,
                    2.21556733103292, 1715.6895961763437, 1.329340388179137}},
                    new double[] {0.0, 0.4769362807273865, -0.22531205415725708, 0.8134198784828186, 1.3171504735946655,
                    -1.821386694908142, 2.326756715774536, INF, -INF, NAN, NAN, 8.86226916918531e-05,
                    -2.7510364055633545, -0.0},
                    new double[][] {
                    {0.8862269520759583, 1.668877363204956, 1.8647565841674805, 4.293749809265137,
                    5.023380279541016, 36.676361083984375, 397.8845520019531, INF, INF, NAN, NAN,
                    2.2155673503875732, 1715.4305419921875, 1.3293404579162598}})).flatMap(s -> s);
    }
}
