package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares the gradient of every differentiable op with central finite differences in F64, through
 * {@link GradCheck}. Inputs stay away from the kinks of non-smooth ops (|x| at 0, ties of max/min), so
 * the finite differences are exact up to rounding.
 */
class GradientCheckTest {

    @BeforeEach
    void seed() {
        Engine.seed(20240611L);
    }

    // ---- input helpers ----------------------------------------------------------------------------

    /** Standard normal F64 values that require a gradient. */
    private static Tensor randn(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    /** Normal values pushed at least {@code 0.2} away from zero (no kink of abs, relu, elu is crossed). */
    private static Tensor awayFromZero(int... dims) {
        double[] v = Tensor.randn(DType.F64, dims).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] >= 0 ? v[i] + 0.2 : v[i] - 0.2;
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    /** Uniform values in [0.5, 2): safe for log, sqrt, fractional powers and division. */
    private static Tensor positive(int... dims) {
        return Tensor.uniform(0.5, 2.0, DType.F64, dims).requiresGrad(true);
    }

    /**
     * Distinct values on a grid of step 0.1 (shifted by {@code shift}), in a scrambled order: any two
     * elements of one such tensor differ by at least 0.1, and a tensor with shift 0 and one with shift
     * 0.05 never come closer than 0.05, so max, min and maximum/minimum have no ties.
     */
    private static Tensor grid(double shift, int... dims) {
        int n = Math.toIntExact(Arrays.stream(dims).asLongStream().reduce(1, (p, d) -> p * d));
        int step = 1;
        for (int candidate : new int[] {5, 7, 11, 13, 17, 19, 23}) {
            if (gcd(candidate, n) == 1) {
                step = candidate;
                break;
            }
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = shift + 0.1 * (((long) i * step) % n - n / 2);
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static Tensor indices(long[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    private static int[] dims(int... d) {
        return d;
    }

    // ---- unary ------------------------------------------------------------------------------------

    @Test
    void neg() {
        try (Scope s = Scope.open()) {
            GradCheck.check("neg", in -> in[0].neg(), randn(3, 4));
        }
    }

    @Test
    void absAwayFromZero() {
        try (Scope s = Scope.open()) {
            GradCheck.check("abs", in -> in[0].abs(), awayFromZero(3, 4));
        }
    }

    @Test
    void exp() {
        try (Scope s = Scope.open()) {
            GradCheck.check("exp", in -> in[0].exp(), randn(3, 4));
        }
    }

    @Test
    void logOfPositiveValues() {
        try (Scope s = Scope.open()) {
            GradCheck.check("log", in -> in[0].log(), positive(3, 4));
        }
    }

    @Test
    void sqrtOfPositiveValues() {
        try (Scope s = Scope.open()) {
            GradCheck.check("sqrt", in -> in[0].sqrt(), positive(3, 4));
        }
    }

    @Test
    void powCube() {
        try (Scope s = Scope.open()) {
            GradCheck.check("pow 3", in -> in[0].pow(3), randn(3, 4));
        }
    }

    @Test
    void powSquareRootOfPositiveValues() {
        try (Scope s = Scope.open()) {
            GradCheck.check("pow 0.5", in -> in[0].pow(0.5), positive(3, 4));
        }
    }

    @Test
    void powNegativeExponentOfPositiveValues() {
        try (Scope s = Scope.open()) {
            GradCheck.check("pow -1.5", in -> in[0].pow(-1.5), positive(3, 4));
        }
    }

    @Test
    void square() {
        try (Scope s = Scope.open()) {
            GradCheck.check("square", in -> in[0].square(), randn(3, 4));
        }
    }

    @Test
    void tanh() {
        try (Scope s = Scope.open()) {
            GradCheck.check("tanh", in -> in[0].tanh(), randn(3, 4));
        }
    }

    @Test
    void sigmoidOnBothSignBranches() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {-6, -2.5, -0.7, -0.1, 0.1, 0.8, 2.2, 5.5}, 2, 4).requiresGrad(true);
            GradCheck.check("sigmoid", in -> in[0].sigmoid(), x);
        }
    }

    @Test
    void reluAwayFromZero() {
        try (Scope s = Scope.open()) {
            GradCheck.check("relu", in -> in[0].relu(), awayFromZero(3, 4));
        }
    }

    @Test
    void leakyReluAwayFromZero() {
        try (Scope s = Scope.open()) {
            GradCheck.check("leakyRelu", in -> in[0].leakyRelu(0.1), awayFromZero(3, 4));
        }
    }

    @Test
    void eluAwayFromZero() {
        try (Scope s = Scope.open()) {
            GradCheck.check("elu", in -> in[0].elu(1.0), awayFromZero(3, 4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.tests.ops.ElementaryFunctionCases#differentiable")
    void elementaryFunctionsMatchFiniteDifferences(String name, Function<Tensor, Tensor> op, double low, double high) {
        try (Scope s = Scope.open()) {
            GradCheck.check(name, in -> op.apply(in[0]), ElementaryFunctionCases.inputs(low, high, 3, 4));
        }
    }

    /** Divisors of either sign against dividends 0.05 + 0.1 k: no quotient comes near an integer, fmod's jumps. */
    @Test
    void atan2FmodAndRemainderBroadcastMatchFiniteDifferences() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.fromArray(new double[] {0.7, -1.3, 2.1, -0.9}, 4).requiresGrad(true);
            GradCheck.check("atan2", in -> in[0].atan2(in[1]), grid(0.05, 3, 4), b);
            GradCheck.check("fmod", in -> in[0].fmod(in[1]), grid(0.05, 3, 4), b);
            GradCheck.check("remainder", in -> in[0].remainder(in[1]), grid(0.05, 3, 4), b);
        }
    }

    /** As PyTorch: sign and the rounding ops record a zero gradient, so a loss of their result alone backpropagates. */
    @Test
    void signAndRoundingOpsPassAZeroGradient() {
        try (Scope s = Scope.open()) {
            List<Function<Tensor, Tensor>> ops = List.of(Tensor::floor, Tensor::ceil, Tensor::round, Tensor::trunc,
                    Tensor::sign);
            for (Function<Tensor, Tensor> op : ops) {
                Tensor x = Tensor.fromArray(new double[] {-1.7, -0.2, 0.6, 2.5}, 4).requiresGrad(true);
                op.apply(x).sum().backward();
                assertEquals(List.of(0.0, 0.0, 0.0, 0.0), Arrays.stream(x.grad().toDoubleArray()).boxed().toList());
                x.zeroGrad();
                op.apply(x).add(x).sum().backward();
                assertEquals(List.of(1.0, 1.0, 1.0, 1.0), Arrays.stream(x.grad().toDoubleArray()).boxed().toList());
            }
        }
    }

    /** floorDivide records nothing (PyTorch 1.13 has no derivative for it), so x + floorDivide(x, d) has gradient 1. */
    @Test
    void floorDivideRecordsNoGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {-1.7, -0.2, 0.6, 2.5}, 4).requiresGrad(true);
            Tensor y = x.floorDivide(x.mul(0.3));
            assertTrue(!y.requiresGrad(), "floorDivide's result requires no gradient");
            y.add(x).sum().backward();
            assertEquals(List.of(1.0, 1.0, 1.0, 1.0), Arrays.stream(x.grad().toDoubleArray()).boxed().toList());
        }
    }

    @Test
    void eluWithNonUnitAlpha() {
        try (Scope s = Scope.open()) {
            GradCheck.check("elu 0.7", in -> in[0].elu(0.7), awayFromZero(3, 4));
        }
    }

    @Test
    void geluIncludingTails() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {-4, -2.7, -1.3, -0.4, 0.3, 1.1, 2.6, 3.9}, 2, 4).requiresGrad(true);
            GradCheck.check("gelu tails", in -> in[0].gelu(), x);
            GradCheck.check("gelu", in -> in[0].gelu(), randn(3, 4));
        }
    }

    @Test
    void geluTanhIncludingTails() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {-4, -2.7, -1.3, -0.4, 0.3, 1.1, 2.6, 3.9}, 2, 4).requiresGrad(true);
            GradCheck.check("gelu tanh tails", in -> in[0].geluTanh(), x);
            GradCheck.check("gelu tanh", in -> in[0].geluTanh(), randn(3, 4));
        }
    }

    @Test
    void siluIncludingTails() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {-9, -2.7, -1.3, -0.4, 0.3, 1.1, 2.6, 9}, 2, 4).requiresGrad(true);
            GradCheck.check("silu tails", in -> in[0].silu(), x);
            GradCheck.check("silu", in -> in[0].silu(), randn(3, 4));
        }
    }

    @Test
    void copy() {
        try (Scope s = Scope.open()) {
            GradCheck.check("copy", in -> in[0].copy().mul(in[0]), randn(3, 4));
        }
    }

    // ---- scalar arithmetic ------------------------------------------------------------------------

    @Test
    void addScalar() {
        try (Scope s = Scope.open()) {
            GradCheck.check("add scalar", in -> in[0].add(2.5).square(), randn(3, 4));
        }
    }

    @Test
    void subScalar() {
        try (Scope s = Scope.open()) {
            GradCheck.check("sub scalar", in -> in[0].sub(1.5).square(), randn(3, 4));
        }
    }

    @Test
    void mulScalar() {
        try (Scope s = Scope.open()) {
            GradCheck.check("mul scalar", in -> in[0].mul(-1.75), randn(3, 4));
        }
    }

    @Test
    void divScalar() {
        try (Scope s = Scope.open()) {
            GradCheck.check("div scalar", in -> in[0].div(4.0), randn(3, 4));
        }
    }

    // ---- binary with broadcasting -----------------------------------------------------------------

    static Stream<Arguments> broadcastCases() {
        return Stream.of(
                Arguments.of("same shape [3,4] with [3,4]", dims(3, 4), dims(3, 4)),
                Arguments.of("row vector [4] broadcast over matrix [3,4] on the right", dims(3, 4), dims(4)),
                Arguments.of("row vector [4] broadcast over matrix [3,4] on the left", dims(4), dims(3, 4)),
                Arguments.of("column [3,1] with row [1,4]", dims(3, 1), dims(1, 4)),
                Arguments.of("3-D [2,3,4] with [3,1]", dims(2, 3, 4), dims(3, 1)),
                Arguments.of("scalar (rank 0) with matrix [3,4]", dims(), dims(3, 4)),
                Arguments.of("matrix [3,4] with scalar (rank 0)", dims(3, 4), dims()));
    }

    @ParameterizedTest(name = "add: {0}")
    @MethodSource("broadcastCases")
    void addBroadcasts(String shapes, int[] a, int[] b) {
        try (Scope s = Scope.open()) {
            GradCheck.check("add " + shapes, in -> in[0].add(in[1]), randn(a), randn(b));
        }
    }

    @ParameterizedTest(name = "sub: {0}")
    @MethodSource("broadcastCases")
    void subBroadcasts(String shapes, int[] a, int[] b) {
        try (Scope s = Scope.open()) {
            GradCheck.check("sub " + shapes, in -> in[0].sub(in[1]), randn(a), randn(b));
        }
    }

    @ParameterizedTest(name = "mul: {0}")
    @MethodSource("broadcastCases")
    void mulBroadcasts(String shapes, int[] a, int[] b) {
        try (Scope s = Scope.open()) {
            GradCheck.check("mul " + shapes, in -> in[0].mul(in[1]), randn(a), randn(b));
        }
    }

    @ParameterizedTest(name = "div: {0}")
    @MethodSource("broadcastCases")
    void divBroadcasts(String shapes, int[] a, int[] b) {
        try (Scope s = Scope.open()) {
            GradCheck.check("div " + shapes, in -> in[0].div(in[1]), randn(a), awayFromZero(b));
        }
    }

    @ParameterizedTest(name = "maximum: {0}")
    @MethodSource("broadcastCases")
    void maximumBroadcastsWithoutTies(String shapes, int[] a, int[] b) {
        try (Scope s = Scope.open()) {
            GradCheck.check("maximum " + shapes, in -> in[0].maximum(in[1]), grid(0, a), grid(0.05, b));
        }
    }

    @ParameterizedTest(name = "minimum: {0}")
    @MethodSource("broadcastCases")
    void minimumBroadcastsWithoutTies(String shapes, int[] a, int[] b) {
        try (Scope s = Scope.open()) {
            GradCheck.check("minimum " + shapes, in -> in[0].minimum(in[1]), grid(0, a), grid(0.05, b));
        }
    }

    @Test
    void maximumAndMinimumRouteGradientToBothSides() {
        try (Scope s = Scope.open()) {
            Tensor a = grid(0, 3, 4);
            Tensor b = grid(0.05, 4);
            a.maximum(b).sum().backward();
            double[] ga = a.grad().toDoubleArray();
            double[] gb = b.grad().toDoubleArray();
            // Every output element's gradient goes to exactly one side.
            assertEquals(12, Arrays.stream(ga).sum() + Arrays.stream(gb).sum(), 1e-12);
            assertTrue(Arrays.stream(ga).anyMatch(v -> v != 0), "a wins somewhere");
            assertTrue(Arrays.stream(gb).anyMatch(v -> v != 0), "b wins somewhere");
        }
    }

    /**
     * PyTorch 1.13's gradients of maximum and minimum (derivatives.yaml: half to each side of a tie, and the whole to
     * both sides where either is NaN, as neither is larger) at a = [1, NaN, 2, 2, -1], b = [NaN, 0, 3, 2, -2], the
     * output weighted by [1, 2, 3, 4, 5]; then logaddexp and logaddexp2 of equal inputs, composed of maximum, which
     * PyTorch 1.13 differentiates to 0.5 each.
     */
    @Test
    void maximumAndMinimumSplitTiesAndPassNanGradientsAsPyTorch() {
        try (Scope s = Scope.open()) {
            double nan = Double.NaN;
            Tensor weights = Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 5).to(DType.F64);
            double[][] expected = {{1, 2, 0, 2, 5}, {1, 2, 3, 2, 0}, {1, 2, 3, 2, 0}, {1, 2, 0, 2, 5}};
            for (int op = 0; op < 2; op++) {
                Tensor a = Tensor.fromArray(new double[] {1, nan, 2, 2, -1}, 5).to(DType.F64).requiresGrad(true);
                Tensor b = Tensor.fromArray(new double[] {nan, 0, 3, 2, -2}, 5).to(DType.F64).requiresGrad(true);
                (op == 0 ? a.maximum(b) : a.minimum(b)).mul(weights).sum().backward();
                String name = op == 0 ? "maximum" : "minimum";
                assertArrayEquals(expected[2 * op], a.grad().toDoubleArray(), 0, name + ": a's gradient");
                assertArrayEquals(expected[2 * op + 1], b.grad().toDoubleArray(), 0, name + ": b's gradient");
            }
            for (int op = 0; op < 2; op++) {
                Tensor a = Tensor.fromArray(new double[] {1, -3}, 2).to(DType.F64).requiresGrad(true);
                Tensor b = Tensor.fromArray(new double[] {1, -3}, 2).to(DType.F64).requiresGrad(true);
                (op == 0 ? a.logaddexp(b) : a.logaddexp2(b)).sum().backward();
                assertArrayEquals(new double[] {0.5, 0.5}, a.grad().toDoubleArray(), 1e-15, "logaddexp " + op);
                assertArrayEquals(new double[] {0.5, 0.5}, b.grad().toDoubleArray(), 1e-15, "logaddexp " + op);
            }
        }
    }

    // ---- selection and expansion ------------------------------------------------------------------

    @Test
    void whereSendsGradientToBothBranches() {
        try (Scope s = Scope.open()) {
            Tensor cond = Tensor.fromArray(new double[] {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0}, 3, 4);
            GradCheck.check("where", in -> Tensor.where(cond, in[0], in[1]), randn(3, 4), randn(3, 4));
        }
    }

    @Test
    void whereBroadcastsConditionAndBranches() {
        try (Scope s = Scope.open()) {
            Tensor cond = Tensor.fromArray(new long[] {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0}, 3, 4);
            GradCheck.check("where broadcast", in -> Tensor.where(cond, in[0], in[1]), randn(3, 1), randn(4));
            Tensor rowCond = Tensor.fromArray(new double[] {0, 1, 1, 0}, 4);
            GradCheck.check("where row condition", in -> Tensor.where(rowCond, in[0], in[1]), randn(3, 4), randn(3, 4));
        }
    }

    @Test
    void maskedFillPassesGradientOnlyWhereUnmasked() {
        try (Scope s = Scope.open()) {
            Tensor mask = Tensor.fromArray(new double[] {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0}, 3, 4);
            Tensor x = randn(3, 4);
            GradCheck.check("maskedFill", in -> in[0].maskedFill(mask, -3.0).mul(in[0]), x);
            Tensor rowMask = Tensor.fromArray(new long[] {0, 1, 0, 1}, 4);
            GradCheck.check("maskedFill broadcast mask", in -> in[0].maskedFill(rowMask, 2.0), x);
        }
    }

    @Test
    void maskedFillThenSoftmaxLikeAttention() {
        try (Scope s = Scope.open()) {
            Tensor causal = Tensor.fromArray(new double[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, 3, 3);
            GradCheck.check("masked softmax", in -> F.softmax(in[0].maskedFill(causal, -1e9), -1), randn(3, 3));
        }
    }

    @Test
    void expandColumnTo3D() {
        try (Scope s = Scope.open()) {
            GradCheck.check("expand [3,1] to [2,3,4]", in -> in[0].expand(2, 3, 4), randn(3, 1));
        }
    }

    @Test
    void expandRowToMatrix() {
        try (Scope s = Scope.open()) {
            GradCheck.check("expand [4] to [3,4]", in -> in[0].expand(3, 4), randn(4));
            GradCheck.check("expand scalar to [2,3]", in -> in[0].expand(2, 3), randn());
        }
    }

    // ---- reductions -------------------------------------------------------------------------------

    static Stream<Arguments> axesAndKeepDim() {
        List<Arguments> cases = new ArrayList<>();
        for (int axis : new int[] {0, 1, 2, -1}) {
            for (boolean keepDim : new boolean[] {true, false}) {
                cases.add(Arguments.of(axis, keepDim));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "sum over axis {0} of [2,3,4], keepDim {1}")
    @MethodSource("axesAndKeepDim")
    void sumOverAxis(int axis, boolean keepDim) {
        try (Scope s = Scope.open()) {
            GradCheck.check("sum axis " + axis + " keepDim " + keepDim, in -> in[0].sum(axis, keepDim), randn(2, 3, 4));
        }
    }

    @ParameterizedTest(name = "mean over axis {0} of [2,3,4], keepDim {1}")
    @MethodSource("axesAndKeepDim")
    void meanOverAxis(int axis, boolean keepDim) {
        try (Scope s = Scope.open()) {
            GradCheck.check("mean axis " + axis + " keepDim " + keepDim, in -> in[0].mean(axis, keepDim), randn(2, 3, 4));
        }
    }

    @Test
    void sumOfAll() {
        try (Scope s = Scope.open()) {
            GradCheck.check("sum all", in -> in[0].sum(), randn(2, 3, 4));
            GradCheck.check("sum all squared", in -> in[0].square().sum(), randn(2, 3, 4));
        }
    }

    @Test
    void meanOfAll() {
        try (Scope s = Scope.open()) {
            GradCheck.check("mean all", in -> in[0].mean(), randn(2, 3, 4));
            GradCheck.check("mean all squared", in -> in[0].square().mean(), randn(2, 3, 4));
        }
    }

    @ParameterizedTest(name = "max over axis {0} of [2,3,4] with distinct values, keepDim {1}")
    @MethodSource("axesAndKeepDim")
    void maxOverAxis(int axis, boolean keepDim) {
        try (Scope s = Scope.open()) {
            GradCheck.check("max axis " + axis + " keepDim " + keepDim, in -> in[0].max(axis, keepDim), grid(0, 2, 3, 4));
        }
    }

    @Test
    void maxOfAll() {
        try (Scope s = Scope.open()) {
            GradCheck.check("max all", in -> in[0].max(), grid(0, 2, 3, 4));
        }
    }

    // ---- matrix products --------------------------------------------------------------------------

    static Stream<Arguments> fusableActivations() {
        return Stream.of(Arguments.of(UnaryOp.RELU, 0.0), Arguments.of(UnaryOp.TANH, 0.0),
                Arguments.of(UnaryOp.SIGMOID, 0.0), Arguments.of(UnaryOp.LEAKY_RELU, 0.1), Arguments.of(UnaryOp.ELU, 1.3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fusableActivations")
    void linearFusedWithItsActivation(UnaryOp activation, double param) {
        try (Scope s = Scope.open()) {
            GradCheck.check("linear+" + activation, in -> F.linear(in[0], in[1], in[2], activation, param),
                    randn(3, 4), randn(5, 4), randn(5));
        }
    }

    @Test
    void matmul2D() {
        try (Scope s = Scope.open()) {
            GradCheck.check("matmul", in -> in[0].matmul(in[1]), randn(3, 4), randn(4, 5));
        }
    }

    @Test
    void matmulTransposedLeft() {
        try (Scope s = Scope.open()) {
            GradCheck.check("a^T b", in -> in[0].t().matmul(in[1]), randn(4, 3), randn(4, 5));
        }
    }

    @Test
    void matmulTransposedRight() {
        try (Scope s = Scope.open()) {
            GradCheck.check("a b^T", in -> in[0].matmul(in[1].t()), randn(3, 4), randn(5, 4));
        }
    }

    @Test
    void matmulBothTransposed() {
        try (Scope s = Scope.open()) {
            GradCheck.check("a^T b^T", in -> in[0].t().matmul(in[1].t()), randn(4, 3), randn(5, 4));
        }
    }

    @Test
    void matmulBatched3DBy3D() {
        try (Scope s = Scope.open()) {
            GradCheck.check("batched 3-D x 3-D", in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(2, 4, 5));
        }
    }

    @Test
    void matmulBatched3DBy2DSharedRight() {
        try (Scope s = Scope.open()) {
            GradCheck.check("3-D x 2-D", in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(4, 5));
        }
    }

    @Test
    void matmulBatched2DBy3DSharedLeft() {
        try (Scope s = Scope.open()) {
            GradCheck.check("2-D x 3-D", in -> in[0].matmul(in[1]), randn(3, 4), randn(2, 4, 5));
        }
    }

    @Test
    void matmulOfViewsWithOffsets() {
        try (Scope s = Scope.open()) {
            // narrow on the leading axis is a view at a non-zero offset: GEMM must honour it.
            GradCheck.check("matmul of views", in -> in[0].narrow(0, 1, 3).matmul(in[1].narrow(0, 2, 4)),
                    randn(5, 4), randn(6, 5));
        }
    }

    @Test
    void linearWithBias() {
        try (Scope s = Scope.open()) {
            GradCheck.check("linear", in -> F.linear(in[0], in[1], in[2]), randn(5, 4), randn(3, 4), randn(3));
        }
    }

    @Test
    void linearWithoutBias() {
        try (Scope s = Scope.open()) {
            GradCheck.check("linear no bias", in -> F.linear(in[0], in[1], null), randn(5, 4), randn(3, 4));
        }
    }

    // ---- softmax and losses -----------------------------------------------------------------------

    @Test
    void softmaxOverLastAxis() {
        try (Scope s = Scope.open()) {
            GradCheck.check("softmax -1", in -> F.softmax(in[0], -1), randn(3, 5));
        }
    }

    @Test
    void softmaxOverAxis0() {
        try (Scope s = Scope.open()) {
            GradCheck.check("softmax 0", in -> F.softmax(in[0], 0), randn(3, 5));
        }
    }

    @Test
    void softmaxOverMiddleAxisOf3D() {
        try (Scope s = Scope.open()) {
            GradCheck.check("softmax 1 of 3-D", in -> F.softmax(in[0], 1), randn(2, 3, 4));
        }
    }

    @Test
    void logSoftmaxOverLastAxis() {
        try (Scope s = Scope.open()) {
            GradCheck.check("logSoftmax -1", in -> F.logSoftmax(in[0], -1), randn(3, 5));
        }
    }

    @Test
    void logSoftmaxOverAxis0() {
        try (Scope s = Scope.open()) {
            GradCheck.check("logSoftmax 0", in -> F.logSoftmax(in[0], 0), randn(3, 5));
        }
    }

    @Test
    void logSoftmaxWithLargeLogits() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {100, 101, 99.5, -50, -49, -51}, 2, 3).requiresGrad(true);
            GradCheck.check("logSoftmax large", in -> F.logSoftmax(in[0], -1), x);
        }
    }

    @Test
    void softplusIncludingExactlyZero() {
        try (Scope s = Scope.open()) {
            GradCheck.check("softplus", in -> F.softplus(in[0].mul(3)), randn(3, 4));
            GradCheck.check("softplus at 0", in -> F.softplus(in[0]), Tensor.zeros(DType.F64, 2, 3).requiresGrad(true));
        }
    }

    @Test
    void crossEntropyWithI64Targets() {
        try (Scope s = Scope.open()) {
            Tensor targets = indices(new long[] {0, 3, 1, 4}, 4);
            GradCheck.check("crossEntropy I64", in -> F.crossEntropy(in[0], targets), randn(4, 5));
        }
    }

    @Test
    void crossEntropyWithI32Targets() {
        try (Scope s = Scope.open()) {
            Tensor targets = Tensor.fromArray(new int[] {2, 2, 0, 4}, 4);
            GradCheck.check("crossEntropy I32", in -> F.crossEntropy(in[0], targets), randn(4, 5));
        }
    }

    @Test
    void crossEntropyTimesScale() {
        try (Scope s = Scope.open()) {
            // the loss's incoming gradient is not 1 here: it must scale the whole logits gradient.
            Tensor targets = indices(new long[] {1, 0, 2}, 3);
            GradCheck.check("crossEntropy scaled", in -> F.crossEntropy(in[0], targets).mul(in[1]),
                    randn(3, 4), randn(2));
        }
    }

    // ---- indexing ---------------------------------------------------------------------------------

    @Test
    void gatherAxis0() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {2, 0, 1, 2, 0, 0, 2, 1}, 2, 4);
            GradCheck.check("gather 0", in -> in[0].gather(0, index), randn(3, 4));
        }
    }

    @Test
    void gatherAxis1() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {3, 3, 0, 1, 2, 1}, 3, 2);
            GradCheck.check("gather 1", in -> in[0].gather(1, index), randn(3, 4));
        }
    }

    @Test
    void gatherAxis1Of3D() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {0, 2, 1, 2, 2, 0, 1, 1, 0, 0, 2, 1, 1, 2, 0, 0}, 2, 2, 4);
            GradCheck.check("gather 1 of 3-D", in -> in[0].gather(1, index), randn(2, 3, 4));
        }
    }

    @Test
    void scatterAddAxis0ToDestinationAndSource() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {2, 0, 2, 1, 2, 0, 0, 1}, 2, 4);
            GradCheck.check("scatterAdd 0", in -> in[0].scatterAdd(0, index, in[1]).square(), randn(3, 4), randn(2, 4));
        }
    }

    @Test
    void scatterAddAxis1ToDestinationAndSource() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {1, 1, 3, 0, 0, 2}, 3, 2);
            GradCheck.check("scatterAdd 1", in -> in[0].scatterAdd(1, index, in[1]).square(), randn(3, 4), randn(3, 2));
        }
    }

    @Test
    void indexSelectAxis0WithRepeats() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {2, 0, 2, 3}, 4);
            GradCheck.check("indexSelect 0", in -> in[0].indexSelect(0, index), randn(4, 3));
        }
    }

    @Test
    void indexSelectAxis1WithRepeats() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {1, 1, 3, 0, 1}, 5);
            GradCheck.check("indexSelect 1", in -> in[0].indexSelect(1, index), randn(3, 4));
        }
    }

    @Test
    void indexSelectWithI32Indices() {
        try (Scope s = Scope.open()) {
            Tensor index = Tensor.fromArray(new int[] {0, 0, 2}, 3);
            GradCheck.check("indexSelect I32", in -> in[0].indexSelect(0, index), randn(3, 2));
        }
    }

    @Test
    void indexAddAxis0ToDestinationAndSource() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {1, 3, 1}, 3);
            GradCheck.check("indexAdd 0", in -> in[0].indexAdd(0, index, in[1]).square(), randn(4, 3), randn(3, 3));
        }
    }

    @Test
    void indexAddAxis1ToDestinationAndSource() {
        try (Scope s = Scope.open()) {
            Tensor index = indices(new long[] {2, 0, 2, 2}, 4);
            GradCheck.check("indexAdd 1", in -> in[0].indexAdd(1, index, in[1]).square(), randn(2, 3), randn(2, 4));
        }
    }

    // ---- shape ops --------------------------------------------------------------------------------

    @Test
    void reshape() {
        try (Scope s = Scope.open()) {
            GradCheck.check("reshape", in -> in[0].reshape(6, 4).mul(in[0].reshape(6, 4)), randn(2, 3, 4));
        }
    }

    @Test
    void viewWithInferredDimension() {
        try (Scope s = Scope.open()) {
            GradCheck.check("view -1", in -> in[0].view(-1, 8), randn(2, 3, 4));
        }
    }

    @Test
    void flatten() {
        try (Scope s = Scope.open()) {
            GradCheck.check("flatten 1", in -> in[0].flatten(1), randn(2, 3, 4));
            GradCheck.check("flatten 0", in -> in[0].flatten(0), randn(2, 3, 4));
        }
    }

    @Test
    void unsqueezeAndSqueeze() {
        try (Scope s = Scope.open()) {
            GradCheck.check("unsqueeze", in -> in[0].unsqueeze(1), randn(3, 4));
            GradCheck.check("unsqueeze last", in -> in[0].unsqueeze(-1), randn(3, 4));
            GradCheck.check("squeeze", in -> in[0].squeeze(1), randn(3, 1, 4));
            GradCheck.check("unsqueeze then broadcast", in -> in[0].unsqueeze(1).mul(in[1]), randn(3, 4), randn(2, 4));
        }
    }

    @Test
    void narrowAxis0IsAView() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(5, 3);
            assertSame(x.storage(), x.narrow(0, 1, 3).storage(), "narrow on the leading axis shares storage");
            GradCheck.check("narrow 0", in -> in[0].narrow(0, 1, 3), x);
        }
    }

    @Test
    void narrowAxis1IsACopy() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(3, 5);
            assertNotSame(x.storage(), x.narrow(1, 1, 3).storage(), "narrow on an inner axis copies");
            GradCheck.check("narrow 1", in -> in[0].narrow(1, 1, 3), x);
        }
    }

    @Test
    void narrowOfANarrowedView() {
        try (Scope s = Scope.open()) {
            GradCheck.check("narrow of narrow", in -> in[0].narrow(0, 1, 4).narrow(0, 2, 2).narrow(1, 1, 2), randn(6, 3));
        }
    }

    @Test
    void transpose() {
        try (Scope s = Scope.open()) {
            GradCheck.check("transpose 2-D", in -> in[0].t(), randn(3, 4));
            GradCheck.check("transpose 0,2 of 3-D", in -> in[0].transpose(0, 2), randn(2, 3, 4));
            GradCheck.check("transpose -1,-2 of 3-D", in -> in[0].transpose(-1, -2), randn(2, 3, 4));
        }
    }

    @Test
    void permute3D() {
        try (Scope s = Scope.open()) {
            GradCheck.check("permute 2,0,1", in -> in[0].permute(2, 0, 1), randn(2, 3, 4));
            GradCheck.check("permute 1,2,0", in -> in[0].permute(1, 2, 0), randn(2, 3, 4));
        }
    }

    @Test
    void catAxis0() {
        try (Scope s = Scope.open()) {
            GradCheck.check("cat 0", in -> Tensor.cat(List.of(in[0], in[1], in[2]), 0), randn(2, 3), randn(1, 3), randn(3, 3));
        }
    }

    @Test
    void catAxis1() {
        try (Scope s = Scope.open()) {
            GradCheck.check("cat 1", in -> Tensor.cat(List.of(in[0], in[1]), 1), randn(3, 2), randn(3, 4));
        }
    }

    @Test
    void catSameTensorTwice() {
        try (Scope s = Scope.open()) {
            GradCheck.check("cat self", in -> Tensor.cat(List.of(in[0], in[0].mul(2.0)), 1), randn(2, 3));
        }
    }

    @ParameterizedTest(name = "stack along axis {0}")
    @ValueSource(ints = {0, 1, 2, -1})
    void stack(int axis) {
        try (Scope s = Scope.open()) {
            GradCheck.check("stack " + axis, in -> Tensor.stack(List.of(in[0], in[1], in[2]), axis),
                    randn(3, 4), randn(3, 4), randn(3, 4));
        }
    }

    @Test
    void splitAxis0WithEveryPieceWeighted() {
        try (Scope s = Scope.open()) {
            GradCheck.check("split 0", in -> weightedPieces(in[0].split(0, 2, 3), 0), randn(5, 3));
        }
    }

    @Test
    void splitAxis1WithEveryPieceWeighted() {
        try (Scope s = Scope.open()) {
            GradCheck.check("split 1", in -> weightedPieces(in[0].split(1, 1, 3, 2), 1), randn(3, 6));
        }
    }

    @Test
    void chunkAxis0WithUnevenLastPiece() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(7, 3);
            assertEquals(3, x.chunk(3, 0).size());
            GradCheck.check("chunk 0", in -> weightedPieces(in[0].chunk(3, 0), 0), x);
        }
    }

    @Test
    void chunkAxis1() {
        try (Scope s = Scope.open()) {
            GradCheck.check("chunk 1", in -> weightedPieces(in[0].chunk(2, 1), 1), randn(3, 6));
        }
    }

    /**
     * Combines pieces so that each one's gradient is distinct and depends on its values: piece i is
     * squared, scaled by i + 1, summed over the split axis, and the sums are stacked.
     */
    private static Tensor weightedPieces(List<Tensor> pieces, int axis) {
        List<Tensor> reduced = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            reduced.add(pieces.get(i).square().mul(i + 1.0).sum(axis, false));
        }
        return Tensor.stack(reduced, 0);
    }

    // ---- ops composed of the others: clamp, min, var/std, logsumexp, norm, prod, cumsum, reordering -------

    @Test
    void clampAwayFromItsBounds() {
        try (Scope s = Scope.open()) {
            GradCheck.check("clamp(-0.35, 0.45)", in -> in[0].clamp(-0.35, 0.45), grid(0, 3, 4));
            GradCheck.check("clampMin(-0.25)", in -> in[0].clampMin(-0.25), grid(0, 3, 4));
            GradCheck.check("clampMax(0.15)", in -> in[0].clampMax(0.15), grid(0, 3, 4));
        }
    }

    @ParameterizedTest(name = "min over axis {0} of [2,3,4] with distinct values, keepDim {1}")
    @MethodSource("axesAndKeepDim")
    void minOverAxis(int axis, boolean keepDim) {
        try (Scope s = Scope.open()) {
            GradCheck.check("min axis " + axis + " keepDim " + keepDim, in -> in[0].min(axis, keepDim),
                    grid(0, 2, 3, 4));
        }
    }

    @Test
    void minOfAll() {
        try (Scope s = Scope.open()) {
            GradCheck.check("min all", in -> in[0].min(), grid(0, 2, 3, 4));
        }
    }

    @ParameterizedTest(name = "correction {0}")
    @ValueSource(ints = {0, 1, 2})
    void varAndStdOverTwoAxes(int correction) {
        try (Scope s = Scope.open()) {
            GradCheck.check("var (0, 2)", in -> in[0].var(new int[] {0, 2}, correction, false), randn(2, 3, 4));
            GradCheck.check("var (-1) kept", in -> in[0].var(new int[] {-1}, correction, true), randn(2, 3, 4));
            GradCheck.check("std (0, 2)", in -> in[0].std(new int[] {0, 2}, correction, false), randn(2, 3, 4));
            GradCheck.check("std (1) kept", in -> in[0].std(new int[] {1}, correction, true), randn(2, 3, 4));
        }
    }

    @Test
    void varAndStdOfAll() {
        try (Scope s = Scope.open()) {
            GradCheck.check("var all", in -> in[0].var(), randn(3, 4));
            GradCheck.check("std all", in -> in[0].std(), randn(3, 4));
        }
    }

    @ParameterizedTest(name = "logsumexp over axis {0} of [2,3,4], keepDim {1}")
    @MethodSource("axesAndKeepDim")
    void logsumexpOverAxis(int axis, boolean keepDim) {
        try (Scope s = Scope.open()) {
            GradCheck.check("logsumexp axis " + axis, in -> in[0].logsumexp(axis, keepDim), randn(2, 3, 4));
        }
    }

    @Test
    void logsumexpOfLargeValues() {
        try (Scope s = Scope.open()) {
            GradCheck.check("logsumexp of 500 + x", in -> in[0].add(500).logsumexp(1, false), randn(3, 5));
        }
    }

    @Test
    void normsOverAxesAndOfAll() {
        try (Scope s = Scope.open()) {
            GradCheck.check("norm 1 over (0, 2)", in -> in[0].norm(1, new int[] {0, 2}, false), awayFromZero(2, 3, 4));
            GradCheck.check("norm 2 over (1) kept", in -> in[0].norm(2, new int[] {1}, true), randn(2, 3, 4));
            GradCheck.check("norm 2 of all", in -> in[0].norm(2), randn(3, 4));
            // Values 0.03 + 0.1 k: no two share an absolute value, so the largest is unique.
            GradCheck.check("norm inf over (-1)", in -> in[0].norm(Double.POSITIVE_INFINITY, new int[] {-1}, false),
                    grid(0.03, 2, 3, 4));
            GradCheck.check("norm inf of all", in -> in[0].norm(Double.POSITIVE_INFINITY), grid(0.03, 3, 4));
            GradCheck.check("norm 3 over (1)", in -> in[0].norm(3, new int[] {1}, false), randn(2, 3, 4));
            GradCheck.check("norm 1.5 of all", in -> in[0].norm(1.5), awayFromZero(3, 4));
            GradCheck.check("norm 0.5 over (0, 2) kept", in -> in[0].norm(0.5, new int[] {0, 2}, true), awayFromZero(2, 3, 4));
        }
    }

    @Test
    void prodOverAxesOfOddAndEvenLength() {
        try (Scope s = Scope.open()) {
            GradCheck.check("prod axis 1 of [2, 7, 3]", in -> in[0].prod(1, false), randn(2, 7, 3));
            GradCheck.check("prod axis -1 of [3, 4] kept", in -> in[0].prod(-1, true), randn(3, 4));
            GradCheck.check("prod of all", in -> in[0].prod(), randn(2, 3));
        }
    }

    @Test
    void prodWithOneAndWithTwoZeros() {
        try (Scope s = Scope.open()) {
            // A product is linear in each element, so central differences are exact at 0 too.
            Tensor x = Tensor.fromArray(new double[] {0.5, 0, -1.5, 2, 0, 0, 3, 0.25, -1, 1.5}, 2, 5);
            GradCheck.check("prod with zeros", in -> in[0].prod(1, false), x.requiresGrad(true));
        }
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void cumsumAlongEachAxis(int axis) {
        try (Scope s = Scope.open()) {
            GradCheck.check("cumsum axis " + axis, in -> in[0].cumsum(axis), randn(2, 9, 5));
        }
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void cumprodAlongEachAxis(int axis) {
        try (Scope s = Scope.open()) {
            GradCheck.check("cumprod axis " + axis, in -> in[0].cumprod(axis), randn(2, 9, 5));
        }
    }

    @Test
    void cumprodWithOneAndWithTwoZeros() {
        try (Scope s = Scope.open()) {
            // Each running product is linear in each element, so central differences are exact at 0 too.
            Tensor x = Tensor.fromArray(new double[] {0.5, 0, -1.5, 2, 0, 0, 3, 0.25, -1, 1.5, 0, 0.5}, 2, 6);
            GradCheck.check("cumprod with zeros", in -> in[0].cumprod(1), x.requiresGrad(true));
        }
    }

    /** Distinct values (a grid 0.1 apart): the order, and so the gradient's routing, holds within the steps. */
    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void sortTopkKthvalueAndMedianAlongEachAxis(int axis) {
        try (Scope s = Scope.open()) {
            GradCheck.check("sort axis " + axis, in -> in[0].sort(axis, false).values(), grid(0, 2, 9, 5));
            GradCheck.check("sort descending axis " + axis, in -> in[0].sort(axis, true).values(), grid(0, 2, 9, 5));
            GradCheck.check("topk 2 largest axis " + axis, in -> in[0].topk(2, axis, true, true).values(),
                    grid(0, 2, 9, 5));
            GradCheck.check("topk 2 smallest unsorted axis " + axis, in -> in[0].topk(2, axis, false, false).values(),
                    grid(0, 2, 9, 5));
            GradCheck.check("kthvalue 2 axis " + axis, in -> in[0].kthvalue(2, axis, false).values(),
                    grid(0, 2, 9, 5));
            GradCheck.check("median axis " + axis, in -> in[0].median(axis, true).values(), grid(0, 2, 9, 5));
        }
    }

    @Test
    void flipRollPadAndTriangles() {
        try (Scope s = Scope.open()) {
            GradCheck.check("flip (0, 2)", in -> in[0].flip(0, 2), randn(2, 3, 4));
            GradCheck.check("roll 5", in -> in[0].roll(5), randn(2, 3, 4));
            GradCheck.check("roll (1, -5) over (1, 2)", in -> in[0].roll(new int[] {1, -5}, new int[] {1, 2}),
                    randn(2, 3, 4));
            GradCheck.check("pad (1, -1, -2, 3)", in -> F.pad(in[0], new int[] {1, -1, -2, 3}, 0.5), randn(2, 3, 4));
            GradCheck.check("tril -1", in -> in[0].tril(-1), randn(2, 3, 4));
            GradCheck.check("triu 1", in -> in[0].triu(1), randn(2, 3, 4));
        }
    }

    /** Each padding mode on one, two and three axes, batched and not, with amounts that crop and that overlap. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = PaddingMode.class, names = {"REFLECT", "REPLICATE", "CIRCULAR"})
    void padInEachMode(PaddingMode mode) {
        try (Scope s = Scope.open()) {
            GradCheck.check(mode + " pad (3, -1)", in -> F.pad(in[0], new int[] {3, -1}, mode), randn(2, 3, 4));
            GradCheck.check(mode + " pad (2, 1, -1, 2) unbatched", in -> F.pad(in[0], new int[] {2, 1, -1, 2}, mode),
                    randn(2, 3, 4));
            GradCheck.check(mode + " pad (1, 2, 2, 0) batched", in -> F.pad(in[0], new int[] {1, 2, 2, 0}, mode),
                    randn(2, 1, 3, 4));
            GradCheck.check(mode + " pad (1, 1, 0, 2, 1, 0)", in -> F.pad(in[0], new int[] {1, 1, 0, 2, 1, 0}, mode),
                    randn(1, 2, 2, 3, 3));
        }
    }

    // ---- composite --------------------------------------------------------------------------------

    @Test
    void twoLayerNetWithCrossEntropy() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(6, 4);
            Tensor w1 = randn(5, 4);
            Tensor b1 = randn(5);
            Tensor w2 = randn(3, 5);
            Tensor b2 = randn(3);
            Tensor targets = indices(new long[] {0, 2, 1, 1, 0, 2}, 6);
            GradCheck.check("two-layer net",
                    in -> F.crossEntropy(F.linear(F.linear(in[0], in[1], in[2]).tanh(), in[3], in[4]), targets),
                    x, w1, b1, w2, b2);
        }
    }

    @Test
    void sharedWeightUsedTwiceAccumulatesGradient() {
        try (Scope s = Scope.open()) {
            GradCheck.check("shared weight", in -> in[0].matmul(in[1]).tanh().matmul(in[1]), randn(2, 3), randn(3, 3));
        }
    }

    // ---- user-defined functions -------------------------------------------------------------------

    /** x * x with the correct backward 2 x g. */
    static final class Square extends dev.kiln.engine.Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            save(inputs[0]);
            return inputs[0].mul(inputs[0]);
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            return new Tensor[] {gradOutput.mul(saved()[0]).mul(2.0)};
        }
    }

    /** x * x with a deliberately wrong backward: g instead of 2 x g. */
    static final class WrongSquare extends dev.kiln.engine.Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            return inputs[0].mul(inputs[0]);
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            return new Tensor[] {gradOutput};
        }
    }

    /** x * y with both gradients, one input possibly not needing one. */
    static final class Product extends dev.kiln.engine.Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            save(inputs[0], inputs[1]);
            return inputs[0].mul(inputs[1]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor y = saved()[1];
            return new Tensor[] {x.requiresGrad() ? g.mul(y) : null, y.requiresGrad() ? g.mul(x) : null};
        }
    }

    @Test
    void userFunctionWithCorrectBackwardPasses() {
        try (Scope s = Scope.open()) {
            GradCheck.check("Square", in -> new Square().apply(in[0]), randn(3, 4));
            GradCheck.check("Square in a graph", in -> new Square().apply(in[0].tanh()).sum(1, false), randn(3, 4));
        }
    }

    @Test
    void userFunctionWithTwoInputsPasses() {
        try (Scope s = Scope.open()) {
            GradCheck.check("Product", in -> new Product().apply(in[0], in[1]), randn(3, 4), randn(3, 4));
            Tensor constant = Tensor.randn(DType.F64, 3, 4);
            GradCheck.check("Product with a constant", in -> new Product().apply(in[0], in[1]), randn(3, 4), constant);
        }
    }

    @Test
    void gradCheckFailsForWrongBackward() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(3, 4);
            AssertionError e = assertThrows(AssertionError.class,
                    () -> GradCheck.check("WrongSquare", in -> new WrongSquare().apply(in[0]), x));
            assertTrue(e.getMessage().contains("WrongSquare"), e.getMessage());
        }
    }

    @Test
    void gradCheckFailsWhenGradientIsRoutedToTheWrongElement() {
        try (Scope s = Scope.open()) {
            // backward sends each element's gradient to its mirror: right values, wrong places.
            final class Mirrored extends dev.kiln.engine.Function {
                @Override
                protected Tensor forward(Tensor... inputs) {
                    return inputs[0].mul(3.0);
                }

                @Override
                protected Tensor[] backward(Tensor g) {
                    double[] v = g.toDoubleArray();
                    double[] r = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                        r[i] = 3.0 * v[v.length - 1 - i];
                    }
                    return new Tensor[] {Tensor.fromArray(r, g.shape().dims())};
                }
            }
            assertThrows(AssertionError.class, () -> GradCheck.check("Mirrored", in -> new Mirrored().apply(in[0]), randn(6)));
        }
    }

    @Test
    void gradCheckRejectsOutputWithoutGraph() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(3);
            assertThrows(AssertionError.class, () -> GradCheck.check("detached", in -> in[0].detach().mul(2.0), x));
            try (Autograd.Guard g = Autograd.noGrad()) {
                assertThrows(AssertionError.class, () -> GradCheck.check("no grad", in -> in[0].mul(2.0), x));
            }
        }
    }
}
