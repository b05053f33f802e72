package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The element-wise functions sin ... rsqrt, atan2, fmod, remainder, floorDivide, isnan, isinf, isfinite and
 * nanToNum against the values and gradients (of the sum) PyTorch 1.13 printed in F64 and in F32, at ordinary points
 * and at the edges: NaN outside a domain, infinities at its ends, signed zeros, round's halves to even, and the
 * remainders of operands of either sign and of a zero divisor.
 */
class MoreElementwisePyTorchParityTest {
    private static final double F32_TOLERANCE = 2e-6;
    private static final double F64_TOLERANCE = 1e-13;

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
    @MethodSource("unaryCases")
    void unaryFunctionMatchesPyTorch(String name, DType dtype, UnaryOperator<Tensor> op, boolean zeroGradient,
                                     double[] x, double[] values, double[] gradient) {
        Tensor in = PyTorchValues.leaf(dtype, x, x.length);
        Tensor y = op.apply(in);
        assertMatches(name + " " + dtype, values, y, dtype);
        if (zeroGradient) {
            assertFalse(y.requiresGrad(), name + ": piecewise constant, so no graph (PyTorch's gradient is zero)");
            return;
        }
        y.sum().backward();
        PyTorchValues.assertValues(name + " " + dtype + " gradient", gradient, new int[] {x.length}, in.grad(),
                tolerance(dtype));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("binaryCases")
    void binaryFunctionMatchesPyTorch(String name, DType dtype, BinaryOperator<Tensor> op, boolean differentiable,
                                      double[] values, double[] gradientA, double[] gradientB) {
        Tensor a = PyTorchValues.leaf(dtype, A, A.length);
        Tensor b = PyTorchValues.leaf(dtype, B, B.length);
        Tensor y = op.apply(a, b);
        assertMatches(name + " " + dtype, values, y, dtype);
        if (!differentiable) {
            assertFalse(y.requiresGrad(), name + ": piecewise constant, so no graph (PyTorch's gradient is zero)");
            return;
        }
        y.sum().backward();
        PyTorchValues.assertValues(name + " " + dtype + " gradient of a", gradientA, new int[] {A.length}, a.grad(),
                tolerance(dtype));
        PyTorchValues.assertValues(name + " " + dtype + " gradient of b", gradientB, new int[] {B.length}, b.grad(),
                tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void isnanIsinfAndIsfiniteGiveOnesWhereTrue(DType dtype) {
        Tensor x = PyTorchValues.tensor(dtype, NON_FINITE_INPUT, NON_FINITE_INPUT.length);
        assertMatches("isnan", ISNAN, x.isnan(), dtype);
        assertMatches("isinf", ISINF, x.isinf(), dtype);
        assertMatches("isfinite", ISFINITE, x.isfinite(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerTensorsAreFiniteEverywhere(DType dtype) {
        Tensor x = PyTorchValues.tensor(dtype, new double[] {-3, 0, 7}, 3);
        assertMatches("isnan", new double[] {0, 0, 0}, x.isnan(), dtype);
        assertMatches("isinf", new double[] {0, 0, 0}, x.isinf(), dtype);
        assertMatches("isfinite", new double[] {1, 1, 1}, x.isfinite(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nanToNumReplacesNanAndInfinitiesAndPassesTheGradientElsewhere(DType dtype) {
        Tensor x = PyTorchValues.leaf(dtype, NON_FINITE_INPUT, NON_FINITE_INPUT.length);
        Tensor y = x.nanToNum(7, 100, -50);
        assertMatches("nanToNum", NAN_TO_NUM, y, dtype);
        y.sum().backward();
        assertMatches("nanToNum gradient", NAN_TO_NUM_GRADIENT, x.grad(), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nanToNumByDefaultGivesZeroAndTheLargestFiniteValues(DType dtype) {
        Tensor x = PyTorchValues.tensor(dtype, new double[] {NAN, INF, -INF, 2}, 4);
        double[] expected = dtype == DType.F32 ? NAN_TO_NUM_DEFAULTS_F32 : NAN_TO_NUM_DEFAULTS_F64;
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(x.nanToNum().toDoubleArray()));
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.F32 ? F32_TOLERANCE : F64_TOLERANCE;
    }

    /** Values within the dtype's tolerance, NaN and infinities exact, and zeros with PyTorch's sign. */
    private static void assertMatches(String what, double[] expected, Tensor actual, DType dtype) {
        PyTorchValues.assertValues(what, expected, new int[] {expected.length}, actual, tolerance(dtype));
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (expected[i] == 0) {
                assertEquals(Math.copySign(1, expected[i]), Math.copySign(1, a[i]), what + ": the sign of zero " + i);
            }
        }
    }

    /** One unary case in F64 and in F32, each against PyTorch's values in that dtype. */
    private static Stream<Arguments> unary(String name, UnaryOperator<Tensor> op, boolean zeroGradient, double[] x,
                                           double[] values64, double[] gradient64, double[] values32,
                                           double[] gradient32) {
        return Stream.of(Arguments.of(name, DType.F64, op, zeroGradient, x, values64, gradient64),
                Arguments.of(name, DType.F32, op, zeroGradient, x, values32, gradient32));
    }

    private static Stream<Arguments> binary(String name, BinaryOperator<Tensor> op, boolean differentiable,
                                            double[] values64, double[] gradientA64, double[] gradientB64,
                                            double[] values32, double[] gradientA32, double[] gradientB32) {
        return Stream.of(Arguments.of(name, DType.F64, op, differentiable, values64, gradientA64, gradientB64),
                Arguments.of(name, DType.F32, op, differentiable, values32, gradientA32, gradientB32));
    }

    // Printed by models/src/test/pytorch/more_elementwise.py (PyTorch 1.13.0a0).

    private static final double[] A = {5.0, -5.0, 5.0, -5.0, 5.5, 3.0, -3.0, 0.0, -4.0, 5.0, -5.0, 0.75, -2.25, NAN, INF, -0.0};
    private static final double[] B = {3.0, 3.0, -3.0, -3.0, 2.0, 0.0, 0.0, 0.0, 2.0, INF, INF, -0.5, 1.5, 1.0, 2.0, 3.0};
    private static final double[] NON_FINITE_INPUT = {1.5, NAN, INF, -INF, -0.0, -2.0};
    private static final double[] ISNAN = {0.0, 1.0, 0.0, 0.0, 0.0, 0.0};
    private static final double[] ISINF = {0.0, 0.0, 1.0, 1.0, 0.0, 0.0};
    private static final double[] ISFINITE = {1.0, 0.0, 0.0, 0.0, 1.0, 1.0};
    private static final double[] NAN_TO_NUM = {1.5, 7.0, 100.0, -50.0, -0.0, -2.0};
    private static final double[] NAN_TO_NUM_GRADIENT = {1.0, 0.0, 0.0, 0.0, 1.0, 1.0};
    private static final double[] NAN_TO_NUM_DEFAULTS_F64 = {0.0, 1.7976931348623157e+308, -1.7976931348623157e+308, 2.0};
    private static final double[] NAN_TO_NUM_DEFAULTS_F32 = {0.0, 3.4028234663852886e+38, -3.4028234663852886e+38, 2.0};

    static Stream<Arguments> unaryCases() {
        return Stream.of(
                unary("sin", Tensor::sin, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0},
                    new double[] {-0.38166099205233167, -0.9668265566961802, -0.479425538604203, -0.0624593178423802, 0.0,
                    0.36627252908604757, 0.9489846193555862, -0.35078322768961984, NAN, NAN, NAN, -0.0},
                    new double[] {-0.9243023786324636, 0.2554337668888117, 0.8775825618903728, 0.9980475107000991, 1.0,
                    0.9305076219123143, 0.3153223623952687, -0.9364566872907963, NAN, NAN, NAN, 1.0},
                    new double[] {-0.38166099786758423, -0.9668265581130981, -0.4794255495071411, -0.0624593161046505, 0.0,
                    0.36627253890037537, 0.9489846229553223, -0.35078322887420654, NAN, NAN, NAN, -0.0},
                    new double[] {-0.9243023991584778, 0.2554337680339813, 0.8775825500488281, 0.9980475306510925, 1.0,
                    0.9305076003074646, 0.3153223693370819, -0.9364566802978516, NAN, NAN, NAN, 1.0}),
                unary("cos", Tensor::cos, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0},
                    new double[] {-0.9243023786324636, 0.2554337668888117, 0.8775825618903728, 0.9980475107000991, 1.0,
                    0.9305076219123143, 0.3153223623952687, -0.9364566872907963, NAN, NAN, NAN, 1.0},
                    new double[] {0.38166099205233167, 0.9668265566961802, 0.479425538604203, 0.0624593178423802, -0.0,
                    -0.36627252908604757, -0.9489846193555862, 0.35078322768961984, NAN, NAN, NAN, 0.0},
                    new double[] {-0.9243023991584778, 0.2554337680339813, 0.8775825500488281, 0.9980475306510925, 1.0,
                    0.9305076003074646, 0.3153223693370819, -0.9364566802978516, NAN, NAN, NAN, 1.0},
                    new double[] {0.38166099786758423, 0.9668265581130981, 0.4794255495071411, 0.0624593161046505, -0.0,
                    -0.36627253890037537, -0.9489846229553223, 0.35078322887420654, NAN, NAN, NAN, 0.0}),
                unary("tan", Tensor::tan, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0},
                    new double[] {0.4129178944849325, -3.7850381665358763, -0.5463024898437905, -0.06258150756627502, 0.0,
                    0.39362657592563277, 3.0095696738628313, 0.3745856401585947, NAN, NAN, NAN, -0.0},
                    new double[] {1.1705011875858697, 15.326513922133268, 1.2984464104095248, 1.0039164450892677, 1.0,
                    1.154941881274938, 10.057509621834829, 1.1403144018130242, NAN, NAN, NAN, 1.0},
                    new double[] {0.4129179120063782, -3.7850382328033447, -0.5463024973869324, -0.06258150935173035, 0.0,
                    0.3936265707015991, 3.0095696449279785, 0.3745856285095215, NAN, NAN, NAN, -0.0},
                    new double[] {1.1705012321472168, 15.32651424407959, 1.2984464168548584, 1.0039165019989014, 1.0,
                    1.1549419164657593, 10.057509422302246, 1.1403143405914307, NAN, NAN, NAN, 1.0}),
                unary("asin", Tensor::asin, false,
                    new double[] {-0.9375, -0.5, 0.0, 0.25, 0.75, 1.0, -1.0, 2.0, -2.0, NAN, INF, -INF, -0.0},
                    new double[] {-1.2153751251046732, -0.5235987755982989, 0.0, 0.25268025514207865, 0.848062078981481,
                    1.5707963267948966, -1.5707963267948966, NAN, NAN, NAN, NAN, NAN, -0.0},
                    new double[] {2.8736848324283986, 1.1547005383792517, 1.0, 1.0327955589886444, 1.5118578920369088, INF, INF,
                    NAN, NAN, NAN, NAN, NAN, 1.0},
                    new double[] {-1.2153750658035278, -0.5235987901687622, 0.0, 0.252680242061615, 0.8480620980262756,
                    1.5707963705062866, -1.5707963705062866, NAN, NAN, NAN, NAN, NAN, -0.0},
                    new double[] {2.873684883117676, 1.154700517654419, 1.0, 1.0327955484390259, 1.5118579864501953, INF, INF,
                    NAN, NAN, NAN, NAN, NAN, 1.0}),
                unary("acos", Tensor::acos, false,
                    new double[] {-0.9375, -0.5, 0.0, 0.25, 0.75, 1.0, -1.0, 2.0, -2.0, NAN, INF, -INF, -0.0},
                    new double[] {2.7861714518995697, 2.0943951023931957, 1.5707963267948966, 1.318116071652818,
                    0.7227342478134156, 0.0, 3.141592653589793, NAN, NAN, NAN, NAN, NAN, 1.5707963267948966},
                    new double[] {-2.8736848324283986, -1.1547005383792517, -1.0, -1.0327955589886444, -1.5118578920369088, -INF,
                    -INF, NAN, NAN, NAN, NAN, NAN, -1.0},
                    new double[] {2.7861714363098145, 2.094395160675049, 1.5707963705062866, 1.3181160688400269,
                    0.722734272480011, 0.0, 3.1415927410125732, NAN, NAN, NAN, NAN, NAN, 1.5707963705062866},
                    new double[] {-2.873684883117676, -1.154700517654419, -1.0, -1.0327955484390259, -1.5118579864501953, -INF,
                    -INF, NAN, NAN, NAN, NAN, NAN, -1.0}),
                unary("atan", Tensor::atan, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0},
                    new double[] {-1.2220253232109897, -0.9197196053504169, -0.4636476090008061, -0.06241880999595735, 0.0,
                    0.35877067027057225, 0.8960553845713439, 1.2924966677897853, NAN, 1.5707963267948966,
                    -1.5707963267948966, -0.0},
                    new double[] {0.11678832116788321, 0.3672883787661406, 0.8, 0.9961089494163424, 1.0, 0.8767123287671232,
                    0.3902439024390244, 0.07547169811320754, NAN, 0.0, 0.0, 1.0},
                    new double[] {-1.2220252752304077, -0.9197196364402771, -0.46364760398864746, -0.06241881102323532, 0.0,
                    0.3587706685066223, 0.8960554003715515, 1.292496681213379, NAN, 1.5707963705062866,
                    -1.5707963705062866, -0.0},
                    new double[] {0.11678832024335861, 0.36728838086128235, 0.800000011920929, 0.9961089491844177, 1.0,
                    0.8767123222351074, 0.39024388790130615, 0.07547169923782349, NAN, 0.0, 0.0, 1.0}),
                unary("sinh", Tensor::sinh, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, 100.0},
                    new double[] {-7.789352011490732, -1.72315219460596, -0.5210953054937474, -0.06254069805219183, 0.0,
                    0.38385106791361456, 1.6019190803008256, 16.542627287634996, NAN, INF, -INF, -0.0,
                    1.3440585709080678e+43},
                    new double[] {7.853279872697439, 1.992298543335144, 1.1276259652063807, 1.0019537608656677, 1.0,
                    1.0711403467045868, 1.8884238771610158, 16.572824671057315, NAN, INF, INF, 1.0,
                    1.3440585709080678e+43},
                    new double[] {-7.789351940155029, -1.7231521606445312, -0.5210952758789062, -0.062540702521801, 0.0,
                    0.3838510513305664, 1.601919174194336, 16.542627334594727, NAN, INF, -INF, -0.0, INF},
                    new double[] {7.8532795906066895, 1.9922986030578613, 1.1276259422302246, 1.0019537210464478, 1.0,
                    1.0711402893066406, 1.8884238004684448, 16.572824478149414, NAN, INF, INF, 1.0, INF}),
                unary("cosh", Tensor::cosh, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, -100.0},
                    new double[] {7.853279872697439, 1.992298543335144, 1.1276259652063807, 1.0019537608656677, 1.0,
                    1.0711403467045868, 1.8884238771610158, 16.572824671057315, NAN, INF, INF, 1.0,
                    1.3440585709080678e+43},
                    new double[] {-7.789352011490732, -1.72315219460596, -0.5210953054937474, -0.06254069805219183, 0.0,
                    0.38385106791361456, 1.6019190803008256, 16.542627287634996, NAN, INF, -INF, -0.0,
                    -1.3440585709080678e+43},
                    new double[] {7.8532795906066895, 1.9922986030578613, 1.1276259422302246, 1.0019537210464478, 1.0,
                    1.0711402893066406, 1.8884238004684448, 16.572824478149414, NAN, INF, INF, 1.0, INF},
                    new double[] {-7.789351940155029, -1.7231521606445312, -0.5210952758789062, -0.062540702521801, 0.0,
                    0.3838510513305664, 1.601919174194336, 16.542627334594727, NAN, INF, -INF, -0.0, -INF}),
                unary("asinh", Tensor::asinh, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, 10000000000.0,
                    -3e-06},
                    new double[] {-1.7362775864618003, -1.0860494887151397, -0.48121182505960347, -0.06245938125554031, 0.0,
                    0.36672460423013675, 1.0475930126492587, 1.9657204716496515, NAN, INF, -INF, -0.0,
                    23.7189981105004, -2.9999999999955e-06},
                    new double[] {0.3417430630867044, 0.6060432152628562, 0.8944271909999159, 0.9980525784828885, 1.0,
                    0.9363291775690445, 0.6246950475544243, 0.27472112789737807, NAN, 0.0, 0.0, 1.0, 1e-10,
                    0.9999999999955},
                    new double[] {-1.7362775802612305, -1.0860494375228882, -0.4812118411064148, -0.06245937943458557, 0.0,
                    0.3667246103286743, 1.0475929975509644, 1.965720534324646, NAN, INF, -INF, -0.0,
                    23.718997955322266, -3.000000106112566e-06},
                    new double[] {0.3417430818080902, 0.6060432195663452, 0.8944271802902222, 0.9980525970458984, 1.0,
                    0.936329185962677, 0.6246950626373291, 0.2747211158275604, NAN, 0.0, 0.0, 1.0,
                    1.000000013351432e-10, 1.0}),
                unary("acosh", Tensor::acosh, false,
                    new double[] {1.0, 1.0625, 1.5, 3.0, 10000000000.0, 0.5, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.3517373900432606, 0.9624236501192069, 1.762747174039086, 23.7189981105004, NAN, NAN,
                    INF, NAN, NAN},
                    new double[] {INF, 2.7852424952911656, 0.8944271909999159, 0.35355339059327373, 1e-10, NAN, NAN, 0.0, 0.0,
                    NAN},
                    new double[] {0.0, 0.351737380027771, 0.9624236822128296, 1.7627471685409546, 23.718997955322266, NAN, NAN,
                    INF, NAN, NAN},
                    new double[] {INF, 2.7852425575256348, 0.8944271802902222, 0.3535533845424652, 1.000000013351432e-10, NAN,
                    NAN, 0.0, 0.0, NAN}),
                unary("atanh", Tensor::atanh, false,
                    new double[] {-0.9375, -0.5, 0.0, 0.25, 0.75, 1.0, -1.0, 2.0, -2.0, NAN, INF, -INF, -0.0, 3e-06},
                    new double[] {-1.7169936022425731, -0.5493061443340548, 0.0, 0.25541281188299536, 0.9729550745276566, INF,
                    -INF, NAN, NAN, NAN, NAN, NAN, -0.0, 3.0000000000090002e-06},
                    new double[] {8.258064516129032, 1.3333333333333333, 1.0, 1.0666666666666667, 2.2857142857142856, INF, INF,
                    -0.3333333333333333, -0.3333333333333333, NAN, -0.0, -0.0, 1.0, 1.0000000000090001},
                    new double[] {-1.7169935703277588, -0.5493061542510986, 0.0, 0.2554128170013428, 0.9729551076889038, INF,
                    -INF, NAN, NAN, NAN, NAN, NAN, -0.0, 3.000000106112566e-06},
                    new double[] {8.258064270019531, 1.3333333730697632, 1.0, 1.0666667222976685, 2.2857143878936768, INF, INF,
                    -0.3333333432674408, -0.3333333432674408, NAN, -0.0, -0.0, 1.0, 1.0}),
                unary("log1p", Tensor::log1p, false,
                    new double[] {-0.9375, -0.5, 0.0009765625, 3.5, -1.0, -2.0, NAN, INF, -INF, -0.0},
                    new double[] {-2.772588722239781, -0.6931471805599453, 0.0009760859730554589, 1.5040773967762742, -INF, NAN,
                    NAN, INF, NAN, -0.0},
                    new double[] {16.0, 2.0, 0.9990243902439024, 0.2222222222222222, INF, -1.0, NAN, 0.0, -0.0, 1.0},
                    new double[] {-2.7725887298583984, -0.6931471824645996, 0.0009760859538801014, 1.504077434539795, -INF, NAN,
                    NAN, INF, NAN, -0.0},
                    new double[] {16.0, 2.0, 0.9990243911743164, 0.2222222238779068, INF, -1.0, NAN, 0.0, -0.0, 1.0}),
                unary("expm1", Tensor::expm1, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, 0.0009765625,
                    -100.0},
                    new double[] {-0.9360721387932924, -0.7308536512708161, -0.3934693402873666, -0.06058693718652421, 0.0,
                    0.45499141461820136, 2.4903429574618414, 32.11545195869231, NAN, INF, -1.0, -0.0,
                    0.0009770394924165351, -1.0},
                    new double[] {0.06392786120670757, 0.26914634872918386, 0.6065306597126334, 0.9394130628134758, 1.0,
                    1.4549914146182013, 3.4903429574618414, 33.11545195869231, NAN, INF, 0.0, 1.0,
                    1.0009770394924165, 0.0},
                    new double[] {-0.9360721111297607, -0.7308536767959595, -0.39346933364868164, -0.06058693677186966, 0.0,
                    0.4549914002418518, 2.490342855453491, 32.11545181274414, NAN, INF, -1.0, -0.0,
                    0.000977039453573525, -1.0},
                    new double[] {0.06392788887023926, 0.2691463232040405, 0.6065306663513184, 0.9394130706787109, 1.0,
                    1.454991340637207, 3.490342855453491, 33.11545181274414, NAN, INF, 0.0, 1.0,
                    1.0009770393371582, 0.0}),
                unary("log2", Tensor::log2, false,
                    new double[] {0.0625, 0.5, 1.0, 1.5, 7.25, 100.0, 0.0, -1.0, NAN, INF, -INF, -0.0, 1024.0, 0.125},
                    new double[] {-4.0, -1.0, 0.0, 0.5849625007211562, 2.8579809951275723, 6.643856189774724, -INF, NAN, NAN,
                    INF, NAN, -INF, 10.0, -3.0},
                    new double[] {23.083120654223414, 2.8853900817779268, 1.4426950408889634, 0.9617966939259757,
                    0.19899241943296045, 0.014426950408889633, INF, -1.4426950408889634, NAN, 0.0, -0.0, -INF,
                    0.0014088818758681283, 11.541560327111707},
                    new double[] {-4.0, -1.0, 0.0, 0.5849624872207642, 2.857980966567993, 6.643856048583984, -INF, NAN, NAN, INF,
                    NAN, -INF, 10.0, -3.0},
                    new double[] {23.083120346069336, 2.885390043258667, 1.4426950216293335, 0.9617967009544373,
                    0.19899241626262665, 0.014426950365304947, INF, -1.4426950216293335, NAN, 0.0, -0.0, -INF,
                    0.001408881857059896, 11.541560173034668}),
                unary("log10", Tensor::log10, false,
                    new double[] {0.0625, 0.5, 1.0, 1.5, 7.25, 100.0, 0.0, -1.0, NAN, INF, -INF, -0.0, 1000.0},
                    new double[] {-1.2041199826559248, -0.3010299956639812, 0.0, 0.17609125905568124, 0.8603380065709937, 2.0,
                    -INF, NAN, NAN, INF, NAN, -INF, 3.0},
                    new double[] {6.94871171045203, 0.8685889638065037, 0.43429448190325187, 0.2895296546021679,
                    0.059902687159069226, 0.0043429448190325185, INF, -0.43429448190325187, NAN, 0.0, -0.0, -INF,
                    0.00043429448190325184},
                    new double[] {-1.2041200399398804, -0.3010300099849701, 0.0, 0.1760912537574768, 0.860338032245636, 2.0,
                    -INF, NAN, NAN, INF, NAN, -INF, 3.0},
                    new double[] {6.948711395263672, 0.868588924407959, 0.4342944622039795, 0.2895296514034271,
                    0.05990268290042877, 0.004342944826930761, INF, -0.4342944622039795, NAN, 0.0, -0.0, -INF,
                    0.00043429445941001177}),
                unary("exp2", Tensor::exp2, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, 10.0, 200.0,
                    -200.0},
                    new double[] {0.14865088937534013, 0.40262258298731357, 0.7071067811865476, 0.9576032806985737, 1.0,
                    1.2968395546510096, 2.378414230005442, 11.313708498984761, NAN, INF, 0.0, 1.0, 1024.0,
                    1.6069380442589903e+60, 6.223015277861142e-61},
                    new double[] {0.10303694485824534, 0.279076708227419, 0.4901290717342736, 0.6637600141111702,
                    0.6931471805599453, 0.8989006809449624, 1.6485911177319255, 7.842065147748378, NAN, INF, 0.0,
                    0.6931471805599453, 709.782712893384, 1.1138445747126317e+60, 4.313465494430915e-61},
                    new double[] {0.1486508846282959, 0.4026225805282593, 0.7071067690849304, 0.9576032757759094, 1.0,
                    1.2968395948410034, 2.3784141540527344, 11.313708305358887, NAN, INF, 0.0, 1.0, 1024.0, INF,
                    0.0},
                    new double[] {0.10303694009780884, 0.2790766954421997, 0.4901290535926819, 0.6637600064277649,
                    0.6931471824645996, 0.8989006876945496, 1.6485910415649414, 7.84206485748291, NAN, INF, 0.0,
                    0.6931471824645996, 709.78271484375, INF, 0.0}),
                unary("erf", Tensor::erf, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, 4.5},
                    new double[] {-0.9998993780778803, -0.9365685747113887, -0.5204998778130465, -0.07043197772238707, 0.0,
                    0.4041169094348223, 0.9229001282564583, 0.9999992569016276, NAN, 1.0, -1.0, -0.0,
                    0.9999999998033839},
                    new double[] {0.0005862772470937923, 0.20151851572462268, 0.8787825789354448, 1.1239800336253907,
                    1.1283791670955126, 0.9803528095459079, 0.23652112244729082, 5.399426777384782e-06, NAN, 0.0,
                    0.0, 1.1283791670955126, 1.81130589590869e-09},
                    new double[] {-0.9998993873596191, -0.936568558216095, -0.5204998850822449, -0.07043197751045227, 0.0,
                    0.4041168987751007, 0.9229001402854919, 0.9999992847442627, NAN, 1.0, -1.0, -0.0, 1.0},
                    new double[] {0.0005862772813998163, 0.20151852071285248, 0.8787826299667358, 1.1239800453186035,
                    1.128379225730896, 0.9803528785705566, 0.2365211397409439, 5.399426754593151e-06, NAN, 0.0,
                    0.0, 1.128379225730896, 1.8113059940816356e-09}),
                unary("erfc", Tensor::erfc, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0, 4.5, 9.0, -4.5},
                    new double[] {1.9998993780778804, 1.9365685747113888, 1.5204998778130465, 1.0704319777223872, 1.0,
                    0.5958830905651777, 0.07709987174354177, 7.430983723414128e-07, NAN, 0.0, 2.0, 1.0,
                    1.9661604415428876e-10, 4.13703174651381e-37, 1.999999999803384},
                    new double[] {-0.0005862772470937923, -0.20151851572462268, -0.8787825789354448, -1.1239800336253907,
                    -1.1283791670955126, -0.9803528095459079, -0.23652112244729082, -5.399426777384782e-06, NAN,
                    -0.0, -0.0, -1.1283791670955126, -1.81130589590869e-09, -7.492073428245975e-36,
                    -1.81130589590869e-09},
                    new double[] {1.9998993873596191, 1.9365686178207397, 1.5204999446868896, 1.0704319477081299, 1.0,
                    0.5958830714225769, 0.07709987461566925, 7.430983828271565e-07, NAN, 0.0, 2.0, 1.0,
                    1.9661604289122891e-10, 4.137031708073991e-37, 2.0},
                    new double[] {-0.0005862772813998163, -0.20151852071285248, -0.8787826299667358, -1.1239800453186035,
                    -1.128379225730896, -0.9803528785705566, -0.2365211397409439, -5.399426754593151e-06, NAN,
                    -0.0, -0.0, -1.128379225730896, -1.8113059940816356e-09, -7.492073225024278e-36,
                    -1.8113059940816356e-09}),
                unary("floor", Tensor::floor, true,
                    new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.75, 0.25, 1.0, 3.375, NAN, INF, -INF, -0.0},
                    new double[] {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, -2.0, 0.0, 1.0, 3.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, -2.0, 0.0, 1.0, 3.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}),
                unary("ceil", Tensor::ceil, true,
                    new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.75, 0.25, 1.0, 3.375, NAN, INF, -INF, -0.0},
                    new double[] {-2.0, -1.0, -0.0, 1.0, 2.0, 3.0, -1.0, 1.0, 1.0, 4.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {-2.0, -1.0, -0.0, 1.0, 2.0, 3.0, -1.0, 1.0, 1.0, 4.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}),
                unary("round", Tensor::round, true,
                    new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.75, 0.25, 1.0, 3.375, NAN, INF, -INF, -0.0},
                    new double[] {-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, -2.0, 0.0, 1.0, 3.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, -2.0, 0.0, 1.0, 3.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}),
                unary("trunc", Tensor::trunc, true,
                    new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.75, 0.25, 1.0, 3.375, NAN, INF, -INF, -0.0},
                    new double[] {-2.0, -1.0, -0.0, 0.0, 1.0, 2.0, -1.0, 0.0, 1.0, 3.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {-2.0, -1.0, -0.0, 0.0, 1.0, 2.0, -1.0, 0.0, 1.0, 3.0, NAN, INF, -INF, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}),
                unary("frac", Tensor::frac, false,
                    new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.75, 0.25, 1.0, 3.375, NAN, INF, -INF, -0.0},
                    new double[] {-0.5, -0.5, -0.5, 0.5, 0.5, 0.5, -0.75, 0.25, 0.0, 0.375, NAN, NAN, NAN, 0.0},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                    new double[] {-0.5, -0.5, -0.5, 0.5, 0.5, 0.5, -0.75, 0.25, 0.0, 0.375, NAN, NAN, NAN, 0.0},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}),
                unary("reciprocal", Tensor::reciprocal, false,
                    new double[] {-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5, NAN, INF, -INF, -0.0},
                    new double[] {-0.36363636363636365, -0.7619047619047619, -2.0, -16.0, INF, 2.6666666666666665, 0.8,
                    0.2857142857142857, NAN, 0.0, -0.0, -INF},
                    new double[] {-0.1322314049586777, -0.5804988662131518, -4.0, -256.0, -INF, -7.111111111111111,
                    -0.6400000000000001, -0.08163265306122448, NAN, -0.0, -0.0, -INF},
                    new double[] {-0.3636363744735718, -0.761904776096344, -2.0, -16.0, INF, 2.6666667461395264,
                    0.800000011920929, 0.2857142984867096, NAN, 0.0, -0.0, -INF},
                    new double[] {-0.13223141431808472, -0.5804988741874695, -4.0, -256.0, -INF, -7.111111640930176,
                    -0.64000004529953, -0.08163265883922577, NAN, -0.0, -0.0, -INF}),
                unary("rsqrt", Tensor::rsqrt, false,
                    new double[] {0.0625, 0.5, 1.0, 1.5, 7.25, 100.0, 0.0, -1.0, NAN, INF, -INF, -0.0},
                    new double[] {4.0, 1.414213562373095, 1.0, 0.8164965809277261, 0.3713906763541037, 0.1, INF, NAN, NAN, 0.0,
                    NAN, -INF},
                    new double[] {-32.0, -1.4142135623730947, -0.5, -0.2721655269759088, -0.025613150093386463,
                    -0.0005000000000000001, -INF, NAN, NAN, -0.0, NAN, INF},
                    new double[] {4.0, 1.4142135381698608, 1.0, 0.8164965510368347, 0.3713906705379486, 0.10000000149011612, INF,
                    NAN, NAN, 0.0, NAN, -INF},
                    new double[] {-32.0, -1.4142134189605713, -0.5, -0.2721655070781708, -0.025613149628043175,
                    -0.0005000000237487257, -INF, NAN, NAN, -0.0, NAN, INF})).flatMap(s -> s);
    }

    static Stream<Arguments> binaryCases() {
        return Stream.of(
                binary("atan2", Tensor::atan2, true,
                    new double[] {1.0303768265243125, -1.0303768265243125, 2.1112158270654806, -2.1112158270654806,
                    1.2220253232109897, 1.5707963267948966, -1.5707963267948966, 0.0, -1.1071487177940904, 0.0,
                    -0.0, 2.1587989303424644, -0.982793723247329, NAN, 1.5707963267948966, -0.0},
                    new double[] {0.08823529411764705, 0.08823529411764705, -0.08823529411764705, -0.08823529411764705,
                    0.058394160583941604, 0.0, 0.0, NAN, 0.1, NAN, NAN, -0.6153846153846154, 0.20512820512820515,
                    NAN, 0.0, 0.3333333333333333},
                    new double[] {-0.14705882352941177, 0.14705882352941177, -0.14705882352941177, 0.14705882352941177,
                    -0.16058394160583941, -0.3333333333333333, 0.3333333333333333, NAN, 0.2, -0.0, 0.0,
                    -0.9230769230769231, 0.3076923076923077, NAN, NAN, 0.0},
                    new double[] {1.0303767919540405, -1.0303767919540405, 2.111215829849243, -2.111215829849243,
                    1.2220252752304077, 1.5707963705062866, -1.5707963705062866, 0.0, -1.1071487665176392, 0.0,
                    -0.0, 2.158798933029175, -0.9827937483787537, NAN, 1.5707963705062866, -0.0},
                    new double[] {0.0882352963089943, 0.0882352963089943, -0.0882352963089943, -0.0882352963089943,
                    0.058394160121679306, 0.0, 0.0, NAN, 0.10000000149011612, NAN, NAN, -0.6153846383094788,
                    0.20512822270393372, NAN, 0.0, 0.3333333432674408},
                    new double[] {-0.14705882966518402, 0.14705882966518402, -0.14705882966518402, 0.14705882966518402,
                    -0.16058394312858582, -0.3333333432674408, 0.3333333432674408, NAN, 0.20000000298023224, -0.0,
                    0.0, -0.9230769872665405, 0.3076923191547394, NAN, NAN, 0.0}),
                binary("fmod", Tensor::fmod, true,
                    new double[] {2.0, -2.0, 2.0, -2.0, 1.5, NAN, NAN, NAN, -0.0, 5.0, -5.0, 0.25, -0.75, NAN, NAN, -0.0},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                    new double[] {-1.0, 1.0, 1.0, -1.0, -2.0, -INF, INF, NAN, 2.0, -0.0, 0.0, 1.0, 1.0, NAN, -INF, 0.0},
                    new double[] {2.0, -2.0, 2.0, -2.0, 1.5, NAN, NAN, NAN, -0.0, 5.0, -5.0, 0.25, -0.75, NAN, NAN, -0.0},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                    new double[] {-1.0, 1.0, 1.0, -1.0, -2.0, -INF, INF, NAN, 2.0, -0.0, 0.0, 1.0, 1.0, NAN, -INF, 0.0}),
                binary("remainder", Tensor::remainder, true,
                    new double[] {2.0, 1.0, -1.0, -2.0, 1.5, NAN, NAN, NAN, -0.0, 5.0, INF, -0.25, 0.75, NAN, NAN, -0.0},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                    new double[] {-1.0, 2.0, 2.0, -1.0, -2.0, -INF, INF, NAN, 2.0, -0.0, 1.0, 2.0, 2.0, NAN, NAN, 0.0},
                    new double[] {2.0, 1.0, -1.0, -2.0, 1.5, NAN, NAN, NAN, -0.0, 5.0, INF, -0.25, 0.75, NAN, NAN, -0.0},
                    new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                    new double[] {-1.0, 2.0, 2.0, -1.0, -2.0, -INF, INF, NAN, 2.0, -0.0, 1.0, 2.0, 2.0, NAN, NAN, 0.0}),
                binary("floorDivide", Tensor::floorDivide, false,
                    new double[] {1.0, -2.0, -2.0, 1.0, 2.0, INF, -INF, NAN, -2.0, 0.0, -1.0, -2.0, -2.0, NAN, NAN, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {1.0, -2.0, -2.0, 1.0, 2.0, INF, -INF, NAN, -2.0, 0.0, -1.0, -2.0, -2.0, NAN, NAN, -0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                    new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0})).flatMap(s -> s);
    }
}
