package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.assertParityWithNaN;
import static dev.kiln.tests.cuda.ParityBackends.full;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;
import static dev.kiln.tests.cuda.ParityBackends.values;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPI section 3 (element-wise unary and binary ops with broadcasting, affine, where) on the backend under test
 * against the CPU backend, from identical inputs, including the in-place form (output = an input) that the
 * SPI allows for these ops.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}). F32: 1e-5 relative plus 2e-6 absolute. Each side
 * rounds a transcendental function differently: the CPU computes most F32 functions in double and rounds
 * once, but its F32 tanh is a rational approximation within 4e-7 of tanh, and CUDA's single-precision
 * functions are within a few ulps; the tanh gradient {@code 1 - y^2} doubles that absolute difference, hence
 * 2e-6. F64: 1e-12, a few thousand ulps, for the same functions in double.
 * Comparisons, max/min, abs, neg, sign, relu and where involve no rounding and must match exactly; they run
 * on inputs with many ties and exact zeros, where conventions (which side of a kink, which operand of a tie)
 * show.
 */
class CudaParityElementwiseTest extends ParityTest {
    private static final Tolerance ELEMENTWISE_F32 = new Tolerance(2e-6, 1e-5);
    private static final Tolerance ELEMENTWISE_F64 = Tolerance.of(1e-12);
    private static final int N = 2000;

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.F64 ? ELEMENTWISE_F64 : ELEMENTWISE_F32;
    }

    static Stream<Arguments> unaryOpsAndDtypes() {
        List<Arguments> cases = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            cases.add(Arguments.of(op, DType.F32));
            cases.add(Arguments.of(op, DType.F64));
        }
        return cases.stream();
    }

    private static boolean positiveDomain(UnaryOp op) {
        return switch (op) {
            case LOG, SQRT, POW, LOG2, LOG10, RSQRT -> true;
            default -> false;
        };
    }

    /** The ops defined on (-1, 1) only, and near -1 only: log1p. */
    private static boolean unitDomain(UnaryOp op) {
        return switch (op) {
            case ASIN, ACOS, ATANH, LOG1P -> true;
            default -> false;
        };
    }

    /** POW's exponent, LEAKY_RELU's slope, ELU's alpha; ignored by the others. */
    private static double param(UnaryOp op) {
        return switch (op) {
            case POW -> 1.7;
            case LEAKY_RELU -> 0.1;
            case ELU -> 1.3;
            default -> 0;
        };
    }

    /**
     * Inputs in [0.05, 4) for LOG, SQRT, POW, LOG2, LOG10 and RSQRT, in [1, 5) for ACOSH, in (-0.99, 0.99) for ASIN,
     * ACOS, ATANH and LOG1P; otherwise in [-6, 6) with every 50th value exactly 0.
     */
    private static double[] unaryInputs(UnaryOp op) {
        if (positiveDomain(op)) {
            return values(12, N, 0.05, 4);
        }
        if (op == UnaryOp.ACOSH) {
            return values(12, N, 1, 5);
        }
        if (unitDomain(op)) {
            return values(12, N, -0.99, 0.99);
        }
        double[] x = values(12, N, -6, 6);
        for (int i = 0; i < N; i += 50) {
            x[i] = 0;
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unaryOpsAndDtypes")
    void unaryMatchesCpu(UnaryOp op, DType dtype) {
        double[] x = unaryInputs(op);
        assertParity(op + " " + dtype, tolerance(dtype), b -> {
            Tensor out = output(b, dtype, N);
            b.unary(op, param(op), tensor(b, dtype, x, N), out);
            return out;
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unaryOpsAndDtypes")
    void unaryBackwardMatchesCpu(UnaryOp op, DType dtype) {
        double[] x = unaryInputs(op);
        assertParity(op + " backward " + dtype, tolerance(dtype), b -> {
            Tensor in = tensor(b, dtype, x, N);
            Tensor y = output(reference(), dtype, N);
            reference().unary(op, param(op), tensor(reference(), dtype, x, N), y);
            Tensor gradX = output(b, dtype, N);
            b.unaryBackward(op, param(op), in, tensor(b, dtype, y.toDoubleArray(), N), random(b, dtype, 13, N), gradX);
            return gradX;
        });
    }

    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"MAX", "MIN"})
    void maxAndMinOrderZerosBySignAsJavaDoes(BinaryOp op) {
        double[] a = {0.0, -0.0, 0.0, -0.0};
        double[] b = {-0.0, 0.0, 0.0, -0.0};
        // 1 / result turns the sign of a zero into +-infinity, which the comparison tells apart.
        assertParity(op + " of signed zeros, seen through 1 / x", ELEMENTWISE_F32, be -> {
            Tensor out = output(be, DType.F32, 4);
            be.binary(op, tensor(be, DType.F32, a, 4), tensor(be, DType.F32, b, 4), out);
            Tensor reciprocal = output(be, DType.F32, 4);
            be.binary(BinaryOp.DIV, full(be, DType.F32, 1, 4), out, reciprocal);
            return reciprocal;
        });
    }

    private static final double[] RELU_EDGES = {Double.NaN, -1, -0.0, 2, Double.NaN, 0, -7, 0.5};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void reluKeepsNaN(DType dtype) {
        assertParityWithNaN("RELU of NaN " + dtype, tolerance(dtype), b -> {
            Tensor out = output(b, dtype, 8);
            b.unary(UnaryOp.RELU, 0, tensor(b, dtype, RELU_EDGES, 8), out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void reluBackwardSelectsTheGradientSoThatInfinityBelowZeroGivesZero(DType dtype) {
        double[] gradY = {5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3, -2, Double.POSITIVE_INFINITY, 1, 4};
        double[] y = {Double.NaN, 0, 0, 2, Double.NaN, 0, 0, 0.5};
        assertParity("RELU backward at NaN, -0 and under infinite gradients " + dtype, tolerance(dtype), b -> {
            Tensor gradX = output(b, dtype, 8);
            b.unaryBackward(UnaryOp.RELU, 0, tensor(b, dtype, RELU_EDGES, 8), tensor(b, dtype, y, 8),
                    tensor(b, dtype, gradY, 8), gradX);
            return gradX;
        });
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryWritesInPlaceWhenTheOutputIsTheInput(UnaryOp op) {
        double[] x = unaryInputs(op);
        assertParity(op + " in place", ELEMENTWISE_F32, b -> {
            Tensor t = tensor(b, DType.F32, x, 40, N / 40);
            b.unary(op, param(op), t, t);
            return t;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void affineScalesAndShifts(DType dtype) {
        assertParity("affine " + dtype, tolerance(dtype), b -> {
            Tensor out = output(b, dtype, 7, 143);
            b.affine(random(b, dtype, 14, 7, 143), -2.5, 0.75, out);
            return out;
        });
    }

    @Test
    void affineWritesInPlace() {
        assertParity("affine in place", ELEMENTWISE_F32, b -> {
            Tensor x = random(b, DType.F32, 15, 999);
            b.affine(x, 3, -1, x);
            return x;
        });
    }

    /** NaN, the infinities, signed zeros, halves, and the ends of the domains of asin, acosh, atanh and log1p. */
    private static final double[] EDGES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0,
        0.5, 1.5, 2.5, -0.5, -2.5, 1, -1, 2, -2};

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unaryOpsAndDtypes")
    void unaryEdgesMatchCpu(UnaryOp op, DType dtype) {
        assertParityWithNaN(op + " at the edges " + dtype, tolerance(dtype), b -> {
            Tensor out = output(b, dtype, EDGES.length);
            b.unary(op, param(op), tensor(b, dtype, EDGES, EDGES.length), out);
            return out;
        });
    }

    static Stream<Arguments> halfPowersAndDtypes() {
        return Stream.of(Arguments.of(0.5, DType.F32), Arguments.of(-0.5, DType.F32), Arguments.of(0.5, DType.F64),
                Arguments.of(-0.5, DType.F64));
    }

    /** x^0.5 and x^-0.5 are a square root and its reciprocal, as PyTorch's: (-0)^-0.5 is -inf, (-inf)^0.5 NaN. */
    @ParameterizedTest(name = "x^{0} {1}")
    @MethodSource("halfPowersAndDtypes")
    void halfPowersAtTheEdgesAreSquareRoots(double exponent, DType dtype) {
        assertParityWithNaN("x^" + exponent + " at the edges " + dtype, tolerance(dtype), b -> {
            Tensor out = output(b, dtype, EDGES.length);
            b.unary(UnaryOp.POW, exponent, tensor(b, dtype, EDGES, EDGES.length), out);
            return out;
        });
    }

    /** The gradient of x^1.5, 1.5 x^0.5, goes through the square root too. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void powerGradientThroughAHalfPowerAtTheEdges(DType dtype) {
        assertParityWithNaN("x^1.5 backward at the edges " + dtype, tolerance(dtype), b -> {
            Tensor in = tensor(b, dtype, EDGES, EDGES.length);
            Tensor y = output(b, dtype, EDGES.length);
            b.unary(UnaryOp.POW, 1.5, in, y);
            Tensor gradX = output(b, dtype, EDGES.length);
            b.unaryBackward(UnaryOp.POW, 1.5, in, y, full(b, dtype, 1, EDGES.length), gradX);
            return gradX;
        });
    }

    static Stream<Arguments> binaryOpsAndDtypes() {
        List<Arguments> cases = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            cases.add(Arguments.of(op, DType.F32));
            cases.add(Arguments.of(op, DType.F64));
        }
        return cases.stream();
    }

    /**
     * A first operand: values from {-1, -0.5, 0, 0.5, 1} for comparisons, max and min (so that ties occur), in
     * [0.25, 2) for pow's bases, otherwise in [-1, 1).
     */
    private static double[] left(BinaryOp op, long seed, int n) {
        if (op == BinaryOp.POWER) {
            return values(seed, n, 0.25, 2); // a negative base to a fractional power is NaN
        }
        return op.isComparison() || op == BinaryOp.MAX || op == BinaryOp.MIN
                ? ties(seed, n, -1, -0.5, 0, 0.5, 1) : values(seed, n, -1, 1);
    }

    /**
     * A second operand: like {@link #left}, but pow's exponents in [-2, 2) and a divisor (of div, fmod, remainder,
     * floorDivide) kept at least 0.25 away from zero.
     */
    private static double[] right(BinaryOp op, long seed, int n) {
        if (op == BinaryOp.POWER) {
            return values(seed, n, -2, 2);
        }
        if (op != BinaryOp.DIV && op != BinaryOp.FMOD && op != BinaryOp.REMAINDER && op != BinaryOp.FLOOR_DIVIDE) {
            return left(op, seed, n);
        }
        double[] v = values(seed, n, 0.25, 1);
        Random sign = new Random(seed + 1);
        for (int i = 0; i < n; i++) {
            v[i] = sign.nextBoolean() ? v[i] : -v[i];
        }
        return v;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("binaryOpsAndDtypes")
    void binaryBroadcastsBothOperands(BinaryOp op, DType dtype) {
        assertParity(op + " " + dtype + ": [4, 1, 5] with [3, 1] into [4, 3, 5]", tolerance(dtype), b -> {
            Tensor out = output(b, dtype, 4, 3, 5);
            b.binary(op, tensor(b, dtype, left(op, 16, 20), 4, 1, 5), tensor(b, dtype, right(op, 17, 3), 3, 1), out);
            return out;
        });
        assertParity(op + " " + dtype + ": [2, 1, 6] with [3, 1] into [2, 3, 6]", tolerance(dtype), b -> {
            Tensor out = output(b, dtype, 2, 3, 6);
            b.binary(op, tensor(b, dtype, left(op, 18, 12), 2, 1, 6), tensor(b, dtype, right(op, 19, 3), 3, 1), out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryBroadcastsARankZeroOperand(BinaryOp op) {
        assertParity(op + ": [2, 3, 4] with a scalar", ELEMENTWISE_F32, b -> {
            Tensor scalar = Tensor.empty(Shape.scalar(), DType.F32, b);
            b.fill(scalar, 0.5);
            Tensor out = output(b, DType.F32, 2, 3, 4);
            b.binary(op, tensor(b, DType.F32, left(op, 20, 24), 2, 3, 4), scalar, out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryWritesInPlaceIntoEitherOperand(BinaryOp op) {
        assertParity(op + " into its first operand [6, 7], second [7]", ELEMENTWISE_F32, b -> {
            Tensor a = tensor(b, DType.F32, left(op, 21, 42), 6, 7);
            b.binary(op, a, tensor(b, DType.F32, right(op, 22, 7), 7), a);
            return a;
        });
        assertParity(op + " into its second operand [6, 7], first [7]", ELEMENTWISE_F32, b -> {
            Tensor second = tensor(b, DType.F32, right(op, 23, 42), 6, 7);
            b.binary(op, tensor(b, DType.F32, left(op, 24, 7), 7), second, second);
            return second;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void comparisonsOfIntegerTensorsAreExact(DType dtype) {
        for (BinaryOp op : BinaryOp.values()) {
            if (op.isComparison()) {
                assertParity(op + " " + dtype + ": [5, 4] with [4]", Tolerance.EXACT, b -> {
                    Tensor out = output(b, dtype, 5, 4);
                    b.binary(op, tensor(b, dtype, ties(25, 20, -3, 0, 2, 1L << 40), 5, 4),
                            tensor(b, dtype, new double[] {-3, 0, 2, 1L << 40}, 4), out);
                    return out;
                });
            }
        }
    }

    /**
     * Integer ADD, SUB and MUL, broadcast and of one shape, exact and wrapping at the dtype's width: I64 sums and
     * products beyond 2^53 (2^53 + 3, 2^60 + 2^32 + 3), where doubles round, and I32 ones past 2^31.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerArithmeticIsExactAndWraps(DType dtype) {
        double big = dtype == DType.I64 ? (1L << 52) + 1 : Integer.MAX_VALUE;
        double[] a = {big, 65537, -7, big - 2, (1 << 30) + 1, 5};
        double[] b = {dtype == DType.I64 ? big + 1 : big, 65537, (1 << 30) + 3};
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL}) {
            assertParity(op + " " + dtype + ": [2, 3] with [3]", Tolerance.EXACT, be -> {
                Tensor out = output(be, dtype, 2, 3);
                be.binary(op, tensor(be, dtype, a, 2, 3), tensor(be, dtype, b, 3), out);
                return out;
            });
            assertParity(op + " " + dtype + ": [2, 3] with [2, 3]", Tolerance.EXACT, be -> {
                Tensor out = output(be, dtype, 2, 3);
                be.binary(op, tensor(be, dtype, a, 2, 3), tensor(be, dtype, a, 2, 3), out);
                return out;
            });
        }
    }

    /**
     * I64 MAX, MIN, comparisons and where, broadcast and of one shape, exact beyond 2^53 and near Long.MAX_VALUE and
     * Long.MIN_VALUE, where neighbours round to one double (2^53 + 1 == 2^53 through doubles).
     */
    @Test
    void i64MaxMinComparisonsAndWhereAreExactBeyond2To53() {
        long two53 = 1L << 53;
        long[] a = {two53 + 1, Long.MAX_VALUE, Long.MIN_VALUE + 1, -two53 - 1, two53, Long.MAX_VALUE - 1,
            Long.MIN_VALUE, 3};
        long[] b = {two53, Long.MAX_VALUE - 1, Long.MIN_VALUE, -two53};
        for (BinaryOp op : BinaryOp.values()) {
            if (op.isComparison() || op == BinaryOp.MAX || op == BinaryOp.MIN) {
                assertParity(op + " I64: [2, 4] with [4]", Tolerance.EXACT, be -> {
                    Tensor out = output(be, DType.I64, 2, 4);
                    be.binary(op, i64(be, a, 2, 4), i64(be, b, 4), out);
                    return out;
                });
                assertParity(op + " I64: [2, 4] with [2, 4] reversed", Tolerance.EXACT, be -> {
                    Tensor out = output(be, DType.I64, 2, 4);
                    be.binary(op, i64(be, a, 2, 4), i64(be, reversed(a), 2, 4), out);
                    return out;
                });
            }
        }
        assertParity("where I64: cond [2, 4], a [2, 4], b [4]", Tolerance.EXACT, be -> {
            Tensor out = output(be, DType.I64, 2, 4);
            be.where(i64(be, new long[] {1, 0, 1, 0, 0, 1, 0, 1}, 2, 4), i64(be, a, 2, 4), i64(be, b, 4), out);
            return out;
        });
    }

    /**
     * I64 and I32 FLOOR_DIVIDE, REMAINDER and FMOD, broadcast and of one shape, exact beyond 2^53 and at the dtype's
     * ends (MIN / -1 wraps), with divisors of both signs; no zero divisor, which the CPU refuses.
     */
    @Test
    void integerFloorDivideRemainderAndFmodAreExact() {
        long two53 = 1L << 53;
        long[] a = {two53 + 1, -two53 - 1, Long.MIN_VALUE, Long.MAX_VALUE, -7, 7, Long.MIN_VALUE + 1, -1};
        long[] b = {2, -7, -1, 3};
        int[] a32 = {Integer.MIN_VALUE, Integer.MAX_VALUE, -7, 7, 16777217, -16777219, 0, 5};
        int[] b32 = {-1, 2, -3, 3};
        for (BinaryOp op : List.of(BinaryOp.FLOOR_DIVIDE, BinaryOp.REMAINDER, BinaryOp.FMOD)) {
            assertParity(op + " I64: [2, 4] with [4]", Tolerance.EXACT, be -> {
                Tensor out = output(be, DType.I64, 2, 4);
                be.binary(op, i64(be, a, 2, 4), i64(be, b, 4), out);
                return out;
            });
            assertParity(op + " I64: [2, 4] with [2, 4] reversed", Tolerance.EXACT, be -> {
                Tensor out = output(be, DType.I64, 2, 4);
                be.binary(op, i64(be, a, 2, 4), i64(be, reversed(a), 2, 4), out);
                return out;
            });
            assertParity(op + " I32: [2, 4] with [4]", Tolerance.EXACT, be -> {
                Tensor out = output(be, DType.I32, 2, 4);
                be.binary(op, i32(be, a32, 2, 4), i32(be, b32, 4), out);
                return out;
            });
        }
    }

    /**
     * POWER at C's pow's edges, which the bases in [0.25, 2) above miss: each edge value to each edge value, so
     * negative bases to integer powers (the tutorial's x^3) and to fractional ones (NaN), 1 to NaN and -1 to the
     * infinities (1), signed zeros to negative powers and the infinities.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void powerOfTwoTensorsMatchesAtTheEdges(DType dtype) {
        assertParityWithNaN("POWER " + dtype + ": edges [14, 1] to edges [14]", tolerance(dtype), b -> {
            Tensor out = output(b, dtype, EDGES.length, EDGES.length);
            b.binary(BinaryOp.POWER, tensor(b, dtype, EDGES, EDGES.length, 1), tensor(b, dtype, EDGES, EDGES.length),
                    out);
            return out;
        });
    }

    /**
     * I64 and I32 POWER, broadcast and of one shape, exact and wrapping (3^40 and 2^63 in I64, 2^31 in I32), with
     * negative exponents (0 but for the bases 1 and -1).
     */
    @Test
    void integerPowerIsExactAndWraps() {
        long[] a = {0, 1, -1, -1, 2, -3, 5, 3};
        long[] b = {-1, -5, -3, -4, 63, 39, 0, 40};
        int[] a32 = {0, 1, -1, -1, 2, -3, 5, 3};
        int[] b32 = {-1, -5, -3, 31, 31, 21, 0, 20};
        assertParity("POWER I64: [8] with [8]", Tolerance.EXACT, be -> {
            Tensor out = output(be, DType.I64, 8);
            be.binary(BinaryOp.POWER, i64(be, a, 8), i64(be, b, 8), out);
            return out;
        });
        assertParity("POWER I64: [2, 4] with [4]", Tolerance.EXACT, be -> {
            Tensor out = output(be, DType.I64, 2, 4);
            be.binary(BinaryOp.POWER, i64(be, a, 2, 4), i64(be, new long[] {-2, 3, 62, 0}, 4), out);
            return out;
        });
        assertParity("POWER I32: [8] with [8]", Tolerance.EXACT, be -> {
            Tensor out = output(be, DType.I32, 8);
            be.binary(BinaryOp.POWER, i32(be, a32, 8), i32(be, b32, 8), out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void whereSelectsWithABroadcastCondition(DType dtype) {
        assertParity("where " + dtype + ": cond [1, 8], a [5, 8], b [5, 1]", Tolerance.EXACT, b -> {
            Tensor out = output(b, dtype, 5, 8);
            b.where(tensor(b, dtype, ties(26, 8, 0, 1, -2, 0.5), 1, 8), random(b, dtype, 27, 5, 8),
                    random(b, dtype, 28, 5, 1), out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void whereAcceptsAnIntegerConditionForFloatValues(DType conditionType) {
        assertParity("where: " + conditionType + " cond [5, 8] for F32 values", Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.F32, 5, 8);
            b.where(tensor(b, conditionType, ties(29, 40, 0, 1, -1, 7), 5, 8), random(b, DType.F32, 30, 5, 8),
                    random(b, DType.F32, 31, 8), out);
            return out;
        });
    }

    @Test
    void whereTakesAFractionalConditionAsTrueForIntegerValues() {
        assertParity("where: F32 cond of 0, 0.5, -0.25 for I32 values", Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.I32, 5, 8);
            b.where(tensor(b, DType.F32, ties(35, 40, 0, 0.5, -0.25), 5, 8), tensor(b, DType.I32, ties(36, 40, 1, 2, 3), 5, 8),
                    tensor(b, DType.I32, ties(37, 8, -1, -2), 8), out);
            return out;
        });
    }

    @Test
    void whereTakesATinyF64ConditionAsTrueForF32Values() {
        assertParity("where: F64 cond of 0 and 1e-300 for F32 values", Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.F32, 5, 8);
            b.where(tensor(b, DType.F64, ties(38, 40, 0, 1e-300), 5, 8), random(b, DType.F32, 39, 5, 8),
                    random(b, DType.F32, 40, 8), out);
            return out;
        });
    }

    @Test
    void whereWritesInPlaceIntoAnOperand() {
        assertParity("where into its first value operand", Tolerance.EXACT, b -> {
            Tensor a = random(b, DType.F32, 32, 6, 9);
            b.where(tensor(b, DType.F32, ties(33, 54, 0, 1), 6, 9), a, random(b, DType.F32, 34, 9), a);
            return a;
        });
    }

    /** An I64 tensor holding {@code values} bit for bit (the double-valued helpers round beyond 2^53). */
    private static Tensor i64(Backend b, long[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.I64, b);
        b.copyFromHost(LongBuffer.wrap(values.clone()), t);
        return t;
    }

    private static Tensor i32(Backend b, int[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.I32, b);
        b.copyFromHost(IntBuffer.wrap(values.clone()), t);
        return t;
    }

    private static long[] reversed(long[] values) {
        long[] r = new long[values.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = values[values.length - 1 - i];
        }
        return r;
    }
}
