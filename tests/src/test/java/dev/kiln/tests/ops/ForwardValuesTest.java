package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values of every op against references written here: plain loops in double precision, Math.*,
 * or values computed by hand (high-precision values for GELU). Nothing here calls the engine to compute
 * an expected value.
 */
class ForwardValuesTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static double[] random(long seed, int n, double low, double high) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = low + (high - low) * r.nextDouble();
        }
        return v;
    }

    /** The values as a tensor of {@code dtype} holds them: rounded to float for F32. */
    private static double[] stored(DType dtype, double[] v) {
        double[] out = v.clone();
        if (dtype == DType.F32) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }

    private static Tensor tensor(DType dtype, double[] v, int... dims) {
        if (dtype == DType.F32) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return Tensor.fromArray(f, dims);
        }
        if (dtype == DType.F64) {
            return Tensor.fromArray(v.clone(), dims);
        }
        throw new IllegalArgumentException("test helper handles floating dtypes only: " + dtype);
    }

    /** Tolerance for values computed in a handful of operations. */
    private static double tol(DType dtype) {
        return dtype == DType.F32 ? 2e-6 : 1e-13;
    }

    /** |actual - expected| &lt;= tol * max(1, |expected|) element-wise; infinities must match exactly. */
    private static void assertValues(double[] expected, Tensor actual, double tol, String what) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": element count");
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            if (Double.isInfinite(e) || Double.isNaN(e)) {
                assertEquals(e, a[i], what + ": element " + i);
                continue;
            }
            double err = Math.abs(a[i] - e);
            if (!(err <= tol * Math.max(1, Math.abs(e)))) {
                fail(what + ": element " + i + " expected " + e + " but was " + a[i] + " (error " + err + ")");
            }
        }
    }

    private static void assertShape(Tensor t, int... dims) {
        assertEquals(Shape.of(dims), t.shape(), "shape");
    }

    /** Row-major [m, k] x [k, n] in double by the textbook triple loop. */
    private static double[] matmulRef(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** [rows, cols] to [cols, rows]. */
    private static double[] transposeRef(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    private static double matmulTol(DType dtype) {
        return dtype == DType.F32 ? 1e-4 : 1e-11;
    }

    // ---- matmul ---------------------------------------------------------------------------------

    static Stream<Arguments> transposeCombinations() {
        return Stream.of(DType.F32, DType.F64).flatMap(dt -> Stream.of(
                Arguments.of(dt, false, false), Arguments.of(dt, true, false),
                Arguments.of(dt, false, true), Arguments.of(dt, true, true)));
    }

    @ParameterizedTest(name = "{0} a.t()={1} b.t()={2}")
    @MethodSource("transposeCombinations")
    void matmul2DMatchesTripleLoopForEveryTransposeCombination(DType dt, boolean transA, boolean transB) {
        int m = 37;
        int k = 53;
        int n = 29;
        double[] a = stored(dt, random(1, m * k, -1, 1));
        double[] b = stored(dt, random(2, k * n, -1, 1));
        // The operand as given to matmul is a (or b) itself, or a transposed copy passed through .t().
        Tensor ta = transA ? tensor(dt, transposeRef(a, m, k), k, m).t() : tensor(dt, a, m, k);
        Tensor tb = transB ? tensor(dt, transposeRef(b, k, n), n, k).t() : tensor(dt, b, k, n);
        Tensor c = ta.matmul(tb);
        assertShape(c, m, n);
        assertEquals(dt, c.dtype());
        assertValues(matmulRef(a, b, m, k, n), c, matmulTol(dt), "matmul");
    }

    static Stream<Arguments> splitShapes() {
        return transposeCombinations().flatMap(t -> Stream.of(
                Arguments.of(t.get()[0], t.get()[1], t.get()[2], 150, 30),
                Arguments.of(t.get()[0], t.get()[1], t.get()[2], 30, 151)));
    }

    /**
     * Products of at least 2^17 multiply-adds are split over the CPU backend's threads, by rows of the result
     * ([150, 30]) or by columns ([30, 151]); each block must land in its place for every transpose combination.
     */
    @ParameterizedTest(name = "{0} a.t()={1} b.t()={2} [{3}, {4}]")
    @MethodSource("splitShapes")
    void matmulSplitOverThreadsMatchesTripleLoop(DType dt, boolean transA, boolean transB, int m, int n) {
        int k = 41;
        double[] a = stored(dt, random(3, m * k, -1, 1));
        double[] b = stored(dt, random(4, k * n, -1, 1));
        Tensor ta = transA ? tensor(dt, transposeRef(a, m, k), k, m).t() : tensor(dt, a, m, k);
        Tensor tb = transB ? tensor(dt, transposeRef(b, k, n), n, k).t() : tensor(dt, b, k, n);
        assertValues(matmulRef(a, b, m, k, n), ta.matmul(tb), matmulTol(dt), "matmul");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchedMatmul3Dx3DMultipliesEachBatchEntry(DType dt) {
        int batch = 4;
        int m = 5;
        int k = 6;
        int n = 7;
        double[] a = stored(dt, random(3, batch * m * k, -1, 1));
        double[] b = stored(dt, random(4, batch * k * n, -1, 1));
        Tensor c = tensor(dt, a, batch, m, k).matmul(tensor(dt, b, batch, k, n));
        assertShape(c, batch, m, n);
        double[] expected = new double[batch * m * n];
        for (int e = 0; e < batch; e++) {
            double[] ae = java.util.Arrays.copyOfRange(a, e * m * k, (e + 1) * m * k);
            double[] be = java.util.Arrays.copyOfRange(b, e * k * n, (e + 1) * k * n);
            System.arraycopy(matmulRef(ae, be, m, k, n), 0, expected, e * m * n, m * n);
        }
        assertValues(expected, c, matmulTol(dt), "batched matmul");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchedMatmul3Dx2DSharesTheMatrixAcrossTheBatch(DType dt) {
        int batch = 3;
        int m = 4;
        int k = 5;
        int n = 6;
        double[] a = stored(dt, random(5, batch * m * k, -1, 1));
        double[] b = stored(dt, random(6, k * n, -1, 1));
        Tensor c = tensor(dt, a, batch, m, k).matmul(tensor(dt, b, k, n));
        assertShape(c, batch, m, n);
        double[] expected = new double[batch * m * n];
        for (int e = 0; e < batch; e++) {
            double[] ae = java.util.Arrays.copyOfRange(a, e * m * k, (e + 1) * m * k);
            System.arraycopy(matmulRef(ae, b, m, k, n), 0, expected, e * m * n, m * n);
        }
        assertValues(expected, c, matmulTol(dt), "3-D x 2-D matmul");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchedMatmul2Dx3DSharesTheMatrixAcrossTheBatch(DType dt) {
        int batch = 3;
        int m = 4;
        int k = 5;
        int n = 6;
        double[] a = stored(dt, random(7, m * k, -1, 1));
        double[] b = stored(dt, random(8, batch * k * n, -1, 1));
        Tensor c = tensor(dt, a, m, k).matmul(tensor(dt, b, batch, k, n));
        assertShape(c, batch, m, n);
        double[] expected = new double[batch * m * n];
        for (int e = 0; e < batch; e++) {
            double[] be = java.util.Arrays.copyOfRange(b, e * k * n, (e + 1) * k * n);
            System.arraycopy(matmulRef(a, be, m, k, n), 0, expected, e * m * n, m * n);
        }
        assertValues(expected, c, matmulTol(dt), "2-D x 3-D matmul");
    }

    @Test
    void matmulOfSmallMatricesGivesHandComputedProduct() {
        // [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]]
        Tensor c = Tensor.fromArray(new double[] {1, 2, 3, 4}, 2, 2).matmul(Tensor.fromArray(new double[] {5, 6, 7, 8}, 2, 2));
        assertArrayEquals(new double[] {19, 22, 43, 50}, c.toDoubleArray());
    }

    // ---- binary ops with broadcasting -----------------------------------------------------------

    private record BinCase(String name, BinaryOperator<Tensor> op, DoubleBinaryOperator ref) {
    }

    private static List<BinCase> binaryOps() {
        return List.of(
                new BinCase("add", Tensor::add, (x, y) -> x + y),
                new BinCase("sub", Tensor::sub, (x, y) -> x - y),
                new BinCase("mul", Tensor::mul, (x, y) -> x * y),
                new BinCase("div", Tensor::div, (x, y) -> x / y),
                new BinCase("maximum", Tensor::maximum, Math::max),
                new BinCase("minimum", Tensor::minimum, Math::min));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void binaryOpsBroadcastColumnAgainstRow(DType dt) {
        double[] a = stored(dt, random(10, 3, -2, 2));
        double[] b = stored(dt, new double[] {0.5, -1.25, 3, 1.75});
        for (BinCase c : binaryOps()) {
            Tensor out = c.op().apply(tensor(dt, a, 3, 1), tensor(dt, b, 1, 4));
            assertShape(out, 3, 4);
            double[] expected = new double[12];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    expected[i * 4 + j] = c.ref().applyAsDouble(a[i], b[j]);
                }
            }
            assertValues(expected, out, tol(dt), c.name() + " [3,1] with [1,4]");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void binaryOpsBroadcastTrailingVectorOver3D(DType dt) {
        double[] a = stored(dt, random(11, 24, -2, 2));
        double[] b = stored(dt, new double[] {1.5, -0.75, 2.25, 4});
        for (BinCase c : binaryOps()) {
            Tensor out = c.op().apply(tensor(dt, a, 2, 3, 4), tensor(dt, b, 4));
            Tensor reversed = c.op().apply(tensor(dt, b, 4), tensor(dt, a, 2, 3, 4));
            assertShape(out, 2, 3, 4);
            assertShape(reversed, 2, 3, 4);
            double[] expected = new double[24];
            double[] expectedReversed = new double[24];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        int at = (i * 3 + j) * 4 + k;
                        expected[at] = c.ref().applyAsDouble(a[at], b[k]);
                        expectedReversed[at] = c.ref().applyAsDouble(b[k], a[at]);
                    }
                }
            }
            assertValues(expected, out, tol(dt), c.name() + " [2,3,4] with [4]");
            assertValues(expectedReversed, reversed, tol(dt), c.name() + " [4] with [2,3,4]");
        }
    }

    /**
     * [2, 3, 1, 1] with [2, 3, 4, 1], and [2, 1, 4, 5] with [1, 3, 1, 5]: size-1 axes last, axes that both inputs
     * walk alike (which a backend may merge into longer rows) beside axes that only one of them walks.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void binaryOpsBroadcastOverSizeOneAndMixedAxes(DType dt) {
        double[] a = stored(dt, random(13, 6, -2, 2));
        double[] b = stored(dt, random(14, 24, 0.5, 2));
        double[] c = stored(dt, random(15, 40, -2, 2));
        double[] d = stored(dt, random(16, 15, 0.5, 2));
        for (BinCase op : binaryOps()) {
            Tensor trailing = op.op().apply(tensor(dt, a, 2, 3, 1, 1), tensor(dt, b, 2, 3, 4, 1));
            assertShape(trailing, 2, 3, 4, 1);
            double[] expectedTrailing = new double[24];
            for (int i = 0; i < 24; i++) {
                expectedTrailing[i] = op.ref().applyAsDouble(a[i / 4], b[i]);
            }
            assertValues(expectedTrailing, trailing, tol(dt), op.name() + " [2,3,1,1] with [2,3,4,1]");
            Tensor mixed = op.op().apply(tensor(dt, c, 2, 1, 4, 5), tensor(dt, d, 1, 3, 1, 5));
            assertShape(mixed, 2, 3, 4, 5);
            double[] expectedMixed = new double[120];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        for (int l = 0; l < 5; l++) {
                            expectedMixed[((i * 3 + j) * 4 + k) * 5 + l] =
                                    op.ref().applyAsDouble(c[(i * 4 + k) * 5 + l], d[j * 5 + l]);
                        }
                    }
                }
            }
            assertValues(expectedMixed, mixed, tol(dt), op.name() + " [2,1,4,5] with [1,3,1,5]");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void binaryOpsBroadcastRank0Scalar(DType dt) {
        double[] a = stored(dt, random(12, 6, -2, 2));
        double s = -1.5;
        for (BinCase c : binaryOps()) {
            Tensor scalar = Tensor.full(s, dt);
            assertEquals(0, scalar.rank());
            Tensor out = c.op().apply(tensor(dt, a, 2, 3), scalar);
            Tensor reversed = c.op().apply(scalar, tensor(dt, a, 2, 3));
            assertShape(out, 2, 3);
            assertShape(reversed, 2, 3);
            double[] expected = new double[6];
            double[] expectedReversed = new double[6];
            for (int i = 0; i < 6; i++) {
                expected[i] = c.ref().applyAsDouble(a[i], s);
                expectedReversed[i] = c.ref().applyAsDouble(s, a[i]);
            }
            assertValues(expected, out, tol(dt), c.name() + " with scalar");
            assertValues(expectedReversed, reversed, tol(dt), "scalar " + c.name());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void scalarDoubleArithmeticMatchesLoop(DType dt) {
        double[] a = stored(dt, random(13, 6, -2, 2));
        double[] add = new double[6];
        double[] sub = new double[6];
        double[] mul = new double[6];
        double[] div = new double[6];
        for (int i = 0; i < 6; i++) {
            add[i] = a[i] + 2.5;
            sub[i] = a[i] - 0.75;
            mul[i] = a[i] * -3;
            div[i] = a[i] / 4;
        }
        assertValues(add, tensor(dt, a, 2, 3).add(2.5), tol(dt), "add(2.5)");
        assertValues(sub, tensor(dt, a, 2, 3).sub(0.75), tol(dt), "sub(0.75)");
        assertValues(mul, tensor(dt, a, 2, 3).mul(-3), tol(dt), "mul(-3)");
        assertValues(div, tensor(dt, a, 2, 3).div(4), tol(dt), "div(4)");
    }

    @Test
    void elementwiseAddOfSameShapeGivesHandComputedSum() {
        Tensor out = Tensor.fromArray(new float[] {1, 2, 3}, 3).add(Tensor.fromArray(new float[] {10, 20, 30}, 3));
        assertArrayEquals(new float[] {11, 22, 33}, out.toFloatArray());
    }

    // ---- unary ops ------------------------------------------------------------------------------

    private record UnCase(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, boolean positiveOnly) {
    }

    private static List<UnCase> unaryOps() {
        return List.of(
                new UnCase("neg", Tensor::neg, x -> -x, false),
                new UnCase("abs", Tensor::abs, Math::abs, false),
                new UnCase("exp", Tensor::exp, Math::exp, false),
                new UnCase("log", Tensor::log, Math::log, true),
                new UnCase("sqrt", Tensor::sqrt, Math::sqrt, true),
                new UnCase("pow(3)", t -> t.pow(3), x -> Math.pow(x, 3), false),
                new UnCase("pow(0.5)", t -> t.pow(0.5), Math::sqrt, true),
                new UnCase("pow(-1.5)", t -> t.pow(-1.5), x -> Math.pow(x, -1.5), true),
                new UnCase("square", Tensor::square, x -> x * x, false),
                new UnCase("tanh", Tensor::tanh, Math::tanh, false),
                new UnCase("sigmoid", Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), false),
                new UnCase("relu", Tensor::relu, x -> x > 0 ? x : 0, false),
                new UnCase("leakyRelu(0.1)", t -> t.leakyRelu(0.1), x -> x > 0 ? x : 0.1 * x, false),
                new UnCase("elu(1.5)", t -> t.elu(1.5), x -> x > 0 ? x : 1.5 * (Math.exp(x) - 1), false),
                new UnCase("sign", Tensor::sign, Math::signum, false),
                new UnCase("sin", Tensor::sin, Math::sin, false),
                new UnCase("cos", Tensor::cos, Math::cos, false),
                new UnCase("tan", Tensor::tan, Math::tan, false),
                new UnCase("atan", Tensor::atan, Math::atan, false),
                new UnCase("sinh", Tensor::sinh, Math::sinh, false),
                new UnCase("cosh", Tensor::cosh, Math::cosh, false),
                new UnCase("asinh", Tensor::asinh, x -> Math.copySign(Math.log(Math.abs(x) + Math.sqrt(x * x + 1)), x),
                        false),
                new UnCase("expm1", Tensor::expm1, Math::expm1, false),
                new UnCase("exp2", Tensor::exp2, x -> Math.pow(2, x), false),
                new UnCase("log1p", Tensor::log1p, Math::log1p, true),
                new UnCase("log2", Tensor::log2, x -> Math.log(x) / Math.log(2), true),
                new UnCase("log10", Tensor::log10, Math::log10, true),
                new UnCase("floor", Tensor::floor, Math::floor, false),
                new UnCase("ceil", Tensor::ceil, Math::ceil, false),
                new UnCase("round", Tensor::round, Math::rint, false),
                new UnCase("trunc", Tensor::trunc, x -> x < 0 ? Math.ceil(x) : Math.floor(x), false),
                new UnCase("frac", Tensor::frac, x -> x - (x < 0 ? Math.ceil(x) : Math.floor(x)), false),
                new UnCase("reciprocal", Tensor::reciprocal, x -> 1 / x, true),
                new UnCase("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), true));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void everyUnaryOpMatchesMath(DType dt) {
        double[] signed = stored(dt, new double[] {-3.5, -1, -0.25, 0, 0.3, 1, 2.5, 7.25});
        double[] positive = stored(dt, new double[] {0.01, 0.5, 1, 2, 10, 123.4});
        for (UnCase c : unaryOps()) {
            double[] x = c.positiveOnly() ? positive : signed;
            double[] expected = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = c.ref().applyAsDouble(x[i]);
            }
            Tensor out = c.op().apply(tensor(dt, x, x.length));
            assertEquals(dt, out.dtype(), c.name() + " dtype");
            assertValues(expected, out, dt == DType.F32 ? 2e-6 : 1e-14, c.name());
        }
    }

    @Test
    void f32TanhAndItsGradientFollowMathTanhAcrossSeveralChunks() {
        int n = 5001;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12 + 24.0 * i / (n - 1);
        }
        Tensor in = tensor(DType.F32, x, n).requiresGrad(true);
        Tensor y = in.tanh();
        y.sum().backward();
        double[] expected = new double[n];
        double[] slope = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = Math.tanh((float) x[i]);
            slope[i] = 1 - expected[i] * expected[i];
        }
        assertValues(expected, y, 1e-6, "tanh");
        assertValues(slope, in.grad(), 2e-6, "gradient of tanh");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sigmoidAndTanhSaturateWithoutNaN(DType dt) {
        double[] x = {-1000, -100, 100, 1000};
        assertValues(new double[] {0, 0, 1, 1}, tensor(dt, x, 4).sigmoid(), 1e-30, "sigmoid");
        assertValues(new double[] {-1, -1, 1, 1}, tensor(dt, x, 4).tanh(), 0, "tanh");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "I64"})
    void fullLikeHasTheShapeDtypeAndBackendOfItsModel(DType dt) {
        Tensor model = Tensor.zeros(dt, 2, 3);
        Tensor full = model.fullLike(7);
        assertShape(full, 2, 3);
        assertEquals(dt, full.dtype());
        assertSame(model.backend(), full.backend());
        assertValues(new double[] {7, 7, 7, 7, 7, 7}, full, 0, "fullLike");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void reluKeepsNaNAndItsGradientIsExactlyZeroBelowZeroEvenWhenInfinite(DType dt) {
        // PyTorch's relu keeps NaN and its backward selects (output <= 0 ? 0 : grad) rather than multiplies.
        Tensor x = tensor(dt, new double[] {Double.NaN, -1, -0.0, 2}, 4).requiresGrad(true);
        Tensor y = x.relu();
        assertValues(new double[] {Double.NaN, 0, 0, 2}, y, 0, "relu");
        Tensor incoming = tensor(dt, new double[] {5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3}, 4);
        y.mul(incoming).sum().backward();
        assertValues(new double[] {5, 0, 0, 3}, x.grad(), 0, "gradient of relu");
    }

    @Test
    void reluPassesTheGradientOfANaNOfEitherSign() {
        // x86 makes NaNs with the sign bit set (0/0, inf - inf); F32's bit-mask path once dropped their gradient.
        float negativeNaN = Float.intBitsToFloat(0xFFC00000);
        Tensor x = Tensor.fromArray(new float[] {negativeNaN, Float.NaN, -0.0f, 0, -2, 1}, 6).requiresGrad(true);
        Tensor incoming = Tensor.fromArray(new float[] {5, 6, 7, 8, 9, 10}, 6);
        x.relu().mul(incoming).sum().backward();
        assertArrayEquals(new float[] {5, 6, 0, 0, 0, 10}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void geluMatchesHandComputedValues(DType dt) {
        // x * 0.5 * (1 + erf(x / sqrt 2)), evaluated to 25 digits with mpmath.
        // 3.5 and 3.6 sit either side of x / sqrt 2 = 2.5; -8 is deep in the left tail.
        double[] x = {1, -1, 2.5, 0.5, -2, 3, -3.5, 0.1, -0.7, 4.5, -5, 7, 0, 3.5, 3.6, -3.6, -8, 10};
        double[] expected = {
            0.8413447460685429485852325,
            -0.1586552539314570514147675,
            2.484475836685559662082555,
            0.3457312306370065518188523,
            -0.04550026389635841440056527,
            2.995950305905109716420045,
            -0.0008142017766243376272247406,
            0.05398278372770290136353986,
            -0.1693745565561511092860028,
            4.499984710470938714728192,
            -0.000001433257859395969558368762,
            6.999999999991041312192799,
            0,
            3.499185798223375662372775,
            3.599427209075432878033206,
            -0.0005727909245671219667943495,
            -4.976768459417427298812796e-15,
            10};
        assertValues(expected, tensor(dt, x, x.length).gelu(), dt == DType.F32 ? 1e-6 : 1e-13, "gelu");
    }

    // ---- comparisons, where, maskedFill -----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void comparisonsGiveOneWhereTrueAndZeroElsewhere(DType dt) {
        double[] a = {1, 2, 3, 4, 5, -1};
        double[] b = {3, 2, 1, 4, 6, -1};
        Tensor ta = tensor(dt, a, 6);
        Tensor tb = tensor(dt, b, 6);
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 1}, ta.eq(tb).toDoubleArray(), "eq");
        assertArrayEquals(new double[] {1, 0, 1, 0, 1, 0}, ta.ne(tb).toDoubleArray(), "ne");
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, ta.lt(tb).toDoubleArray(), "lt");
        assertArrayEquals(new double[] {1, 1, 0, 1, 1, 1}, ta.le(tb).toDoubleArray(), "le");
        assertArrayEquals(new double[] {0, 0, 1, 0, 0, 0}, ta.gt(tb).toDoubleArray(), "gt");
        assertArrayEquals(new double[] {0, 1, 1, 1, 0, 1}, ta.ge(tb).toDoubleArray(), "ge");
        assertArrayEquals(new double[] {0, 0, 1, 1, 1, 0}, ta.gt(2.5).toDoubleArray(), "gt(2.5)");
        assertArrayEquals(new double[] {1, 1, 0, 0, 0, 1}, ta.lt(2.5).toDoubleArray(), "lt(2.5)");
        assertArrayEquals(new double[] {0, 0, 0, 1, 0, 0}, ta.eq(4).toDoubleArray(), "eq(4)");
        assertEquals(dt, ta.eq(tb).dtype(), "comparison keeps the dtype");
    }

    /** NaN is unordered and unequal to everything, itself included; infinities compare as numbers. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void comparisonsWithNaNAreFalseExceptNotEqual(DType dt) {
        double[] a = {Double.NaN, 1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] b = {Double.NaN, Double.NaN, 1, 1e30, -1e30};
        Tensor ta = tensor(dt, a, 5);
        Tensor tb = tensor(dt, b, 5);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0}, ta.eq(tb).toDoubleArray(), "eq");
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, ta.ne(tb).toDoubleArray(), "ne");
        assertArrayEquals(new double[] {0, 0, 0, 0, 1}, ta.lt(tb).toDoubleArray(), "lt");
        assertArrayEquals(new double[] {0, 0, 0, 0, 1}, ta.le(tb).toDoubleArray(), "le");
        assertArrayEquals(new double[] {0, 0, 0, 1, 0}, ta.gt(tb).toDoubleArray(), "gt");
        assertArrayEquals(new double[] {0, 0, 0, 1, 0}, ta.ge(tb).toDoubleArray(), "ge");
        assertArrayEquals(new double[] {0, 1, 0, 1, 0}, ta.gt(0).toDoubleArray(), "gt(0)");
        assertArrayEquals(new double[] {0, 0, 0, 1, 0}, ta.ge(Double.NaN).add(ta.gt(1)).toDoubleArray(), "ge(NaN)");
    }

    @Test
    void comparisonsBroadcastAndWorkOnIntegers() {
        Tensor col = Tensor.fromArray(new long[] {1, 2, 3}, 3, 1);
        Tensor row = Tensor.fromArray(new long[] {1, 2, 3}, 1, 3);
        Tensor lt = col.lt(row);
        assertShape(lt, 3, 3);
        assertEquals(DType.I64, lt.dtype());
        // lt[i][j] = col[i] < row[j]
        assertArrayEquals(new long[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, lt.toLongArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void whereSelectsFromAWhereConditionIsNonZeroWithBroadcasting(DType dt) {
        double[] cond = {1, 0, 0, 1, 0, 2};
        double[] a = stored(dt, random(20, 6, -2, 2));
        double[] b = {-10, -20, -30};
        Tensor out = Tensor.where(tensor(dt, cond, 2, 3), tensor(dt, a, 2, 3), tensor(dt, b, 3));
        assertShape(out, 2, 3);
        double[] expected = new double[6];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                expected[i * 3 + j] = cond[i * 3 + j] != 0 ? a[i * 3 + j] : b[j];
            }
        }
        assertValues(expected, out, 0, "where");
    }

    @Test
    void whereAcceptsAComparisonAsCondition() {
        Tensor x = Tensor.fromArray(new double[] {-2, 5, 0, 3}, 4);
        Tensor clipped = Tensor.where(x.gt(1), Tensor.full(1, DType.F64), x);
        assertArrayEquals(new double[] {-2, 1, 0, 1}, clipped.toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maskedFillReplacesMaskedElementsWithBroadcastMask(DType dt) {
        double[] x = stored(dt, random(21, 6, -2, 2));
        double[] mask = {0, 1, 0};
        Tensor filled = tensor(dt, x, 2, 3).maskedFill(tensor(dt, mask, 1, 3), -1e4);
        Tensor inf = tensor(dt, x, 2, 3).maskedFill(tensor(dt, mask, 1, 3), Double.NEGATIVE_INFINITY);
        assertShape(filled, 2, 3);
        double[] expected = x.clone();
        double[] expectedInf = x.clone();
        for (int i = 0; i < 2; i++) {
            expected[i * 3 + 1] = -1e4;
            expectedInf[i * 3 + 1] = Double.NEGATIVE_INFINITY;
        }
        assertValues(expected, filled, 0, "maskedFill");
        assertValues(expectedInf, inf, 0, "maskedFill -inf");
    }

    // ---- reductions -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sumMeanMaxArgmaxOverEachAxisOf3DMatchLoops(DType dt) {
        int[] dims = {2, 3, 4};
        double[] x = stored(dt, random(30, 24, -5, 5));
        for (int axis = 0; axis < 3; axis++) {
            int[] kept = dims.clone();
            kept[axis] = 1;
            int outSize = kept[0] * kept[1] * kept[2];
            double[] sum = new double[outSize];
            double[] max = new double[outSize];
            double[] arg = new double[outSize];
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        int[] c = {i, j, k};
                        double v = x[(i * 3 + j) * 4 + k];
                        int[] oc = c.clone();
                        oc[axis] = 0;
                        int o = (oc[0] * kept[1] + oc[1]) * kept[2] + oc[2];
                        sum[o] += v;
                        if (v > max[o]) {
                            max[o] = v;
                            arg[o] = c[axis];
                        }
                    }
                }
            }
            double[] mean = new double[outSize];
            for (int o = 0; o < outSize; o++) {
                mean[o] = sum[o] / dims[axis];
            }
            int[] dropped = new int[2];
            for (int d = 0, w = 0; d < 3; d++) {
                if (d != axis) {
                    dropped[w++] = dims[d];
                }
            }
            Tensor t = tensor(dt, x, dims);
            String at = " over axis " + axis;
            double sumTol = dt == DType.F32 ? 1e-5 : 1e-13;

            Tensor s = t.sum(axis, true);
            assertShape(s, kept);
            assertValues(sum, s, sumTol, "sum keepDim" + at);
            s = t.sum(axis, false);
            assertShape(s, dropped);
            assertValues(sum, s, sumTol, "sum" + at);

            Tensor m = t.mean(axis, true);
            assertShape(m, kept);
            assertValues(mean, m, sumTol, "mean keepDim" + at);
            m = t.mean(axis, false);
            assertShape(m, dropped);
            assertValues(mean, m, sumTol, "mean" + at);

            Tensor mx = t.max(axis, true);
            assertShape(mx, kept);
            assertValues(max, mx, 0, "max keepDim" + at);
            mx = t.max(axis, false);
            assertShape(mx, dropped);
            assertValues(max, mx, 0, "max" + at);

            Tensor am = t.argmax(axis, true);
            assertShape(am, kept);
            assertEquals(DType.I64, am.dtype(), "argmax dtype");
            assertValues(arg, am, 0, "argmax keepDim" + at);
            am = t.argmax(axis, false);
            assertShape(am, dropped);
            assertValues(arg, am, 0, "argmax" + at);

            // A negative axis counts from the end.
            assertValues(sum, t.sum(axis - 3, false), sumTol, "sum over negative axis " + (axis - 3));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fullReductionsMatchLoops(DType dt) {
        double[] x = stored(dt, random(31, 24, -5, 5));
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            sum += v;
            max = Math.max(max, v);
        }
        Tensor t = tensor(dt, x, 2, 3, 4);
        Tensor s = t.sum();
        assertEquals(0, s.rank(), "sum() is a scalar");
        assertEquals(sum, s.item(), dt == DType.F32 ? 1e-4 : 1e-12);
        assertEquals(sum / 24, t.mean().item(), dt == DType.F32 ? 1e-5 : 1e-13);
        assertEquals(max, t.max().item(), 0);
    }

    @Test
    void argmaxPicksTheFirstOfEqualMaxima() {
        Tensor x = Tensor.fromArray(new double[] {3, 7, 7, 1, 0, 2, -1, 2}, 2, 4);
        assertArrayEquals(new long[] {1, 1}, x.argmax(1, false).toLongArray());
        Tensor y = Tensor.fromArray(new float[] {5, 1, 5, 1}, 2, 2);
        assertArrayEquals(new long[] {0, 0}, y.argmax(0, false).toLongArray());
    }

    // ---- softmax, logSoftmax, crossEntropy ------------------------------------------------------

    /** softmax over {@code axis} of a row-major tensor, by the unshifted formula exp(x) / sum exp(x). */
    private static double[] softmaxRef(double[] x, int[] dims, int axis, boolean log) {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= dims[d];
        }
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        int n = dims[axis];
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double z = 0;
                for (int k = 0; k < n; k++) {
                    z += Math.exp(x[(o * n + k) * inner + i]);
                }
                for (int k = 0; k < n; k++) {
                    int at = (o * n + k) * inner + i;
                    out[at] = log ? x[at] - Math.log(z) : Math.exp(x[at]) / z;
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softmaxAndLogSoftmaxMatchDirectFormulaOnEveryAxis(DType dt) {
        int[] dims = {2, 3, 4};
        double[] x = stored(dt, random(40, 24, -3, 3));
        for (int axis = 0; axis < 3; axis++) {
            Tensor s = F.softmax(tensor(dt, x, dims), axis);
            Tensor ls = F.logSoftmax(tensor(dt, x, dims), axis);
            assertShape(s, dims);
            assertShape(ls, dims);
            assertValues(softmaxRef(x, dims, axis, false), s, tol(dt), "softmax axis " + axis);
            assertValues(softmaxRef(x, dims, axis, true), ls, tol(dt), "logSoftmax axis " + axis);
        }
        assertValues(softmaxRef(x, dims, 2, false), F.softmax(tensor(dt, x, dims), -1), tol(dt), "softmax axis -1");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softmaxOfHugeLogitsIsFiniteAndShiftInvariant(DType dt) {
        // softmax(1000 + [0, 1, 2]) = softmax([0, 1, 2]) = [1, e, e^2] / (1 + e + e^2); same for -1000.
        double z = 1 + Math.E + Math.E * Math.E;
        double[] p = {1 / z, Math.E / z, Math.E * Math.E / z};
        double[] logP = {-Math.log(z), 1 - Math.log(z), 2 - Math.log(z)};
        double[] big = {1000, 1001, 1002, -1002, -1001, -1000};
        double[] expectedP = {p[0], p[1], p[2], p[0], p[1], p[2]};
        double[] expectedLogP = {logP[0], logP[1], logP[2], logP[0], logP[1], logP[2]};
        Tensor s = F.softmax(tensor(dt, big, 2, 3), 1);
        Tensor ls = F.logSoftmax(tensor(dt, big, 2, 3), 1);
        for (double v : s.toDoubleArray()) {
            assertTrue(Double.isFinite(v), "softmax of huge logits must be finite");
        }
        assertValues(expectedP, s, tol(dt), "softmax of huge logits");
        assertValues(expectedLogP, ls, dt == DType.F32 ? 1e-5 : 1e-12, "logSoftmax of huge logits");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void logSoftmaxStaysFiniteWhereSoftmaxUnderflows(DType dt) {
        // softmax([0, 1000]) = [e^-1000, 1] and e^-1000 underflows to 0; log-softmax is exactly [-1000, 0].
        Tensor ls = F.logSoftmax(tensor(dt, new double[] {0, 1000}, 1, 2), 1);
        assertValues(new double[] {-1000, 0}, ls, 1e-12, "logSoftmax");
        assertValues(new double[] {0, 1}, F.softmax(tensor(dt, new double[] {0, 1000}, 1, 2), 1), 1e-300, "softmax");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyIsMeanNegativeLogSoftmaxOfTheTarget(DType dt) {
        int n = 4;
        int c = 5;
        double[] logits = stored(dt, random(41, n * c, -3, 3));
        long[] targets = {0, 4, 2, 2};
        double expected = 0;
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < c; j++) {
                z += Math.exp(logits[i * c + j]);
            }
            expected += -Math.log(Math.exp(logits[i * c + (int) targets[i]]) / z);
        }
        expected /= n;
        Tensor loss = F.crossEntropy(tensor(dt, logits, n, c), Tensor.fromArray(targets, n));
        assertEquals(0, loss.rank(), "the loss is a scalar");
        assertEquals(dt, loss.dtype());
        assertEquals(expected, loss.item(), dt == DType.F32 ? 1e-6 : 1e-14, "crossEntropy with I64 targets");
        Tensor loss32 = F.crossEntropy(tensor(dt, logits, n, c), Tensor.fromArray(new int[] {0, 4, 2, 2}, n));
        assertEquals(expected, loss32.item(), dt == DType.F32 ? 1e-6 : 1e-14, "crossEntropy with I32 targets");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfHugeLogitsIsFinite(DType dt) {
        // Row 0: target holds the max 1000 -> loss log(1 + e^-1000 + e^-2000) = 0.
        // Row 1: max 2000, target 1000 -> loss 2000 - 1000 = 1000. Mean: 500.
        double[] logits = {1000, 0, -1000, 0, 1000, 2000};
        Tensor loss = F.crossEntropy(tensor(dt, logits, 2, 3), Tensor.fromArray(new long[] {0, 1}, 2));
        assertEquals(500, loss.item(), 1e-9);
    }

    // ---- indexing -------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gatherAlongEachAxisMatchesLoop(DType dt) {
        double[] src = stored(dt, random(50, 12, -5, 5));
        // axis 1: out[i][j] = src[i][idx[i][j]]
        long[] idx1 = {3, 0, 1, 1, 2, 2};
        Tensor g1 = tensor(dt, src, 3, 4).gather(1, Tensor.fromArray(idx1, 3, 2));
        assertShape(g1, 3, 2);
        double[] e1 = new double[6];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                e1[i * 2 + j] = src[i * 4 + (int) idx1[i * 2 + j]];
            }
        }
        assertValues(e1, g1, 0, "gather axis 1");
        // axis 0: out[i][j] = src[idx[i][j]][j]
        int[] idx0 = {2, 0, 1, 2, 0, 0, 2, 1};
        Tensor g0 = tensor(dt, src, 3, 4).gather(0, Tensor.fromArray(idx0, 2, 4));
        assertShape(g0, 2, 4);
        double[] e0 = new double[8];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                e0[i * 4 + j] = src[idx0[i * 4 + j] * 4 + j];
            }
        }
        assertValues(e0, g0, 0, "gather axis 0");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gatherOnMiddleAxisOf3DMatchesLoop(DType dt) {
        double[] src = stored(dt, random(51, 24, -5, 5));
        long[] idx = new long[2 * 5 * 4];
        Random r = new Random(52);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(3);
        }
        Tensor g = tensor(dt, src, 2, 3, 4).gather(1, Tensor.fromArray(idx, 2, 5, 4));
        assertShape(g, 2, 5, 4);
        double[] e = new double[40];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                for (int k = 0; k < 4; k++) {
                    int at = (i * 5 + j) * 4 + k;
                    e[at] = src[(i * 3 + (int) idx[at]) * 4 + k];
                }
            }
        }
        assertValues(e, g, 0, "gather axis 1 of [2,3,4]");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void scatterAddAccumulatesRepeatedIndices(DType dt) {
        double[] dst = stored(dt, random(53, 12, -1, 1));
        double[] src = stored(dt, new double[] {1, 2, 4, 8, 16, 32, 64, 128, 256});
        // axis 1: out[i][idx[i][j]] += src[i][j]; row 0 sends everything to column 2.
        long[] idx = {2, 2, 2, 0, 3, 0, 1, 1, 3};
        Tensor out = tensor(dt, dst, 3, 4).scatterAdd(1, Tensor.fromArray(idx, 3, 3), tensor(dt, src, 3, 3));
        double[] e = dst.clone();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                e[i * 4 + (int) idx[i * 3 + j]] += src[i * 3 + j];
            }
        }
        assertShape(out, 3, 4);
        assertValues(e, out, tol(dt), "scatterAdd axis 1");
        // axis 0: out[idx[i][j]][j] += src[i][j]
        long[] idx0 = {1, 1, 1, 0, 1, 2, 1, 2};
        double[] src0 = stored(dt, random(54, 8, -1, 1));
        Tensor out0 = tensor(dt, dst, 3, 4).scatterAdd(0, Tensor.fromArray(idx0, 2, 4), tensor(dt, src0, 2, 4));
        double[] e0 = dst.clone();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                e0[(int) idx0[i * 4 + j] * 4 + j] += src0[i * 4 + j];
            }
        }
        assertValues(e0, out0, tol(dt), "scatterAdd axis 0");
        assertValues(dst, tensor(dt, dst, 3, 4), 0, "the destination itself is unchanged");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void indexSelectPicksSlicesInIndexOrder(DType dt) {
        double[] src = stored(dt, random(55, 24, -5, 5));
        // axis 0 of [4, 6]: the embedding lookup, with a repeat.
        long[] rows = {3, 0, 3};
        Tensor sel = tensor(dt, src, 4, 6).indexSelect(0, Tensor.fromArray(rows, 3));
        assertShape(sel, 3, 6);
        double[] e = new double[18];
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 6; k++) {
                e[j * 6 + k] = src[(int) rows[j] * 6 + k];
            }
        }
        assertValues(e, sel, 0, "indexSelect axis 0");
        // axis 1 of [2, 3, 4]
        int[] cols = {2, 2, 0, 1};
        Tensor sel1 = tensor(dt, src, 2, 3, 4).indexSelect(1, Tensor.fromArray(cols, 4));
        assertShape(sel1, 2, 4, 4);
        double[] e1 = new double[32];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 4; k++) {
                    e1[(i * 4 + j) * 4 + k] = src[(i * 3 + cols[j]) * 4 + k];
                }
            }
        }
        assertValues(e1, sel1, 0, "indexSelect axis 1");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void indexAddAccumulatesRepeatedIndices(DType dt) {
        double[] dst = stored(dt, random(56, 12, -1, 1));
        double[] src = stored(dt, random(57, 9, -1, 1));
        long[] idx = {1, 1, 3};
        Tensor out = tensor(dt, dst, 4, 3).indexAdd(0, Tensor.fromArray(idx, 3), tensor(dt, src, 3, 3));
        double[] e = dst.clone();
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 3; k++) {
                e[(int) idx[j] * 3 + k] += src[j * 3 + k];
            }
        }
        assertShape(out, 4, 3);
        assertValues(e, out, tol(dt), "indexAdd axis 0");
        // axis 1 of [2, 4]: out[i][idx[j]] += src[i][j]
        int[] idx1 = {0, 0, 0};
        double[] src1 = stored(dt, random(58, 6, -1, 1));
        double[] dst1 = stored(dt, random(59, 8, -1, 1));
        Tensor out1 = tensor(dt, dst1, 2, 4).indexAdd(1, Tensor.fromArray(idx1, 3), tensor(dt, src1, 2, 3));
        double[] e1 = dst1.clone();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                e1[i * 4 + idx1[j]] += src1[i * 3 + j];
            }
        }
        assertValues(e1, out1, tol(dt), "indexAdd axis 1");
    }

    // ---- shape ops ------------------------------------------------------------------------------

    private static double[] iota(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void reshapeKeepsRowMajorOrderAndInfersMinusOne(DType dt) {
        Tensor x = tensor(dt, iota(24), 2, 3, 4);
        Tensor r = x.reshape(4, 6);
        assertShape(r, 4, 6);
        assertValues(iota(24), r, 0, "reshape");
        assertShape(x.reshape(-1, 4), 6, 4);
        assertShape(x.reshape(3, -1), 3, 8);
        assertShape(x.view(24), 24);
        assertShape(x.flatten(1), 2, 12);
        assertValues(iota(24), x.flatten(1), 0, "flatten");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void narrowTakesTheRangeAlongAnyAxis(DType dt) {
        Tensor x = tensor(dt, iota(24), 2, 3, 4);
        // axis 0 (a view): the second [3, 4] block
        Tensor n0 = x.narrow(0, 1, 1);
        assertShape(n0, 1, 3, 4);
        assertValues(java.util.Arrays.copyOfRange(iota(24), 12, 24), n0, 0, "narrow axis 0");
        // axis 2 (a copy): elements k in [1, 3)
        Tensor n2 = x.narrow(2, 1, 2);
        assertShape(n2, 2, 3, 2);
        double[] e = new double[12];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) {
                    e[(i * 3 + j) * 2 + k] = (i * 3 + j) * 4 + (k + 1);
                }
            }
        }
        assertValues(e, n2, 0, "narrow axis 2");
        // axis 1
        Tensor n1 = x.narrow(1, 2, 1);
        assertShape(n1, 2, 1, 4);
        assertValues(new double[] {8, 9, 10, 11, 20, 21, 22, 23}, n1, 0, "narrow axis 1");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void transposeAndPermuteMoveElementsLikeIndexLoops(DType dt) {
        Tensor x = tensor(dt, iota(24), 2, 3, 4);
        // transpose(0, 2): out[k][j][i] = x[i][j][k]
        Tensor t = x.transpose(0, 2);
        assertShape(t, 4, 3, 2);
        double[] et = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    et[(k * 3 + j) * 2 + i] = (i * 3 + j) * 4 + k;
                }
            }
        }
        assertValues(et, t, 0, "transpose(0, 2)");
        // permute(2, 0, 1): out[k][i][j] = x[i][j][k]
        Tensor p = x.permute(2, 0, 1);
        assertShape(p, 4, 2, 3);
        double[] ep = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    ep[(k * 2 + i) * 3 + j] = (i * 3 + j) * 4 + k;
                }
            }
        }
        assertValues(ep, p, 0, "permute(2, 0, 1)");
        // 2-D t()
        Tensor m = tensor(dt, new double[] {1, 2, 3, 4, 5, 6}, 2, 3).t();
        assertShape(m, 3, 2);
        assertValues(new double[] {1, 4, 2, 5, 3, 6}, m, 0, "t()");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void transposeThatKeepsTheLastAxisMovesWholeRows(DType dt) {
        // A view with an element offset: rows 1..2 of a [3, 3, 4] tensor, transposed to [3, 2, 4].
        Tensor x = tensor(dt, iota(36), 3, 3, 4).narrow(0, 1, 2);
        Tensor t = x.transpose(0, 1);
        assertShape(t, 3, 2, 4);
        double[] expected = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    expected[(j * 2 + i) * 4 + k] = ((i + 1) * 3 + j) * 4 + k;
                }
            }
        }
        assertValues(expected, t, 0, "transpose(0, 1)");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void catJoinsAlongTheAxis(DType dt) {
        Tensor a = tensor(dt, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = tensor(dt, new double[] {7, 8, 9}, 1, 3);
        Tensor c0 = Tensor.cat(List.of(a, b), 0);
        assertShape(c0, 3, 3);
        assertValues(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, c0, 0, "cat axis 0");
        Tensor d = tensor(dt, new double[] {10, 20}, 2, 1);
        Tensor c1 = Tensor.cat(List.of(a, d, a), 1);
        assertShape(c1, 2, 7);
        assertValues(new double[] {1, 2, 3, 10, 1, 2, 3, 4, 5, 6, 20, 4, 5, 6}, c1, 0, "cat axis 1");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void splitAndChunkCutAlongTheAxis(DType dt) {
        Tensor x = tensor(dt, iota(14), 2, 7);
        List<Tensor> parts = x.split(1, 2, 5);
        assertEquals(2, parts.size());
        assertShape(parts.get(0), 2, 2);
        assertShape(parts.get(1), 2, 5);
        assertValues(new double[] {0, 1, 7, 8}, parts.get(0), 0, "split part 0");
        assertValues(new double[] {2, 3, 4, 5, 6, 9, 10, 11, 12, 13}, parts.get(1), 0, "split part 1");
        // 7 in 3 chunks: sizes 3, 3, 1
        List<Tensor> chunks = x.chunk(3, 1);
        assertEquals(3, chunks.size());
        assertShape(chunks.get(0), 2, 3);
        assertShape(chunks.get(1), 2, 3);
        assertShape(chunks.get(2), 2, 1);
        assertValues(new double[] {0, 1, 2, 7, 8, 9}, chunks.get(0), 0, "chunk 0");
        assertValues(new double[] {3, 4, 5, 10, 11, 12}, chunks.get(1), 0, "chunk 1");
        assertValues(new double[] {6, 13}, chunks.get(2), 0, "chunk 2");
        List<Tensor> rows = x.chunk(2, 0);
        assertValues(new double[] {0, 1, 2, 3, 4, 5, 6}, rows.get(0), 0, "chunk along axis 0");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void stackAddsANewAxis(DType dt) {
        Tensor a = tensor(dt, new double[] {1, 2, 3}, 3);
        Tensor b = tensor(dt, new double[] {4, 5, 6}, 3);
        Tensor s0 = Tensor.stack(List.of(a, b), 0);
        assertShape(s0, 2, 3);
        assertValues(new double[] {1, 2, 3, 4, 5, 6}, s0, 0, "stack axis 0");
        Tensor s1 = Tensor.stack(List.of(a, b), 1);
        assertShape(s1, 3, 2);
        assertValues(new double[] {1, 4, 2, 5, 3, 6}, s1, 0, "stack axis 1");
        Tensor sm = Tensor.stack(List.of(a, b), -1);
        assertShape(sm, 3, 2);
        assertValues(new double[] {1, 4, 2, 5, 3, 6}, sm, 0, "stack axis -1");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void squeezeAndUnsqueezeChangeOnlyTheShape(DType dt) {
        Tensor x = tensor(dt, iota(6), 2, 3);
        Tensor u0 = x.unsqueeze(0);
        assertShape(u0, 1, 2, 3);
        assertShape(x.unsqueeze(1), 2, 1, 3);
        assertShape(x.unsqueeze(2), 2, 3, 1);
        assertShape(x.unsqueeze(-1), 2, 3, 1);
        assertValues(iota(6), x.unsqueeze(1), 0, "unsqueeze values");
        assertShape(u0.squeeze(0), 2, 3);
        assertShape(x.unsqueeze(2).squeeze(-1), 2, 3);
        assertValues(iota(6), u0.squeeze(0), 0, "squeeze values");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void expandRepeatsAlongBroadcastDimensions(DType dt) {
        Tensor col = tensor(dt, new double[] {1, 2, 3}, 3, 1);
        Tensor e = col.expand(3, 4);
        assertShape(e, 3, 4);
        assertValues(new double[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, e, 0, "expand [3,1] to [3,4]");
        Tensor row = tensor(dt, new double[] {5, 6, 7, 8}, 4);
        Tensor e3 = row.expand(2, 3, 4);
        assertShape(e3, 2, 3, 4);
        double[] expected = new double[24];
        for (int i = 0; i < 24; i++) {
            expected[i] = 5 + i % 4;
        }
        assertValues(expected, e3, 0, "expand [4] to [2,3,4]");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void opsOnANarrowedViewReadFromTheViewsOffset(DType dt) {
        double[] x = stored(dt, random(60, 12, -2, 2));
        double[] w = stored(dt, random(61, 6, -2, 2));
        // rows 1 and 2 of a [4, 3] tensor: a view starting at element 3
        double[] rows = java.util.Arrays.copyOfRange(x, 3, 9);
        Tensor view = tensor(dt, x, 4, 3).narrow(0, 1, 2);
        assertShape(view, 2, 3);
        assertValues(rows, view, 0, "view values");
        assertValues(matmulRef(rows, w, 2, 3, 2), view.matmul(tensor(dt, w, 3, 2)), matmulTol(dt), "matmul of a view");
        double[] rowSums = {rows[0] + rows[1] + rows[2], rows[3] + rows[4] + rows[5]};
        assertValues(rowSums, view.sum(1, false), tol(dt), "sum of a view");
        double[] colSums = {rows[0] + rows[3], rows[1] + rows[4], rows[2] + rows[5]};
        assertValues(colSums, view.sum(0, false), tol(dt), "column sums of a view");
        double[] relu = new double[6];
        double[] plus = new double[6];
        for (int i = 0; i < 6; i++) {
            relu[i] = Math.max(rows[i], 0);
            plus[i] = rows[i] + 1.5;
        }
        assertValues(relu, view.relu(), 0, "relu of a view");
        assertValues(plus, view.add(1.5), tol(dt), "add(1.5) of a view");
        assertValues(softmaxRef(rows, new int[] {2, 3}, 1, false), F.softmax(view, 1), tol(dt), "softmax of a view");
        assertValues(new double[] {rows[2], rows[3]},
                view.gather(1, Tensor.fromArray(new long[] {2, 0}, 2, 1)), 0, "gather from a view");
        assertValues(new double[] {rows[3], rows[4], rows[5]},
                view.indexSelect(0, Tensor.fromArray(new long[] {1}, 1)), 0, "indexSelect from a view");
    }

    // ---- creation and reading -------------------------------------------------------------------

    @Test
    void arangeCountsFromStartBelowEnd() {
        Tensor a = Tensor.arange(5);
        assertEquals(DType.F32, a.dtype());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, a.toFloatArray());
        assertArrayEquals(new double[] {2, 2.25, 2.5, 2.75}, Tensor.arange(2, 3, 0.25, DType.F64).toDoubleArray());
        Tensor down = Tensor.arange(5, 0, -2, DType.I32);
        assertEquals(DType.I32, down.dtype());
        assertArrayEquals(new int[] {5, 3, 1}, down.toIntArray());
        Tensor longs = Tensor.arange(0, 4, 1, DType.I64);
        assertEquals(DType.I64, longs.dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3}, longs.toLongArray());
        assertEquals(0, Tensor.arange(3, 3, 1, DType.F32).size());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zerosOnesAndFullFillEveryElement(DType dt) {
        Tensor z = Tensor.zeros(dt, 2, 3);
        Tensor o = Tensor.ones(dt, 2, 3);
        Tensor f = Tensor.full(7, dt, 3, 2);
        assertEquals(dt, z.dtype());
        assertEquals(dt, o.dtype());
        assertEquals(dt, f.dtype());
        assertShape(f, 3, 2);
        assertArrayEquals(new double[6], z.toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, o.toDoubleArray());
        assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7}, f.toDoubleArray());
        assertEquals(DType.F32, Tensor.zeros(2).dtype(), "zeros(dims) is F32");
        assertArrayEquals(new float[] {1, 1}, Tensor.ones(2).toFloatArray());
        assertEquals(-2.5, Tensor.scalar(-2.5).item());
    }

    @Test
    void fromArrayAndBackRoundTripsEveryDtypeExactly() {
        float[] f = {0f, -1.5f, Float.MIN_VALUE, Float.MAX_VALUE, 3.1415927f, -0f};
        Tensor tf = Tensor.fromArray(f, 2, 3);
        assertEquals(DType.F32, tf.dtype());
        assertArrayEquals(f, tf.toFloatArray());

        double[] d = {0, -1.5, Double.MIN_VALUE, Double.MAX_VALUE, Math.PI, 1e-300};
        Tensor td = Tensor.fromArray(d, 3, 2);
        assertEquals(DType.F64, td.dtype());
        assertArrayEquals(d, td.toDoubleArray());

        int[] i = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42, 7};
        Tensor ti = Tensor.fromArray(i, 6);
        assertEquals(DType.I32, ti.dtype());
        assertArrayEquals(i, ti.toIntArray());

        long[] l = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 53 | 1, 7};
        Tensor tl = Tensor.fromArray(l, 2, 3);
        assertEquals(DType.I64, tl.dtype());
        assertArrayEquals(l, tl.toLongArray());
    }

    @Test
    void readingAsAnotherTypeConvertsAndTruncatesTowardZero() {
        Tensor tf = Tensor.fromArray(new float[] {-2.7f, -0.5f, 0.5f, 2.7f, 3f}, 5);
        assertArrayEquals(new int[] {-2, 0, 0, 2, 3}, tf.toIntArray());
        assertArrayEquals(new long[] {-2, 0, 0, 2, 3}, tf.toLongArray());
        assertArrayEquals(new double[] {-2.7f, -0.5f, 0.5f, 2.7f, 3f}, tf.toDoubleArray());
        Tensor ti = Tensor.fromArray(new int[] {-3, 0, 5}, 3);
        assertArrayEquals(new float[] {-3, 0, 5}, ti.toFloatArray());
        assertArrayEquals(new double[] {-3, 0, 5}, ti.toDoubleArray());
    }

    @Test
    void toConvertsBetweenDtypesTruncatingFloatsTowardZero() {
        Tensor f = Tensor.fromArray(new double[] {-2.7, -1.2, -0.5, 0.5, 1.9, 2.7, 100}, 7);
        Tensor i32 = f.to(DType.I32);
        assertEquals(DType.I32, i32.dtype());
        assertArrayEquals(new int[] {-2, -1, 0, 0, 1, 2, 100}, i32.toIntArray());
        Tensor i64 = Tensor.fromArray(new float[] {-2.7f, -1.2f, -0.5f, 0.5f, 1.9f, 2.7f, 100f}, 7).to(DType.I64);
        assertEquals(DType.I64, i64.dtype());
        assertArrayEquals(new long[] {-2, -1, 0, 0, 1, 2, 100}, i64.toLongArray());

        Tensor narrowed = Tensor.fromArray(new double[] {0.1, 1.0 / 3}, 2).to(DType.F32);
        assertEquals(DType.F32, narrowed.dtype());
        assertArrayEquals(new float[] {(float) 0.1, (float) (1.0 / 3)}, narrowed.toFloatArray());

        Tensor widened = Tensor.fromArray(new float[] {0.1f}, 1).to(DType.F64);
        assertEquals(DType.F64, widened.dtype());
        assertEquals((double) 0.1f, widened.item());

        Tensor fromInt = Tensor.fromArray(new long[] {-5, 16777217}, 2).to(DType.F64);
        assertArrayEquals(new double[] {-5, 16777217}, fromInt.toDoubleArray());
        Tensor intToInt = Tensor.fromArray(new int[] {-7, 9}, 2).to(DType.I64);
        assertArrayEquals(new long[] {-7, 9}, intToInt.toLongArray());

        Tensor same = Tensor.fromArray(new double[] {1}, 1);
        assertSame(same, same.to(DType.F64), "to(own dtype) is the tensor itself");
    }

    @Test
    void itemReadsTheOnlyElement() {
        assertEquals(3.5, Tensor.fromArray(new double[] {3.5}, 1, 1).item());
        assertEquals(-2.0, Tensor.full(-2, DType.F32).item());
        assertEquals(9.0, Tensor.fromArray(new long[] {9}, 1).item());
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(new double[] {1, 2}, 2).item());
    }
}
