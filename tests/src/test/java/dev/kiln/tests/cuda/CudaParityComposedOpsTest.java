package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.assertParityWithNaN;
import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;
import static dev.kiln.tests.cuda.ParityBackends.uniform;
import static dev.kiln.tests.cuda.ParityBackends.values;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.distributions.Bernoulli;
import dev.kiln.distributions.Beta;
import dev.kiln.distributions.Binomial;
import dev.kiln.distributions.Categorical;
import dev.kiln.distributions.Cauchy;
import dev.kiln.distributions.Chi2;
import dev.kiln.distributions.ContinuousBernoulli;
import dev.kiln.distributions.Dirichlet;
import dev.kiln.distributions.Exponential;
import dev.kiln.distributions.FisherSnedecor;
import dev.kiln.distributions.Gamma;
import dev.kiln.distributions.Geometric;
import dev.kiln.distributions.Gumbel;
import dev.kiln.distributions.HalfNormal;
import dev.kiln.distributions.Independent;
import dev.kiln.distributions.KL;
import dev.kiln.distributions.Kumaraswamy;
import dev.kiln.distributions.Laplace;
import dev.kiln.distributions.LowRankMultivariateNormal;
import dev.kiln.distributions.MixtureSameFamily;
import dev.kiln.distributions.Multinomial;
import dev.kiln.distributions.NegativeBinomial;
import dev.kiln.distributions.Pareto;
import dev.kiln.distributions.MultivariateNormal;
import dev.kiln.distributions.Normal;
import dev.kiln.distributions.Poisson;
import dev.kiln.distributions.RelaxedBernoulli;
import dev.kiln.distributions.RelaxedOneHotCategorical;
import dev.kiln.distributions.StudentT;
import dev.kiln.distributions.TransformedDistribution;
import dev.kiln.distributions.Uniform;
import dev.kiln.distributions.VonMises;
import dev.kiln.distributions.Weibull;
import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.PowerTransform;
import dev.kiln.distributions.transforms.SigmoidTransform;
import dev.kiln.distributions.transforms.TanhTransform;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import dev.kiln.gan.DiscriminatorLoss;
import dev.kiln.gan.WganGpLoss;
import dev.kiln.nn.AdaptiveAvgPool1d;
import dev.kiln.nn.AdaptiveAvgPool3d;
import dev.kiln.nn.AdaptiveMaxPool1d;
import dev.kiln.nn.AdaptiveMaxPool3d;
import dev.kiln.nn.AvgPool3d;
import dev.kiln.nn.BCELoss;
import dev.kiln.nn.BCEWithLogitsLoss;
import dev.kiln.nn.ChannelShuffle;
import dev.kiln.nn.CosineSimilarity;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout2d;
import dev.kiln.nn.Dropout3d;
import dev.kiln.nn.FeatureAlphaDropout;
import dev.kiln.nn.GLU;
import dev.kiln.nn.GaussianNoise;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.Hardshrink;
import dev.kiln.nn.InstanceNorm2d;
import dev.kiln.nn.InstanceNorm3d;
import dev.kiln.nn.KLDivLoss;
import dev.kiln.nn.KLDivReduction;
import dev.kiln.nn.LPPool1d;
import dev.kiln.nn.LPPool2d;
import dev.kiln.nn.LocalResponseNorm;
import dev.kiln.nn.LogSigmoid;
import dev.kiln.nn.MaxPool1d;
import dev.kiln.nn.MaxPool3d;
import dev.kiln.nn.MaxUnpool1d;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiLabelMarginLoss;
import dev.kiln.nn.MultiLabelSoftMarginLoss;
import dev.kiln.nn.MultiMarginLoss;
import dev.kiln.nn.PairwiseDistance;
import dev.kiln.nn.RReLU;
import dev.kiln.nn.ReflectionPad3d;
import dev.kiln.nn.ReplicationPad3d;
import dev.kiln.nn.SoftMarginLoss;
import dev.kiln.nn.Softmin;
import dev.kiln.nn.Softshrink;
import dev.kiln.nn.Tanhshrink;
import dev.kiln.nn.Threshold;
import dev.kiln.nn.TripletMarginWithDistanceLoss;
import dev.kiln.nn.Upsample;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Tensor ops composed in the engine of SPI primitives (clamp, min and argmin, var and std, logsumexp, norm, prod,
 * cumsum, cumprod, flip, roll, pad in every mode, tril and triu, unfold and fold, pixel shuffles, einsum, max pooling's indices
 * and unpooling, the 3-D convolutions, sorting along any axis, topk, kthvalue and median), and the parameter-free
 * layers and the losses of the models module composed of Tensor ops (among them the 1-D adaptive poolings, LPPool1d and
 * LPPool2d, MaxUnpool1d), the distributions and KL divergences of {@code dev.kiln.distributions}, MultiHeadAttention's
 * packed input projection split into queries, keys and values and its appended bias and zero keys, WGAN-GP's critic loss with its gradient penalty, and a
 * gradient penalty through checkpointed whole LSTM and GRU sequences,
 * on tensors that live on the backend under test, against the CPU: every step must run on the tensor's own backend,
 * and the primitives' conventions (NaN in comparisons and maxima, the first of tied maxima, where with an integer
 * mask, integer arithmetic) must compose to the CPU's results.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}). Selections (clamp, min, argmin, flip, roll, pad, tril, triu,
 * unfold, pixel shuffles, max pooling's indices, unpooling and its gathered gradient, adaptive max pooling, sorts and
 * the gradients they route) round nothing and must match exactly, ties and NaN included. Fold's sums of up to 9
 * overlapping blocks, the padding modes' gradients, einsum's products and their gradients, and the 3-D convolutions and
 * layers of volumes take the tolerance of sums. Sums over 300 elements and the functions around them (var, std,
 * logsumexp, the 2-norm, a scan of 300 in log2 steps, a product of 300 factors near 1, the power means of LPPool and
 * adaptive average pooling's matrix products): 1e-4 in F32, as the sums of {@code CudaParityReductionTest}; 1e-10 in
 * F64. The losses (sums over at most 64 rows of 10 to 144 terms, and log-softmaxes) take the same.
 */
class CudaParityComposedOpsTest extends ParityTest {
    private static final Tolerance SUMS_F32 = Tolerance.of(1e-4);
    private static final Tolerance SUMS_F64 = Tolerance.of(1e-10);
    private static final int[] DIMS = {7, 300, 9};
    private static final int N = 7 * 300 * 9;

    private static Tolerance sums(DType dtype) {
        return dtype == DType.F64 ? SUMS_F64 : SUMS_F32;
    }

    /** {@code op} applied to {@code values} uploaded to each backend; the result must stay on that backend. */
    private static Function<Backend, Tensor> on(DType dtype, double[] values, int[] dims, UnaryOperator<Tensor> op) {
        return b -> {
            Tensor out = op.apply(tensor(b, dtype, values, dims));
            assertSame(b, out.backend(), "the result must be on the backend of its input");
            return out;
        };
    }

    /** Values from {-1, -0.5, 0, 0.5, 1} with every 97th NaN: ties at clamp bounds and minima, and NaN to carry. */
    private static double[] tiesAndNaN() {
        double[] v = ties(41, N, -1, -0.5, 0, 0.5, 1);
        for (int i = 0; i < N; i += 97) {
            v[i] = Double.NaN;
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void clampKeepsNaNAndSelectsTheBoundsExactly(DType dtype) {
        double[] x = tiesAndNaN();
        assertParityWithNaN("clamp(-0.5, 0.5) " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.clamp(-0.5, 0.5)));
        assertParityWithNaN("clamp(0.5, -0.5) " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.clamp(0.5, -0.5)));
        assertParityWithNaN("clampMin(0) " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.clampMin(0)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void clampAndArgminOfIntegersAreExact(DType dtype) {
        double[] x = ties(42, N, -3, 0, 2, 7, -1 << 20);
        assertParity("clamp(-2, 5) " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.clamp(-2, 5)));
        assertParity("argmin axis 1 " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.argmin(1, false)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void minAndArgminSelectTheFirstOfTiedMinimaAndNaN(DType dtype) {
        double[] x = tiesAndNaN();
        for (int axis = 0; axis < 3; axis++) {
            int a = axis;
            assertParityWithNaN("min axis " + a + " " + dtype, Tolerance.EXACT,
                    on(dtype, x, DIMS, t -> t.min(a, false)));
            assertParity("argmin axis " + a + " " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.argmin(a, true)));
        }
    }

    /**
     * Sorting along each axis (one before the last is swapped to the end and back), topk unsorted, kthvalue and median,
     * and the gradient their values route back, on ties; then the median of slices holding NaN: the first NaN's.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sortTopkKthvalueAndMedianAlongEachAxisMatchExactly(DType dtype) {
        double[] x = ties(59, N, -1, -0.5, 0, 0.5, 1);
        double[] g = values(60, N, -1, 1);
        String[] outputs = {"sorted", "sort indices", "topk", "topk indices", "kthvalue", "median", "median indices",
                "gradient"};
        for (int axis = 0; axis < 3; axis++) {
            int a = axis;
            assertParity("sort descending, topk 3 unsorted, kthvalue 2 and median along axis " + a + " " + dtype,
                    outputs, Tolerance.EXACT, b -> {
                        Tensor t = tensor(b, dtype, x, DIMS).requiresGrad(true);
                        IndexedValues sorted = t.sort(a, true);
                        IndexedValues top = t.topk(3, a, true, false);
                        IndexedValues kth = t.kthvalue(2, a, true);
                        IndexedValues median = t.median(a, false);
                        sorted.values().mul(tensor(b, dtype, g, DIMS)).sum().add(top.values().sum())
                                .add(kth.values().sum()).add(median.values().sum()).backward();
                        assertSame(b, median.values().backend(), "the result must be on the backend of its input");
                        return new Tensor[] {sorted.values(), sorted.indices(), top.values(), top.indices(),
                                kth.values(), median.values(), median.indices(), t.grad()};
                    });
            assertParity("median indices along axis " + a + " with NaN " + dtype, Tolerance.EXACT,
                    on(dtype, tiesAndNaN(), DIMS, t -> t.median(a, true).indices()));
            assertParityWithNaN("median along axis " + a + " with NaN " + dtype, Tolerance.EXACT,
                    on(dtype, tiesAndNaN(), DIMS, t -> t.median(a, true).values()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void statisticsOverAxesMatchTheCpu(DType dtype) {
        double[] x = values(43, N, -1, 1);
        assertParity("var (0, 1) " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.var(new int[] {0, 1}, 1, false)));
        assertParity("std (1) " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.std(new int[] {1}, 0, true)));
        assertParity("logsumexp 1 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.mul(50).logsumexp(1, false)));
        assertParity("norm 1 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.norm(1, new int[] {1}, false)));
        assertParity("norm 2 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.norm(2, new int[] {0, 1}, false)));
        assertParity("norm inf " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.norm(Double.POSITIVE_INFINITY)));
        assertParity("norm 3 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.norm(3, new int[] {1}, false)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void logsumexpOfRowsOfInfinitiesIsInfinite(DType dtype) {
        double inf = Double.POSITIVE_INFINITY;
        double[] x = {-inf, -inf, -inf, inf, 1, 2, 1000, 1000, 999};
        assertParity("logsumexp of [-inf row, +inf row, large row] " + dtype, sums(dtype),
                on(dtype, x, new int[] {3, 3}, t -> t.logsumexp(1, false)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void productsAndRunningSumsMatchTheCpu(DType dtype) {
        double[] x = values(44, N, 0.9, 1.1);
        assertParity("prod axis 1 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.prod(1, false)));
        assertParity("cumsum axis 1 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.cumsum(1)));
        assertParity("cumsum axis 2 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.cumsum(-1)));
        assertParity("cumprod axis 1 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.cumprod(1)));
        assertParity("cumprod axis 2 " + dtype, sums(dtype), on(dtype, x, DIMS, t -> t.cumprod(-1)));
    }

    /**
     * Running products along an axis of 20 whose factors include zeros, with their gradient, which divides by
     * nothing: the scans of products and of the gradient's weighted sums from the end must compose to the CPU's.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void runningProductsWithZerosMatchTheCpuWithTheirGradient(DType dtype) {
        int[] dims = {7, 20, 9};
        int n = 7 * 20 * 9;
        assertParity("cumprod axis 1 and its gradient " + dtype, new String[] {"output", "input gradient"},
                sums(dtype), b -> {
                    Tensor in = tensor(b, dtype, ties(54, n, -1.25, -1, 0, 0.5, 1, 1.25), dims).requiresGrad(true);
                    Tensor out = in.cumprod(1);
                    assertSame(b, out.backend(), "the result must be on the backend of its input");
                    out.backward(tensor(b, dtype, values(55, n, -1, 1), dims));
                    return new Tensor[] {out, in.grad()};
                });
    }

    /**
     * Integer products and running sums, I64 whatever the integer type, exact where they pass 2^24 and 2^53 (floats
     * would round) and wrapping past 2^63.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerProductsAndRunningSumsAreExact(DType dtype) {
        double[] x = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -5, (1 << 24) + 1, (1 << 24) + 1, 1, 3,
            (1 << 20) + 1, (1 << 20) + 3, (1 << 20) + 7, -1};
        int[] dims = {3, 4};
        assertParity("prod axis 1 " + dtype, Tolerance.EXACT, on(dtype, x, dims, t -> t.prod(1, false)));
        assertParity("prod axis 0 " + dtype, Tolerance.EXACT, on(dtype, x, dims, t -> t.prod(0, true)));
        assertParity("cumsum axis 1 " + dtype, Tolerance.EXACT, on(dtype, x, dims, t -> t.cumsum(1)));
        assertParity("cumsum axis 0 " + dtype, Tolerance.EXACT, on(dtype, x, dims, t -> t.cumsum(0)));
        assertParity("cumprod axis 1 " + dtype, Tolerance.EXACT, on(dtype, x, dims, t -> t.cumprod(1)));
        assertParity("cumprod axis 0 " + dtype, Tolerance.EXACT, on(dtype, x, dims, t -> t.cumprod(0)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reorderingPaddingAndTrianglesAreExactInEveryDtype(DType dtype) {
        double[] x = ties(45, N, -3, 0, 2, 7, 11);
        assertParity("flip (0, 2) " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.flip(0, 2)));
        assertParity("roll 1000 " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.roll(1000)));
        assertParity("roll (2, -5) over (0, 1) " + dtype, Tolerance.EXACT,
                on(dtype, x, DIMS, t -> t.roll(new int[] {2, -5}, new int[] {0, 1})));
        assertParity("pad (1, -2, 3, 0, -1, 2) " + dtype, Tolerance.EXACT,
                on(dtype, x, DIMS, t -> F.pad(t, new int[] {1, -2, 3, 0, -1, 2}, 5)));
        assertParity("tril 2 " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.tril(2)));
        assertParity("triu -100 " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.triu(-100)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void unfoldAndPixelShufflesAreExactInEveryDtype(DType dtype) {
        int[] image = {2, 8, 6, 10};
        double[] x = ties(47, 2 * 8 * 6 * 10, -3, 0, 2, 7, 11);
        assertParity("unfold kernel (3, 2), dilation (2, 1), padding (1, 2), stride (2, 3) " + dtype, Tolerance.EXACT,
                on(dtype, x, image, t -> F.unfold(t, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 2},
                        new int[] {2, 3})));
        assertParity("pixelShuffle 2 " + dtype, Tolerance.EXACT, on(dtype, x, image, t -> F.pixelShuffle(t, 2)));
        assertParity("pixelUnshuffle 2 " + dtype, Tolerance.EXACT, on(dtype, x, image, t -> F.pixelUnshuffle(t, 2)));
    }

    /**
     * Each padding mode on two and three axes of [2, 8, 6, 10], with amounts that crop: an exact selection in every
     * dtype; its gradient adds up to (pads + 1)^2 elements' gradients into a corner (on CUDA atomically, in no fixed
     * order), so it takes the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = PaddingMode.class, names = {"REFLECT", "REPLICATE", "CIRCULAR"})
    void paddingModesMatchTheCpuWithTheirGradients(PaddingMode mode) {
        int[] image = {2, 8, 6, 10};
        int n = 2 * 8 * 6 * 10;
        int[] pads = {2, 3, -1, 4};
        for (DType dtype : DType.values()) {
            double[] x = ties(51, n, -3, 0, 2, 7, 11);
            assertParity(mode + " pad (2, 3, -1, 4) " + dtype, Tolerance.EXACT,
                    on(dtype, x, image, t -> F.pad(t, pads, mode)));
            assertParity(mode + " pad (1, 2, 0, 1, 1, 0) " + dtype, Tolerance.EXACT,
                    on(dtype, x, image, t -> F.pad(t, new int[] {1, 2, 0, 1, 1, 0}, mode)));
        }
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            assertParity(mode + " pad (2, 3, -1, 4) and its gradient " + dtype,
                    new String[] {"output", "input gradient"}, sums(dtype), b -> {
                        Tensor in = tensor(b, dtype, values(52, n, -1, 1), image).requiresGrad(true);
                        Tensor out = F.pad(in, pads, mode);
                        assertSame(b, out.backend(), "the result must be on the backend of its input");
                        out.backward(tensor(b, dtype, values(53, (int) out.size(), -1, 1), out.shape().dims()));
                        return new Tensor[] {out, in.grad()};
                    });
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void foldSumsOverlappingBlocksAsTheCpuDoes(DType dtype) {
        // Up to 9 blocks cover a pixel (kernel 3, stride 1); on CUDA they add atomically, in no fixed order.
        double[] cols = values(48, 2 * 8 * 9 * 60, -1, 1);
        assertParity("fold (6, 10), kernel 3, padding 1 " + dtype, sums(dtype),
                on(dtype, cols, new int[] {2, 8 * 9, 60}, t -> F.fold(t, new int[] {6, 10}, new int[] {3}, null,
                        new int[] {1}, null)));
        double[] strided = values(49, 2 * 4 * 6 * 15, -1, 1);
        assertParity("fold (7, 9), kernel (3, 2), dilation (1, 2), padding (2, 1), stride (2, 3) " + dtype, sums(dtype),
                on(dtype, strided, new int[] {2, 4 * 6, 15}, t -> F.fold(t, new int[] {7, 9}, new int[] {3, 2},
                        new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 3})));
    }

    /**
     * {@code F.einsum} with the operands' gradients of a weighted sum of the output: batched GEMMs that read an
     * operand transposed in place (attention scores), a permute and two GEMMs (three operands), a diagonal of a
     * repeated index, and ellipses and an index of size 1 that broadcast. Sums of up to 40 products: the tolerance
     * of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void einsumAndItsGradientsMatchTheCpu(DType dtype) {
        einsum(dtype, "bhqd,bhkd->bhqk", new int[] {3, 4, 20, 16}, new int[] {3, 4, 30, 16});
        einsum(dtype, "bn,anm,bm->ba", new int[] {5, 12}, new int[] {7, 12, 9}, new int[] {5, 9});
        einsum(dtype, "iij->ji", new int[] {6, 6, 10});
        einsum(dtype, "...ij,...jk->...ik", new int[] {2, 1, 8, 40}, new int[] {3, 40, 5});
        einsum(dtype, "ij,ij,jk->ik", new int[] {1, 12}, new int[] {9, 12}, new int[] {12, 4});
    }

    /** The output of {@code equation} on operands of {@code shapes}, then each operand's gradient, on both backends. */
    private static void einsum(DType dtype, String equation, int[]... shapes) {
        String[] names = new String[shapes.length + 1];
        names[0] = "output";
        for (int i = 0; i < shapes.length; i++) {
            names[i + 1] = "gradient of operand " + i;
        }
        assertParity(equation + " " + dtype, names, sums(dtype), b -> {
            Tensor[] operands = new Tensor[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                int n = Arrays.stream(shapes[i]).reduce(1, (x, y) -> x * y);
                operands[i] = tensor(b, dtype, values(50 + i, n, -1, 1), shapes[i]).requiresGrad(true);
            }
            Tensor out = F.einsum(equation, operands);
            assertSame(b, out.backend(), "the result must be on the backend of its operands");
            out.backward(tensor(b, dtype, values(60, (int) out.size(), -1, 1), out.shape().dims()));
            Tensor[] results = new Tensor[shapes.length + 1];
            results[0] = out;
            for (int i = 0; i < shapes.length; i++) {
                results[i + 1] = operands[i].grad();
            }
            return results;
        });
    }

    /**
     * Values in [-3, 3) with every fifth one a tie of the shrinks and thresholds below (+-0.5, 0.25) or 0, where
     * RReLU's slope and the kinks' conventions show.
     */
    private static double[] layerInputs(long seed, int n) {
        double[] v = values(seed, n, -3, 3);
        double[] ties = ties(seed + 1, n, -0.5, 0, 0.25, 0.5);
        for (int i = 0; i < n; i += 5) {
            v[i] = ties[i];
        }
        return v;
    }

    /**
     * The layers GLU to Threshold, RReLU in evaluation, ChannelShuffle and LocalResponseNorm, composed in the models
     * module of Tensor ops: output and the input's gradient of a weighted sum on a [4, 6, 5, 8] input. Transcendental
     * functions and sums of at most 8 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void layersComposedOfTensorOpsAndTheirGradientsMatchTheCpu(DType dtype) {
        int[] dims = {4, 6, 5, 8};
        double[] x = layerInputs(70, 4 * 6 * 5 * 8);
        for (Module m : new Module[] {new GLU(1), new LogSigmoid(), new Softmin(1), new Softshrink(), new Hardshrink(),
                new Tanhshrink(), new Threshold(0.25, -7), new RReLU().eval(), new ChannelShuffle(3),
                new LocalResponseNorm(3, 0.5, 0.75, 1)}) {
            assertParity(m + " " + dtype, new String[] {"output", "input gradient"}, sums(dtype), b -> {
                Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                Tensor out = m.forward(in);
                assertSame(b, out.backend(), m + ": the result must be on the backend of its input");
                out.backward(tensor(b, dtype, values(72, (int) out.size(), -1, 1), out.shape().dims()));
                return new Tensor[] {out, in.grad()};
            });
        }
    }

    /**
     * The layers that draw random numbers in training, Dropout2d, Dropout3d (on an unbatched [channels, depth, height,
     * width] input), FeatureAlphaDropout, RReLU and GaussianNoise, from one seed on both backends: each draws on its
     * input's backend (not the engine's default one), where the counter-based streams give the same masks, slopes and
     * noise. Output and the input's gradient of a weighted sum on a [4, 6, 5, 8] input: products of at most 3 factors,
     * the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void randomLayersInTrainingDrawOnTheInputsBackendAndMatchTheCpu(DType dtype) {
        int[] dims = {4, 6, 5, 8};
        double[] x = layerInputs(76, 4 * 6 * 5 * 8);
        for (Module m : new Module[] {new Dropout2d(0.4), new Dropout3d(0.4), new FeatureAlphaDropout(0.4),
                new RReLU(), new GaussianNoise(0.5)}) {
            assertParity(m + " " + dtype, new String[] {"output", "input gradient"}, sums(dtype), b -> {
                Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                Engine.seed(77);
                Tensor out = m.train().forward(in);
                assertSame(b, out.backend(), m + ": the result must be on the backend of its input");
                out.backward(tensor(b, dtype, values(78, (int) out.size(), -1, 1), out.shape().dims()));
                return new Tensor[] {out, in.grad()};
            });
        }
    }

    /**
     * CosineSimilarity over axis 1 and PairwiseDistance (p = 2, 3) of a [4, 6, 5, 8] input and a [5, 8] one that
     * broadcasts: output and both inputs' gradients. Sums of up to 48 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void twoInputLayersAndTheirGradientsMatchTheCpu(DType dtype) {
        double[] first = layerInputs(73, 4 * 6 * 5 * 8);
        double[] second = values(74, 5 * 8, -1, 1);
        String[] names = {"output", "gradient of input1", "gradient of input2"};
        CosineSimilarity cosine = new CosineSimilarity();
        PairwiseDistance[] distances = {new PairwiseDistance(), new PairwiseDistance(3, 1e-6, true)};
        assertParity(cosine + " " + dtype, names, sums(dtype),
                b -> twoInputs(b, dtype, first, second, (x1, x2) -> cosine.forward(x1, x2)));
        for (PairwiseDistance distance : distances) {
            assertParity(distance + " " + dtype, names, sums(dtype),
                    b -> twoInputs(b, dtype, first, second, (x1, x2) -> distance.forward(x1, x2)));
        }
    }

    /** {@code layer} of [4, 6, 5, 8] and [5, 8] inputs on {@code b}, then the output and both inputs' gradients. */
    private static Tensor[] twoInputs(Backend b, DType dtype, double[] first, double[] second,
                                      BinaryOperator<Tensor> layer) {
        Tensor x1 = tensor(b, dtype, first, 4, 6, 5, 8).requiresGrad(true);
        Tensor x2 = tensor(b, dtype, second, 5, 8).requiresGrad(true);
        Tensor out = layer.apply(x1, x2);
        assertSame(b, out.backend(), "the result must be on the backend of its inputs");
        out.backward(tensor(b, dtype, values(75, (int) out.size(), -1, 1), out.shape().dims()));
        return new Tensor[] {out, x1.grad(), x2.grad()};
    }

    /**
     * {@code F.conv3d} (groups 2, per-axis stride, padding and dilation, depth taps in the padding) and
     * {@code F.convTranspose3d} (output padding, a cropped depth), which run as 2-D (transposed) convolutions of depth
     * slices selected and summed by index: the output and the input's, weight's and bias's gradients of a weighted sum
     * of it. Sums of up to 54 products, whose gradients the backward pass adds back across up to 3 depth taps (on
     * CUDA atomically, in no fixed order): the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void convolutions3dAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
        int[] input = {2, 4, 6, 7, 5};
        assertParity("conv3d groups 2, kernel (3, 2, 3), stride (2, 1, 2), padding (2, 0, 1), dilation (2, 2, 1) "
                + dtype, names, sums(dtype), b -> volumeConvolution(b, dtype, input, new int[] {6, 2, 3, 2, 3}, 6,
                        (x, w, bias) -> F.conv3d(x, w, bias, new int[] {2, 1, 2}, new int[] {2, 0, 1},
                                new int[] {2, 2, 1}, 2)));
        assertParity("convTranspose3d kernel 3, stride (2, 1, 2), padding (1, 1, 2), output padding (1, 0, 1) "
                + dtype, names, sums(dtype), b -> volumeConvolution(b, dtype, input, new int[] {4, 3, 3, 3, 3}, 3,
                        (x, w, bias) -> F.convTranspose3d(x, w, bias, new int[] {2, 1, 2}, new int[] {1, 1, 2},
                                new int[] {1, 0, 1}, null)));
    }

    /**
     * {@code F.convTranspose2d} and {@code F.convTranspose3d} with an output padding at or above the stride (below the
     * dilation, as PyTorch takes it), composed of the transposed convolution of a smaller padding, a crop and zero
     * padding, and the bias: within the padding on one axis and beyond it on another. The output and the input's,
     * weight's and bias's gradients of a weighted sum of it: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void transposedConvolutionsWithOutputPaddingBeyondTheStrideMatchTheCpu(DType dtype) {
        String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
        assertParity("convTranspose2d kernel (3, 2), stride (1, 1), padding (2, 0), output padding (1, 2), dilation"
                + " (2, 3) " + dtype, names, sums(dtype), b -> volumeConvolution(b, dtype, new int[] {2, 4, 6, 5},
                        new int[] {4, 3, 3, 2}, 3, (x, w, bias) -> F.convTranspose2d(x, w, bias, new int[] {1, 1},
                                new int[] {2, 0}, new int[] {1, 2}, new int[] {2, 3})));
        assertParity("convTranspose3d kernel 2, stride (1, 2, 1), padding (1, 0, 0), output padding (1, 1, 2),"
                + " dilation (2, 3, 3) " + dtype, names, sums(dtype), b -> volumeConvolution(b, dtype,
                        new int[] {2, 4, 3, 4, 3}, new int[] {4, 3, 2, 2, 2}, 3, (x, w, bias) -> F.convTranspose3d(x,
                                w, bias, new int[] {1, 2, 1}, new int[] {1, 0, 0}, new int[] {1, 1, 2},
                                new int[] {2, 3, 3})));
    }

    /** A (transposed) convolution of seeded input, weight and bias [channels] on {@code b}, and their gradients. */
    private static Tensor[] volumeConvolution(Backend b, DType dtype, int[] input, int[] weight, int channels,
                                              VolumeConvolution conv) {
        Tensor x = random(b, dtype, 90, input).requiresGrad(true);
        Tensor w = random(b, dtype, 91, weight).requiresGrad(true);
        Tensor bias = random(b, dtype, 92, channels).requiresGrad(true);
        Tensor out = conv.apply(x, w, bias);
        assertSame(b, out.backend(), "the result must be on the backend of its input");
        out.backward(tensor(b, dtype, values(93, (int) out.size(), -1, 1), out.shape().dims()));
        return new Tensor[] {out, x.grad(), w.grad(), bias.grad()};
    }

    /** F.conv3d, F.convTranspose3d or F.convTranspose2d with its settings. */
    @FunctionalInterface
    private interface VolumeConvolution {
        Tensor apply(Tensor x, Tensor weight, Tensor bias);
    }

    /**
     * The parameterless layers of volumes, composed in the models module of 2-D poolings, matrix products and index
     * selections: the poolings (max ones on tied values, whose gradient goes to the first), trilinear and nearest
     * upsampling (whose matrices and indices must be made on the input's backend), InstanceNorm3d and the padding
     * layers, on a [2, 3, 5, 6, 7] input: output and the input's gradient. Sums of up to 48 terms: the tolerance of
     * sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void volumeLayersAndTheirGradientsMatchTheCpu(DType dtype) {
        int[] dims = {2, 3, 5, 6, 7};
        double[] x = ties(94, 2 * 3 * 5 * 6 * 7, -1, -0.5, 0, 0.5, 1);
        for (Module m : new Module[] {
                new MaxPool3d(new int[] {2, 3, 2}, new int[] {1, 2, 2}, new int[] {1, 1, 0}, true),
                new MaxPool3d(new int[] {2, 3, 2}, new int[] {1, 2, 2}, new int[] {1, 1, 0}, new int[] {2, 1, 2},
                        true),
                new AvgPool3d(new int[] {3, 2, 2}, new int[] {2, 1, 2}, new int[] {1, 1, 1}, true, false),
                new AdaptiveMaxPool3d(3, 4, 3), new AdaptiveAvgPool3d(2, 4, 3), new Upsample(2, "trilinear"),
                Upsample.toSize(3, 8, 5, "trilinear", true), Upsample.toSize(7, 4, 9, "nearest", false),
                new InstanceNorm3d(3), new ReflectionPad3d(new int[] {1, 2, 0, 1, 2, 1}), new ReplicationPad3d(2)}) {
            assertParity(m + " " + dtype, new String[] {"output", "input gradient"}, sums(dtype), b -> {
                Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                Tensor out = m.forward(in);
                assertSame(b, out.backend(), m + ": the result must be on the backend of its input");
                out.backward(tensor(b, dtype, values(95, (int) out.size(), -1, 1), out.shape().dims()));
                return new Tensor[] {out, in.grad()};
            });
        }
    }

    /**
     * GroupNorm(3, 6), GroupNorm(6, 6) and InstanceNorm2d(6) with their affine (each one group-norm op each way,
     * F.groupNorm: the backend's own kernels, or the SPI's default of batch norm, broadcast products and reductions)
     * on a [4, 6, 5, 8] input: the output and the input's, weight's and bias's gradients of a
     * weighted sum. Sums of up to 160 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void groupAndInstanceNormsWithTheirAffineMatchTheCpu(DType dtype) {
        int[] dims = {4, 6, 5, 8};
        double[] x = layerInputs(106, 4 * 6 * 5 * 8);
        String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (String layer : new String[] {"GroupNorm(3, 6)", "GroupNorm(6, 6)", "InstanceNorm2d(6)"}) {
            assertParity(layer + " with affine " + dtype, names, sums(dtype), b -> {
                Tensor weight = tensor(b, dtype, values(107, 6, 0.5, 1.5), 6).requiresGrad(true);
                Tensor bias = tensor(b, dtype, values(108, 6, -0.5, 0.5), 6).requiresGrad(true);
                Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                Tensor out = affineNorm(layer, weight, bias).forward(in);
                assertSame(b, out.backend(), layer + ": the result must be on the backend of its input");
                out.backward(tensor(b, dtype, values(109, (int) out.size(), -1, 1), dims));
                return new Tensor[] {out, in.grad(), weight.grad(), bias.grad()};
            });
        }
    }

    /**
     * The layer named (one of the three above) normalising with {@code weight} and {@code bias}: its own parameters
     * are on the engine's backend, so its accessors hand the forward pass these instead.
     */
    private static Module affineNorm(String layer, Tensor weight, Tensor bias) {
        return switch (layer) {
            case "GroupNorm(3, 6)", "GroupNorm(6, 6)" -> new GroupNorm(layer.equals("GroupNorm(3, 6)") ? 3 : 6, 6) {
                @Override
                public Tensor weight() {
                    return weight;
                }

                @Override
                public Tensor bias() {
                    return bias;
                }
            };
            case "InstanceNorm2d(6)" -> new InstanceNorm2d(6, 1e-5, 0.1, true, false) {
                @Override
                public Tensor weight() {
                    return weight;
                }

                @Override
                public Tensor bias() {
                    return bias;
                }
            };
            default -> throw new IllegalArgumentException(layer);
        };
    }

    /**
     * The margin and multi-label losses, BCE and KL divergence with saturated and zero probabilities, BCE on logits
     * with a weight per sample and pos_weight, and CrossEntropyLoss on [batch, classes, d1, d2] logits with ignored
     * positions and on class probabilities, each with a weight and a reduction that exercise the most ops: the loss and
     * the gradient of its scores, on both backends.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void composedLossesAndTheirGradientsMatchTheCpu(DType dtype) {
        loss(dtype, "MultiMarginLoss(p=2, margin 0.5, weight) none", new int[] {64, 10},
                (b, x) -> new MultiMarginLoss(2, 0.5, uniform(b, dtype, 73, 0.5, 2, 10), Reduction.NONE)
                        .compute(x, classes(b, 74, 64, 10)));
        loss(dtype, "MultiLabelMarginLoss mean", new int[] {32, 12},
                (b, x) -> new MultiLabelMarginLoss().compute(x, tensor(b, DType.I64,
                        ties(75, 32 * 12, -1, 0, 3, 5, 7, 11), 32, 12)));
        loss(dtype, "SoftMarginLoss sum", new int[] {64, 10},
                (b, x) -> new SoftMarginLoss(Reduction.SUM).compute(x, tensor(b, dtype, ties(76, 640, -1, 1), 64, 10)));
        loss(dtype, "MultiLabelSoftMarginLoss(weight) mean", new int[] {64, 10},
                (b, x) -> new MultiLabelSoftMarginLoss(uniform(b, dtype, 77, 0.5, 2, 10), Reduction.MEAN)
                        .compute(x, tensor(b, dtype, ties(78, 640, 0, 1), 64, 10)));
        loss(dtype, "TripletMarginWithDistanceLoss(swap) none", new int[] {64, 16},
                (b, x) -> new TripletMarginWithDistanceLoss(null, 1, true, Reduction.NONE)
                        .compute(x, random(b, dtype, 79, 64, 16), random(b, dtype, 80, 64, 16)));
        loss(dtype, "CrossEntropyLoss(weight, smoothing 0.1) on [8, 10, 6, 5]", new int[] {8, 10, 6, 5},
                (b, x) -> new CrossEntropyLoss(uniform(b, dtype, 81, 0.5, 2, 10), 0.1, -100, Reduction.MEAN)
                        .compute(x, tensor(b, DType.I64, ties(82, 240, -100, 0, 2, 4, 9), 8, 6, 5)));
        loss(dtype, "CrossEntropyLoss(weight, smoothing 0.2) of probabilities", new int[] {8, 10, 6},
                (b, x) -> new CrossEntropyLoss(uniform(b, dtype, 83, 0.5, 2, 10), 0.2, -100, Reduction.NONE)
                        .compute(x, F.softmax(random(b, dtype, 84, 8, 10, 6).mul(3), 1)));
        loss(dtype, "BCELoss of sigmoids, some saturated, mean", new int[] {64, 10},
                (b, x) -> new BCELoss().compute(x.mul(20).sigmoid(), tensor(b, dtype, ties(85, 640, 0, 1), 64, 10)));
        loss(dtype, "BCEWithLogitsLoss(weight per sample, pos_weight) of logits to +-40, mean", new int[] {64, 10},
                (b, x) -> new BCEWithLogitsLoss(uniform(b, dtype, 87, 0.5, 2, 64, 1), uniform(b, dtype, 88, 0.5, 3, 10),
                        Reduction.MEAN).compute(x.mul(20), tensor(b, dtype, ties(89, 640, 0, 0.25, 1), 64, 10)));
        loss(dtype, "KLDivLoss batchmean with zero probabilities", new int[] {16, 10},
                (b, x) -> new KLDivLoss(KLDivReduction.BATCH_MEAN, false).compute(F.logSoftmax(x, 1),
                        F.softmax(tensor(b, dtype, ties(86, 160, -1e4, 0, 1), 16, 10), 1)));
    }

    /** {@code n} seeded class indices [n] in [0, classes) (I64) on {@code b}. */
    private static Tensor classes(Backend b, long seed, int n, int classes) {
        return tensor(b, DType.I64, values(seed, n, 0, classes), n);
    }

    /** {@code loss} of seeded scores of {@code dims}, and their gradient of a weighted sum of it, on both backends. */
    private static void loss(DType dtype, String what, int[] dims, BiFunction<Backend, Tensor, Tensor> loss) {
        int n = Arrays.stream(dims).reduce(1, (x, y) -> x * y);
        assertParity(what + " " + dtype, new String[] {"loss", "gradient of the scores"}, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, values(70, n, -2, 2), dims).requiresGrad(true);
            Tensor out = loss.apply(b, x);
            assertSame(b, out.backend(), "the loss must be on the backend of its scores");
            out.backward(tensor(b, dtype, values(71, (int) out.size(), -1, 1), out.shape().dims()));
            return new Tensor[] {out, x.grad()};
        });
    }

    /**
     * The distributions of the models module, composed of Tensor ops: Normal's log-probability, Laplace's cdf,
     * Bernoulli's log-probability, Categorical's log-probability and entropy, and MultivariateNormal's log-probability
     * (its triangular solve a few ops per row), with the KL divergences of Normal, Categorical and MultivariateNormal
     * pairs (one built from a covariance, factorised by a row-by-row Cholesky), and the gradients of their parameters;
     * validation reads its checks back from the backend under test, and reparameterised and discrete draws must land
     * on the parameters' backend. Sums over at most 10 classes and 4 dimensions: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void distributionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"Normal.logProb", "Laplace.cdf", "Bernoulli.logProb", "Categorical.logProb",
            "Categorical.entropy", "MultivariateNormal.logProb", "KL Normal", "KL Categorical", "KL MultivariateNormal",
            "gradient of loc", "gradient of scale", "gradient of logits", "gradient of the factor",
            "gradient of the covariance"};
        long[] classes = Arrays.stream(values(96, 64, 0, 10)).mapToLong(v -> (long) v).toArray();
        assertParity("distributions " + dtype, names, sums(dtype), b -> {
            Tensor loc = random(b, dtype, 90, 64, 10).requiresGrad(true);
            Tensor scale = uniform(b, dtype, 91, 0.5, 2, 64, 10).requiresGrad(true);
            Tensor x = uniform(b, dtype, 92, -3, 3, 64, 10);
            Tensor logits = uniform(b, dtype, 93, -2, 2, 64, 10).requiresGrad(true);
            Tensor factor = tensor(b, dtype, lowerFactors(97, 8, 4), 8, 4, 4).requiresGrad(true);
            Tensor covariance = tensor(b, dtype, covariances(98, 8, 4), 8, 4, 4).requiresGrad(true);
            Normal normal = new Normal(loc, scale);
            Categorical categorical = Categorical.ofLogits(logits);
            MultivariateNormal mvn = MultivariateNormal.ofScaleTril(loc.narrow(0, 0, 8).narrow(1, 0, 4), factor);
            Tensor y = x.narrow(0, 0, 8).narrow(1, 0, 4);
            assertSame(b, normal.rsample(2).backend(), "Normal.rsample must draw on the parameters' backend");
            assertSame(b, categorical.sample(2).backend(), "Categorical.sample must draw on the parameters' backend");
            Tensor[] results = {normal.logProb(x), new Laplace(loc, scale).cdf(x),
                Bernoulli.ofLogits(logits).logProb(tensor(b, dtype, ties(94, 640, 0, 1), 64, 10)),
                categorical.logProb(indices(b, DType.I64, classes, 64)), categorical.entropy(), mvn.logProb(y),
                KL.divergence(normal, new Normal(x, scale.mul(0.5).add(0.25))),
                KL.divergence(categorical, Categorical.ofProbs(uniform(b, dtype, 95, 0.1, 1, 64, 10))),
                KL.divergence(mvn, MultivariateNormal.ofCovarianceMatrix(y.mul(0.5), covariance))};
            backwardThroughWeightedSums(b, dtype, names, results, 100);
            return withGradientsOf(results, loc, scale, logits, factor, covariance);
        });
    }

    /**
     * The gamma family of the models module, composed of Tensor ops (log-gamma and digamma by a shifted Stirling
     * series, ten terms each): the log-probabilities and entropies of Gamma, Chi2, Beta, Dirichlet and StudentT, the
     * Gamma, Beta and Dirichlet divergences, and the gradients of their parameters; and Gamma's reparameterised draws
     * from the same seed (rejection rounds of tensor ops deciding alike on both backends, as the engine's streams are
     * the same) with the gradient of the concentration through them (PyTorch's implicit gradient, three branches
     * selected element by element). Sums over at most 64 rows of 10: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gammaFamilyDistributionsTheirDrawsAndGradientsMatchTheCpu(DType dtype) {
        String[] names = {"Gamma.logProb", "Gamma.entropy", "Chi2.logProb", "Beta.logProb", "Beta.entropy",
            "Dirichlet.logProb", "Dirichlet.entropy", "StudentT.logProb", "StudentT.entropy", "KL Gamma", "KL Beta",
            "KL Dirichlet", "Gamma.rsample", "gradient of the concentration", "gradient of the rate",
            "gradient of concentration0", "gradient of loc"};
        assertParity("gamma family " + dtype, names, sums(dtype), b -> {
            Tensor concentration = uniform(b, dtype, 110, 0.2, 12, 64, 10).requiresGrad(true);
            Tensor rate = uniform(b, dtype, 111, 0.5, 2, 64, 10).requiresGrad(true);
            Tensor concentration0 = uniform(b, dtype, 112, 0.3, 5, 64, 10).requiresGrad(true);
            Tensor loc = random(b, dtype, 113, 64, 10).requiresGrad(true);
            Tensor positive = uniform(b, dtype, 114, 0.05, 4, 64, 10);
            Tensor unit = uniform(b, dtype, 115, 0.02, 0.98, 64, 10);
            Tensor simplex = F.softmax(uniform(b, dtype, 116, -2, 2, 64, 10), -1);
            Gamma gamma = new Gamma(concentration, rate);
            Beta beta = new Beta(concentration, concentration0);
            Dirichlet dirichlet = new Dirichlet(concentration);
            StudentT studentT = new StudentT(concentration0, loc, rate);
            Engine.seed(117);
            Tensor draws = gamma.rsample(3);
            assertSame(b, draws.backend(), "Gamma.rsample must draw on the parameters' backend");
            assertSame(b, dirichlet.sample(2).backend(), "Dirichlet.sample must draw on the parameters' backend");
            Tensor[] results = {gamma.logProb(positive), gamma.entropy(), new Chi2(concentration).logProb(positive),
                beta.logProb(unit), beta.entropy(), dirichlet.logProb(simplex), dirichlet.entropy(),
                studentT.logProb(positive), studentT.entropy(), KL.divergence(gamma, new Gamma(concentration0, rate)),
                KL.divergence(beta, new Beta(rate, concentration0)), KL.divergence(dirichlet, new Dirichlet(rate)),
                draws};
            backwardThroughWeightedSums(b, dtype, names, results, 120);
            return withGradientsOf(results, concentration, rate, concentration0, loc);
        });
    }

    /**
     * The gamma family's modes (Dirichlet's selects the first vertex where every concentration is below 1) and its
     * divergences against other kinds (log-gamma and digamma by the shifted Stirling series), with the gradients of
     * their parameters. Sums over at most 64 rows of 10: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gammaFamilyModesAndCrossKindDivergencesMatchTheCpu(DType dtype) {
        String[] names = {"Gamma.mode", "Beta.mode", "Dirichlet.mode", "KL Beta-Gamma", "KL Beta-Normal",
            "KL Exponential-Gamma", "KL Gamma-Gumbel", "KL Gamma-Normal", "KL Uniform-Beta", "KL Uniform-Gamma",
            "gradient of the concentration", "gradient of the rate", "gradient of concentration0", "gradient of loc"};
        assertParity("gamma family modes and cross-kind KL " + dtype, names, sums(dtype), b -> {
            Tensor concentration = uniform(b, dtype, 130, 0.2, 12, 64, 10).requiresGrad(true);
            Tensor rate = uniform(b, dtype, 131, 0.5, 2, 64, 10).requiresGrad(true);
            Tensor concentration0 = uniform(b, dtype, 132, 0.3, 5, 64, 10).requiresGrad(true);
            Tensor loc = random(b, dtype, 133, 64, 10).requiresGrad(true);
            Tensor low = uniform(b, dtype, 134, 0.05, 0.45, 64, 10);
            Tensor high = uniform(b, dtype, 135, 0.55, 0.95, 64, 10);
            Gamma gamma = new Gamma(concentration, rate);
            Beta beta = new Beta(concentration, concentration0);
            Uniform uniform = new Uniform(low, high);
            Tensor[] results = {gamma.mode(), beta.mode(), new Dirichlet(concentration.mul(0.1)).mode(),
                KL.divergence(beta, new Gamma(concentration0, rate)), KL.divergence(beta, new Normal(loc, rate)),
                KL.divergence(new Exponential(rate), new Gamma(concentration, concentration0)),
                KL.divergence(gamma, new Gumbel(loc, concentration0)), KL.divergence(gamma, new Normal(loc, rate)),
                KL.divergence(uniform, beta), KL.divergence(uniform, gamma)};
            backwardThroughWeightedSums(b, dtype, names, results, 140);
            return withGradientsOf(results, concentration, rate, concentration0, loc);
        });
    }

    /**
     * The second set of distributions, composed of Tensor ops: Cauchy's and Gumbel's log-probabilities, HalfNormal's
     * cdf, Normal's icdf (a polynomial refined by Newton steps on erf), Poisson's and Binomial's log-probabilities
     * (log-factorials by the shifted Stirling series), Geometric's entropy, the KL divergences of Gumbel pairs (a
     * log-gamma) and of a Normal against a Laplace (an erf), and the gradients of their parameters; Poisson's and
     * Binomial's samplers (rounds of rejection on the backend) must draw on the parameters' backend. Element-wise but
     * for the log-gamma's sums of ten logarithms and of its series: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void moreDistributionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"Cauchy.logProb", "Gumbel.logProb", "HalfNormal.cdf", "Normal.icdf", "Poisson.logProb",
            "Binomial.logProb", "Geometric.entropy", "KL Gumbel", "KL Normal-Laplace", "gradient of loc",
            "gradient of scale", "gradient of logits"};
        assertParity("more distributions " + dtype, names, sums(dtype), b -> {
            Tensor loc = random(b, dtype, 110, 64, 10).requiresGrad(true);
            Tensor scale = uniform(b, dtype, 111, 0.5, 2, 64, 10).requiresGrad(true);
            Tensor x = uniform(b, dtype, 112, -3, 3, 64, 10);
            Tensor p = uniform(b, dtype, 113, 0.01, 0.99, 64, 10);
            Tensor logits = uniform(b, dtype, 114, -2, 2, 64, 10).requiresGrad(true);
            double[] zeroToTwenty = IntStream.rangeClosed(0, 20).asDoubleStream().toArray();
            Tensor counts = tensor(b, dtype, ties(115, 640, zeroToTwenty), 64, 10);
            Tensor total = Tensor.full(20, dtype).to(b);
            Gumbel gumbel = new Gumbel(loc, scale);
            assertSame(b, new Poisson(scale.mul(8)).sample(2).backend(),
                    "Poisson.sample must draw on the parameters' backend");
            assertSame(b, Binomial.ofLogits(total, logits).sample(2).backend(),
                    "Binomial.sample must draw on the parameters' backend");
            Tensor[] results = {new Cauchy(loc, scale).logProb(x), gumbel.logProb(x),
                new HalfNormal(scale).cdf(x.abs()), new Normal(loc, scale).icdf(p), new Poisson(scale.mul(5)).logProb(counts),
                Binomial.ofLogits(total, logits).logProb(counts), Geometric.ofLogits(logits).entropy(),
                KL.divergence(gumbel, new Gumbel(x, scale.mul(0.5).add(0.25))),
                KL.divergence(new Normal(loc, scale), new Laplace(x, scale.mul(0.5).add(0.25)))};
            backwardThroughWeightedSums(b, dtype, names, results, 120);
            return withGradientsOf(results, loc, scale, logits);
        });
    }

    /**
     * Transformed distributions, composed of Tensor ops: a tanh-squashed Normal's log-probability (as Soft Actor-Critic
     * scores actions, element-wise and over an action vector), its reparameterised draws from the same seed and their
     * log-probability, an affine map over an event axis, a sigmoid's icdf, a power of an Exponential and the divergence
     * of two squashed Normals, with the gradients of their parameters. Sums of at most 10 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void transformedDistributionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"Tanh Normal.logProb", "Tanh Independent Normal.logProb", "Tanh Normal.rsample",
            "logProb of rsample", "event Affine Normal.logProb", "Sigmoid Normal.icdf", "Power Exponential.logProb",
            "KL Tanh Normal", "gradient of loc", "gradient of scale", "gradient of exponent"};
        assertParity("transformed distributions " + dtype, names, sums(dtype), b -> {
            Tensor loc = random(b, dtype, 150, 64, 10).requiresGrad(true);
            Tensor scale = uniform(b, dtype, 151, 0.5, 2, 64, 10).requiresGrad(true);
            Tensor exponent = uniform(b, dtype, 152, 0.5, 3, 10).requiresGrad(true);
            Tensor squashedValue = uniform(b, dtype, 153, -0.95, 0.95, 64, 10);
            Tensor positive = uniform(b, dtype, 154, 0.1, 3, 64, 10);
            Tensor p = uniform(b, dtype, 155, 0.02, 0.98, 64, 10);
            TransformedDistribution squashed = new TransformedDistribution(new Normal(loc, scale), new TanhTransform());
            Engine.seed(156);
            Tensor draws = squashed.rsample(2);
            Tensor[] results = {squashed.logProb(squashedValue),
                new TransformedDistribution(new Independent(new Normal(loc, scale), 1), new TanhTransform())
                    .logProb(squashedValue),
                draws, squashed.logProb(draws),
                new TransformedDistribution(new Normal(loc, scale), new AffineTransform(exponent, exponent, 1))
                    .logProb(positive),
                new TransformedDistribution(new Normal(loc, scale), new SigmoidTransform()).icdf(p),
                new TransformedDistribution(new Exponential(scale), new PowerTransform(exponent)).logProb(positive),
                KL.divergence(squashed, new TransformedDistribution(new Normal(positive, scale), new TanhTransform()))};
            backwardThroughWeightedSums(b, dtype, names, results, 160);
            return withGradientsOf(results, loc, scale, exponent);
        });
    }

    /**
     * The relaxed families, composed of Tensor ops: RelaxedBernoulli's and RelaxedOneHotCategorical's (Gumbel-softmax)
     * reparameterised draws from the same seed, their log-probabilities at those draws and at fixed values, with the
     * gradients of the temperature and the logits. Sums over 10 classes: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void relaxedDistributionsTheirDrawsAndGradientsMatchTheCpu(DType dtype) {
        String[] names = {"RelaxedBernoulli.rsample", "RelaxedBernoulli.logProb of rsample", "RelaxedBernoulli.logProb",
            "RelaxedOneHotCategorical.rsample", "RelaxedOneHotCategorical.logProb of rsample",
            "RelaxedOneHotCategorical.logProb", "gradient of the temperature", "gradient of logits"};
        assertParity("relaxed distributions " + dtype, names, sums(dtype), b -> {
            Tensor temperature = uniform(b, dtype, 170, 0.5, 2, 1).requiresGrad(true);
            Tensor logits = uniform(b, dtype, 171, -2, 2, 64, 10).requiresGrad(true);
            Tensor unit = uniform(b, dtype, 172, 0.02, 0.98, 64, 10);
            Tensor simplex = F.softmax(uniform(b, dtype, 173, -2, 2, 64, 10), -1);
            RelaxedBernoulli bernoulli = RelaxedBernoulli.ofLogits(temperature, logits);
            RelaxedOneHotCategorical oneHot = RelaxedOneHotCategorical.ofLogits(temperature, logits);
            Engine.seed(174);
            Tensor bernoulliDraws = bernoulli.rsample(2);
            Tensor oneHotDraws = oneHot.rsample(2);
            Tensor[] results = {bernoulliDraws, bernoulli.logProb(bernoulliDraws), bernoulli.logProb(unit),
                oneHotDraws, oneHot.logProb(oneHotDraws), oneHot.logProb(simplex)};
            backwardThroughWeightedSums(b, dtype, names, results, 180);
            return withGradientsOf(results, temperature, logits);
        });
    }

    /**
     * MixtureSameFamily, composed of Tensor ops: a mixture of 10 Normals for each of 64 rows (log-probability, cdf,
     * mean and variance), a mixture of diagonal Gaussians over vectors of 3 (log-probability, by a logsumexp over the
     * components), the gradients of the weights' logits and the components' parameters, and draws from the same seed
     * (a categorical pick gathering one component's draw) on the parameters' backend. Sums over 10 components: the
     * tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void mixtureSameFamilyAndItsGradientsMatchTheCpu(DType dtype) {
        String[] names = {"Mixture.logProb", "Mixture.cdf", "Mixture.mean", "Mixture.variance",
            "vector Mixture.logProb", "Mixture.sample", "gradient of logits", "gradient of loc", "gradient of scale"};
        assertParity("mixture same family " + dtype, names, sums(dtype), b -> {
            Tensor logits = uniform(b, dtype, 190, -2, 2, 64, 10).requiresGrad(true);
            Tensor loc = random(b, dtype, 191, 64, 10, 3).requiresGrad(true);
            Tensor scale = uniform(b, dtype, 192, 0.5, 2, 64, 10, 3).requiresGrad(true);
            Tensor x = uniform(b, dtype, 193, -3, 3, 64);
            Tensor vectors = uniform(b, dtype, 194, -3, 3, 64, 3);
            Tensor firstLoc = loc.narrow(2, 0, 1).squeeze(2);
            Tensor firstScale = scale.narrow(2, 0, 1).squeeze(2);
            MixtureSameFamily scalar = new MixtureSameFamily(Categorical.ofLogits(logits),
                    new Normal(firstLoc, firstScale));
            MixtureSameFamily vector = new MixtureSameFamily(Categorical.ofLogits(logits),
                    new Independent(new Normal(loc, scale), 1));
            Engine.seed(195);
            Tensor draws = vector.sample(2);
            Tensor[] results = {scalar.logProb(x), scalar.cdf(x), scalar.mean(), scalar.variance(),
                vector.logProb(vectors)};
            backwardThroughWeightedSums(b, dtype, names, results, 200);
            return new Tensor[] {results[0], results[1], results[2], results[3], results[4], draws, logits.grad(),
                loc.grad(), scale.grad()};
        });
    }

    /**
     * Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli, VonMises, Kumaraswamy, FisherSnedecor and
     * LowRankMultivariateNormal (over vectors of 10, a factor of rank 3), composed of Tensor ops: their
     * log-probabilities, entropies, moments and divergences, their reparameterised draws from the same seed where they
     * have them (FisherSnedecor's through Gamma's rejection rounds), and the gradients of their parameters; the
     * samplers of rounds (counts, angles) must draw on the parameters' backend. Sums over 10 classes or elements, and
     * log-gammas (sums of ten logarithms): the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void extraDistributionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"Multinomial.logProb", "Multinomial.entropy", "NegativeBinomial.logProb",
            "NegativeBinomial.variance", "Weibull.logProb", "Weibull.rsample", "Weibull.variance", "Pareto.logProb",
            "Pareto.icdf", "KL Pareto", "ContinuousBernoulli.logProb", "ContinuousBernoulli.rsample",
            "ContinuousBernoulli.entropy", "KL ContinuousBernoulli", "VonMises.logProb", "VonMises.variance",
            "Kumaraswamy.logProb", "Kumaraswamy.rsample", "Kumaraswamy.entropy", "FisherSnedecor.logProb",
            "FisherSnedecor.rsample", "LowRankMultivariateNormal.logProb", "LowRankMultivariateNormal.rsample",
            "KL LowRankMultivariateNormal", "gradient of logits", "gradient of totalCount", "gradient of scale", "gradient of the shape",
            "gradient of the covariance factor"};
        assertParity("extra distributions " + dtype, names, sums(dtype), b -> {
            Tensor logits = uniform(b, dtype, 960, -2, 2, 64, 10).requiresGrad(true);
            Tensor counts = tensor(b, dtype, ties(961, 640, 0, 1, 2, 5), 64, 10);
            Tensor total = uniform(b, dtype, 962, 0.5, 10, 64, 10).requiresGrad(true);
            Tensor scale = uniform(b, dtype, 963, 0.5, 2, 64, 10).requiresGrad(true);
            Tensor shape = uniform(b, dtype, 964, 0.5, 4, 64, 10).requiresGrad(true);
            Tensor positive = uniform(b, dtype, 965, 0.1, 3, 64, 10);
            Tensor p = uniform(b, dtype, 966, 0.02, 0.98, 64, 10);
            Tensor factor = uniform(b, dtype, 968, -1, 1, 64, 10, 3).requiresGrad(true);
            Multinomial multinomial = Multinomial.ofLogits(6, logits, false);
            NegativeBinomial negativeBinomial = NegativeBinomial.ofLogits(total, logits);
            assertSame(b, multinomial.sample(2).backend(), "Multinomial.sample must draw on the parameters' backend");
            assertSame(b, negativeBinomial.sample(2).backend(),
                    "NegativeBinomial.sample must draw on the parameters' backend");
            Weibull weibull = new Weibull(scale, shape);
            Pareto pareto = new Pareto(scale, shape);
            ContinuousBernoulli continuousBernoulli = ContinuousBernoulli.ofLogits(logits);
            // Concentrations from 0.5 to 6: both sides of the Bessel functions' switch at 3.75.
            VonMises vonMises = new VonMises(p.mul(6), scale.mul(3));
            assertSame(b, vonMises.sample(2).backend(), "VonMises.sample must draw on the parameters' backend");
            Kumaraswamy kumaraswamy = new Kumaraswamy(scale, shape);
            FisherSnedecor fisherSnedecor = new FisherSnedecor(shape, scale.mul(10));
            LowRankMultivariateNormal lowRank = LowRankMultivariateNormal.of(positive, factor, scale);
            Engine.seed(967);
            Tensor weibullDraws = weibull.rsample(2);
            Tensor continuousBernoulliDraws = continuousBernoulli.rsample(2);
            Tensor kumaraswamyDraws = kumaraswamy.rsample(2);
            Tensor fisherSnedecorDraws = fisherSnedecor.rsample(2);
            Tensor lowRankDraws = lowRank.rsample(2);
            Tensor[] results = {multinomial.logProb(counts), multinomial.entropy(), negativeBinomial.logProb(counts),
                negativeBinomial.variance(), weibull.logProb(positive), weibullDraws, weibull.variance(),
                pareto.logProb(scale.detach().add(positive)), pareto.icdf(p),
                KL.divergence(pareto, new Pareto(scale.mul(0.5), positive)), continuousBernoulli.logProb(p),
                continuousBernoulliDraws, continuousBernoulli.entropy(),
                KL.divergence(continuousBernoulli, ContinuousBernoulli.ofProbs(p)), vonMises.logProb(positive),
                vonMises.variance(), kumaraswamy.logProb(p), kumaraswamyDraws, kumaraswamy.entropy(),
                fisherSnedecor.logProb(positive), fisherSnedecorDraws, lowRank.logProb(p), lowRankDraws,
                KL.divergence(lowRank, LowRankMultivariateNormal.of(p, factor.mul(0.5), shape))};
            backwardThroughWeightedSums(b, dtype, names, results, 970);
            return withGradientsOf(results, logits, total, scale, shape, factor);
        });
    }

    /** {@code results}, then the gradient of each of {@code leaves}: what a distribution case compares. */
    private static Tensor[] withGradientsOf(Tensor[] results, Tensor... leaves) {
        Tensor[] out = Arrays.copyOf(results, results.length + leaves.length);
        for (int k = 0; k < leaves.length; k++) {
            out[results.length + k] = leaves[k].grad();
        }
        return out;
    }

    /**
     * Backpropagates the sum over k of {@code results[k]} times seeded weights in [-1, 1) (seed {@code firstSeed + k}),
     * after checking that each result lies on b, named by {@code names[k]}.
     */
    private static void backwardThroughWeightedSums(Backend b, DType dtype, String[] names, Tensor[] results,
                                                    int firstSeed) {
        Tensor loss = null;
        for (int k = 0; k < results.length; k++) {
            assertSame(b, results[k].backend(), names[k] + " must be on the backend of its parameters");
            Tensor weights = tensor(b, dtype, values(firstSeed + k, (int) results[k].size(), -1, 1),
                    results[k].shape().dims());
            Tensor term = results[k].mul(weights).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.backward();
    }

    /** {@code n} seeded lower-triangular [d, d] factors with diagonals in [0.5, 1.5) and entries below in [-0.5, 0.5). */
    private static double[] lowerFactors(long seed, int n, int d) {
        double[] v = values(seed, n * d * d, -0.5, 0.5);
        for (int m = 0; m < n; m++) {
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    v[(m * d + i) * d + j] = i == j ? 1 + v[(m * d + i) * d + j] : 0;
                }
            }
        }
        return v;
    }

    /** {@code n} seeded covariances L L^T + I/2 [d, d] of {@link #lowerFactors}. */
    private static double[] covariances(long seed, int n, int d) {
        double[] factors = lowerFactors(seed, n, d);
        double[] v = new double[n * d * d];
        for (int m = 0; m < n; m++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double sum = i == j ? 0.5 : 0;
                    for (int k = 0; k < d; k++) {
                        sum += factors[(m * d + i) * d + k] * factors[(m * d + j) * d + k];
                    }
                    v[(m * d + i) * d + j] = sum;
                }
            }
        }
        return v;
    }

    /**
     * {@link F#maxPool2dWithIndices} and {@link F#maxUnpool2d} of another tensor by its indices, with the unpooling's
     * gradient: an input of tied maxima (the first index wins) whose overlapping windows (kernel 3, stride 2) repeat
     * indices, so that the unpooling must keep the last value, as the CPU does.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxPoolIndicesAndUnpoolingMatchExactlyWithTiesAndRepeatedIndices(DType dtype) {
        int[] image = {2, 3, 9, 11};
        int[] pooledDims = {2, 3, 5, 6};
        double[] x = ties(51, 2 * 3 * 9 * 11, -1, 0, 1);
        double[] z = values(52, 2 * 3 * 5 * 6, -1, 1);
        double[] g = values(53, 2 * 3 * 9 * 11, -1, 1);
        assertParity("maxPool2d (3, 2, 1) with indices, maxUnpool2d of z " + dtype,
                new String[] {"pooled", "indices", "unpooled", "gradient of z"}, Tolerance.EXACT, b -> {
                    int[] k = {3};
                    int[] s = {2};
                    int[] p = {1};
                    F.MaxPoolOutput pooled = F.maxPool2dWithIndices(tensor(b, dtype, x, image), k, s, p, false);
                    Tensor source = tensor(b, dtype, z, pooledDims).requiresGrad(true);
                    Tensor unpooled = F.maxUnpool2d(source, pooled.indices(), k, s, p, null);
                    assertSame(b, unpooled.backend(), "the result must be on the backend of its input");
                    unpooled.backward(tensor(b, dtype, g, image));
                    return new Tensor[] {pooled.output(), pooled.indices(), unpooled, source.grad()};
                });
    }

    /**
     * {@link F#maxPool3dWithIndices} dilated per axis in ceil mode, and undilated with overlapping windows (kernel 3,
     * stride 2) whose repeated indices {@link F#maxUnpool3d} of another tensor must resolve by keeping the last value,
     * as the CPU does, with the unpooling's gradient: on an input of tied maxima (the first index wins).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxPool3dIndicesAndUnpoolingMatchExactlyWithDilationTiesAndRepeatedIndices(DType dtype) {
        int[] volume = {2, 3, 6, 7, 9};
        int[] pooledDims = {2, 3, 3, 4, 5};
        double[] x = ties(55, 2 * 3 * 6 * 7 * 9, -1, 0, 1);
        double[] z = values(56, 2 * 3 * 3 * 4 * 5, -1, 1);
        double[] g = values(57, 2 * 3 * 6 * 7 * 9, -1, 1);
        assertParity("maxPool3d dilated (2, 3, 2) and (3, 2, 1) with indices, maxUnpool3d of z " + dtype,
                new String[] {"dilated pooled", "dilated indices", "pooled", "indices", "unpooled", "gradient of z"},
                Tolerance.EXACT, b -> {
                    Tensor in = tensor(b, dtype, x, volume);
                    F.MaxPoolOutput dilated = F.maxPool3dWithIndices(in, new int[] {2, 3, 2}, new int[] {1, 2, 2},
                            new int[] {1, 1, 0}, new int[] {2, 1, 3}, true);
                    int[] k = {3};
                    int[] s = {2};
                    int[] p = {1};
                    F.MaxPoolOutput pooled = F.maxPool3dWithIndices(in, k, s, p, null, false);
                    Tensor source = tensor(b, dtype, z, pooledDims).requiresGrad(true);
                    Tensor unpooled = F.maxUnpool3d(source, pooled.indices(), k, s, p, new int[] {6, 7, 9});
                    assertSame(b, unpooled.backend(), "the result must be on the backend of its input");
                    unpooled.backward(tensor(b, dtype, g, volume));
                    return new Tensor[] {dilated.output(), dilated.indices(), pooled.output(), pooled.indices(),
                        unpooled, source.grad()};
                });
    }

    /**
     * Dilated {@link F#maxPool2dWithIndices} (per axis, strided, padded, in ceil mode) of tied maxima, and
     * {@link F#maxUnpool2d} of another tensor by its indices with the windows' span as its kernel, whose overlapping
     * windows repeat indices, so that the last value must stand, with the unpooling's gradient; and a dilated
     * {@link MaxPool1d}'s input gradient: composed of tap gathers and undilated poolings on each backend.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void dilatedMaxPoolIndicesAndUnpoolingMatchExactly(DType dtype) {
        int[] image = {2, 3, 9, 11};
        int[] pooledDims = {2, 3, 4, 4};
        double[] x = ties(59, 2 * 3 * 9 * 11, -1, 0, 1);
        double[] z = values(60, 2 * 3 * 4 * 4, -1, 1);
        double[] g = values(61, 2 * 3 * 9 * 11, -1, 1);
        assertParity("maxPool2d (3, 2, 1) dilated (2, 3) in ceil mode with indices, maxUnpool2d (5, 7) of z " + dtype,
                new String[] {"pooled", "indices", "unpooled", "gradient of z"}, Tolerance.EXACT, b -> {
                    F.MaxPoolOutput pooled = F.maxPool2dWithIndices(tensor(b, dtype, x, image), new int[] {3},
                            new int[] {2}, new int[] {1}, new int[] {2, 3}, true);
                    Tensor source = tensor(b, dtype, z, pooledDims).requiresGrad(true);
                    Tensor unpooled = F.maxUnpool2d(source, pooled.indices(), new int[] {5, 7}, new int[] {2},
                            new int[] {1}, new int[] {9, 11});
                    assertSame(b, unpooled.backend(), "the result must be on the backend of its input");
                    unpooled.backward(tensor(b, dtype, g, image));
                    return new Tensor[] {pooled.output(), pooled.indices(), unpooled, source.grad()};
                });
        double[] row = values(62, 3 * 4 * 29, -1, 1);
        withInputGradient("MaxPool1d(3, 2, 1, dilation 2, ceil) " + dtype, dtype, row, new int[] {3, 4, 29},
                t -> new MaxPool1d(3, 2, 1, 2, true).forward(t));
    }

    /** {@link MaxPool1d#forwardWithIndices} in ceil mode and {@link MaxUnpool1d} back to the input's length. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxUnpool1dToTheInputLengthMatchesExactly(DType dtype) {
        double[] x = ties(54, 4 * 5 * 30, -1, 0, 1);
        assertParity("MaxPool1d(4, 3, 0, ceil) with indices, MaxUnpool1d(4, 3) to 30 " + dtype, Tolerance.EXACT,
                on(dtype, x, new int[] {4, 5, 30}, t -> {
                    F.MaxPoolOutput pooled = new MaxPool1d(4, 3, 0, true).forwardWithIndices(t);
                    return new MaxUnpool1d(4, 3).forward(pooled.output(), pooled.indices(), 30);
                }));
    }

    /**
     * {@link F#maxPool1dWithIndices} of an unbatched input of tied maxima (dilated, padded, in ceil mode) and
     * {@link F#avgPool1d} without padding in its divisor, with its input gradient: the 2-D poolings of a height-1 view.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void functionalOneDimensionalPoolingsMatchTheCpu(DType dtype) {
        double[] x = ties(63, 5 * 31, -1, 0, 1);
        assertParity("F.maxPool1dWithIndices(3, 2, 1, dilation 2, ceil) of [5, 31] " + dtype,
                new String[] {"values", "indices"}, Tolerance.EXACT, b -> {
                    F.MaxPoolOutput pooled = F.maxPool1dWithIndices(tensor(b, dtype, x, new int[] {5, 31}), 3, 2, 1,
                            2, true);
                    assertSame(b, pooled.output().backend(), "the result must be on the backend of its input");
                    return new Tensor[] {pooled.output(), pooled.indices()};
                });
        double[] row = values(64, 3 * 4 * 29, -1, 1);
        withInputGradient("F.avgPool1d(4, 3, 2, ceil, count_include_pad=False) " + dtype, dtype, row,
                new int[] {3, 4, 29}, t -> F.avgPool1d(t, 4, 3, 2, true, false));
    }

    /**
     * The 1-D adaptive poolings (uneven windows) and the power-mean poolings with their input gradients, LPPool2d
     * in ceil mode and with windows of zeros, whose gradient must be 0 on both backends.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void adaptiveAndPowerMeanPoolingsMatchTheCpu(DType dtype) {
        double[] row = values(55, 3 * 4 * 37, -1, 1);
        int[] rowDims = {3, 4, 37};
        assertParity("AdaptiveMaxPool1d(10) " + dtype, Tolerance.EXACT,
                on(dtype, row, rowDims, t -> new AdaptiveMaxPool1d(10).forward(t)));
        assertParity("AdaptiveAvgPool1d(10) " + dtype, sums(dtype),
                on(dtype, row, rowDims, t -> new AdaptiveAvgPool1d(10).forward(t)));
        double[] image = values(56, 2 * 3 * 9 * 9, -1, 1);
        // The first plane's top-left 2 x 2 window all zeros.
        image[0] = image[1] = image[9] = image[10] = 0;
        int[] imageDims = {2, 3, 9, 9};
        withInputGradient("LPPool2d(2, 3, 2, ceil) " + dtype, dtype, image, imageDims,
                t -> new LPPool2d(2, 3, 2, true).forward(t));
        withInputGradient("LPPool2d(2, 2) with a window of zeros " + dtype, dtype, image, imageDims,
                t -> new LPPool2d(2, 2).forward(t));
        withInputGradient("LPPool1d(1.5, 3) of |x| " + dtype, dtype, row, rowDims,
                t -> new LPPool1d(1.5, 3).forward(t.abs()));
    }

    /**
     * Upsampling to an uneven size, nearest (an index made on the host) and bilinear (interpolation matrices made on
     * the host), with input gradients: the host-made tensors must go to the input's backend.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void upsamplingToAnUnevenSizeMatchesTheCpu(DType dtype) {
        double[] image = values(58, 2 * 3 * 7 * 9, -1, 1);
        int[] imageDims = {2, 3, 7, 9};
        withInputGradient("Upsample.toSize(10, 20, nearest) " + dtype, dtype, image, imageDims,
                t -> Upsample.toSize(10, 20, "nearest", false).forward(t));
        withInputGradient("Upsample.toSize(10, 20, bilinear) " + dtype, dtype, image, imageDims,
                t -> Upsample.toSize(10, 20, "bilinear", false).forward(t));
    }

    /**
     * F.interpolate in every mode by fractional factors per axis (and with aligned corners where a mode takes them),
     * and bicubic with antialias: the nearest modes' host-made index and the other modes' host-made matrices must go
     * to the input's backend.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void interpolationInEveryModeMatchesTheCpu(DType dtype) {
        int[][] dims = {{2, 3, 11}, {2, 3, 7, 9}, {1, 2, 4, 5, 6}};
        for (InterpolationMode mode : InterpolationMode.values()) {
            int[] d = Arrays.stream(dims).filter(candidate -> mode.takesRank(candidate.length)).findFirst().orElseThrow();
            double[] factors = Arrays.copyOf(new double[] {1.7, 0.6, 2.5}, d.length - 2);
            withInputGradient("interpolate " + mode.pytorchName() + " by " + Arrays.toString(factors) + " " + dtype,
                    dtype, values(59, Arrays.stream(d).reduce(1, (a, b) -> a * b), -1, 1), d,
                    t -> F.interpolate(t, factors, mode, mode.alignsCorners()));
        }
        withInputGradient("interpolate bicubic antialias by [0.4, 1.6] " + dtype, dtype, values(60, 2 * 3 * 7 * 9, -1, 1),
                new int[] {2, 3, 7, 9},
                t -> F.interpolate(t, null, new double[] {0.4, 1.6}, InterpolationMode.BICUBIC, false, false, true));
    }

    /**
     * An affine warp ({@link F#affineGrid} then bilinear {@link F#gridSample}) reaching outside the input, in zeros and
     * reflection padding, with the gradients of the input and of theta: the gathers at indices computed on the device
     * and the base grid uploaded from the host must stay on the input's backend.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void affineWarpsByGridSamplingMatchTheCpu(DType dtype) {
        for (GridSamplePadding padding : List.of(GridSamplePadding.ZEROS, GridSamplePadding.REFLECTION)) {
            assertParity("gridSample(affineGrid) " + padding + " " + dtype,
                    new String[] {"output", "input gradient", "theta gradient"}, sums(dtype), b -> {
                        Tensor x = tensor(b, dtype, values(95, 2 * 3 * 7 * 9, -1, 1), 2, 3, 7, 9).requiresGrad(true);
                        Tensor theta = tensor(b, dtype, values(96, 12, -1.5, 1.5), 2, 2, 3).requiresGrad(true);
                        Tensor y = F.gridSample(x, F.affineGrid(theta, new int[] {2, 3, 5, 6}, false),
                                GridSampleMode.BILINEAR, padding, false);
                        assertSame(b, y.backend(), "the result must be on the backend of its input");
                        y.backward(tensor(b, dtype, values(97, (int) y.size(), -1, 1), y.shape().dims()));
                        return new Tensor[] {y, x.grad(), theta.grad()};
                    });
        }
    }

    /**
     * MultiHeadAttention's self-attention input projection as it composes it: x [2, 5, 8] times a packed [24, 8] weight
     * plus bias in one linear, [2, 5, 3, 2, 4] permuted to [3, 2, 2, 5, 4] and split into queries, keys and values by
     * narrowing the leading axis; then the gradients of x, weight and bias through the three views, whose gradients
     * the backward pass writes into their slices of the projection's. Sums of 8 and 10 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void thePackedAttentionProjectionSplitIntoQueriesKeysAndValuesMatchesTheCpu(DType dtype) {
        String[] names = {"queries", "keys", "values", "input gradient", "weight gradient", "bias gradient"};
        assertParity("packed q, k, v projection " + dtype, names, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, values(80, 2 * 5 * 8, -1, 1), 2, 5, 8).requiresGrad(true);
            Tensor weight = tensor(b, dtype, values(81, 24 * 8, -0.5, 0.5), 24, 8).requiresGrad(true);
            Tensor bias = tensor(b, dtype, values(82, 24, -0.5, 0.5), 24).requiresGrad(true);
            Tensor split = F.linear(x.reshape(10, 8), weight, bias).reshape(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4);
            Tensor[] parts = new Tensor[3];
            Tensor loss = null;
            for (int p = 0; p < 3; p++) {
                parts[p] = split.narrow(0, p, 1).reshape(2, 2, 5, 4);
                Tensor term = parts[p].mul(tensor(b, dtype, values(83 + p, 80, -1, 1), 2, 2, 5, 4)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            assertSame(b, loss.backend(), "the result must be on the backend of its inputs");
            loss.backward();
            return new Tensor[] {parts[0], parts[1], parts[2], x.grad(), weight.grad(), bias.grad()};
        });
    }

    /**
     * The gradient of x [4, 6, 5] through views narrowed from it, as the backward pass gathers them into slices of
     * x's gradient: a split along the middle axis with its middle piece unused (zeroed through a copy of zeros), a
     * leading-axis split with one piece unused (zeroed through a view), overlapping narrows along the leading axis
     * (summed in place through a view) and the last (summed through a copy of the slice), and x itself. Each element
     * sums at most four products: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gradientsGatheredFromViewsIntoSlicesMatchTheCpu(DType dtype) {
        assertParity("views of x [4, 6, 5] " + dtype, new String[] {"inner split", "leading split", "overlaps"},
                sums(dtype), b -> {
                    Tensor[] grads = new Tensor[3];
                    for (int k = 0; k < 3; k++) {
                        Tensor x = tensor(b, dtype, values(90, 120, -1, 1), 4, 6, 5).requiresGrad(true);
                        Tensor[] views = switch (k) {
                            case 0 -> pieces(x.split(1, 2, 1, 3), 0, 2);
                            case 1 -> pieces(x.split(0, 1, 2, 1), 2, 0);
                            default -> new Tensor[] {x.narrow(0, 0, 3), x.narrow(0, 1, 2), x.narrow(2, 1, 3),
                                    x.narrow(2, 2, 3), x};
                        };
                        Tensor loss = null;
                        for (int i = 0; i < views.length; i++) {
                            Tensor v = views[i];
                            Tensor weights = tensor(b, dtype, values(91 + i, (int) v.size(), -1, 1), v.shape().dims());
                            Tensor term = v.mul(weights).sum();
                            loss = loss == null ? term : loss.add(term);
                        }
                        loss.backward();
                        grads[k] = x.grad();
                    }
                    return grads;
                });
    }

    /**
     * WGAN-GP's critic loss ({@link WganGpLoss}) as it composes it on the critic's backend: the images between real
     * and generated ones at eps per image, the critic's input gradient recorded through the convolutions and layer
     * norm (GroupNorm(1, 4), as Dcgan's critic), its norms' squared distance from 1, the Wasserstein estimate, and the
     * critic's weight gradients through that penalty (a double backward pass). F64 only: the second derivatives in F32
     * would need a tolerance no device run has measured yet; F64 takes the tolerance of sums.
     */
    @Test
    void theWganGpCriticLossAndItsGradientsThroughThePenaltyMatchTheCpu() {
        String[] names = {"loss", "Wasserstein estimate", "gradient penalty", "first conv's gradient",
                "second conv's gradient", "last conv's gradient"};
        assertParity("WGAN-GP critic loss F64", names, SUMS_F64, b -> {
            Tensor w1 = tensor(b, DType.F64, values(100, 4 * 1 * 4 * 4, -0.3, 0.3), 4, 1, 4, 4).requiresGrad(true);
            Tensor w2 = tensor(b, DType.F64, values(101, 4 * 4 * 4 * 4, -0.3, 0.3), 4, 4, 4, 4).requiresGrad(true);
            Tensor w3 = tensor(b, DType.F64, values(102, 4 * 2 * 2, -0.3, 0.3), 1, 4, 2, 2).requiresGrad(true);
            Module critic = new Module() {
                private final GroupNorm layerNorm = new GroupNorm(1, 4, 1e-5, false);

                @Override
                public Tensor forward(Tensor x) {
                    Tensor h = F.conv2d(x, w1, null, 2, 1).leakyRelu(0.2);
                    h = layerNorm.forward(F.conv2d(h, w2, null, 2, 1)).leakyRelu(0.2);
                    return F.conv2d(h, w3, null, 1, 0).flatten(1);
                }
            };
            Tensor real = tensor(b, DType.F64, values(103, 3 * 8 * 8, -1, 1), 3, 1, 8, 8);
            Tensor fake = tensor(b, DType.F64, values(104, 3 * 8 * 8, -1, 1), 3, 1, 8, 8);
            Tensor eps = tensor(b, DType.F64, values(105, 3, 0, 1), 3);
            DiscriminatorLoss d = new WganGpLoss().discriminatorLoss(critic, real, fake, eps);
            assertSame(b, d.loss().backend(), "the result must be on the backend of its inputs");
            d.loss().backward();
            return new Tensor[] {d.loss(), d.terms().get(WganGpLoss.WASSERSTEIN), d.terms().get(WganGpLoss.PENALTY),
                    w1.grad(), w2.grad(), w3.grad()};
        });
    }

    /**
     * A gradient penalty through whole recurrent sequences inside a checkpoint (an LSTM with lengths and initial
     * states, then a reverse GRU with its hidden bias), whose recorded backward pass recomputes the segment and each
     * sequence step by step in recorded ops on the backend under test, where the ordinary pass runs the fused cells,
     * and the gradients through that penalty (a double backward pass). F64 only, as WGAN-GP's critic loss, with the
     * tolerance of sums.
     */
    @Test
    void aGradientPenaltyThroughCheckpointedLstmAndGruSequencesMatchesTheCpu() {
        String[] names = {"penalty", "input gradient", "LSTM weightIh gradient", "LSTM weightHh gradient",
                "GRU weightHh gradient", "GRU biasHh gradient"};
        assertParity("gradient penalty through recurrent sequences F64", names, SUMS_F64, b -> {
            Tensor x = tensor(b, DType.F64, values(110, 4 * 3 * 2, -1, 1), 4, 3, 2).requiresGrad(true);
            Tensor lstmIh = tensor(b, DType.F64, values(111, 12 * 2, -0.6, 0.6), 12, 2).requiresGrad(true);
            Tensor lstmHh = tensor(b, DType.F64, values(112, 12 * 3, -0.6, 0.6), 12, 3).requiresGrad(true);
            Tensor state = tensor(b, DType.F64, values(113, 3 * 3, -0.5, 0.5), 3, 3);
            Tensor gruIh = tensor(b, DType.F64, values(114, 9 * 3, -0.6, 0.6), 9, 3);
            Tensor gruHh = tensor(b, DType.F64, values(115, 9 * 3, -0.6, 0.6), 9, 3).requiresGrad(true);
            Tensor gruBias = tensor(b, DType.F64, values(116, 9, -0.5, 0.5), 9).requiresGrad(true);
            int[] lengths = {4, 3, 1};
            Tensor score = Checkpoint.apply(in -> {
                Tensor gates = F.linear(in.reshape(12, 2), lstmIh, null).reshape(4, 3, 12);
                Tensor h = F.lstmSequence(gates, state, state, lstmHh, lengths, false).output().reshape(12, 3);
                return F.gruSequence(F.linear(h, gruIh, null).reshape(4, 3, 9), null, gruHh, gruBias, lengths, true)
                        .h();
            }, x);
            Tensor g = Autograd.grad(List.of(score), List.of(x), List.of(score.fullLike(1)),
                    GradOptions.DEFAULT.withCreateGraph()).get(0);
            Tensor penalty = g.norm(2, new int[] {0, 2}, false).sub(1).square().mean();
            assertSame(b, penalty.backend(), "the result must be on the backend of its inputs");
            List<Tensor> grads = Autograd.grad(penalty, List.of(x, lstmIh, lstmHh, gruHh, gruBias));
            return new Tensor[] {penalty, grads.get(0), grads.get(1), grads.get(2), grads.get(3), grads.get(4)};
        });
    }

    private static Tensor[] pieces(List<Tensor> pieces, int... keep) {
        Tensor[] kept = new Tensor[keep.length];
        for (int i = 0; i < keep.length; i++) {
            kept[i] = pieces.get(keep[i]);
        }
        return kept;
    }

    /** The output of {@code layer} and the gradient of its input for a weighted sum of the output, on both backends. */
    private static void withInputGradient(String what, DType dtype, double[] values, int[] dims,
                                          UnaryOperator<Tensor> layer) {
        assertParity(what, new String[] {"output", "input gradient"}, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, values, dims).requiresGrad(true);
            Tensor y = layer.apply(x);
            assertSame(b, y.backend(), "the result must be on the backend of its input");
            y.backward(tensor(b, dtype, values(57, (int) y.size(), -1, 1), y.shape().dims()));
            return new Tensor[] {y, x.grad()};
        });
    }

    @Test
    void aChainOfSelectionsMatchesExactly() {
        double[] x = values(46, 6 * 8, -2, 2);
        assertParity("clamp(tril(pad(flip(x)))) F32", Tolerance.EXACT, on(DType.F32, x, new int[] {6, 8},
                t -> F.pad(t.flip(1), 2, 1, -1, 3).tril(1).clamp(-1, 1)));
    }

    /**
     * Diagonals read and embedded, quarter turns, repeats (a repeat-interleave index made on the host), moved axes and
     * differences of x [4, 5, 6], each with its input gradient; then outer, kron, tensordot and cross products with both
     * inputs' gradients. Each element sums at most a few products: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void diagonalsTurnsRepeatsProductsAndDifferencesMatchTheCpu(DType dtype) {
        double[] x = values(120, 4 * 5 * 6, -1, 1);
        int[] dims = {4, 5, 6};
        List<UnaryOperator<Tensor>> ops = List.of(t -> t.diagonal(1, 0, 2), t -> t.diagEmbed(-1, 0, 3),
                t -> t.rot90(1, 2, 0), t -> t.repeat(2, 1, 1, 2), t -> t.tile(3), t -> t.repeatInterleave(2, 1),
                t -> t.repeatInterleave(tensor(t.backend(), DType.I64, new double[] {2, 0, 1, 3}, 4), 0),
                t -> t.movedim(new int[] {0, 2}, new int[] {1, 0}), t -> t.diff(2, 2, null, t.narrow(2, 0, 1)));
        for (int i = 0; i < ops.size(); i++) {
            withInputGradient("shape op " + i + " " + dtype, dtype, x, dims, ops.get(i));
        }
        String[] names = {"outer", "kron", "tensordot", "cross", "a gradient", "b gradient"};
        assertParity("outer, kron, tensordot, cross " + dtype, names, sums(dtype), b -> {
            Tensor a = tensor(b, dtype, values(121, 4 * 3, -1, 1), 4, 3).requiresGrad(true);
            Tensor c = tensor(b, dtype, values(122, 3 * 3, -1, 1), 3, 3).requiresGrad(true);
            Tensor[] out = {a.reshape(12).outer(c.reshape(9)), a.kron(c), F.tensordot(a, c, new int[] {1},
                    new int[] {1}), a.cross(c.narrow(0, 0, 1), 1)};
            Tensor loss = null;
            for (int k = 0; k < out.length; k++) {
                Tensor term = out[k].mul(tensor(b, dtype, values(123 + k, (int) out[k].size(), -1, 1),
                        out[k].shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            assertSame(b, loss.backend(), "the result must be on the backend of its inputs");
            loss.backward();
            return new Tensor[] {out[0], out[1], out[2], out[3], a.grad(), c.grad()};
        });
    }

    /**
     * takeAlongDim with broadcast indices, maskedSelect by a comparison (read on the host), nonzero, any, all and
     * countNonzero, amax and amin over two axes on ties (their gradients split evenly), and nansum and nanmean with
     * NaNs, with the input gradients: selections and counts must match exactly, the sums take the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void selectionsCountsAndReductionsOverAxesMatchTheCpu(DType dtype) {
        double[] x = tiesAndNaN();
        double[] finite = ties(125, N, -1, -0.5, 0, 0.5, 1);
        assertParity("nonzero, any, all, countNonzero " + dtype, new String[] {"nonzero", "any", "all", "count"},
                Tolerance.EXACT, b -> {
                    Tensor t = tensor(b, dtype, x, DIMS);
                    return new Tensor[] {t.nonzero(), t.any(1, false), t.all(2, true), t.countNonzero(0, 2)};
                });
        String[] names = {"takeAlongDim", "maskedSelect", "amax", "amin", "gradient"};
        assertParity("takeAlongDim, maskedSelect, amax, amin " + dtype, names, sums(dtype), b -> {
            Tensor t = tensor(b, dtype, finite, DIMS).requiresGrad(true);
            Tensor index = tensor(b, DType.I64, ties(126, 7 * 4, 0, 3, 8), 7, 1, 4);
            Tensor[] out = {t.takeAlongDim(index, 2), t.maskedSelect(t.gt(0)), t.amax(new int[] {0, 2}, false),
                    t.amin(new int[] {1, 2}, true)};
            Tensor loss = null;
            for (int k = 0; k < out.length; k++) {
                Tensor term = out[k].mul(tensor(b, dtype, values(127 + k, (int) out[k].size(), -1, 1),
                        out[k].shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            assertSame(b, loss.backend(), "the result must be on the backend of its input");
            return new Tensor[] {out[0], out[1], out[2], out[3], t.grad()};
        });
        assertParity("nansum and nanmean " + dtype, sums(dtype), on(dtype, x, DIMS,
                t -> t.nansum(new int[] {1}, false).add(t.nanmean(new int[] {1, 2}, true))));
        withInputGradient("nanmean gradient " + dtype, dtype, x, DIMS, t -> t.nanmean(new int[] {0, 1}, true));
    }

    /**
     * The element-wise math composed in the engine (lerp with a tensor weight, addcmul, addcdiv, hypot, logaddexp,
     * logaddexp2, xlogy, copysign, heaviside, logit with eps, sinc, F.logSigmoid) on broadcast operands, and the
     * gradients of their weighted sum: each gradient sums the terms of up to ten ops, the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pointwiseMathAndItsGradientsMatchTheCpu(DType dtype) {
        String[] names = {"lerp", "addcmul", "addcdiv", "hypot", "logaddexp", "logaddexp2", "xlogy", "copysign",
            "heaviside", "logit", "sinc", "logSigmoid", "a gradient", "b gradient", "p gradient"};
        assertParity("pointwise math of a [7, 300, 9], b [300, 1], p [9] " + dtype, names, sums(dtype), bk -> {
            Tensor a = tensor(bk, dtype, values(120, N, -2, 2), DIMS).requiresGrad(true);
            Tensor b = tensor(bk, dtype, values(121, 300, -2, 2), 300, 1).requiresGrad(true);
            Tensor p = tensor(bk, dtype, values(122, 9, 0.05, 0.95), 9).requiresGrad(true);
            Tensor[] results = {a.lerp(b, p), a.addcmul(b, p, 0.5), a.addcdiv(b, p, -1.5), a.hypot(b), a.logaddexp(b),
                a.logaddexp2(b), p.xlogy(a.abs()), a.copysign(b), a.heaviside(p.fullLike(0.5)), a.logit(0.1), a.sinc(),
                F.logSigmoid(a.mul(10))};
            Tensor loss = null;
            for (int k = 0; k < results.length; k++) {
                if (results[k].requiresGrad()) {
                    Tensor r = results[k];
                    Tensor term = r.mul(tensor(bk, dtype, values(123 + k, (int) r.size(), -1, 1), r.shape().dims()))
                            .sum();
                    loss = loss == null ? term : loss.add(term);
                }
            }
            assertSame(bk, loss.backend(), "the result must be on the backend of its inputs");
            loss.backward();
            Tensor[] all = Arrays.copyOf(results, results.length + 3);
            all[results.length] = a.grad();
            all[results.length + 1] = b.grad();
            all[results.length + 2] = p.grad();
            return all;
        });
    }

    /**
     * lgamma, digamma and trigamma on both sides of 0 (their reflection formulas, with sin and tan of the fractional
     * part), polygamma(2) and erfinv (Newton's steps on erf and erfc), with the gradient of their weighted sum: the
     * shift's sums of ten terms and the series, the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void specialFunctionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"lgamma", "digamma", "polygamma(1)", "polygamma(2)", "erfinv", "x gradient", "u gradient"};
        assertParity("special functions of x [7, 300, 9] in (-5, 40), u in (-0.999, 0.999) " + dtype, names,
                sums(dtype), bk -> {
                    Tensor x = tensor(bk, dtype, values(130, N, -5, 40), DIMS).requiresGrad(true);
                    Tensor u = tensor(bk, dtype, values(131, N, -0.999, 0.999), DIMS).requiresGrad(true);
                    Tensor positive = x.abs().add(0.5);
                    Tensor[] results = {x.lgamma(), x.digamma(), x.polygamma(1), positive.polygamma(2), u.erfinv()};
                    Tensor loss = null;
                    for (int k = 0; k < results.length; k++) {
                        Tensor term = results[k].mul(tensor(bk, dtype, values(132 + k, N, -1, 1), DIMS)).sum();
                        loss = loss == null ? term : loss.add(term);
                    }
                    assertSame(bk, loss.backend(), "the result must be on the backend of its inputs");
                    loss.backward();
                    Tensor[] all = Arrays.copyOf(results, results.length + 2);
                    all[results.length] = x.grad();
                    all[results.length + 1] = u.grad();
                    return all;
                });
    }

    /**
     * cummax and cummin along each axis on ties and NaN (their values and I64 indices must match exactly: the scans
     * compare and select, rounding nothing, and the later of tied values and the latest NaN must win on both), and
     * logcumsumexp along the long axis with its gradient (a scan of 300 in log2 steps, the tolerance of sums).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void runningExtremaAndLogCumSumExpMatchTheCpu(DType dtype) {
        double[] x = tiesAndNaN();
        for (int axis = 0; axis < 3; axis++) {
            int a = axis;
            assertParityWithNaN("cummax values axis " + a + " " + dtype, Tolerance.EXACT,
                    on(dtype, x, DIMS, t -> t.cummax(a).values()));
            assertParity("cummax indices axis " + a + " " + dtype, Tolerance.EXACT,
                    on(dtype, x, DIMS, t -> t.cummax(a).indices()));
            assertParity("cummin indices axis " + a + " " + dtype, Tolerance.EXACT,
                    on(dtype, x, DIMS, t -> t.cummin(a).indices()));
        }
        withInputGradient("logcumsumexp axis 1 " + dtype, dtype, values(140, N, -20, 20), DIMS, t -> t.logcumsumexp(1));
    }

    /**
     * searchsorted of ties and NaN in each row of a sorted [7, 300] (left and right) and in one sorted row of 41, and
     * bucketize: the binary search's gathers and comparisons round nothing and must match exactly.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void searchsortedAndBucketizeMatchExactly(DType dtype) {
        double[] x = tiesAndNaN();
        double[] sorted = Arrays.stream(values(150, 7 * 300, -1, 1)).map(v -> Math.round(v * 4) / 4.0).toArray();
        for (boolean right : new boolean[] {false, true}) {
            assertParity("searchsorted rows right=" + right + " " + dtype, Tolerance.EXACT, bk -> Tensor.searchsorted(
                    tensor(bk, dtype, sorted, 7, 300).sort(1, false).values(),
                    tensor(bk, dtype, x, 7, 2700), right));
            assertParity("bucketize right=" + right + " " + dtype, Tolerance.EXACT, bk -> tensor(bk, dtype, x, DIMS)
                    .bucketize(tensor(bk, dtype, sorted, 7 * 300).narrow(0, 0, 41).sort(0, false).values(), right));
        }
    }

    /**
     * quantile and nanquantile in each interpolation mode along the long axis of ties and NaN, with the gradient they
     * route back through the sort: selections and one blend of two elements, exact but for the blend's rounding (the
     * tolerance of sums).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void quantilesInEveryModeMatchTheCpu(DType dtype) {
        double[] x = tiesAndNaN();
        for (dev.kiln.engine.QuantileInterpolation mode : dev.kiln.engine.QuantileInterpolation.values()) {
            withInputGradient("nanquantile 0.3 " + mode + " " + dtype, dtype, x, DIMS,
                    t -> t.nanquantile(0.3, 1, false, mode));
            assertParityWithNaN("quantile 0.7 " + mode + " " + dtype, sums(dtype),
                    on(dtype, x, DIMS, t -> t.quantile(0.7, 1, true, mode)));
        }
    }

    /** bincount of ties with and without weights, and histc over a range and over the data's: sums of ones, exact. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bincountAndHistcMatchTheCpu(DType dtype) {
        double[] x = values(160, N, -1, 1);
        double[] counted = ties(161, N, 0, 3, 7, 12, 40);
        assertParity("bincount " + dtype, Tolerance.EXACT, bk -> tensor(bk, DType.I64, counted, N).bincount(50));
        assertParity("bincount weighted " + dtype, sums(dtype),
                bk -> tensor(bk, DType.I64, counted, N).bincount(tensor(bk, dtype, x, N), 0));
        assertParity("histc 17 bins in [-0.5, 0.8] " + dtype, Tolerance.EXACT,
                on(dtype, x, DIMS, t -> t.histc(17, -0.5, 0.8)));
        assertParity("histc 9 bins of the data's range " + dtype, Tolerance.EXACT,
                on(dtype, x, DIMS, t -> t.histc(9, 0, 0)));
    }

    /** unique and uniqueConsecutive of ties, with their inverse and counts: selections, exact. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void uniqueValuesTheirInverseAndCountsMatchExactly(DType dtype) {
        double[] x = ties(170, N, -1, -0.5, 0, 0.5, 1, 7);
        String[] names = {"values", "inverse", "counts", "consecutive values", "consecutive inverse",
            "consecutive counts"};
        assertParity("unique of ties " + dtype, names, Tolerance.EXACT, bk -> {
            Tensor t = tensor(bk, dtype, x, DIMS);
            dev.kiln.engine.UniqueValues u = t.unique(true, true);
            dev.kiln.engine.UniqueValues c = t.transpose(0, 2).uniqueConsecutive(true, true);
            assertSame(bk, u.values().backend(), "the result must be on the backend of its input");
            return new Tensor[] {u.values(), u.inverse(), u.counts(), c.values(), c.inverse(), c.counts()};
        });
    }

    /**
     * Softmax2d, ZeroPad1d and ZeroPad3d (cropping on one side) of a [2, 3, 4, 5] input, RnnUtils.padSequence of three
     * sequences both ways, F.scaledDotProductAttention of [2, 2, 3, 4] queries with [2, 2, 5, *] keys and values
     * (plain, causal, with an integer mask of allowed keys and with a float mask, whose gradient is compared too), and
     * F.gumbelSoftmax soft and hard from one seed on both backends (their counter-based streams draw the same noise):
     * outputs and every input's gradient of a weighted sum. Softmaxes and sums of at most 5 terms: the tolerance of
     * sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softmax2dZeroPadsPadSequenceAttentionAndGumbelSoftmaxMatchTheCpu(DType dtype) {
        int[] dims = {2, 3, 4, 5};
        double[] x = layerInputs(180, 2 * 3 * 4 * 5);
        for (Module m : new Module[] {new dev.kiln.nn.Softmax2d(), new dev.kiln.nn.ZeroPad1d(new int[] {2, -1}),
                new dev.kiln.nn.ZeroPad3d(new int[] {1, 0, 2, -1, 0, 1})}) {
            withInputGradient(m + " " + dtype, dtype, x, dims, m::forward);
        }
        for (boolean batchFirst : new boolean[] {false, true}) {
            assertParity("padSequence batchFirst=" + batchFirst + " " + dtype,
                    new String[] {"output", "gradient of a", "gradient of b", "gradient of c"}, sums(dtype), b -> {
                        Tensor[] seqs = {tensor(b, dtype, values(181, 12, -1, 1), 3, 4).requiresGrad(true),
                            tensor(b, dtype, values(182, 4, -1, 1), 1, 4).requiresGrad(true),
                            tensor(b, dtype, values(183, 20, -1, 1), 5, 4).requiresGrad(true)};
                        Tensor y = dev.kiln.nn.RnnUtils.padSequence(List.of(seqs), batchFirst, -0.5);
                        assertSame(b, y.backend(), "the result must be on the backend of its inputs");
                        y.backward(tensor(b, dtype, values(184, (int) y.size(), -1, 1), y.shape().dims()));
                        return new Tensor[] {y, seqs[0].grad(), seqs[1].grad(), seqs[2].grad()};
                    });
        }
        for (String mask : new String[] {"none", "causal", "allowed keys", "float"}) {
            assertParity("scaledDotProductAttention, mask " + mask + " " + dtype,
                    new String[] {"output", "query gradient", "key gradient", "value gradient", "mask gradient"},
                    sums(dtype), b -> attention(b, dtype, mask));
        }
        for (boolean hard : new boolean[] {false, true}) {
            withInputGradient("gumbelSoftmax hard=" + hard + " " + dtype, dtype, x, dims, in -> {
                Engine.seed(185);
                return F.gumbelSoftmax(in, 0.7, hard, 1);
            });
        }
    }

    /** F.scaledDotProductAttention on {@code b} with {@code mask}, then the output and the gradients of a weighted sum. */
    private static Tensor[] attention(Backend b, DType dtype, String mask) {
        Tensor q = tensor(b, dtype, values(186, 48, -1, 1), 2, 2, 3, 4).requiresGrad(true);
        Tensor k = tensor(b, dtype, values(187, 80, -1, 1), 2, 2, 5, 4).requiresGrad(true);
        Tensor v = tensor(b, dtype, values(188, 60, -1, 1), 2, 2, 5, 3).requiresGrad(true);
        Tensor floatMask = tensor(b, dtype, values(189, 15, -2, 2), 3, 5).requiresGrad(true);
        Tensor attnMask = switch (mask) {
            case "allowed keys" -> indices(b, DType.I64, new long[] {1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0}, 3, 5);
            case "float" -> floatMask;
            default -> null;
        };
        Tensor y = F.scaledDotProductAttention(q, k, v, attnMask, 0, mask.equals("causal"));
        assertSame(b, y.backend(), "the result must be on the backend of its inputs");
        y.backward(tensor(b, dtype, values(190, (int) y.size(), -1, 1), y.shape().dims()));
        Tensor maskGradient = floatMask.grad() == null ? floatMask.fullLike(0) : floatMask.grad();
        return new Tensor[] {y, q.grad(), k.grad(), v.grad(), maskGradient};
    }

    /**
     * The simplex and matrix families of the models module, composed of Tensor ops: LogisticNormal's log-probability
     * and reparameterised draws (stick-breaking), the correlation-Cholesky transform and its log-det, LKJCholesky's
     * log-probability (d = 4), Wishart's log-probability (a Cholesky solve and a log-determinant), entropy (multivariate
     * log-gamma and digamma) and Bartlett draws from the same seed (Chi2 rejection rounds deciding alike on both
     * backends), with the gradients of their parameters. Sums over at most 6 terms of 4 x 4 matrices: the tolerance of
     * sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void simplexAndMatrixDistributionsMatchTheCpu(DType dtype) {
        String[] names = {"LogisticNormal.logProb", "LogisticNormal.rsample", "CorrCholeskyTransform.forward",
            "CorrCholeskyTransform.logAbsDetJacobian", "LKJCholesky.logProb", "Wishart.logProb", "Wishart.entropy",
            "Wishart.rsample", "gradient of loc", "gradient of scale", "gradient of the concentration",
            "gradient of df", "gradient of the factor"};
        assertParity("simplex and matrix distributions " + dtype, names, sums(dtype), b -> {
            Tensor loc = random(b, dtype, 180, 64, 3).requiresGrad(true);
            Tensor scale = uniform(b, dtype, 181, 0.5, 2, 64, 3).requiresGrad(true);
            Tensor simplex = F.softmax(uniform(b, dtype, 182, -2, 2, 64, 4), -1);
            Tensor concentration = uniform(b, dtype, 183, 0.5, 3, 8).requiresGrad(true);
            Tensor df = uniform(b, dtype, 184, 4.5, 8, 8).requiresGrad(true);
            Tensor factor = tensor(b, dtype, lowerFactors(185, 8, 4), 8, 4, 4).requiresGrad(true);
            Tensor matrices = tensor(b, dtype, covariances(186, 8, 4), 8, 4, 4);
            Tensor x = uniform(b, dtype, 187, -2, 2, 8, 6).requiresGrad(true);
            var logisticNormal = new dev.kiln.distributions.LogisticNormal(loc, scale);
            var corr = new dev.kiln.distributions.transforms.CorrCholeskyTransform();
            var wishart = dev.kiln.distributions.Wishart.ofScaleTril(df, factor);
            Tensor factors = corr.forward(x);
            Engine.seed(188);
            Tensor simplexDraws = logisticNormal.rsample(2);
            Tensor wishartDraws = wishart.rsample(2);
            assertSame(b, wishartDraws.backend(), "Wishart.rsample must draw on the parameters' backend");
            assertSame(b, new dev.kiln.distributions.LKJCholesky(4, concentration).sample(2).backend(),
                    "LKJCholesky.sample must draw on the parameters' backend");
            Tensor[] results = {logisticNormal.logProb(simplex), simplexDraws, factors,
                corr.logAbsDetJacobian(x, factors),
                new dev.kiln.distributions.LKJCholesky(4, concentration).logProb(factors.detach()),
                wishart.logProb(matrices), wishart.entropy(), wishartDraws};
            backwardThroughWeightedSums(b, dtype, names, results, 190);
            return withGradientsOf(results, loc, scale, concentration, df, factor);
        });
    }

    /**
     * cdist by rows (p = 3) and by the matrix product (p = 2, 40 and 30 rows), pdist, cov, corrcoef, varMean and
     * nanmedian with the input's gradient, and mode of ties with its indices: sums and selections.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void distancesAndStatisticsMatchTheCpu(DType dtype) {
        double[] x = values(180, 40 * 6, -1, 1);
        int[] dims = {40, 6};
        withInputGradient("cdist p=2 by matrix product " + dtype, dtype, x, dims,
                t -> F.cdist(t, t.narrow(0, 5, 30).mul(0.5)));
        withInputGradient("cdist p=3 " + dtype, dtype, x, dims, t -> F.cdist(t.reshape(4, 10, 6), t.reshape(4, 10, 6)
                .narrow(1, 0, 7).flip(2), 3));
        withInputGradient("pdist " + dtype, dtype, x, dims, t -> F.pdist(t.narrow(0, 0, 12)));
        withInputGradient("cov " + dtype, dtype, x, dims, t -> t.cov());
        withInputGradient("corrcoef " + dtype, dtype, x, dims, t -> t.t().corrcoef());
        withInputGradient("varMean " + dtype, dtype, x, dims, t -> {
            dev.kiln.engine.VarMean r = t.varMean(new int[] {0}, 1, false);
            return r.var().add(r.mean());
        });
        withInputGradient("nanmedian " + dtype, dtype, x, dims, t -> t.nanmedian(0, false).values());
        double[] tied = ties(181, 40 * 6, -1, 0, 0.5, 2);
        assertParity("mode of ties " + dtype, new String[] {"values", "indices"}, Tolerance.EXACT, b -> {
            dev.kiln.engine.IndexedValues m = tensor(b, dtype, tied, 8, 30).mode(1, false);
            return new Tensor[] {m.values(), m.indices()};
        });
    }

    /**
     * blockDiag, vander, trapezoid and cumulativeTrapezoid (sample points and spacing) and renorm with the input's
     * gradient; histogram over a range and over given edges, with weights and density; triangle indices and
     * unravelIndex moved to the backend: sums, selections and exact counts.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void constructionsIntegralsAndHistogramsMatchTheCpu(DType dtype) {
        double[] x = values(190, 12 * 20, -1, 1);
        int[] dims = {12, 20};
        withInputGradient("blockDiag " + dtype, dtype, x, dims,
                t -> F.blockDiag(t.narrow(0, 0, 3), t.narrow(0, 3, 1).reshape(20), t.narrow(0, 4, 8)));
        withInputGradient("vander " + dtype, dtype, x, dims, t -> F.vander(t.reshape(240), 6, false));
        withInputGradient("trapezoid " + dtype, dtype, x, dims, t -> F.trapezoid(t, t.narrow(0, 0, 1).exp()
                .cumsum(1).reshape(20), 1).add(F.trapezoid(t, 0.25, 0).sum()));
        withInputGradient("cumulativeTrapezoid " + dtype, dtype, x, dims,
                t -> F.cumulativeTrapezoid(t, t.square(), 0).add(F.cumulativeTrapezoid(t, 1.5, 0)));
        withInputGradient("renorm " + dtype, dtype, x, dims, t -> t.renorm(2, 0, 1.5));
        double[] weights = values(191, 12 * 20, 0, 2);
        assertParity("histogram " + dtype, new String[] {"over a range", "edges", "over edges"}, sums(dtype), b -> {
            Tensor t = tensor(b, dtype, x, dims);
            dev.kiln.engine.Histogram h = F.histogram(t, 13, -0.8, 0.9, tensor(b, dtype, weights, dims), true);
            Tensor byEdges = F.histogram(t, h.binEdges().narrow(0, 2, 8), null, false).hist();
            return new Tensor[] {h.hist(), h.binEdges(), byEdges};
        });
        assertParity("indices on the backend", new String[] {"triu", "unravel"}, Tolerance.EXACT, b -> new Tensor[] {
            F.triuIndices(7, 9, -2).to(b), Tensor.stack(F.unravelIndex(tensor(b, DType.I64,
                    ties(192, 40, -5, 0, 17, 59, 60), 40), 3, 4, 5), 0)});
    }

    /**
     * Linalg's LU group (luFactor, lu, luSolve from the left and from the right with the transpose, invEx) on a batch
     * of 4 matrices {@code G + 4 I}, 12 x 12, and the gradients of G and the right-hand sides through a weighted sum
     * of all of them: compositions of the factorisation, triangular solves and row gathers.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void luFactorLuLuSolveAndInvExMatchTheCpu(DType dtype) {
        String[] names = {"LU", "P", "L", "U", "luSolve", "luSolve right adjoint", "invEx", "gradient of G",
            "gradient of B"};
        Tolerance tolerance = dtype == DType.F64 ? Tolerance.of(1e-10) : Tolerance.of(2e-4);
        assertParity("linalg lu " + dtype, names, tolerance, b -> {
            Tensor g = uniform(b, dtype, 180, -1, 1, 4, 12, 12).requiresGrad(true);
            Tensor rhs = uniform(b, dtype, 181, -1, 1, 4, 12, 3).requiresGrad(true);
            Tensor general = g.add(tensor(b, dtype, new double[] {4}, 1).expand(12).diagEmbed(0, -2, -1));
            dev.kiln.engine.Linalg.LuFactorization f = dev.kiln.engine.Linalg.luFactor(general);
            dev.kiln.engine.Linalg.LU lu = dev.kiln.engine.Linalg.lu(general);
            Tensor[] results = {f.lu(), lu.p(), lu.l(), lu.u(), dev.kiln.engine.Linalg.luSolve(f.lu(), f.pivots(), rhs),
                dev.kiln.engine.Linalg.luSolve(f.lu(), f.pivots(), rhs.transpose(-2, -1), false, true),
                dev.kiln.engine.Linalg.invEx(general).result()};
            Tensor loss = null;
            for (int k = 0; k < results.length; k++) {
                Tensor term = results[k].mul(uniform(b, dtype, 190 + k, -1, 1, results[k].shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            Tensor[] out = java.util.Arrays.copyOf(results, names.length);
            out[results.length] = g.grad();
            out[results.length + 1] = rhs.grad();
            return out;
        });
    }

    /**
     * Linalg's matrix functions composed of its other ops (matrixPower 3 and -2, matrixExp with per-matrix scaling,
     * multiDot, vectorNorm of order -1.5, norm 1 over two axes, vecdot, cond 2 and 1, choleskyInverse,
     * householderProduct) on a batch of 4 matrices {@code G + 4 I}, 8 x 8, and the gradients of G and of the
     * reflectors through a weighted sum of all of them; matrixRank exactly.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void linalgMatrixFunctionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"matrixPower 3", "matrixPower -2", "matrixExp", "multiDot", "vectorNorm -1.5",
            "norm 1 over (2, 0)", "vecdot", "cond", "cond 1", "choleskyInverse", "householderProduct", "gradient of G",
            "gradient of the reflectors", "matrixRank"};
        Tolerance tolerance = dtype == DType.F64 ? Tolerance.of(1e-10) : Tolerance.of(5e-4);
        assertParity("linalg matrix functions " + dtype, names, tolerance, b -> {
            Tensor g = uniform(b, dtype, 200, -1, 1, 4, 8, 8).requiresGrad(true);
            Tensor reflectors = uniform(b, dtype, 201, -1, 1, 4, 8, 5).requiresGrad(true);
            Tensor general = g.add(tensor(b, dtype, new double[] {4}, 1).expand(8).diagEmbed(0, -2, -1));
            Tensor lower = dev.kiln.engine.Linalg.cholesky(general.matmul(general.transpose(-2, -1)));
            Tensor first = g.narrow(0, 0, 1).squeeze(0).narrow(0, 0, 3);
            Tensor second = g.narrow(0, 1, 1).squeeze(0);
            Tensor third = g.narrow(0, 2, 1).squeeze(0).narrow(1, 0, 2);
            Tensor tau = reflectors.narrow(1, 0, 1).squeeze(1).mul(0.5).add(1);
            Tensor[] results = {dev.kiln.engine.Linalg.matrixPower(general, 3),
                dev.kiln.engine.Linalg.matrixPower(general, -2), dev.kiln.engine.Linalg.matrixExp(g.mul(3)),
                dev.kiln.engine.Linalg.multiDot(java.util.List.of(first, second, third)),
                dev.kiln.engine.Linalg.vectorNorm(g, -1.5, new int[] {1}, false),
                dev.kiln.engine.Linalg.norm(g, 1, new int[] {2, 0}, false),
                dev.kiln.engine.Linalg.vecdot(g, general.narrow(0, 3, 1).squeeze(0)),
                dev.kiln.engine.Linalg.cond(general), dev.kiln.engine.Linalg.cond(general, 1),
                dev.kiln.engine.Linalg.choleskyInverse(lower),
                dev.kiln.engine.Linalg.householderProduct(reflectors, tau)};
            Tensor loss = null;
            for (int k = 0; k < results.length; k++) {
                Tensor term = results[k].mul(uniform(b, dtype, 210 + k, -1, 1, results[k].shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            Tensor[] out = java.util.Arrays.copyOf(results, names.length);
            out[results.length] = g.grad();
            out[results.length + 1] = reflectors.grad();
            out[results.length + 2] = dev.kiln.engine.Linalg.matrixRank(g.narrow(2, 0, 6).matmul(g.narrow(1, 0, 6)));
            return out;
        });
    }

    /**
     * scatter with repeated indices (the last wins), scatterReduce in each reduction with and without self on ties
     * (amax and amin split the gradient evenly, prod's gradient at zeros), indexFill, indexCopy and maskedScatter
     * (its mask read on the host), with the gradients to the input and the source: sums' tolerance.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void scattersAndIndexAssignmentsMatchTheCpu(DType dtype) {
        int[] dims = {7, 30, 9};
        int n = 7 * 30 * 9;
        String[] names = {"scatter", "sum", "prod", "mean", "amax", "amin", "amax without self", "indexFill",
            "indexCopy", "maskedScatter", "input gradient", "source gradient"};
        assertParity("scatter, scatterReduce, indexFill, indexCopy, maskedScatter " + dtype, names, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, ties(180, n, -1, -0.5, 0, 0.5, 1), dims).requiresGrad(true);
            Tensor src = tensor(b, dtype, ties(181, n, -1, 0, 0.5, 1, 2), dims).requiresGrad(true);
            Tensor index = tensor(b, DType.I64, ties(182, n, 0, 3, 4, 17, 29), dims);
            Tensor rows = indices(b, DType.I32, new long[] {5, 0, 29, 5, 12}, 5);
            Tensor block = src.narrow(1, 0, 5);
            Tensor[] out = {x.scatter(1, index, src), x.scatterReduce(1, index, src, "sum", true),
                x.scatterReduce(1, index, src, "prod", false), x.scatterReduce(1, index, src, "mean", true),
                x.scatterReduce(1, index, src, "amax", true), x.scatterReduce(1, index, src, "amin", true),
                x.scatterReduce(1, index, src, "amax", false), x.indexFill(1, rows, 0.25),
                x.indexCopy(1, rows, block), x.maskedScatter(x.gt(0), src)};
            Tensor loss = null;
            for (int k = 0; k < out.length; k++) {
                assertSame(b, out[k].backend(), "the result must be on the backend of its input");
                Tensor term = out[k].mul(tensor(b, dtype, values(183 + k, n, -1, 1), dims)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            return new Tensor[] {out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8], out[9],
                x.grad(), src.grad()};
        });
    }

    /**
     * take, put (written, with repeated positions, and accumulated), indexPut (written and accumulated) and index of
     * broadcast index tensors with negative values, with the gradients to the input and the values: sums' tolerance.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void advancedIndexingMatchesTheCpu(DType dtype) {
        int[] dims = {7, 30, 9};
        String[] names = {"take", "put", "put accumulating", "indexPut", "indexPut accumulating", "index",
            "input gradient", "values gradient"};
        assertParity("take, put, indexPut, index " + dtype, names, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, values(190, 7 * 30 * 9, -1, 1), dims).requiresGrad(true);
            Tensor values = tensor(b, dtype, values(191, 40 * 9, -1, 1), 40, 9).requiresGrad(true);
            Tensor flat = tensor(b, DType.I64, ties(192, 40 * 9, -1890, -5, 0, 17, 1889), 40, 9);
            Tensor rows = tensor(b, DType.I32, ties(193, 8, -7, -1, 0, 3, 6), 8, 1);
            Tensor columns = tensor(b, DType.I64, ties(194, 5, -30, -2, 0, 11, 29), 5);
            List<Tensor> at = List.of(rows, columns);
            Tensor block = values.narrow(0, 0, 5);
            Tensor[] out = {x.take(flat), x.put(flat, values, false), x.put(flat, values, true),
                x.indexPut(at, block, false), x.indexPut(at, block, true), x.index(at)};
            Tensor loss = null;
            for (int k = 0; k < out.length; k++) {
                assertSame(b, out[k].backend(), "the result must be on the backend of its input");
                Tensor term = out[k].mul(tensor(b, dtype, values(195 + k, (int) out[k].size(), -1, 1),
                        out[k].shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            return new Tensor[] {out[0], out[1], out[2], out[3], out[4], out[5], x.grad(), values.grad()};
        });
    }

    /**
     * FractionalMaxPool2d (a 3 x 2 kernel to 4 x 5) of a [2, 3, 9, 8] input and FractionalMaxPool3d (2 x 2 x 3 to
     * 3 x 2 x 3) of a [1, 2, 5, 4, 6] one, with the same samples uploaded to each backend: output, indices (exactly) and
     * the input's gradient of a weighted sum, whose elements sum at most a few overlapping windows' terms.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fractionalMaxPoolsMatchTheCpu(DType dtype) {
        dev.kiln.nn.FractionalMaxPool2d plane = dev.kiln.nn.FractionalMaxPool2d.withOutputSize(new int[] {3, 2},
                new int[] {4, 5});
        dev.kiln.nn.FractionalMaxPool3d volume = dev.kiln.nn.FractionalMaxPool3d.withOutputSize(new int[] {2, 2, 3},
                new int[] {3, 2, 3});
        fractionalPooling(plane + " " + dtype, dtype, new int[] {2, 3, 9, 8}, plane::forwardWithIndices);
        fractionalPooling(volume + " " + dtype, dtype, new int[] {1, 2, 5, 4, 6}, volume::forwardWithIndices);
    }

    private static void fractionalPooling(String what, DType dtype, int[] dims,
                                          BiFunction<Tensor, Tensor, F.MaxPoolOutput> pool) {
        int n = Arrays.stream(dims).reduce(1, (a, c) -> a * c);
        double[] x = layerInputs(191, n);
        int[] sampleDims = {dims[0], dims[1], dims.length - 2};
        double[] samples = values(192, dims[0] * dims[1] * (dims.length - 2), 0, 0.999);
        assertParity(what, new String[] {"output", "indices", "input gradient"}, sums(dtype), b -> {
            Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
            F.MaxPoolOutput pooled = pool.apply(in, tensor(b, dtype, samples, sampleDims));
            assertSame(b, pooled.output().backend(), "the result must be on the backend of its input");
            Tensor y = pooled.output();
            y.backward(tensor(b, dtype, values(193, (int) y.size(), -1, 1), y.shape().dims()));
            return new Tensor[] {y, pooled.indices(), in.grad()};
        });
    }

    /**
     * LazyLinear (3-D input) and LazyConv2d (grouped, strided, padded, dilated), each made afresh on each backend from
     * one seed so that the first pass draws the same parameters there from the counter-based stream, on the input's
     * device: output and the gradients of the input and of both parameters for a weighted sum. Sums of at most 24
     * products: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lazyLinearAndLazyConv2dMatchTheCpu(DType dtype) {
        lazyLayer("LazyLinear(5) " + dtype, dtype, new int[] {2, 3, 6}, () -> new dev.kiln.nn.LazyLinear(5));
        lazyLayer("LazyConv2d(4, (3, 2), groups 2) " + dtype, dtype, new int[] {2, 4, 7, 6},
                () -> new dev.kiln.nn.LazyConv2d(4, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0},
                        new int[] {1, 2}, 2, true));
    }

    private static void lazyLayer(String what, DType dtype, int[] dims,
                                  java.util.function.Supplier<Module> make) {
        double[] x = layerInputs(194, Arrays.stream(dims).reduce(1, (a, c) -> a * c));
        assertParity(what, new String[] {"output", "input gradient", "weight gradient", "bias gradient"}, sums(dtype),
                b -> {
                    Engine.seed(195);
                    Module layer = make.get();
                    Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                    Tensor y = layer.forward(in);
                    assertSame(b, y.backend(), "the result must be on the backend of its input");
                    y.backward(tensor(b, dtype, values(196, (int) y.size(), -1, 1), y.shape().dims()));
                    java.util.Map<String, Tensor> params = layer.namedParameters();
                    return new Tensor[] {y, in.grad(), params.get("weight").grad(), params.get("bias").grad()};
                });
    }

    /**
     * Orthogonal's three maps without trivialization (PyTorch 1.13's parametrizations.orthogonal), its forward pass
     * applied to a wide [3, 5] original uploaded to each backend (taken transposed, padded to square for matrix_exp and
     * cayley): the orthogonal matrix and the original's gradient for a weighted sum. Entries in (-1.9, 1.9), so that
     * householder's integer diagonal holds -1, 0 and 1. Exponentials, solves and products of 5 x 5 matrices: the
     * tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void orthogonalMapsMatchTheCpu(DType dtype) {
        double[] x = values(197, 15, -1.9, 1.9);
        for (String map : new String[] {"matrix_exp", "cayley", "householder"}) {
            Module orthogonal = dev.kiln.nn.Orthogonal.apply(new dev.kiln.nn.Linear(5, 3), "weight", map, false)
                    .namedModules().get("parametrizations.weight.0");
            assertParity("Orthogonal " + map + " " + dtype, new String[] {"orthogonal matrix", "original gradient"},
                    sums(dtype), b -> {
                        Tensor original = tensor(b, dtype, x, 3, 5).requiresGrad(true);
                        Tensor q = orthogonal.forward(original);
                        assertSame(b, q.backend(), "the result must be on the backend of its input");
                        q.backward(tensor(b, dtype, values(198, 15, -1, 1), 3, 5));
                        return new Tensor[] {q, original.grad()};
                    });
        }
    }

    /**
     * Module backward hooks (the identity functions around a hooked call's inputs and output, and the zero scalar that
     * gathers the inputs' gradients, made on the input's device) on CosineSimilarity over axis 1 of two [4, 5] inputs: a
     * pre-hook doubling the output's gradient and a full hook tripling the first input's: output, both inputs'
     * gradients and the output gradient the hook saw. Sums of 5 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void moduleBackwardHooksMatchTheCpu(DType dtype) {
        double[] first = layerInputs(197, 4 * 5);
        double[] second = layerInputs(198, 4 * 5);
        assertParity("hooked CosineSimilarity " + dtype,
                new String[] {"output", "x1 gradient", "x2 gradient", "hook's gradOutput"}, sums(dtype), b -> {
                    CosineSimilarity cosine = new CosineSimilarity();
                    Tensor[] seen = new Tensor[1];
                    cosine.registerFullBackwardPreHook((module, gradOutput) -> new Tensor[] {gradOutput[0].mul(2.0)});
                    cosine.registerFullBackwardHook((module, gradInput, gradOutput) -> {
                        seen[0] = gradOutput[0];
                        return new Tensor[] {gradInput[0].mul(3.0), gradInput[1]};
                    });
                    Tensor x1 = tensor(b, dtype, first, 4, 5).requiresGrad(true);
                    Tensor x2 = tensor(b, dtype, second, 4, 5).requiresGrad(true);
                    Tensor y = cosine.call(x1, x2);
                    assertSame(b, y.backend(), "the result must be on the backend of its input");
                    y.backward(tensor(b, dtype, values(199, 4, -1, 1), 4));
                    return new Tensor[] {y, x1.grad(), x2.grad(), seen[0]};
                });
    }

    /**
     * amax, amin and scatterReduce of integers (argmax, gather, scatterAdd, where and floorDivide in the input's
     * dtype): exact, each reduction with and without self, entries hitting one element once or twice.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerExtremesAndScatterReductionsAreExact(DType dtype) {
        double[] x = ties(211, N, -3, 0, 2, 7, -1 << 20, 1 << 20);
        assertParity("amax axes 0, 2 " + dtype, Tolerance.EXACT,
                on(dtype, x, DIMS, t -> t.amax(new int[] {0, 2}, false)));
        assertParity("amin axis 1 " + dtype, Tolerance.EXACT, on(dtype, x, DIMS, t -> t.amin(new int[] {1}, true)));
        double[] self = ties(212, 4 * 5, -7, -2, 0, 3, 9);
        double[] src = ties(213, 4 * 6, -5, -1, 1, 4, 6);
        long[] index = IntStream.range(0, 4 * 6).mapToLong(k -> (7L * k + 3) % 5).toArray();
        for (String reduce : List.of("sum", "prod", "mean", "amax", "amin")) {
            for (boolean includeSelf : new boolean[] {true, false}) {
                assertParity("scatterReduce " + reduce + " includeSelf " + includeSelf + " " + dtype, Tolerance.EXACT,
                        b -> tensor(b, dtype, self, 4, 5).scatterReduce(1, indices(b, DType.I64, index, 4, 6),
                                tensor(b, dtype, src, 4, 6), reduce, includeSelf));
            }
        }
    }

    /**
     * RnnUtils.packPaddedSequence of a [3, 4, 2] batch-first input with unsorted lengths {2, 4, 1} (index selects on
     * the input's backend) and padPackedSequence of that packed data back to [4, 3, 2] time-major with padding -0.5:
     * packed data, padded output and the gradients of the input and the packed data. Index selects and their
     * scatter-adds: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void packAndPadPackedSequencesMatchTheCpu(DType dtype) {
        assertParity("packPaddedSequence then padPackedSequence " + dtype,
                new String[] {"packed data", "padded", "input gradient", "packed data gradient"}, sums(dtype), b -> {
                    Tensor x = tensor(b, dtype, values(200, 24, -1, 1), 3, 4, 2).requiresGrad(true);
                    dev.kiln.nn.PackedSequence packed =
                            dev.kiln.nn.RnnUtils.packPaddedSequence(x, new int[] {2, 4, 1}, true, false);
                    Tensor data = packed.data().detach().requiresGrad(true);
                    Tensor padded = dev.kiln.nn.RnnUtils.padPackedSequence(new dev.kiln.nn.PackedSequence(data,
                            packed.batchSizes(), packed.sortedIndices(), packed.unsortedIndices()), false, -0.5, null)
                            .padded();
                    assertSame(b, padded.backend(), "the result must be on the backend of its input");
                    packed.data().backward(tensor(b, dtype, values(201, 14, -1, 1), 7, 2));
                    padded.backward(tensor(b, dtype, values(202, 24, -1, 1), 4, 3, 2));
                    return new Tensor[] {packed.data(), padded, x.grad(), data.grad()};
                });
    }

    /**
     * torch.special's functions composed of Tensor ops (Special, named in full): the Bessel functions on both sides of
     * their expansions' break at 8 (Clenshaw's recurrences), erfcx on both sides of its asymptotic series at 9,
     * logNdtr on both sides of -1, ndtri (Newton's steps on logNdtr), entr, gammainc in x on both sides of x = a + 1
     * (a in (0.5, 20), no gradient), with the gradient of their weighted sum: series of up to 480 terms, the tolerance
     * of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void specialNamespaceFunctionsAndTheirGradientsMatchTheCpu(DType dtype) {
        String[] names = {"i0e", "i1", "erfcx", "logNdtr", "ndtri", "entr", "gammainc", "x gradient", "p gradient"};
        assertParity("torch.special functions of x [7, 300, 9] in (-12, 12) (gammainc of its first 10 columns: its 480"
                + " series and fraction steps a call make a large graph), p in (0.001, 0.999) " + dtype, names,
                sums(dtype), bk -> {
                    Tensor x = tensor(bk, dtype, values(200, N, -12, 12), DIMS).requiresGrad(true);
                    Tensor p = tensor(bk, dtype, values(201, N, 0.001, 0.999), DIMS).requiresGrad(true);
                    Tensor[] results = {dev.kiln.engine.Special.i0e(x), dev.kiln.engine.Special.i1(x.mul(0.5)),
                        dev.kiln.engine.Special.erfcx(x), dev.kiln.engine.Special.logNdtr(x),
                        dev.kiln.engine.Special.ndtri(p), dev.kiln.engine.Special.entr(p),
                        dev.kiln.engine.Special.gammainc(tensor(bk, dtype, values(208, 630, 0.5, 20), 7, 10, 9),
                                x.narrow(1, 0, 10).abs())};
                    Tensor loss = null;
                    for (int k = 0; k < results.length; k++) {
                        Tensor term = results[k].mul(tensor(bk, dtype, values(202 + k, (int) results[k].size(), -1, 1),
                                results[k].shape().dims())).sum();
                        loss = loss == null ? term : loss.add(term);
                    }
                    assertSame(bk, loss.backend(), "the result must be on the backend of its inputs");
                    loss.backward();
                    Tensor[] all = Arrays.copyOf(results, results.length + 2);
                    all[results.length] = x.grad();
                    all[results.length + 1] = p.grad();
                    return all;
                });
    }

    /**
     * Subscripts mixing slices (one with a step), integers, new axes, an ellipsis, index tensors with negative and
     * repeated values and a mask (read on the host), read and written (indexPut written and accumulated), with the
     * gradients to the input and the values: sums' tolerance.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void mixedSubscriptsAndMasksMatchTheCpu(DType dtype) {
        String[] names = {"x[mask]", "x[1:6:2, :, columns]", "x[None, -1, rows, ...]", "x[rows, 3, columns]",
            "x[:, rows] = values", "x[..., columns] += values", "x[mask] = 0.5", "input gradient", "values gradient"};
        assertParity("index and indexPut of mixed subscripts " + dtype, names, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, values(210, 7 * 30 * 9, -1, 1), 7, 30, 9).requiresGrad(true);
            Tensor values = tensor(b, dtype, values(211, 8 * 9, -1, 1), 8, 1, 9).requiresGrad(true);
            Tensor mask = tensor(b, DType.I32, ties(212, 7 * 30, 0, 1), 7, 30);
            dev.kiln.engine.Idx rows = dev.kiln.engine.Idx.tensor(
                    tensor(b, DType.I64, ties(213, 8, -30, -1, 0, 11, 29), 8, 1));
            dev.kiln.engine.Idx columns = dev.kiln.engine.Idx.tensor(
                    tensor(b, DType.I32, ties(214, 5, -9, -2, 0, 3, 8), 5));
            dev.kiln.engine.Idx all = dev.kiln.engine.Idx.all();
            Tensor[] out = {x.index(dev.kiln.engine.Idx.mask(mask)),
                x.index(dev.kiln.engine.Idx.slice(1, 6, 2), all, columns),
                x.index(dev.kiln.engine.Idx.newAxis(), dev.kiln.engine.Idx.at(-1), rows, dev.kiln.engine.Idx.ellipsis()),
                x.index(dev.kiln.engine.Idx.tensor(tensor(b, DType.I64, ties(215, 5, -7, 0, 6), 5)),
                        dev.kiln.engine.Idx.at(3), columns),
                x.indexPut(new dev.kiln.engine.Idx[] {all, rows}, values, false),
                x.indexPut(new dev.kiln.engine.Idx[] {dev.kiln.engine.Idx.ellipsis(), columns},
                        values.narrow(0, 0, 1).reshape(1, 1, 9).narrow(2, 0, 5), true),
                x.indexPut(new dev.kiln.engine.Idx[] {dev.kiln.engine.Idx.mask(mask)}, 0.5, false)};
            Tensor loss = null;
            for (int k = 0; k < out.length; k++) {
                assertSame(b, out[k].backend(), "the result must be on the backend of its input");
                Tensor term = out[k].mul(tensor(b, dtype, values(216 + k, (int) out[k].size(), -1, 1),
                        out[k].shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            return new Tensor[] {out[0], out[1], out[2], out[3], out[4], out[5], out[6], x.grad(), values.grad()};
        });
    }

    /**
     * Dilated max poolings whose windows cover padding alone (F.maxPool1d/2d/3d with indices): minus infinity,
     * PyTorch's indices past the input and no gradient, made of host tables uploaded to the input's backend: exact.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxPoolingWindowsOfPaddingAloneMatchTheCpu(DType dtype) {
        assertParity("maxPool1d/2d/3d windows of padding alone " + dtype, new String[] {"1-D output", "1-D indices",
            "2-D output", "2-D indices", "3-D output", "3-D indices", "input gradient"}, Tolerance.EXACT, b -> {
                Tensor x = tensor(b, dtype, values(210, 12, -1, 1), 1, 2, 3, 2).requiresGrad(true);
                F.MaxPoolOutput row = F.maxPool1dWithIndices(x.reshape(2, 3, 2), 2, 1, 1, 3, false);
                F.MaxPoolOutput plane = F.maxPool2dWithIndices(x, new int[] {1, 2}, new int[] {1, 2},
                        new int[] {0, 1}, new int[] {1, 3}, false);
                F.MaxPoolOutput volume = F.maxPool3dWithIndices(x.reshape(1, 1, 2, 3, 2), new int[] {1, 1, 2},
                        new int[] {1}, new int[] {0, 0, 1}, new int[] {1, 1, 3}, false);
                assertSame(b, volume.output().backend(), "the result must be on the backend of its input");
                row.output().sum().add(plane.output().sum()).add(volume.output().sum()).backward();
                return new Tensor[] {row.output(), row.indices(), plane.output(), plane.indices(), volume.output(),
                    volume.indices(), x.grad()};
            });
    }

    /**
     * Linalg's LU of a tall (12 x 7) and a wide (7 x 12) batch of 3 uniform matrices: luFactor's packed LU and
     * pivots, lu's P, L and U, and the gradients of both inputs through a weighted sum of them (triangular solves,
     * products and row gathers of the rectangular blocks).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tallAndWideLuMatchTheCpu(DType dtype) {
        String[] names = {"tall LU", "tall pivots", "tall P", "tall L", "tall U", "wide LU", "wide pivots", "wide P",
            "wide L", "wide U", "tall gradient", "wide gradient"};
        Tolerance tolerance = dtype == DType.F64 ? Tolerance.of(1e-10) : Tolerance.of(2e-4);
        assertParity("linalg lu of tall and wide matrices " + dtype, names, tolerance, b -> {
            Tensor tall = uniform(b, dtype, 196, -1, 1, 3, 12, 7).requiresGrad(true);
            Tensor wide = uniform(b, dtype, 197, -1, 1, 3, 7, 12).requiresGrad(true);
            Tensor[] results = new Tensor[10];
            Tensor loss = null;
            for (int i = 0; i < 2; i++) {
                Tensor a = i == 0 ? tall : wide;
                dev.kiln.engine.Linalg.LuFactorization f = dev.kiln.engine.Linalg.luFactor(a);
                dev.kiln.engine.Linalg.LU lu = dev.kiln.engine.Linalg.lu(a);
                Tensor[] mine = {f.lu(), f.pivots().to(dtype), lu.p(), lu.l(), lu.u()};
                for (int k = 0; k < mine.length; k++) {
                    results[5 * i + k] = mine[k];
                    Tensor term = mine[k].mul(uniform(b, dtype, 200 + 5 * i + k, -1, 1, mine[k].shape().dims())).sum();
                    loss = loss == null ? term : loss.add(term);
                }
            }
            loss.backward();
            Tensor[] out = java.util.Arrays.copyOf(results, names.length);
            out[10] = tall.grad();
            out[11] = wide.grad();
            return out;
        });
    }

    /**
     * Fft's rfft (ortho, zero-padded from 60 to 64 points) of x [8, 60] and stft (n_fft 64, hop 16, a Hann window,
     * centred by reflection) of y [2, 400], with the gradients of their weighted sums in x, y and the window: DFT
     * matrices uploaded to the input's backend and one GEMM each, the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fftRfftAndStftWithTheirGradientsMatchTheCpu(DType dtype) {
        assertParity("Fft.rfft of [8, 60] to n 64 and Fft.stft of [2, 400] n_fft 64 hop 16 " + dtype,
                new String[] {"rfft", "stft", "x gradient", "y gradient", "window gradient"}, sums(dtype), b -> {
                    Tensor x = tensor(b, dtype, values(210, 480, -1, 1), 8, 60).requiresGrad(true);
                    Tensor y = tensor(b, dtype, values(211, 800, -1, 1), 2, 400).requiresGrad(true);
                    Tensor window = tensor(b, dtype, dev.kiln.engine.Fft.hannWindow(64, true, DType.F64).toDoubleArray(),
                            64).requiresGrad(true);
                    Tensor spectrum = dev.kiln.engine.Fft.rfft(x, 64, -1, "ortho");
                    Tensor frames = dev.kiln.engine.Fft.stft(y, 64, 16, window);
                    assertSame(b, frames.backend(), "the result must be on the backend of its input");
                    spectrum.mul(tensor(b, dtype, values(212, (int) spectrum.size(), -1, 1), spectrum.shape().dims()))
                            .sum().add(frames.mul(tensor(b, dtype, values(213, (int) frames.size(), -1, 1),
                                    frames.shape().dims())).sum()).backward();
                    return new Tensor[] {spectrum, frames, x.grad(), y.grad(), window.grad()};
                });
    }

    /**
     * ONNX's LSTM, GRU and RNN nodes as the import runs them (OnnxImport: cells of public Tensor ops), bidirectional,
     * with W, R, B and initial_h as graph inputs on the backend, and the gradients of a weighted sum of Y and Y_h in
     * X, W, R and B: small GEMMs and element-wise ops, the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void importedOnnxRecurrentNodesMatchTheCpuWithTheirGradients(DType dtype) {
        int steps = 5;
        int batch = 3;
        int input = 4;
        int hidden = 6;
        for (String op : new String[] {"LSTM", "GRU", "RNN"}) {
            int gates = op.equals("LSTM") ? 4 : op.equals("GRU") ? 3 : 1;
            List<dev.kiln.onnx.AttributeProto> attributes = new java.util.ArrayList<>(List.of(
                    dev.kiln.onnx.AttributeProto.ofInt("hidden_size", hidden),
                    dev.kiln.onnx.AttributeProto.ofString("direction", "bidirectional")));
            if (op.equals("GRU")) {
                attributes.add(dev.kiln.onnx.AttributeProto.ofInt("linear_before_reset", 1));
            }
            List<String> names = List.of("x", "w", "r", "b", "", "h0");
            dev.kiln.onnx.NodeProto node = new dev.kiln.onnx.NodeProto(names, List.of("y", "yh"), "rec", op, "",
                    attributes);
            List<dev.kiln.onnx.ValueInfoProto> inputs = names.stream().filter(n -> !n.isEmpty())
                    .map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList();
            dev.kiln.onnx.GraphProto graph = new dev.kiln.onnx.GraphProto("parity", List.of(node), List.of(), inputs,
                    List.of(new dev.kiln.onnx.ValueInfoProto("y", null), new dev.kiln.onnx.ValueInfoProto("yh", null)),
                    List.of());
            dev.kiln.onnx.importer.OnnxModule model = dev.kiln.onnx.importer.OnnxImport.load(new dev.kiln.onnx.ModelProto(
                    8, List.of(new dev.kiln.onnx.OperatorSetIdProto("", 17)), "parity", "1", "", 0, "", graph));
            int[][] dims = {{steps, batch, input}, {2, gates * hidden, input}, {2, gates * hidden, hidden},
                {2, 2 * gates * hidden}, {2, batch, hidden}};
            assertParity("imported ONNX " + op + " and its gradients " + dtype,
                    new String[] {"Y", "Y_h", "X gradient", "W gradient", "R gradient", "B gradient"}, sums(dtype),
                    b -> {
                        Tensor[] in = new Tensor[dims.length];
                        for (int k = 0; k < in.length; k++) {
                            int n = java.util.Arrays.stream(dims[k]).reduce(1, (p, q) -> p * q);
                            in[k] = tensor(b, dtype, values(220 + k, n, -1, 1), dims[k]).requiresGrad(k < 4);
                        }
                        List<Tensor> out = model.forwardAll(in);
                        assertSame(b, out.get(0).backend(), "the result must be on the backend of its input");
                        out.get(0).mul(tensor(b, dtype, values(230, (int) out.get(0).size(), -1, 1),
                                out.get(0).shape().dims())).sum().add(out.get(1).sum()).backward();
                        return new Tensor[] {out.get(0), out.get(1), in[0].grad(), in[1].grad(), in[2].grad(),
                            in[3].grad()};
                    });
        }
    }

    /**
     * The ONNX import's padded and grouped paths (OnnxImport: public Tensor ops): Conv with auto_pad SAME_UPPER, MaxPool
     * with uneven pads (-inf padding), AveragePool SAME_LOWER leaving the padding out of its divisors, LpPool with
     * uneven pads, a grouped ConvTranspose with uneven pads cropped off, Einsum, and an LSTM with sequence_lens (an I64
     * graph input), every input on the backend; the gradients of weighted sums of the outputs in X, the weights and the
     * LSTM's input: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void importedOnnxPaddedGroupedAndMaskedNodesMatchTheCpuWithTheirGradients(DType dtype) {
        List<dev.kiln.onnx.NodeProto> nodes = List.of(
                onnxNode("Conv", List.of("x", "w"), "c", dev.kiln.onnx.AttributeProto.ofString("auto_pad", "SAME_UPPER"),
                        dev.kiln.onnx.AttributeProto.ofInts("strides", 2, 1)),
                onnxNode("MaxPool", List.of("c"), "m", dev.kiln.onnx.AttributeProto.ofInts("kernel_shape", 2, 3),
                        dev.kiln.onnx.AttributeProto.ofInts("pads", 1, 0, 0, 2)),
                onnxNode("AveragePool", List.of("c"), "a", dev.kiln.onnx.AttributeProto.ofInts("kernel_shape", 3, 2),
                        dev.kiln.onnx.AttributeProto.ofString("auto_pad", "SAME_LOWER")),
                onnxNode("LpPool", List.of("c"), "l", dev.kiln.onnx.AttributeProto.ofInts("kernel_shape", 2, 2),
                        dev.kiln.onnx.AttributeProto.ofInts("pads", 0, 1, 1, 0)),
                onnxNode("ConvTranspose", List.of("c", "wt"), "t", dev.kiln.onnx.AttributeProto.ofInt("group", 2),
                        dev.kiln.onnx.AttributeProto.ofInts("strides", 2, 2),
                        dev.kiln.onnx.AttributeProto.ofInts("pads", 0, 1, 1, 0)),
                onnxNode("Einsum", List.of("c", "c"), "e",
                        dev.kiln.onnx.AttributeProto.ofString("equation", "bchw,bdhw->bcd")),
                new dev.kiln.onnx.NodeProto(List.of("s", "sw", "sr", "sb", "lens"), List.of("y", "yh"), "rec", "LSTM",
                        "", List.of(dev.kiln.onnx.AttributeProto.ofInt("hidden_size", 3),
                                dev.kiln.onnx.AttributeProto.ofString("direction", "bidirectional"))));
        List<String> inputNames = List.of("x", "w", "wt", "s", "sw", "sr", "sb", "lens");
        List<String> outputNames = List.of("m", "a", "l", "t", "e", "y", "yh");
        dev.kiln.onnx.GraphProto graph = new dev.kiln.onnx.GraphProto("parity", nodes, List.of(),
                inputNames.stream().map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList(),
                outputNames.stream().map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList(), List.of());
        dev.kiln.onnx.importer.OnnxModule model = dev.kiln.onnx.importer.OnnxImport.load(new dev.kiln.onnx.ModelProto(
                8, List.of(new dev.kiln.onnx.OperatorSetIdProto("", 17)), "parity", "1", "", 0, "", graph));
        int[][] dims = {{2, 4, 7, 6}, {4, 4, 3, 3}, {4, 3, 3, 2}, {5, 3, 4}, {2, 12, 4}, {2, 12, 3}, {2, 24}};
        String[] names = {"MaxPool", "AveragePool", "LpPool", "ConvTranspose", "Einsum", "Y", "Y_h", "X gradient",
            "W gradient", "ConvTranspose W gradient", "LSTM X gradient"};
        assertParity("imported ONNX padded, grouped and LSTM sequence_lens nodes " + dtype, names, sums(dtype), b -> {
            Tensor[] in = new Tensor[dims.length + 1];
            for (int k = 0; k < dims.length; k++) {
                int n = java.util.Arrays.stream(dims[k]).reduce(1, (p, q) -> p * q);
                in[k] = tensor(b, dtype, values(240 + k, n, -1, 1), dims[k]).requiresGrad(k < 4);
            }
            in[dims.length] = tensor(b, DType.I64, new double[] {5, 2, 4}, 3);
            List<Tensor> out = model.forwardAll(in);
            assertSame(b, out.get(0).backend(), "the result must be on the backend of its input");
            Tensor loss = null;
            for (int k = 0; k < out.size(); k++) {
                Tensor o = out.get(k);
                Tensor term = o.mul(tensor(b, dtype, values(250 + k, (int) o.size(), -1, 1), o.shape().dims())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            List<Tensor> results = new java.util.ArrayList<>(out);
            results.addAll(List.of(in[0].grad(), in[1].grad(), in[2].grad(), in[3].grad()));
            return results.toArray(new Tensor[0]);
        });
    }

    private static dev.kiln.onnx.NodeProto onnxNode(String op, List<String> inputs, String output,
            dev.kiln.onnx.AttributeProto... attributes) {
        return new dev.kiln.onnx.NodeProto(inputs, List.of(output), output, op, "", List.of(attributes));
    }

    /**
     * scatterAdd, scatter and scatterReduce (amax, mean) with an index smaller than src on every axis and than the
     * input off the axis (PyTorch's rule: src's leading block is read, the input's block of the index's extent is
     * written), and gather of that index, with the gradients to the input and the source: sums' tolerance.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void scattersOfASmallerIndexMatchTheCpu(DType dtype) {
        int[] dims = {7, 30, 9};
        int n = 7 * 30 * 9;
        int[] indexDims = {5, 20, 6};
        String[] names = {"scatterAdd", "scatter", "amax", "mean", "gather", "input gradient", "source gradient"};
        assertParity("scatters of a smaller index " + dtype, names, sums(dtype), b -> {
            Tensor x = tensor(b, dtype, ties(240, n, -1, -0.5, 0, 0.5, 1), dims).requiresGrad(true);
            Tensor src = tensor(b, dtype, ties(241, n, -1, 0, 0.5, 1, 2), dims).requiresGrad(true);
            Tensor index = tensor(b, DType.I64, ties(242, 5 * 20 * 6, 0, 3, 4, 17, 29), indexDims);
            Tensor[] out = {x.scatterAdd(1, index, src), x.scatter(1, index, src),
                x.scatterReduce(1, index, src, "amax", false), x.scatterReduce(1, index, src, "mean", true)};
            Tensor loss = null;
            for (int k = 0; k < out.length; k++) {
                assertSame(b, out[k].backend(), "the result must be on the backend of its input");
                Tensor term = out[k].mul(tensor(b, dtype, values(243 + k, n, -1, 1), dims)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            Tensor gathered = x.gather(1, index);
            loss.add(gathered.mul(tensor(b, dtype, values(247, 5 * 20 * 6, -1, 1), indexDims)).sum()).backward();
            return new Tensor[] {out[0], out[1], out[2], out[3], gathered, x.grad(), src.grad()};
        });
    }

    /**
     * ONNX's BatchNormalization as the import runs it in training mode (OnnxModule.train(): F.batchNorm on the batch's
     * statistics), with scale, B and the running statistics as graph inputs on the backend: the output, the gradients
     * of a weighted sum in X, scale and B, and the running mean and variance it updated in place.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void importedOnnxBatchNormalizationInTrainingMatchesTheCpu(DType dtype) {
        List<String> names = List.of("x", "scale", "b", "mean", "var");
        dev.kiln.onnx.NodeProto node = new dev.kiln.onnx.NodeProto(names, List.of("y"), "bn", "BatchNormalization",
                "", List.of(dev.kiln.onnx.AttributeProto.ofFloat("momentum", 0.8f)));
        dev.kiln.onnx.GraphProto graph = new dev.kiln.onnx.GraphProto("parity", List.of(node), List.of(),
                names.stream().map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList(),
                List.of(new dev.kiln.onnx.ValueInfoProto("y", null)), List.of());
        dev.kiln.onnx.importer.OnnxModule model = dev.kiln.onnx.importer.OnnxImport.load(new dev.kiln.onnx.ModelProto(
                8, List.of(new dev.kiln.onnx.OperatorSetIdProto("", 17)), "parity", "1", "", 0, "", graph));
        model.train();
        int channels = 3;
        int[][] dims = {{4, channels, 5, 5}, {channels}, {channels}, {channels}, {channels}};
        assertParity("imported ONNX BatchNormalization in training " + dtype,
                new String[] {"Y", "X gradient", "scale gradient", "B gradient", "running mean", "running var"},
                sums(dtype), b -> {
                    Tensor[] in = new Tensor[dims.length];
                    for (int k = 0; k < in.length; k++) {
                        int n = java.util.Arrays.stream(dims[k]).reduce(1, (p, q) -> p * q);
                        // A running variance must be positive.
                        double low = k == 4 ? 0.5 : -1;
                        in[k] = tensor(b, dtype, values(240 + k, n, low, low + 2), dims[k]).requiresGrad(k < 3);
                    }
                    Tensor y = model.forwardAll(in).get(0);
                    assertSame(b, y.backend(), "the result must be on the backend of its input");
                    y.mul(tensor(b, dtype, values(250, (int) y.size(), -1, 1), y.shape().dims())).sum().backward();
                    return new Tensor[] {y, in[0].grad(), in[1].grad(), in[2].grad(), in[3], in[4]};
                });
    }

    /**
     * Fft's fft2 (ortho, zero-padded) and ifftn of a complex z [3, 10, 12, 2], fftOfReal of x [4, 50] zero-padded to
     * n 97 (a prime: the CPU's Bluestein path) and stft with replicate padding of y [2, 300] (n_fft 48, hop 12),
     * with the gradients of their weighted sums in z, x and y: the backend's complex and real-input FFTs (a DFT-matrix
     * GEMM where it has none), the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fftNdRealInputAndStftPadModesWithTheirGradientsMatchTheCpu(DType dtype) {
        assertParity("Fft.fft2, ifftn, fftOfReal to n 97 and stft padded by replication " + dtype,
                new String[] {"fft2", "ifftn", "fftOfReal", "stft", "z gradient", "x gradient", "y gradient"},
                sums(dtype), b -> {
                    Tensor z = tensor(b, dtype, values(240, 720, -1, 1), 3, 10, 12, 2).requiresGrad(true);
                    Tensor x = tensor(b, dtype, values(241, 200, -1, 1), 4, 50).requiresGrad(true);
                    Tensor y = tensor(b, dtype, values(242, 600, -1, 1), 2, 300).requiresGrad(true);
                    Tensor[] out = {dev.kiln.engine.Fft.fft2(z, new int[] {12, 16}, null, "ortho"),
                        dev.kiln.engine.Fft.ifftn(z), dev.kiln.engine.Fft.fftOfReal(x, 97, -1, null),
                        dev.kiln.engine.Fft.stft(y, 48, 12, null, true, dev.kiln.engine.PaddingMode.REPLICATE, false,
                                true)};
                    assertSame(b, out[3].backend(), "the result must be on the backend of its input");
                    Tensor loss = null;
                    for (int k = 0; k < out.length; k++) {
                        Tensor term = out[k].mul(tensor(b, dtype, values(243 + k, (int) out[k].size(), -1, 1),
                                out[k].shape().dims())).sum();
                        loss = loss == null ? term : loss.add(term);
                    }
                    loss.backward();
                    return new Tensor[] {out[0], out[1], out[2], out[3], z.grad(), x.grad(), y.grad()};
                });
    }

    /**
     * The ONNX import's selection, reduction and arrangement nodes (OnnxImport: public Tensor ops): TopK's values and
     * indices, ArgMax, GatherElements, ScatterElements adding, an exclusive reverse CumSum, ReduceMin, ReduceProd,
     * ReduceL2, ReduceLogSumExp, Tile, Trilu, NonZero and a ConvTranspose cropped to its output_shape, every input
     * (the I64 ones too) on the backend; the gradients of weighted sums of the float outputs in X, the scattered
     * updates and the ConvTranspose's input and weight: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void importedOnnxSelectionReductionAndArrangementNodesMatchTheCpuWithTheirGradients(DType dtype) {
        List<dev.kiln.onnx.NodeProto> nodes = List.of(
                new dev.kiln.onnx.NodeProto(List.of("x", "k"), List.of("top", "topIndex"), "top", "TopK", "",
                        List.of(dev.kiln.onnx.AttributeProto.ofInt("axis", 1))),
                onnxNode("ArgMax", List.of("x"), "argmax", dev.kiln.onnx.AttributeProto.ofInt("axis", -1)),
                onnxNode("GatherElements", List.of("x", "gi"), "gathered",
                        dev.kiln.onnx.AttributeProto.ofInt("axis", 2)),
                onnxNode("ScatterElements", List.of("x", "si", "u"), "scattered",
                        dev.kiln.onnx.AttributeProto.ofInt("axis", 2),
                        dev.kiln.onnx.AttributeProto.ofString("reduction", "add")),
                onnxNode("CumSum", List.of("x", "axis"), "cumsum", dev.kiln.onnx.AttributeProto.ofInt("exclusive", 1),
                        dev.kiln.onnx.AttributeProto.ofInt("reverse", 1)),
                onnxNode("ReduceMin", List.of("x"), "min", dev.kiln.onnx.AttributeProto.ofInts("axes", 1, 2)),
                onnxNode("ReduceProd", List.of("x"), "prod", dev.kiln.onnx.AttributeProto.ofInts("axes", -1)),
                onnxNode("ReduceL2", List.of("x"), "l2", dev.kiln.onnx.AttributeProto.ofInts("axes", 0, 2)),
                onnxNode("ReduceLogSumExp", List.of("x"), "lse", dev.kiln.onnx.AttributeProto.ofInts("axes", 1)),
                onnxNode("Tile", List.of("x", "repeats"), "tiled"),
                onnxNode("Trilu", List.of("x", "axis"), "upper"),
                onnxNode("NonZero", List.of("x"), "nonzero"),
                onnxNode("ConvTranspose", List.of("c", "wt"), "cropped",
                        dev.kiln.onnx.AttributeProto.ofInts("strides", 2, 2),
                        dev.kiln.onnx.AttributeProto.ofInts("output_shape", 6, 8)));
        List<String> inputNames = List.of("x", "u", "c", "wt", "k", "gi", "si", "axis", "repeats");
        List<String> outputNames = List.of("top", "topIndex", "argmax", "gathered", "scattered", "cumsum", "min",
                "prod", "l2", "lse", "tiled", "upper", "nonzero", "cropped");
        dev.kiln.onnx.GraphProto graph = new dev.kiln.onnx.GraphProto("parity", nodes, List.of(),
                inputNames.stream().map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList(),
                outputNames.stream().map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList(), List.of());
        dev.kiln.onnx.importer.OnnxModule model = dev.kiln.onnx.importer.OnnxImport.load(new dev.kiln.onnx.ModelProto(
                8, List.of(new dev.kiln.onnx.OperatorSetIdProto("", 17)), "parity", "1", "", 0, "", graph));
        int[][] dims = {{2, 3, 4}, {2, 3, 3}, {2, 2, 3, 4}, {2, 3, 3, 3}};
        String[] names = {"TopK values", "TopK indices", "ArgMax", "GatherElements", "ScatterElements", "CumSum",
            "ReduceMin", "ReduceProd", "ReduceL2", "ReduceLogSumExp", "Tile", "Trilu", "NonZero", "ConvTranspose",
            "X gradient", "updates gradient", "ConvTranspose X gradient", "ConvTranspose W gradient"};
        assertParity("imported ONNX selection, reduction and arrangement nodes " + dtype, names, sums(dtype), b -> {
            Tensor[] in = new Tensor[inputNames.size()];
            for (int k = 0; k < dims.length; k++) {
                int n = java.util.Arrays.stream(dims[k]).reduce(1, (p, q) -> p * q);
                in[k] = tensor(b, dtype, values(260 + k, n, -1, 1), dims[k]).requiresGrad(true);
            }
            in[4] = tensor(b, DType.I64, new double[] {2}, 1);
            in[5] = tensor(b, DType.I64, new double[] {3, 0, 1, 1, 2, 0, 0, 3, 2, 1, 1, 0, 2, 2, 3, 0, 1, 3}, 2, 3, 3);
            in[6] = tensor(b, DType.I64, new double[] {0, 0, 3, 1, 2, 1, 3, 3, 3, 2, 0, 2, 1, 1, 0, 0, 2, 1}, 2, 3, 3);
            in[7] = tensor(b, DType.I64, new double[] {1}, 1);
            in[8] = tensor(b, DType.I64, new double[] {1, 2, 2}, 3);
            List<Tensor> out = model.forwardAll(in);
            assertSame(b, out.get(0).backend(), "the result must be on the backend of its input");
            Tensor loss = null;
            for (int k = 0; k < out.size(); k++) {
                Tensor o = out.get(k);
                if (o.dtype().isFloating()) {
                    Tensor term = o.mul(tensor(b, dtype, values(270 + k, (int) o.size(), -1, 1), o.shape().dims()))
                            .sum();
                    loss = loss == null ? term : loss.add(term);
                }
            }
            loss.backward();
            List<Tensor> results = new java.util.ArrayList<>(out);
            results.addAll(List.of(in[0].grad(), in[1].grad(), in[2].grad(), in[3].grad()));
            return results.toArray(new Tensor[0]);
        });
    }

    /**
     * The recurrent forms the ONNX import added at opsets 19 to 21's time (OnnxImport: cells of public Tensor ops):
     * a batch-first (layout 1) bidirectional LSTM with peepholes, input_forget and clip, and a batch-first GRU of
     * linear_before_reset 0 with clip, W, R, B, P and the initial states as graph inputs on the backend, and the
     * gradients of a weighted sum of Y and Y_h in X, W, R and B.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void importedOnnxBatchFirstPeepholeAndResetFirstRecurrentNodesMatchTheCpuWithTheirGradients(DType dtype) {
        int steps = 4;
        int batch = 3;
        int input = 4;
        int hidden = 5;
        for (String op : new String[] {"LSTM", "GRU"}) {
            boolean lstm = op.equals("LSTM");
            int gates = lstm ? 4 : 3;
            List<dev.kiln.onnx.AttributeProto> attributes = new java.util.ArrayList<>(List.of(
                    dev.kiln.onnx.AttributeProto.ofInt("hidden_size", hidden),
                    dev.kiln.onnx.AttributeProto.ofString("direction", "bidirectional"),
                    dev.kiln.onnx.AttributeProto.ofInt("layout", 1),
                    dev.kiln.onnx.AttributeProto.ofFloat("clip", 1.5f)));
            attributes.add(lstm ? dev.kiln.onnx.AttributeProto.ofInt("input_forget", 1)
                    : dev.kiln.onnx.AttributeProto.ofInt("linear_before_reset", 0));
            List<String> names = lstm ? List.of("x", "w", "r", "b", "", "h0", "c0", "p")
                    : List.of("x", "w", "r", "b", "", "h0");
            dev.kiln.onnx.NodeProto node = new dev.kiln.onnx.NodeProto(names, List.of("y", "yh"), "rec", op, "",
                    attributes);
            List<dev.kiln.onnx.ValueInfoProto> inputs = names.stream().filter(n -> !n.isEmpty())
                    .map(n -> new dev.kiln.onnx.ValueInfoProto(n, null)).toList();
            dev.kiln.onnx.GraphProto graph = new dev.kiln.onnx.GraphProto("parity", List.of(node), List.of(), inputs,
                    List.of(new dev.kiln.onnx.ValueInfoProto("y", null), new dev.kiln.onnx.ValueInfoProto("yh", null)),
                    List.of());
            dev.kiln.onnx.importer.OnnxModule model = dev.kiln.onnx.importer.OnnxImport.load(
                    new dev.kiln.onnx.ModelProto(10, List.of(new dev.kiln.onnx.OperatorSetIdProto("", 21)), "parity",
                            "1", "", 0, "", graph));
            List<int[]> dims = new java.util.ArrayList<>(List.of(new int[] {batch, steps, input},
                    new int[] {2, gates * hidden, input}, new int[] {2, gates * hidden, hidden},
                    new int[] {2, 2 * gates * hidden}, new int[] {batch, 2, hidden}));
            if (lstm) {
                dims.add(new int[] {batch, 2, hidden});
                dims.add(new int[] {2, 3 * hidden});
            }
            assertParity("imported ONNX " + op + " of opset 21's forms and its gradients " + dtype,
                    new String[] {"Y", "Y_h", "X gradient", "W gradient", "R gradient", "B gradient"}, sums(dtype),
                    b -> {
                        Tensor[] in = new Tensor[dims.size()];
                        for (int k = 0; k < in.length; k++) {
                            int n = java.util.Arrays.stream(dims.get(k)).reduce(1, (p, q) -> p * q);
                            in[k] = tensor(b, dtype, values(280 + k, n, -1, 1), dims.get(k)).requiresGrad(k < 4);
                        }
                        List<Tensor> out = model.forwardAll(in);
                        assertSame(b, out.get(0).backend(), "the result must be on the backend of its input");
                        out.get(0).mul(tensor(b, dtype, values(290, (int) out.get(0).size(), -1, 1),
                                out.get(0).shape().dims())).sum().add(out.get(1).sum()).backward();
                        return new Tensor[] {out.get(0), out.get(1), in[0].grad(), in[1].grad(), in[2].grad(),
                            in[3].grad()};
                    });
        }
    }

    /**
     * F.layerNorm (one op each way: the backend's own kernels, or the SPI's default of batch norm of the rows as
     * channels, broadcast products and reductions) with a weight and bias on [3, 5, 40], rows of 300 features
     * without the affine, and rows of one feature (the bias, zero input gradient): the output and the input's, weight's
     * and bias's gradients of a weighted sum. Sums of up to 300 terms: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void layerNormMatchesTheCpuWithItsGradients(DType dtype) {
        int[][] shapes = {{3, 5, 40}, {4, 300}, {6, 1}};
        for (int[] dims : shapes) {
            int features = dims[dims.length - 1];
            boolean affine = features != 300;
            int n = java.util.Arrays.stream(dims).reduce(1, (p, q) -> p * q);
            double[] x = layerInputs(300 + features, n);
            String what = "layerNorm " + java.util.Arrays.toString(dims) + (affine ? " with affine " : " ") + dtype;
            String[] names = affine ? new String[] {"output", "input gradient", "weight gradient", "bias gradient"}
                    : new String[] {"output", "input gradient"};
            assertParity(what, names, sums(dtype), b -> {
                Tensor weight = affine ? tensor(b, dtype, values(301, features, 0.5, 1.5), features).requiresGrad(true)
                        : null;
                Tensor bias = affine ? tensor(b, dtype, values(302, features, -0.5, 0.5), features).requiresGrad(true)
                        : null;
                Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                Tensor out = F.layerNorm(in, weight, bias, 1e-5);
                assertSame(b, out.backend(), what + ": the result must be on the backend of its input");
                out.backward(tensor(b, dtype, values(303, n, -1, 1), dims));
                return affine ? new Tensor[] {out, in.grad(), weight.grad(), bias.grad()}
                        : new Tensor[] {out, in.grad()};
            });
        }
    }

    /**
     * FakeQuantization per tensor ([4, 3, 5], quint8's [0, 255]) and per channel (axis 1, qint8's [-128, 127], three
     * grids): the values and the straight-through gradient of a weighted sum, exactly (each step is one rounding of
     * elementwise ops). Inputs span the range and beyond it.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fakeQuantizationMatchesTheCpuWithItsGradient(DType dtype) {
        int[] dims = {4, 3, 5};
        double[] x = values(311, 60, -9, 9);
        double[] weights = values(312, 60, -1, 1);
        for (boolean perChannel : new boolean[] {false, true}) {
            String what = (perChannel ? "fakeQuantizePerChannelAffine " : "fakeQuantizePerTensorAffine ") + dtype;
            assertParity(what, new String[] {"output", "input gradient"}, Tolerance.EXACT, b -> {
                Tensor in = tensor(b, dtype, x, dims).requiresGrad(true);
                Tensor out = perChannel
                        ? dev.kiln.engine.FakeQuantization.perChannelAffine(in, new float[] {0.05f, 0.1f, 0.013f},
                                new int[] {0, -3, 10}, 1, -128, 127)
                        : dev.kiln.engine.FakeQuantization.perTensorAffine(in, 0.03f, 128, 0, 255);
                assertSame(b, out.backend(), what + ": the result must be on the backend of its input");
                out.backward(tensor(b, dtype, weights, dims));
                return new Tensor[] {out, in.grad()};
            });
        }
    }

    /**
     * Sparse.mm of a [60, 50] SparseCoo of 400 seeded entries (many positions repeated, so index adds collide) with a
     * dense [50, 7]: the product and the gradients of a weighted sum to the dense operand and to the values, and
     * coalesce's positions (exactly) and summed values. Sums of up to 60 terms in any order: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sparseProductMatchesTheCpuWithItsGradients(DType dtype) {
        java.util.Random r = new java.util.Random(321);
        long[] positions = new long[800];
        for (int j = 0; j < 400; j++) {
            positions[j] = r.nextInt(60);
            positions[400 + j] = r.nextInt(50);
        }
        String what = "Sparse.mm " + dtype;
        assertParity(what, new String[] {"product", "dense gradient", "values gradient", "coalesced indices",
            "coalesced values"}, sums(dtype), b -> {
                Tensor values = random(b, dtype, 331, 400).requiresGrad(true);
                dev.kiln.engine.SparseCoo a = dev.kiln.engine.SparseCoo.of(indices(b, DType.I64, positions, 2, 400),
                        values, 60, 50);
                Tensor dense = random(b, dtype, 332, 50, 7).requiresGrad(true);
                Tensor out = dev.kiln.engine.Sparse.mm(a, dense);
                assertSame(b, out.backend(), what + ": the result must be on the backend of its input");
                out.backward(random(b, dtype, 333, 60, 7));
                dev.kiln.engine.SparseCoo c = a.coalesce();
                return new Tensor[] {out, dense.grad(), values.grad(), c.indices(), c.values()};
            });
    }

    /**
     * MultiHeadAttention's appended keys as it composes them: projected keys [2, 2, 3, 2] (batch, heads, S, d), then
     * bias_k [1, 1, 4] reshaped to [1, 2, 1, 2] and expanded over the batch, then a zero key from fullLike, concatenated
     * along the keys' axis; and a [3, 3] mask padded with two zero columns (expanded, concatenated). The gradients of
     * the keys and of bias_k, which sums the batch's two copies: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theAttentionsAppendedBiasAndZeroKeysAndThePaddedMaskMatchTheCpu(DType dtype) {
        String[] names = {"keys", "padded mask", "keys gradient", "bias_k gradient"};
        assertParity("appended keys " + dtype, names, sums(dtype), b -> {
            Tensor keys = tensor(b, dtype, values(201, 24, -1, 1), 2, 2, 3, 2).requiresGrad(true);
            Tensor biasK = tensor(b, dtype, values(202, 4, -0.5, 0.5), 1, 1, 4).requiresGrad(true);
            Tensor all = Tensor.cat(java.util.List.of(keys, biasK.reshape(1, 2, 1, 2).expand(2, 2, 1, 2),
                    keys.fullLike(0, dev.kiln.engine.Shape.of(2, 2, 1, 2))), 2);
            Tensor mask = tensor(b, dtype, new double[] {0, 1, 0, 0, 0, 1, 0, 0, 0}, 3, 3);
            Tensor padded = Tensor.cat(java.util.List.of(mask.expand(3, 3), mask.fullLike(0,
                    dev.kiln.engine.Shape.of(3, 2))), 1);
            assertSame(b, all.backend(), "the result must be on the backend of its inputs");
            assertSame(b, padded.backend(), "the padded mask must be on the backend of the mask");
            all.mul(tensor(b, dtype, values(203, 40, -1, 1), 2, 2, 5, 2)).sum().backward();
            return new Tensor[] {all, padded, keys.grad(), biasK.grad()};
        });
    }

    /**
     * Sparse.mm and Sparse.addmm of a [60, 50] SparseCsr (400 seeded entries of a SparseCoo, positions repeated, made
     * CSR: the backend's sparseCsrMatmulAdd) with a dense [50, 7], and the sparse x sparse product of that COO with a
     * [50, 9] COO of 300 entries: the results and the gradients of weighted sums to the dense operand, the input and
     * the values. Sums in any order: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void csrProductsAndSparseTimesSparseMatchTheCpuWithTheirGradients(DType dtype) {
        java.util.Random r = new java.util.Random(341);
        long[] positions = new long[800];
        for (int j = 0; j < 400; j++) {
            positions[j] = r.nextInt(60);
            positions[400 + j] = r.nextInt(50);
        }
        long[] other = new long[600];
        for (int j = 0; j < 300; j++) {
            other[j] = r.nextInt(50);
            other[300 + j] = r.nextInt(9);
        }
        String what = "SparseCsr " + dtype;
        assertParity(what, new String[] {"crow indices", "addmm", "dense gradient", "input gradient",
            "values gradient", "sparse x sparse values", "its a gradient", "its b gradient"}, sums(dtype), b -> {
                Tensor values = random(b, dtype, 351, 400).requiresGrad(true);
                dev.kiln.engine.SparseCoo coo = dev.kiln.engine.SparseCoo.of(indices(b, DType.I64, positions, 2,
                        400), values, 60, 50);
                dev.kiln.engine.SparseCsr a = coo.toSparseCsr();
                Tensor dense = random(b, dtype, 352, 50, 7).requiresGrad(true);
                Tensor input = random(b, dtype, 353, 60, 1).requiresGrad(true);
                Tensor out = dev.kiln.engine.Sparse.addmm(input, a, dense, 0.5, 2);
                assertSame(b, out.backend(), what + ": the result must be on the backend of its input");
                out.backward(random(b, dtype, 354, 60, 7));
                Tensor bValues = random(b, dtype, 355, 300).requiresGrad(true);
                dev.kiln.engine.SparseCoo product = dev.kiln.engine.Sparse.mm(coo, dev.kiln.engine.SparseCoo.of(
                        indices(b, DType.I64, other, 2, 300), bValues, 50, 9));
                Tensor valuesGrad = values.grad().detach();
                values.clearGrad();
                product.toDense().backward(random(b, dtype, 356, 60, 9));
                return new Tensor[] {a.crowIndices(), out, dense.grad(), input.grad(), valuesGrad, product.values(),
                    values.grad(), bValues.grad()};
            });
    }

    /**
     * F.sparseEmbedding of a [40, 6] table by [5, 6] seeded indices (rows repeated, the padding row 3 among them): the
     * rows, the weight's sparse gradient (its positions exactly, its summed values), SparseCoo.valuesIn of a dense
     * [40, 6], and a copy of the table after Updates.addSparse of that gradient. Sums in any order: the tolerance of sums.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sparseEmbeddingGradientAndSparseUpdateMatchTheCpu(DType dtype) {
        java.util.Random r = new java.util.Random(361);
        long[] looked = new long[30];
        for (int j = 0; j < looked.length; j++) {
            looked[j] = j % 7 == 0 ? 3 : r.nextInt(40);
        }
        String what = "sparseEmbedding " + dtype;
        assertParity(what, new String[] {"rows", "gradient positions", "gradient values", "values in", "updated table"},
                sums(dtype), b -> {
                    Tensor weight = random(b, dtype, 362, 40, 6).requiresGrad(true);
                    Tensor rows = dev.kiln.engine.F.sparseEmbedding(indices(b, DType.I64, looked, 5, 6), weight, 3);
                    assertSame(b, rows.backend(), what + ": the result must be on the backend of its input");
                    rows.backward(random(b, dtype, 363, 5, 6, 6));
                    dev.kiln.engine.SparseRows g = weight.sparseGrad();
                    Tensor in = g.valuesIn(random(b, dtype, 364, 40, 6));
                    Tensor table = weight.detach().copy();
                    dev.kiln.engine.Updates.addSparse(table, g, -0.5);
                    return new Tensor[] {rows, g.indices(), g.values(), in, table};
                });
    }
}
