package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * Second derivatives through {@link Autograd#grad} with {@code createGraph}, op by op, in F64: for f and a fixed
 * weighting v of its output, the recorded gradient {@code h(x, v) = grad(<f(x), v>, x)} is itself checked by
 * {@link GradCheck} against central finite differences, which checks both its derivative in x (the Hessian times v)
 * and in v (the Jacobian of f: each rule's recorded ops must carry the output's gradient). Each h also equals the
 * gradient of the ordinary backward pass (the backend's fused kernels). Every f is non-linear in each input, so that
 * each receives a second derivative; inputs stay away from kinks and ties.
 */
class DoubleBackwardTest {
    private Scope scope;

    @BeforeEach
    void seedAndOpenScope() {
        Engine.seed(20240917L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    // ---- the check ------------------------------------------------------------------------------------

    /** Checks f's second derivatives at {@code inputs} (F64 leaves requiring a gradient) as the class says. */
    static void checkSecondOrder(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Shape outShape;
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            outShape = f.apply(inputs).shape();
        }
        Tensor[] withWeights = Arrays.copyOf(inputs, inputs.length + 1);
        withWeights[inputs.length] = Tensor.uniform(0.5, 1.5, DType.F64, outShape.dims()).requiresGrad(true);
        Function<Tensor[], Tensor> gradient = in -> {
            try (Autograd.Guard on = Autograd.enableGrad()) {
                Tensor[] x = Arrays.copyOf(in, inputs.length);
                return flattened(Autograd.grad(List.of(f.apply(x)), List.of(x), List.of(in[inputs.length]),
                        GradOptions.DEFAULT.withCreateGraph()));
            }
        };
        try (Scope s = Scope.open()) {
            Tensor ordinary = flattened(Autograd.grad(List.of(f.apply(inputs)), List.of(inputs),
                    List.of(withWeights[inputs.length]), GradOptions.DEFAULT));
            assertArrayEquals(ordinary.toDoubleArray(), gradient.apply(withWeights).toDoubleArray(), 1e-10,
                    name + ": the recorded gradient differs from the ordinary backward pass's");
        }
        GradCheck.check(name + ", its gradient", gradient, withWeights);
    }

    private static Tensor flattened(List<Tensor> gradients) {
        List<Tensor> flat = new ArrayList<>();
        for (Tensor g : gradients) {
            flat.add(g.reshape(-1));
        }
        return Tensor.cat(flat, 0);
    }

    private static Tensor randn(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    /** Normal values at least 0.2 away from zero: no kink of abs, relu, leaky ReLU or ELU. */
    private static Tensor awayFromZero(int... dims) {
        double[] v = Tensor.randn(DType.F64, dims).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] >= 0 ? v[i] + 0.2 : v[i] - 0.2;
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    /** Uniform values in [0.5, 2): for log, sqrt, fractional powers and division. */
    private static Tensor positive(int... dims) {
        return Tensor.uniform(0.5, 2.0, DType.F64, dims).requiresGrad(true);
    }

    /** Distinct values 0.1 apart in a scrambled order (shifted by {@code shift}): no ties for max and min. */
    private static Tensor distinct(double shift, int... dims) {
        int n = Math.toIntExact(Shape.of(dims).size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = shift + 0.1 * ((i * 7L) % n - n / 2);
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    // ---- element-wise ---------------------------------------------------------------------------------

    static Stream<Arguments> unaryOps() {
        return Stream.of(
                Arguments.of("neg", (Function<Tensor, Tensor>) Tensor::neg, false),
                Arguments.of("abs", (Function<Tensor, Tensor>) Tensor::abs, false),
                Arguments.of("exp", (Function<Tensor, Tensor>) Tensor::exp, false),
                Arguments.of("log", (Function<Tensor, Tensor>) Tensor::log, true),
                Arguments.of("sqrt", (Function<Tensor, Tensor>) Tensor::sqrt, true),
                Arguments.of("square", (Function<Tensor, Tensor>) Tensor::square, false),
                Arguments.of("pow 3", (Function<Tensor, Tensor>) t -> t.pow(3), false),
                Arguments.of("pow -1.5", (Function<Tensor, Tensor>) t -> t.pow(-1.5), true),
                Arguments.of("pow 0", (Function<Tensor, Tensor>) t -> t.pow(0), false),
                Arguments.of("tanh", (Function<Tensor, Tensor>) Tensor::tanh, false),
                Arguments.of("sigmoid", (Function<Tensor, Tensor>) Tensor::sigmoid, false),
                Arguments.of("relu", (Function<Tensor, Tensor>) Tensor::relu, false),
                Arguments.of("leakyRelu 0.1", (Function<Tensor, Tensor>) t -> t.leakyRelu(0.1), false),
                Arguments.of("elu 0.7", (Function<Tensor, Tensor>) t -> t.elu(0.7), false),
                Arguments.of("gelu", (Function<Tensor, Tensor>) Tensor::gelu, false),
                Arguments.of("geluTanh", (Function<Tensor, Tensor>) Tensor::geluTanh, false),
                Arguments.of("silu", (Function<Tensor, Tensor>) Tensor::silu, false),
                Arguments.of("softplus", (Function<Tensor, Tensor>) F::softplus, false),
                Arguments.of("affine", (Function<Tensor, Tensor>) t -> t.mul(3.0).add(0.5), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryOps")
    void secondDerivativesOfUnaryOpsMatchFiniteDifferences(String name, Function<Tensor, Tensor> op,
                                                            boolean needsPositive) {
        Tensor x = needsPositive ? positive(3, 4) : awayFromZero(3, 4);
        checkSecondOrder(name + "(x) * x", in -> op.apply(in[0]).mul(in[0]), x);
    }

    @Test
    void gradientsOfGeluAreDifferentiableToTheThirdOrder() {
        // GELU's derivative is the one unary derivative taken from a kernel: its own rule must carry on.
        checkSecondOrder("grad(sum(gelu(x)), x) * x", in -> {
            try (Autograd.Guard on = Autograd.enableGrad()) {
                Tensor g = Autograd.grad(in[0].gelu().sum(), List.of(in[0]), GradOptions.DEFAULT.withCreateGraph()).get(0);
                return g.mul(in[0]);
            }
        }, awayFromZero(2, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.tests.ops.ElementaryFunctionCases#differentiable")
    void secondDerivativesOfElementaryFunctionsMatchFiniteDifferences(String name, Function<Tensor, Tensor> op,
                                                                    double low, double high) {
        checkSecondOrder(name + "(x) * x", in -> op.apply(in[0]).mul(in[0]),
                ElementaryFunctionCases.inputs(low, high, 3, 4));
    }

    @ParameterizedTest
    @EnumSource(names = {"ADD", "SUB", "MUL", "DIV", "MAX", "MIN", "ATAN2", "POWER", "FMOD", "REMAINDER"})
    void secondDerivativesOfBroadcastBinaryOpsMatchFiniteDifferences(BinaryOp op) {
        Tensor a = distinct(0.55, 3, 4);
        Tensor b = distinct(1.0, 4);
        Function<Tensor[], Tensor> apply = switch (op) {
            case ADD -> in -> in[0].add(in[1]);
            case SUB -> in -> in[0].sub(in[1]);
            case MUL -> in -> in[0].mul(in[1]);
            case DIV -> in -> in[0].div(in[1].square().add(0.5));
            case MAX -> in -> in[0].maximum(in[1]);
            case MIN -> in -> in[0].minimum(in[1]);
            case ATAN2 -> in -> in[0].atan2(in[1]);
            case POWER -> in -> in[0].square().add(0.5).pow(in[1]);
            // Quotients a / b stay half a step of 0.1 away from integers, where fmod and remainder jump.
            case FMOD -> in -> in[0].fmod(in[1]);
            default -> in -> in[0].remainder(in[1]);
        };
        checkSecondOrder(op + "(a [3, 4], b [4]) squared", in -> apply.apply(in).square(), a, b);
    }

    @Test
    void secondDerivativesOfWhereAndClampMatchFiniteDifferences() {
        Tensor mask = Tensor.fromArray(new double[] {1, 0, 0, 1}, 4);
        checkSecondOrder("where(mask, a, b) * a * b",
                in -> Tensor.where(mask, in[0], in[1]).mul(in[0]).mul(in[1]), randn(3, 4), randn(4));
        checkSecondOrder("clamp(x, -0.5, 0.5) * x", in -> in[0].clamp(-0.5, 0.5).mul(in[0]), distinct(0.05, 3, 4));
    }

    // ---- reductions ------------------------------------------------------------------------------------

    @Test
    void secondDerivativesOfSumsAndMeansMatchFiniteDifferences() {
        checkSecondOrder("sum(x)^2", in -> in[0].sum().square(), randn(3, 4));
        checkSecondOrder("sum(x, 1, keep)^2", in -> in[0].sum(1, true).square(), randn(3, 4));
        checkSecondOrder("mean(x)^2", in -> in[0].mean().square(), randn(3, 4));
        checkSecondOrder("mean(x, 0)^2", in -> in[0].mean(0, false).square(), randn(3, 4));
    }

    @Test
    void secondDerivativesOfMaximaAndMinimaMatchFiniteDifferences() {
        checkSecondOrder("max(x, 1)^2", in -> in[0].max(1, false).square(), distinct(0.05, 3, 4));
        checkSecondOrder("min(x, 0)^2", in -> in[0].min(0, true).square(), distinct(0.05, 3, 4));
        checkSecondOrder("max(x)^2", in -> in[0].max().square(), distinct(0.05, 3, 4));
        checkSecondOrder("min(x)^2", in -> in[0].min().square(), distinct(0.05, 3, 4));
    }

    @Test
    void secondDerivativesOfCompositeReductionsMatchFiniteDifferences() {
        checkSecondOrder("logsumexp(x, 1)", in -> in[0].logsumexp(1, false), randn(3, 4));
        checkSecondOrder("var(x, 1)", in -> in[0].var(new int[] {1}, 1, false), randn(3, 4));
        checkSecondOrder("std(x)", in -> in[0].std(), randn(3, 4));
        checkSecondOrder("norm(x, 2, 1)", in -> in[0].norm(2, new int[] {1}, false), randn(3, 4));
        checkSecondOrder("cumsum(x, 1)^2", in -> in[0].cumsum(1).square(), randn(3, 4));
        checkSecondOrder("cumprod(x, 1)", in -> in[0].cumprod(1), randn(3, 5));
        checkSecondOrder("cumprod(x, 0) with zeros", in -> in[0].cumprod(0),
                Tensor.fromArray(new double[] {0.5, 0, -1.5, 2, 0, 0, 3, 0.25, -1, 1.5, 0, 0.5}, 4, 3)
                        .requiresGrad(true));
    }

    // ---- shapes and indexing ----------------------------------------------------------------------------

    @Test
    void secondDerivativesThroughViewsAndCopiesMatchFiniteDifferences() {
        checkSecondOrder("reshape(x^2)", in -> in[0].square().reshape(2, 6), randn(3, 4));
        checkSecondOrder("transpose(x^2)", in -> in[0].square().transpose(0, 1), randn(3, 4));
        checkSecondOrder("permute(x^2)", in -> in[0].square().permute(2, 0, 1), randn(2, 3, 4));
        checkSecondOrder("expand(x^2)", in -> in[0].square().expand(2, 3, 4), randn(3, 1));
        checkSecondOrder("narrow(x^2, 0)", in -> in[0].square().narrow(0, 1, 2), randn(3, 4));
        checkSecondOrder("narrow(x^2, 1)", in -> in[0].square().narrow(1, 1, 2), randn(3, 4));
        checkSecondOrder("cat(a, b)^2", in -> Tensor.cat(List.of(in[0], in[1]), 1).square(), randn(3, 2), randn(3, 3));
        checkSecondOrder("stack(a, b)^2", in -> Tensor.stack(List.of(in[0], in[1]), 0).square(), randn(3), randn(3));
        checkSecondOrder("split(x)[1]^2", in -> in[0].split(1, 1, 3).get(1).square(), randn(2, 4));
        checkSecondOrder("flip(x^2)", in -> in[0].square().flip(1), randn(3, 4));
        checkSecondOrder("roll(x^2)", in -> in[0].square().roll(new int[] {1}, new int[] {1}), randn(3, 4));
        checkSecondOrder("tril(x^2)", in -> in[0].square().tril(0), randn(3, 3));
        checkSecondOrder("pad(x^2)", in -> F.pad(in[0].square(), 1, 2), randn(3, 4));
    }

    @ParameterizedTest
    @EnumSource(names = {"REFLECT", "REPLICATE", "CIRCULAR"})
    void secondDerivativesThroughBorderPaddingMatchFiniteDifferences(PaddingMode mode) {
        checkSecondOrder("pad(x, (2, 1, 1, 2), " + mode + ")^2",
                in -> F.pad(in[0], new int[] {2, 1, 1, 2}, mode).square(), randn(1, 2, 3, 4));
    }

    @Test
    void secondDerivativesOfUnfoldAndFoldMatchFiniteDifferences() {
        checkSecondOrder("unfold(x, 2 x 3, dilation 1, padding 1, stride 2)^2", in -> F.unfold(in[0], new int[] {2, 3},
                null, new int[] {1}, new int[] {2}).square(), randn(2, 2, 4, 5));
        checkSecondOrder("fold(cols, 4 x 4, kernel 2, overlapping)^2",
                in -> F.fold(in[0], 4, 2, 1, 0, 1).square(), randn(1, 8, 9));
    }

    @Test
    void secondDerivativesOfSortedValuesMatchFiniteDifferences() {
        checkSecondOrder("sort(x, 1)^2 * ramp", in -> in[0].sort(1, true).values().square()
                .mul(Tensor.fromArray(new double[] {1, 2, 3, 4}, 4)), distinct(0.05, 3, 4));
        checkSecondOrder("topk(x, 2, 0)^2", in -> in[0].topk(2, 0, true, true).values().square(),
                distinct(0.05, 3, 4));
    }

    @Test
    void secondDerivativesOfIndexingMatchFiniteDifferences() {
        Tensor rows = Tensor.fromArray(new long[] {2, 0, 2}, 3);
        Tensor index = Tensor.fromArray(new long[] {1, 0, 3, 3, 2, 1}, 3, 2);
        checkSecondOrder("indexSelect(x^2, 0)", in -> in[0].square().indexSelect(0, rows), randn(3, 4));
        checkSecondOrder("gather(x^2, 1)", in -> in[0].square().gather(1, index), randn(3, 4));
        checkSecondOrder("scatterAdd(a, 1, b)^2", in -> in[0].scatterAdd(1, index, in[1]).square(), randn(3, 4),
                randn(3, 2));
        checkSecondOrder("indexAdd(a, 0, b)^2", in -> in[0].indexAdd(0, rows, in[1]).square(), randn(3, 4),
                randn(3, 4));
    }

    @Test
    void secondDerivativesOfEmbeddingsMatchFiniteDifferences() {
        Tensor ids = Tensor.fromArray(new long[] {3, 1, 3, 0, 2, 1}, 2, 3);
        checkSecondOrder("embedding(ids, w)^2", in -> F.embedding(ids, in[0]).square(), randn(4, 2));
        checkSecondOrder("embedding(ids, w, padding 1)^2", in -> F.embedding(ids, in[0], 1).square(), randn(4, 2));
    }

    @Test
    void secondDerivativesOfPoolingMatchFiniteDifferences() {
        checkSecondOrder("maxPool2d(x, 2)^2", in -> F.maxPool2d(in[0], 2, 2, 0).square(), distinct(0.05, 2, 2, 4, 4));
        checkSecondOrder("maxPool2d(x^3, 3, stride 2, padding 1)", in -> F.maxPool2d(in[0].pow(3), 3, 2, 1),
                distinct(0.05, 1, 2, 5, 5));
        checkSecondOrder("avgPool2d(x, 2)^2", in -> F.avgPool2d(in[0], 2, 2, 0).square(), randn(2, 2, 4, 4));
        checkSecondOrder("avgPool2d(x^2, 3, stride 2, padding 1, ceil, without padding)",
                in -> F.avgPool2d(in[0].square(), 3, 2, 1, true, false), randn(1, 2, 5, 6));
        Tensor indices = F.maxPool2dWithIndices(Tensor.randn(DType.F64, 1, 2, 4, 6), new int[] {2}, null, null,
                false).indices();
        checkSecondOrder("maxUnpool2d(x^2, 2)^2",
                in -> F.maxUnpool2d(in[0].square(), indices, new int[] {2}, null, null, null).square(),
                randn(1, 2, 2, 3));
    }

    @Test
    void secondDerivativesOfVolumeMaxPoolingMatchFiniteDifferences() {
        checkSecondOrder("maxPool3d(x, 2)^2", in -> F.maxPool3d(in[0], new int[] {2}, null, null, null, false)
                .square(), distinct(0.05, 1, 2, 4, 4, 4));
        checkSecondOrder("maxPool3d(x^3, (2, 3, 2), stride (1, 2, 2), padding (1, 1, 0), dilation (2, 1, 2), ceil)",
                in -> F.maxPool3d(in[0].pow(3), new int[] {2, 3, 2}, new int[] {1, 2, 2}, new int[] {1, 1, 0},
                        new int[] {2, 1, 2}, true), distinct(0.05, 1, 2, 4, 5, 5));
        Tensor indices = F.maxPool3dWithIndices(Tensor.randn(DType.F64, 1, 2, 4, 4, 6), new int[] {2}, null, null,
                null, false).indices();
        checkSecondOrder("maxUnpool3d(x^2, 2)^2",
                in -> F.maxUnpool3d(in[0].square(), indices, new int[] {2}, null, null, null).square(),
                randn(1, 2, 2, 2, 3));
    }

    // ---- products and network ops -----------------------------------------------------------------------

    @Test
    void secondDerivativesOfMatrixProductsMatchFiniteDifferences() {
        checkSecondOrder("a @ b", in -> in[0].matmul(in[1]), randn(3, 4), randn(4, 2));
        checkSecondOrder("batched a @ b", in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(2, 4, 2));
        checkSecondOrder("batched a @ shared b", in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(4, 2));
        checkSecondOrder("einsum ij,kj->ik", in -> F.einsum("ij,kj->ik", in[0], in[1]), randn(3, 4), randn(2, 4));
    }

    @Test
    void secondDerivativesOfLinearMatchFiniteDifferences() {
        checkSecondOrder("linear(x, w, b)^2", in -> F.linear(in[0], in[1], in[2]).square(), randn(3, 4), randn(2, 4),
                randn(2));
        checkSecondOrder("linear(x, w)", in -> F.linear(in[0], in[1], null), randn(3, 4), randn(2, 4));
    }

    @ParameterizedTest
    @EnumSource(names = {"TANH", "SIGMOID", "RELU", "LEAKY_RELU", "ELU"})
    void secondDerivativesOfLinearWithItsActivationMatchFiniteDifferences(UnaryOp activation) {
        double param = activation == UnaryOp.LEAKY_RELU ? 0.1 : activation == UnaryOp.ELU ? 0.7 : 0;
        checkSecondOrder("linear(x, w, b, " + activation + ")",
                in -> F.linear(in[0], in[1], in[2], activation, param).mul(in[0].sum(1, true)),
                randn(3, 4), randn(2, 4), randn(2));
    }

    @Test
    void secondDerivativesOfSoftmaxesMatchFiniteDifferences() {
        checkSecondOrder("softmax(x, -1)", in -> F.softmax(in[0], -1), randn(3, 4));
        checkSecondOrder("softmax(x, 0)", in -> F.softmax(in[0], 0), randn(3, 4));
        checkSecondOrder("logSoftmax(x, -1)", in -> F.logSoftmax(in[0], -1), randn(3, 4));
    }

    @Test
    void secondDerivativesOfCrossEntropyMatchFiniteDifferences() {
        Tensor targets = Tensor.fromArray(new long[] {2, 0, 3}, 3);
        checkSecondOrder("crossEntropy(x, t) mean", in -> F.crossEntropy(in[0], targets), randn(3, 4));
        checkSecondOrder("crossEntropy(x, t) sum", in -> F.crossEntropy(in[0], targets, Reduction.SUM), randn(3, 4));
        checkSecondOrder("crossEntropy(x, t) none", in -> F.crossEntropy(in[0], targets, Reduction.NONE), randn(3, 4));
    }

    @Test
    void secondDerivativesOfAMeanSquaredErrorMatchFiniteDifferences() {
        Tensor target = Tensor.randn(DType.F64, 3, 2);
        checkSecondOrder("mean((tanh(x @ w) - t)^2)", in -> in[0].matmul(in[1]).tanh().sub(target).square().mean(),
                randn(3, 4), randn(4, 2));
    }

    // ---- convolutions ---------------------------------------------------------------------------------

    /** A convolution's arguments and its input and weight shapes; per-axis stride, padding and dilation. */
    record ConvCase(String name, int[] input, int[] weight, boolean bias, int[] stride, int[] padding, int[] dilation,
                    int groups) {
        Tensor apply(Tensor[] in) {
            return F.conv2d(in[0], in[1], bias ? in[2] : null, stride, padding, dilation, groups);
        }

        Tensor[] inputs() {
            Tensor x = randn(input);
            Tensor w = randn(weight);
            return bias ? new Tensor[] {x, w, randn(weight[0])} : new Tensor[] {x, w};
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConvCase> convolutions() {
        return Stream.of(
                new ConvCase("plain 3 x 3 with bias", new int[] {2, 2, 5, 5}, new int[] {3, 2, 3, 3}, true,
                        new int[] {1}, new int[] {0}, new int[] {1}, 1),
                new ConvCase("stride (2, 1), padding (1, 2), dilation (2, 1), 2 x 3 kernel", new int[] {1, 2, 7, 6},
                        new int[] {2, 2, 2, 3}, false, new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 1}, 1),
                new ConvCase("groups 2 with bias", new int[] {2, 4, 5, 5}, new int[] {6, 2, 3, 3}, true,
                        new int[] {1}, new int[] {1}, new int[] {1}, 2),
                new ConvCase("depthwise, multiplier 2, stride 2, padding 1, dilation 2", new int[] {1, 3, 7, 7},
                        new int[] {6, 1, 3, 3}, true, new int[] {2}, new int[] {1}, new int[] {2}, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void secondDerivativesOfConvolutionsMatchFiniteDifferences(ConvCase c) {
        checkSecondOrder("conv2d " + c + ", squared", in -> c.apply(in).square(), c.inputs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void gradientsOfConvolutionsAreDifferentiableToTheThirdOrder(ConvCase c) {
        // The gradients are the convolution's input and weight gradients, whose rules record the family again.
        checkSecondOrder("grad(sum(conv2d " + c + "^3), x and w)", in -> {
            try (Autograd.Guard on = Autograd.enableGrad()) {
                return flattened(Autograd.grad(c.apply(in).pow(3).sum(), List.of(in[0], in[1]),
                        GradOptions.DEFAULT.withCreateGraph()));
            }
        }, c.inputs());
    }

    @ParameterizedTest
    @EnumSource(names = {"TANH", "SIGMOID", "RELU", "LEAKY_RELU", "ELU"})
    void secondDerivativesOfAConvolutionWithItsActivationMatchFiniteDifferences(UnaryOp activation) {
        double param = activation == UnaryOp.LEAKY_RELU ? 0.1 : activation == UnaryOp.ELU ? 0.7 : 0;
        checkSecondOrder("conv2d(x, w, b, stride 2, padding 1, " + activation + ")^2",
                in -> F.conv2d(in[0], in[1], in[2], new int[] {2}, new int[] {1}, null, activation, param).square(),
                randn(2, 2, 5, 5), randn(3, 2, 3, 3), randn(3));
    }

    @Test
    void secondDerivativesOfTransposedConvolutionsMatchFiniteDifferences() {
        checkSecondOrder("convTranspose2d(x, w, b, stride 2, padding 1, output padding 1)^2",
                in -> F.convTranspose2d(in[0], in[1], in[2], 2, 1, 1).square(),
                randn(2, 3, 3, 4), randn(3, 2, 3, 3), randn(2));
        checkSecondOrder("convTranspose2d(x, w, stride (1, 2), dilation 2)^2",
                in -> F.convTranspose2d(in[0], in[1], null, new int[] {1, 2}, null, null, new int[] {2}).square(),
                randn(1, 2, 3, 3), randn(2, 3, 2, 2));
    }

    @Test
    void secondDerivativesOfVolumetricConvolutionsMatchFiniteDifferences() {
        checkSecondOrder("conv3d(x, w, b, stride (2, 1, 1), padding 1, groups 2)^2",
                in -> F.conv3d(in[0], in[1], in[2], new int[] {2, 1, 1}, new int[] {1}, null, 2).square(),
                randn(1, 4, 4, 3, 3), randn(2, 2, 2, 2, 2), randn(2));
        checkSecondOrder("convTranspose3d(x, w, b, stride 2, padding 1, output padding (1, 0, 1))^2",
                in -> F.convTranspose3d(in[0], in[1], in[2], new int[] {2}, new int[] {1}, new int[] {1, 0, 1},
                        null).square(),
                randn(1, 2, 2, 3, 2), randn(2, 2, 2, 2, 2), randn(2));
    }

    // ---- normalisation ------------------------------------------------------------------------------

    @Test
    void secondDerivativesOfBatchNormInTrainingMatchFiniteDifferences() {
        Tensor runningMean = Tensor.zeros(DType.F64, 3);
        Tensor runningVar = Tensor.ones(DType.F64, 3);
        checkSecondOrder("batchNorm(x [2, 3, 3, 2], w, b, training)^2", in -> F.batchNorm(in[0], runningMean,
                runningVar, in[1], in[2], true, 0.1, 1e-5).square(), randn(2, 3, 3, 2), randn(3), randn(3));
        checkSecondOrder("batchNorm(x [5, 3], training, no affine) * x", in -> F.batchNorm(in[0], null, null, null,
                null, true, 0.1, 1e-5).mul(in[0]), randn(5, 3));
    }

    @Test
    void secondDerivativesOfBatchNormInInferenceMatchFiniteDifferences() {
        Tensor runningMean = Tensor.randn(DType.F64, 3);
        Tensor runningVar = Tensor.uniform(0.5, 2.0, DType.F64, 3);
        checkSecondOrder("batchNorm(x [2, 3, 2, 2], w, b, inference)^2", in -> F.batchNorm(in[0], runningMean,
                runningVar, in[1], in[2], false, 0.1, 1e-5).square(), randn(2, 3, 2, 2), randn(3), randn(3));
    }

    @ParameterizedTest
    @EnumSource(names = {"TANH", "SIGMOID", "RELU", "LEAKY_RELU", "ELU"})
    void secondDerivativesOfBatchNormWithItsActivationMatchFiniteDifferences(UnaryOp activation) {
        double param = activation == UnaryOp.LEAKY_RELU ? 0.1 : activation == UnaryOp.ELU ? 0.7 : 0;
        Tensor runningMean = Tensor.zeros(DType.F64, 2);
        Tensor runningVar = Tensor.ones(DType.F64, 2);
        checkSecondOrder("batchNorm(x, w, b, training, " + activation + ")^2", in -> F.batchNorm(in[0], null, null,
                in[1], in[2], true, 0.1, 1e-5, activation, param).square(), randn(3, 2, 2, 2), randn(2), randn(2));
        checkSecondOrder("batchNorm(x, w, b, inference, " + activation + ")^2", in -> F.batchNorm(in[0], runningMean,
                runningVar, in[1], in[2], false, 0.1, 1e-5, activation, param).square(), randn(3, 2, 2, 2),
                randn(2), randn(2));
    }

    @Test
    void secondDerivativesOfBatchNormWithAResidualMatchFiniteDifferences() {
        checkSecondOrder("batchNormResidual(x, r, w, b, training, ELU)^2", in -> F.batchNormResidual(in[0], in[3],
                null, null, in[1], in[2], true, 0.1, 1e-5, UnaryOp.ELU, 0.7).square(), randn(3, 2, 2, 2), randn(2),
                randn(2), randn(3, 2, 2, 2));
        checkSecondOrder("batchNormResidual(x, r, w, b, training)^2", in -> F.batchNormResidual(in[0], in[3], null,
                null, in[1], in[2], true, 0.1, 1e-5, null, 0).square(), randn(4, 3), randn(3), randn(3), randn(4, 3));
    }

    // ---- recurrent cells --------------------------------------------------------------------------------

    @Test
    void secondDerivativesOfAnLstmCellMatchFiniteDifferences() {
        checkSecondOrder("lstmCell(gates, c): [h'; c']", in -> {
            F.LstmState state = F.lstmCell(in[0], in[1]);
            return Tensor.cat(List.of(state.h(), state.c()), 0);
        }, randn(2, 12), randn(2, 3));
    }

    @Test
    void secondDerivativesOfAGruCellMatchFiniteDifferences() {
        checkSecondOrder("gruCell(inputGates, hiddenGates, h)", in -> F.gruCell(in[0], in[1], in[2]), randn(2, 9),
                randn(2, 9), randn(2, 3));
    }

    // ---- whole recurrent sequences ------------------------------------------------------------------------

    @Test
    void secondDerivativesOfAnLstmSequenceMatchFiniteDifferences() {
        checkSecondOrder("lstmSequence(gates, h0, c0, weightHh): [output; h; c]",
                in -> sequence(F.lstmSequence(in[0], in[1], in[2], in[3], null, false)), randn(3, 2, 8), randn(2, 2),
                randn(2, 2), randn(8, 2));
    }

    @Test
    void secondDerivativesOfAReverseLstmSequenceFromZerosWithLengthsMatchFiniteDifferences() {
        checkSecondOrder("lstmSequence(gates, zeros, weightHh, lengths {3, 2, 0}, reverse)",
                in -> sequence(F.lstmSequence(in[0], null, null, in[1], new int[] {3, 2, 0}, true)), randn(3, 3, 8),
                randn(8, 2));
    }

    @Test
    void secondDerivativesOfAGruSequenceWithItsHiddenBiasMatchFiniteDifferences() {
        checkSecondOrder("gruSequence(gates, h0, weightHh, biasHh, lengths {3, 1})",
                in -> sequence(F.gruSequence(in[0], in[1], in[2], in[3], new int[] {3, 1}, false)), randn(3, 2, 6),
                randn(2, 2), randn(6, 2), randn(6));
        checkSecondOrder("gruSequence(gates, zeros, weightHh, biasHh, reverse)",
                in -> sequence(F.gruSequence(in[0], null, in[1], in[2], null, true)), randn(3, 2, 6), randn(6, 2),
                randn(6));
    }

    @Test
    void secondDerivativesOfTanhAndReluRnnSequencesMatchFiniteDifferences() {
        checkSecondOrder("rnnSequence(gates, h0, weightHh, tanh, lengths {3, 2})",
                in -> sequence(F.rnnSequence(in[0], in[1], in[2], false, new int[] {3, 2}, false)), randn(3, 2, 2),
                randn(2, 2), randn(2, 2));
        checkSecondOrder("rnnSequence(gates, h0, weightHh, relu, reverse)^2",
                in -> sequence(F.rnnSequence(in[0], in[1], in[2], true, null, true)).square(), awayFromZero(3, 2, 2),
                randn(2, 2), randn(2, 2));
    }

    @Test
    void secondDerivativesOfAnLstmSequenceStartingFromOneTensorAsBothH0AndC0MatchFiniteDifferences() {
        checkSecondOrder("lstmSequence(gates, state, state, weightHh): [output; h; c]",
                in -> sequence(F.lstmSequence(in[0], in[1], in[1], in[2], null, false)), randn(3, 2, 8), randn(2, 2),
                randn(8, 2));
    }

    @Test
    void aSequenceOfLengthZeroEverywhereGivesZeroRecordedGradients() {
        Tensor gates = randn(2, 2, 8);
        Tensor weight = randn(8, 2);
        Tensor y = F.lstmSequence(gates, null, null, weight, new int[] {0, 0}, false).output().sum();
        List<Tensor> g = Autograd.grad(y, List.of(gates, weight), GradOptions.DEFAULT.withCreateGraph());
        assertArrayEquals(new double[32], g.get(0).toDoubleArray(), "gradient of the gates");
        assertArrayEquals(new double[16], g.get(1).toDoubleArray(), "gradient of weightHh");
    }

    /** [output; h; c] of a sequence, flattened: every output of the op, each with its own weighting. */
    private static Tensor sequence(F.SequenceOutput s) {
        List<Tensor> parts = new ArrayList<>(List.of(s.output().reshape(-1), s.h().reshape(-1)));
        if (s.c() != null) {
            parts.add(s.c().reshape(-1));
        }
        return Tensor.cat(parts, 0);
    }

    // ---- checkpoints --------------------------------------------------------------------------------------

    @Test
    void secondDerivativesThroughACheckpointMatchFiniteDifferences() {
        checkSecondOrder("checkpoint(h -> tanh(h w) * h, x)",
                in -> Checkpoint.apply(h -> h.matmul(in[1]).tanh().mul(h), in[0]), randn(2, 3), randn(3, 3));
    }

    @Test
    void secondDerivativesThroughACheckpointedLstmSequenceMatchFiniteDifferences() {
        checkSecondOrder("checkpoint(gates -> lstmSequence(gates, weightHh).output, gates)",
                in -> Checkpoint.apply(g -> F.lstmSequence(g, null, null, in[1], null, false).output(), in[0]),
                randn(3, 2, 8), randn(8, 2));
    }

    @Test
    void aCheckpointedSegmentWithDropoutIsDifferentiatedTwiceWithTheMaskOfItsForwardPass() {
        checkSecondOrder("checkpoint(h -> dropout(tanh(h) * h, 0.5), x), reseeded", in -> {
            Engine.seed(5);
            return Checkpoint.apply(h -> F.dropout(h.tanh().mul(h), 0.5, true), in[0]);
        }, randn(4, 5));
    }

    @Test
    void aConvolutionIsStillDifferentiatedOnceByGradWithoutCreateGraph() {
        Tensor x = randn(1, 1, 4, 4);
        Tensor w = randn(1, 1, 3, 3);
        Tensor y = F.conv2d(x, w, null, 1, 0).square().sum();
        Tensor g = Autograd.grad(y, List.of(w)).get(0);
        y.backward();
        assertArrayEquals(w.grad().toDoubleArray(), g.toDoubleArray(), 0);
    }
}
