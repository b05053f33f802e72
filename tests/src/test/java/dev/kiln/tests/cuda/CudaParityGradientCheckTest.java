package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the backend under test: composite functions built from the ordinary Tensor API on F64
 * tensors that live on that backend (so every forward and backward op dispatches to it), their
 * {@code backward()} gradients compared with central finite differences computed on the same backend.
 * {@code GradCheck} cannot do this: it makes its tensors on the engine's default backend.
 *
 * <p>Tolerance as in {@code GradCheck}: a step of 1e-6 leaves a truncation error of order 1e-12 and a rounding
 * error of order 1e-10 in F64, so the two gradients must agree within 1e-6 absolute plus 1e-5 relative.
 */
class CudaParityGradientCheckTest extends ParityTest {
    private static final double STEP = 1e-6;
    private static final Tolerance GRADIENT = new Tolerance(1e-6, 1e-5);

    /** An input of a checked function: its name, host values and shape, and whether its gradient is checked. */
    record Input(String name, double[] values, int[] dims, boolean differentiable) {
        static Input of(String name, long seed, boolean differentiable, int... dims) {
            return new Input(name, ParityBackends.values(seed, Math.toIntExact(Shape.of(dims).size()), -1, 1), dims, differentiable);
        }
    }

    private static Tensor[] upload(Backend b, Input[] inputs, boolean track) {
        Tensor[] t = new Tensor[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            t[k] = tensor(b, DType.F64, inputs[k].values(), inputs[k].dims());
            if (track && inputs[k].differentiable()) {
                t[k].requiresGrad(true);
            }
        }
        return t;
    }

    private static double evaluate(Backend b, Function<Tensor[], Tensor> f, Input[] inputs) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            return f.apply(upload(b, inputs, false)).item();
        }
    }

    /** Checks every element of every differentiable input's gradient of the scalar {@code f} on the backend under test. */
    private static void check(String name, Function<Tensor[], Tensor> f, Input... inputs) {
        Backend b = underTest();
        double[][] analytic = new double[inputs.length][];
        try (Scope s = Scope.open()) {
            Tensor[] in = upload(b, inputs, true);
            Tensor out = f.apply(in);
            assertSame(b, out.backend(), name + " must run on the backend under test");
            assertEquals(1, out.size(), name + " must be a scalar");
            out.backward();
            for (int k = 0; k < inputs.length; k++) {
                if (inputs[k].differentiable()) {
                    assertNotNull(in[k].grad(), name + ": " + inputs[k].name() + " received no gradient");
                    analytic[k] = in[k].grad().toDoubleArray();
                }
            }
        }
        for (int k = 0; k < inputs.length; k++) {
            if (!inputs[k].differentiable()) {
                continue;
            }
            double[] v = inputs[k].values();
            for (int i = 0; i < v.length; i++) {
                double original = v[i];
                v[i] = original + STEP;
                double plus = evaluate(b, f, inputs);
                v[i] = original - STEP;
                double minus = evaluate(b, f, inputs);
                v[i] = original;
                double numeric = (plus - minus) / (2 * STEP);
                if (!GRADIENT.accepts(numeric, analytic[k][i])) {
                    throw new AssertionError(String.format("%s: d/d%s element %d is %s by backward() on %s but %s by"
                            + " central differences (%s)", name, inputs[k].name(), i, analytic[k][i], b.name(), numeric,
                            GRADIENT));
                }
            }
        }
    }

    @Test
    void gradientsThroughACheckpointedSegmentMatchFiniteDifferences() {
        // The segment's graph is recomputed in the backward pass, on the backend under test; w is read inside it.
        check("sum(checkpoint(tanh(x @ w) @ w) * y)",
                in -> Checkpoint.apply(h -> h.matmul(in[1]).tanh().matmul(in[1]), in[0]).mul(in[2]).sum(),
                Input.of("x", 61, true, 3, 4), Input.of("w", 62, true, 4, 4), Input.of("y", 63, false, 3, 4));
    }

    @Test
    void gradientsOfTanhOfAProductMatchFiniteDifferences() {
        check("sum(tanh(x @ w) * y)", in -> in[0].matmul(in[1]).tanh().mul(in[2]).sum(),
                Input.of("x", 1, true, 4, 6), Input.of("w", 2, true, 6, 5), Input.of("y", 3, false, 4, 5));
    }

    @Test
    void gradientsOfCrossEntropyOfAConvolutionMatchFiniteDifferences() {
        Tensor targets = indices(underTest(), DType.I64, new long[] {4, 20}, 2);
        check("crossEntropy(conv2d(x, w, bias, stride 2, padding 1) as [2, 27], targets)",
                in -> F.crossEntropy(F.conv2d(in[0], in[1], in[2], 2, 1).reshape(2, 27), targets),
                Input.of("x", 4, true, 2, 2, 5, 5), Input.of("w", 5, true, 3, 2, 3, 3), Input.of("bias", 6, true, 3));
    }

    @Test
    void gradientsOfCrossEntropyIgnoringPaddedRowsMatchFiniteDifferences() {
        Tensor targets = indices(underTest(), DType.I64, new long[] {2, -100, 0, 3, -100}, 5);
        check("crossEntropy(x, targets with two padded rows, mean, ignore index -100)",
                in -> F.crossEntropy(in[0], targets, Reduction.MEAN, -100), Input.of("x", 11, true, 5, 4));
    }

    @Test
    void gradientsOfATransposedConvolutionMatchFiniteDifferences() {
        check("sum(convTranspose2d(x, w, bias, stride 2, padding 1, output padding 1) * y)",
                in -> F.convTranspose2d(in[0], in[1], in[2], 2, 1, 1).mul(in[3]).sum(),
                Input.of("x", 7, true, 2, 3, 3, 4), Input.of("w", 8, true, 3, 2, 3, 3), Input.of("bias", 9, true, 2),
                Input.of("y", 10, false, 2, 2, 6, 8));
    }

    @Test
    void gradientsOfGroupedAndDepthwiseConvolutionsMatchFiniteDifferences() {
        int[] one = {1};
        check("sum(conv2d(x, w, bias, padding 1, groups 2) * y)",
                in -> F.conv2d(in[0], in[1], in[2], null, one, null, 2).mul(in[3]).sum(),
                Input.of("x", 14, true, 2, 4, 4, 4), Input.of("w", 15, true, 4, 2, 3, 3), Input.of("bias", 16, true, 4),
                Input.of("y", 17, false, 2, 4, 4, 4));
        check("sum(conv2d(x, w, bias, stride 2, padding 1, groups 3: depthwise, multiplier 2) * y)",
                in -> F.conv2d(in[0], in[1], in[2], new int[] {2}, one, null, 3).mul(in[3]).sum(),
                Input.of("x", 18, true, 2, 3, 5, 5), Input.of("w", 19, true, 6, 1, 3, 3), Input.of("bias", 20, true, 6),
                Input.of("y", 21, false, 2, 6, 3, 3));
    }

    @Test
    void gradientsOfBatchNormMaxPoolAndLogSoftmaxMatchFiniteDifferences() {
        check("sum(logSoftmax(maxPool2d(batchNorm(x, gamma, beta), 2) as [3, 8]) * y)",
                in -> F.logSoftmax(F.maxPool2d(F.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5), 2, 2, 0)
                        .reshape(3, 8), 1).mul(in[3]).sum(),
                Input.of("x", 7, true, 3, 2, 4, 4), Input.of("gamma", 8, true, 2), Input.of("beta", 9, true, 2),
                Input.of("y", 10, false, 3, 8));
    }

    @Test
    void gradientsOfVarianceStdLogSumExpAndNormsMatchFiniteDifferences() {
        Input x = Input.of("x", 12, true, 3, 4, 5);
        Input y = Input.of("y", 13, false, 4);
        check("sum(var(x, (0, 2)) * y)", in -> in[0].var(new int[] {0, 2}, 1, false).mul(in[1]).sum(), x, y);
        check("sum(std(x, (0, 2)) * y)", in -> in[0].std(new int[] {0, 2}, 0, false).mul(in[1]).sum(), x, y);
        check("sum(logsumexp(3 x, 1)^2)", in -> in[0].mul(3).logsumexp(1, false).square().sum(), x, y);
        check("norm 1 + norm 2 + norm inf + norm 3 of x", in -> in[0].norm(1).add(in[0].norm(2, new int[] {1}, false).sum())
                .add(in[0].norm(Double.POSITIVE_INFINITY, new int[] {0, 2}, false).mul(in[1]).sum())
                .add(in[0].norm(3, new int[] {2}, false).sum()), x, y);
    }

    @Test
    void gradientsOfClampMinProdCumsumAndReorderingMatchFiniteDifferences() {
        Input x = Input.of("x", 14, true, 3, 4, 5);
        Input y = Input.of("y", 15, false, 3, 4, 5);
        check("sum(clamp(x, -0.5, 0.5) * y)", in -> in[0].clamp(-0.5, 0.5).mul(in[1]).sum(), x, y);
        check("sum(min(x, 1) * y[:, 0])", in -> in[0].min(1, false).mul(in[1].narrow(1, 0, 1).squeeze(1)).sum(), x, y);
        check("sum(prod(x, 2) * y[..., 0])", in -> in[0].prod(2, true).mul(in[1].narrow(2, 0, 1)).sum(), x, y);
        check("sum(cumsum(x, 1) * y)", in -> in[0].cumsum(1).mul(in[1]).sum(), x, y);
        check("sum(tril(roll(flip(x)), -1) * y)", in -> in[0].flip(0, 2).roll(new int[] {2}, new int[] {1}).tril(-1)
                .mul(in[1]).sum(), x, y);
        check("sum(pad(x) * y)", in -> F.pad(in[0], new int[] {1, -1, -1, 1}, 3).mul(in[1]).sum(), x, y);
    }

    @Test
    void gradientsOfUnfoldFoldAndPixelShuffleMatchFiniteDifferences() {
        int[] kernel = {3, 2};
        int[] dilation = {2, 1};
        int[] padding = {1, 2};
        int[] stride = {2, 1};
        Input image = Input.of("image", 16, true, 2, 2, 5, 4);
        Input columns = Input.of("columns", 17, true, 2, 12, 14);
        Input imageWeights = Input.of("imageWeights", 18, false, 2, 2, 5, 4);
        Input columnWeights = Input.of("columnWeights", 19, false, 2, 12, 14);
        check("sum(unfold(image) * columnWeights)", in -> F.unfold(in[0], kernel, dilation, padding, stride)
                .mul(in[1]).sum(), image, columnWeights);
        check("sum(fold(columns) * imageWeights)", in -> F.fold(in[0], new int[] {5, 4}, kernel, dilation, padding,
                stride).mul(in[1]).sum(), columns, imageWeights);
        Input channels = Input.of("channels", 20, true, 2, 8, 2, 3);
        Input pixelWeights = Input.of("pixelWeights", 21, false, 2, 2, 4, 6);
        check("sum(pixelShuffle(channels, 2) * pixelWeights)", in -> F.pixelShuffle(in[0], 2).mul(in[1]).sum(),
                channels, pixelWeights);
    }

    @Test
    void secondDerivativesOfAnMlpsCrossEntropyMatchFiniteDifferencesOfItsGradient() {
        // Autograd.grad with createGraph records the first backward pass on the backend under test; backward() through
        // it gives the second derivatives, which central differences of the first check there.
        Tensor targets = indices(underTest(), DType.I64, new long[] {2, 0, 1}, 3);
        check("sum(d crossEntropy(linear(linear(x, w1, b1, tanh), w2), t) / d w1 * y)", in -> {
            try (Autograd.Guard on = Autograd.enableGrad()) {
                // The finite differences evaluate on fresh leaves that need no gradient: w1 is differentiated anyway.
                in[1].requiresGrad(true);
                Tensor hidden = F.linear(in[0], in[1], in[2], UnaryOp.TANH, 0);
                Tensor loss = F.crossEntropy(F.linear(hidden, in[3], null), targets);
                Tensor g = Autograd.grad(loss, List.of(in[1]), GradOptions.DEFAULT.withCreateGraph()).get(0);
                return g.mul(in[4]).sum();
            }
        }, Input.of("x", 71, true, 3, 4), Input.of("w1", 72, true, 5, 4), Input.of("b1", 73, true, 5),
                Input.of("w2", 74, true, 3, 5), Input.of("y", 75, false, 5, 4));
    }

    @Test
    void secondDerivativesOfACnnCriticsGradientPenaltyMatchFiniteDifferencesOfItsGradient() {
        // WGAN-GP's penalty: the critic's input gradient, recorded through the convolutions' data and filter ops and
        // batch norm's written-out gradient on the backend under test, then differentiated into every weight.
        check("sum((|d critic(x) / d x| - 1)^2), critic: conv2d + leaky ReLU, batchNorm + tanh, grouped conv2d, linear",
                in -> {
                    try (Autograd.Guard on = Autograd.enableGrad()) {
                        in[0].requiresGrad(true);
                        Tensor h = F.conv2d(in[0], in[1], in[2], new int[] {2}, new int[] {1}, null,
                                UnaryOp.LEAKY_RELU, 0.2);
                        h = F.batchNorm(h, null, null, in[3], in[4], true, 0.1, 1e-5, UnaryOp.TANH, 0);
                        h = F.conv2d(h, in[5], null, null, new int[] {1}, null, 2);
                        Tensor score = F.linear(h.reshape(2, 36), in[6], null);
                        Tensor g = Autograd.grad(score.sum(), List.of(in[0]), GradOptions.DEFAULT.withCreateGraph())
                                .get(0);
                        return g.reshape(2, 50).norm(2, new int[] {1}, false).sub(1).square().sum();
                    }
                }, Input.of("x", 81, true, 2, 2, 5, 5), Input.of("w1", 82, true, 4, 2, 3, 3),
                Input.of("b1", 83, true, 4), Input.of("gamma", 84, true, 4), Input.of("beta", 85, true, 4),
                Input.of("w2", 86, true, 4, 2, 3, 3), Input.of("w3", 87, true, 1, 36));
    }
}
