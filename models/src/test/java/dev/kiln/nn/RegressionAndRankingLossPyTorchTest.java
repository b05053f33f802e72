package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The regression and ranking losses against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/loss_regression_ranking.py}): the loss and its inputs' gradients, the backward
 * pass taking the upstream gradient 1, 2, 3, ... in the loss's shape (1 for a scalar). The comment on each test
 * names the torch call.
 */
class RegressionAndRankingLossPyTorchTest {
    private static final double TOLERANCE = 1e-10;
    /** Differences OUTPUT - TARGET: 0.5, 0, -2, 3, -0.5, 0. */
    private static final double[] OUTPUT = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
    private static final double[] TARGET = {0.5, 2.0, 5.0, 1.0, 5.5, 6.0};
    /** Variances for GaussianNLLLoss, one of them under eps 1e-6. */
    private static final double[] VARIANCES = {0.5, 1e-8, 2.0, 0.25, 1.0, 4.0};
    private static final double[] LOG_RATES = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] RATES = {0.5, 0.1, 2.0, 1e-9, 1.5, 3.0};
    /** Counts for PoissonNLLLoss: 0 and 1, which get no Stirling term, and larger ones. */
    private static final double[] COUNTS = {0.0, 1.0, 3.0, 2.5, 4.0, 1.5};
    /** Scores for MarginRankingLoss; element 3 is a tie, at the kink of max(0, .) with margin 0. */
    private static final double[] SCORES_1 = {0.5, -1.0, 2.0, 0.3, 0.0, 1.5};
    private static final double[] SCORES_2 = {0.2, 0.4, 2.5, 0.3, -1.0, 1.0};
    private static final double[] RANKS = {1.0, -1.0, 1.0, -1.0, 1.0, -1.0};
    private static final double[] EMBEDDINGS_1 =
            {1.0, 2.0, 0.5, -1.0, 0.3, -0.2, 2.5, 0.0, -1.5, 0.7, 0.1, 1.2, 0.2, 0.2, 0.2, 0.2};
    private static final double[] EMBEDDINGS_2 =
            {0.5, 1.0, -0.5, 0.0, 0.1, 0.4, 2.0, -0.3, 1.0, -0.7, 0.3, 0.2, 0.1, 0.3, 0.5, 0.7};
    /** Targets for CosineEmbeddingLoss: similar, dissimilar, dissimilar and 0, which counts for nothing. */
    private static final long[] SIMILARITY = {1, -1, -1, 0};
    private static final double[] NEGATIVES = {0.5, 1.5, -0.5, 0.0, -2.0, 1.0, -1.0, 0.5, -1.0, 0.5, 0.5, 1.0};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** An F64 leaf requiring a gradient, [2, 3] unless {@code dims} are given. */
    private static Tensor leaf(double[] values, int... dims) {
        return constant(values, dims).requiresGrad(true);
    }

    /** An F64 tensor, [2, 3] unless {@code dims} are given. */
    private static Tensor constant(double[] values, int... dims) {
        return Tensor.fromArray(values.clone(), dims.length == 0 ? new int[] {2, 3} : dims);
    }

    /** Backpropagates 1, 2, 3, ... in the loss's shape and compares the loss. */
    private static void backwardAndCheck(Tensor loss, double[] expected) {
        loss.backward(Tensor.arange(1, loss.size() + 1, 1, DType.F64).reshape(loss.shape().dims()));
        assertClose(expected, loss, "loss");
    }

    private static void assertClose(double[] expected, Tensor actual, String what) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what + " element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }

    /** {@code loss} of OUTPUT against TARGET: its value and the output's gradient. */
    private static void checkElementWise(Loss loss, double[] value, double[] grad) {
        Tensor output = leaf(OUTPUT);
        backwardAndCheck(loss.compute(output, constant(TARGET)), value);
        assertClose(grad, output.grad(), "gradient");
    }

    // ---- HuberLoss and SmoothL1Loss -------------------------------------------------------------

    @Test
    void huberMean() {
        // torch.nn.HuberLoss()(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(), new double[] {0.7083333333333334},
                new double[] {0.08333333333333333, 0.0, -0.16666666666666666, 0.16666666666666666,
                    -0.08333333333333333, 0.0});
    }

    @Test
    void huberSum() {
        // torch.nn.HuberLoss(reduction='sum')(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(1, Reduction.SUM),
                new double[] {4.25},
                new double[] {0.5, 0.0, -1.0, 1.0, -0.5, 0.0});
    }

    @Test
    void huberNone() {
        // torch.nn.HuberLoss(reduction='none')(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(1, Reduction.NONE),
                new double[] {0.125, 0.0, 1.5, 2.5, 0.125, 0.0},
                new double[] {0.5, 0.0, -3.0, 4.0, -2.5, 0.0});
    }

    @Test
    void huberWithTheDifferenceAtDeltaAndTheTargetsGradient() {
        // torch.nn.HuberLoss(delta=0.5)(output, target), gradients of both, PyTorch 1.13
        Tensor output = leaf(OUTPUT);
        Tensor target = leaf(TARGET);
        backwardAndCheck(new HuberLoss(0.5).compute(output, target), new double[] {0.4166666666666667});
        assertClose(new double[] {0.08333333333333333, 0.0, -0.08333333333333333, 0.08333333333333333,
                    -0.08333333333333333, 0.0},
                output.grad(), "output gradient");
        assertClose(new double[] {-0.08333333333333333, 0.0, 0.08333333333333333, -0.08333333333333333,
                    0.08333333333333333, 0.0},
                target.grad(), "target gradient");
    }

    @Test
    void huberWithALargeDelta() {
        // torch.nn.HuberLoss(delta=2.5)(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(2.5),
                new double[] {1.1041666666666667},
                new double[] {0.08333333333333333, 0.0, -0.3333333333333333, 0.41666666666666663,
                    -0.08333333333333333, 0.0});
    }

    @Test
    void smoothL1Mean() {
        // torch.nn.SmoothL1Loss()(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(),
                new double[] {0.7083333333333334},
                new double[] {0.08333333333333333, 0.0, -0.16666666666666666, 0.16666666666666666,
                    -0.08333333333333333, 0.0});
    }

    @Test
    void smoothL1Sum() {
        // torch.nn.SmoothL1Loss(reduction='sum')(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(1, Reduction.SUM),
                new double[] {4.25},
                new double[] {0.5, 0.0, -1.0, 1.0, -0.5, 0.0});
    }

    @Test
    void smoothL1None() {
        // torch.nn.SmoothL1Loss(reduction='none')(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(1, Reduction.NONE),
                new double[] {0.125, 0.0, 1.5, 2.5, 0.125, 0.0},
                new double[] {0.5, 0.0, -3.0, 4.0, -2.5, 0.0});
    }

    @Test
    void smoothL1WithTheDifferenceAtBeta() {
        // torch.nn.SmoothL1Loss(beta=0.5)(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(0.5),
                new double[] {0.8333333333333334},
                new double[] {0.16666666666666666, 0.0, -0.16666666666666666, 0.16666666666666666,
                    -0.16666666666666666, 0.0});
    }

    @Test
    void smoothL1WithALargeBeta() {
        // torch.nn.SmoothL1Loss(beta=2.5)(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(2.5),
                new double[] {0.44166666666666665},
                new double[] {0.03333333333333333, 0.0, -0.13333333333333333, 0.16666666666666666,
                    -0.03333333333333333, 0.0});
    }

    @Test
    void smoothL1WithBetaZeroIsL1WithPyTorchsGradientMinusOneAtZero() {
        // torch.nn.SmoothL1Loss(beta=0)(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(0),
                new double[] {1.0},
                new double[] {0.16666666666666666, -0.16666666666666666, -0.16666666666666666,
                    0.16666666666666666, -0.16666666666666666, -0.16666666666666666});
    }

    // ---- GaussianNLLLoss ------------------------------------------------------------------------

    /** GaussianNLLLoss of OUTPUT against TARGET with {@code variances}: its value, the output's and var's gradients. */
    private static void checkGaussian(GaussianNLLLoss loss, double[] variances, int[] varianceDims, double[] value,
                                      double[] outputGrad, double[] varianceGrad) {
        Tensor output = leaf(OUTPUT);
        Tensor var = leaf(variances, varianceDims);
        backwardAndCheck(loss.compute(output, constant(TARGET), var), value);
        assertClose(outputGrad, output.grad(), "output gradient");
        assertClose(varianceGrad, var.grad(), "variance gradient");
    }

    @Test
    void gaussianNllMeanClampsAVarianceUnderEpsButPassesItsGradient() {
        // torch.nn.GaussianNLLLoss()(output, target, var), PyTorch 1.13
        checkGaussian(new GaussianNLLLoss(), VARIANCES, new int[] {2, 3},
                new double[] {2.077874120169644},
                new double[] {0.16666666666666666, 0.0, -0.16666666666666666, 2.0, -0.08333333333333333, 0.0},
                new double[] {0.08333333333333333, 83333.33333333333, -0.041666666666666664, -11.666666666666666,
                    0.0625, 0.020833333333333332});
    }

    @Test
    void gaussianNllSum() {
        // torch.nn.GaussianNLLLoss(reduction='sum')(output, target, var), PyTorch 1.13
        checkGaussian(new GaussianNLLLoss(false, 1e-6, Reduction.SUM), VARIANCES, new int[] {2, 3},
                new double[] {12.467244721017865},
                new double[] {1.0, 0.0, -1.0, 12.0, -0.5, 0.0},
                new double[] {0.5, 500000.0, -0.25, -70.0, 0.375, 0.125});
    }

    @Test
    void gaussianNllNone() {
        // torch.nn.GaussianNLLLoss(reduction='none')(output, target, var), PyTorch 1.13
        checkGaussian(new GaussianNLLLoss(false, 1e-6, Reduction.NONE), VARIANCES, new int[] {2, 3},
                new double[] {-0.09657359027997264, -6.907755278982137, 1.3465735902799727, 17.306852819440056,
                    0.125, 0.6931471805599453},
                new double[] {1.0, 0.0, -3.0, 48.0, -2.5, 0.0},
                new double[] {0.5, 1000000.0, -0.75, -280.0, 1.875, 0.75});
    }

    @Test
    void gaussianNllFullWithALargeEps() {
        // torch.nn.GaussianNLLLoss(full=True, eps=0.1)(output, target, var), PyTorch 1.13
        checkGaussian(new GaussianNLLLoss(true, 0.1, Reduction.MEAN), VARIANCES, new int[] {2, 3},
                new double[] {3.956223108788503},
                new double[] {0.16666666666666666, 0.0, -0.16666666666666666, 2.0, -0.08333333333333333, 0.0},
                new double[] {0.08333333333333333, 0.8333333333333333, -0.041666666666666664, -11.666666666666666,
                    0.0625, 0.020833333333333332});
    }

    @Test
    void gaussianNllWithOneVarianceARowLeavingTheLastAxisOut() {
        // torch.nn.GaussianNLLLoss()(output, target, var [2]), PyTorch 1.13
        checkGaussian(new GaussianNLLLoss(), new double[] {0.5, 2.0}, new int[] {2},
                new double[] {1.09375},
                new double[] {0.16666666666666666, 0.0, -0.6666666666666666, 0.25, -0.041666666666666664, 0.0},
                new double[] {-0.9166666666666665, -0.06770833333333334});
    }

    @Test
    void gaussianNllWithOneVarianceARowOnALastAxisOfOne() {
        // torch.nn.GaussianNLLLoss(reduction='none')(output, target, var [2, 1]), PyTorch 1.13
        checkGaussian(new GaussianNLLLoss(false, 1e-6, Reduction.NONE), new double[] {0.5, 2.0}, new int[] {2, 1},
                new double[] {-0.09657359027997264, -0.34657359027997264, 3.6534264097200273, 2.5965735902799727,
                    0.40907359027997264, 0.34657359027997264},
                new double[] {1.0, 0.0, -12.0, 6.0, -1.25, 0.0},
                new double[] {-18.5, -0.90625});
    }

    // ---- PoissonNLLLoss -------------------------------------------------------------------------

    private static void checkPoisson(PoissonNLLLoss loss, double[] input, double[] value, double[] grad) {
        Tensor output = leaf(input);
        backwardAndCheck(loss.compute(output, constant(COUNTS)), value);
        assertClose(grad, output.grad(), "gradient");
    }

    @Test
    void poissonNllMean() {
        // torch.nn.PoissonNLLLoss()(log_rates, counts), PyTorch 1.13
        checkPoisson(new PoissonNLLLoss(), LOG_RATES,
                new double[] {0.8463606836370006},
                new double[] {0.27478687845002137, -0.10535342647142627, 0.7315093498217751, -0.24999999999999997,
                    0.08028151172301079, -0.12653029655304704});
    }

    @Test
    void poissonNllSum() {
        // torch.nn.PoissonNLLLoss(reduction='sum')(log_rates, counts), PyTorch 1.13
        checkPoisson(new PoissonNLLLoss(true, false, 1e-8, Reduction.SUM), LOG_RATES,
                new double[] {5.078164101822003},
                new double[] {1.6487212707001282, -0.6321205588285577, 4.38905609893065, -1.5, 0.4816890703380645,
                    -0.7591817793182821});
    }

    @Test
    void poissonNllNone() {
        // torch.nn.PoissonNLLLoss(reduction='none')(log_rates, counts), PyTorch 1.13
        checkPoisson(new PoissonNLLLoss(true, false, 1e-8, Reduction.NONE), LOG_RATES,
                new double[] {1.6487212707001282, 1.3678794411714423, 1.3890560989306504, 1.0,
                    -1.5183109296619355, 1.190818220681718},
                new double[] {1.6487212707001282, -1.2642411176571153, 13.16716829679195, -6.0,
                    2.4084453516903217, -4.5550906759096925});
    }

    @Test
    void poissonNllFullAddsStirlingsTermWhereTheCountExceedsOne() {
        // torch.nn.PoissonNLLLoss(full=True)(log_rates, counts), PyTorch 1.13
        checkPoisson(new PoissonNLLLoss(true, true), LOG_RATES,
                new double[] {1.8995313803095633},
                new double[] {0.27478687845002137, -0.10535342647142627, 0.7315093498217751, -0.24999999999999997,
                    0.08028151172301079, -0.12653029655304704});
    }

    @Test
    void poissonNllOfRates() {
        // torch.nn.PoissonNLLLoss(log_input=False)(rates, counts), PyTorch 1.13
        checkPoisson(new PoissonNLLLoss(false, false), RATES,
                new double[] {8.311131825097137},
                new double[] {0.16666666666666666, -1.4999998333333497, -0.08333333208333335, -37878787.71212121,
                    -0.2777777748148148, 0.0833333336111111});
    }

    @Test
    void poissonNllOfRatesFullWithALargeEps() {
        // torch.nn.PoissonNLLLoss(log_input=False, full=True, eps=0.01, reduction='none')(rates, counts), PyTorch 1.13
        checkPoisson(new PoissonNLLLoss(false, true, 0.01, Reduction.NONE), RATES,
                new double[] {0.5, 2.3072749131897208, 1.6696773773301041, 12.680735944797378, 3.008824554936848,
                    1.5769586312798252},
                new double[] {1.0, -16.181818181818183, -1.477611940298508, -995.99990000001, -8.245033112582782,
                    3.009966777408638});
    }

    // ---- MarginRankingLoss ----------------------------------------------------------------------

    private static void checkMarginRanking(MarginRankingLoss loss, double[] value, double[] grad1, double[] grad2) {
        Tensor x1 = leaf(SCORES_1, 6);
        Tensor x2 = leaf(SCORES_2, 6);
        backwardAndCheck(loss.compute(x1, x2, constant(RANKS, 6)), value);
        assertClose(grad1, x1.grad(), "input1 gradient");
        assertClose(grad2, x2.grad(), "input2 gradient");
    }

    @Test
    void marginRankingMeanPassesTheGradientAtATie() {
        // torch.nn.MarginRankingLoss()(x1, x2, y), PyTorch 1.13
        checkMarginRanking(new MarginRankingLoss(),
                new double[] {0.16666666666666666},
                new double[] {-0.0, 0.0, -0.16666666666666666, 0.16666666666666666, -0.0, 0.16666666666666666},
                new double[] {0.0, -0.0, 0.16666666666666666, -0.16666666666666666, 0.0, -0.16666666666666666});
    }

    @Test
    void marginRankingSum() {
        // torch.nn.MarginRankingLoss(reduction='sum')(x1, x2, y), PyTorch 1.13
        checkMarginRanking(new MarginRankingLoss(0, Reduction.SUM),
                new double[] {1.0},
                new double[] {-0.0, 0.0, -1.0, 1.0, -0.0, 1.0},
                new double[] {0.0, -0.0, 1.0, -1.0, 0.0, -1.0});
    }

    @Test
    void marginRankingNone() {
        // torch.nn.MarginRankingLoss(reduction='none')(x1, x2, y), PyTorch 1.13
        checkMarginRanking(new MarginRankingLoss(0, Reduction.NONE),
                new double[] {0.0, 0.0, 0.5, 0.0, 0.0, 0.5},
                new double[] {-0.0, 0.0, -3.0, 4.0, -0.0, 6.0},
                new double[] {0.0, -0.0, 3.0, -4.0, 0.0, -6.0});
    }

    @Test
    void marginRankingWithAMargin() {
        // torch.nn.MarginRankingLoss(margin=0.5)(x1, x2, y), PyTorch 1.13
        checkMarginRanking(new MarginRankingLoss(0.5),
                new double[] {0.45},
                new double[] {-0.16666666666666666, 0.0, -0.16666666666666666, 0.16666666666666666, -0.0,
                    0.16666666666666666},
                new double[] {0.16666666666666666, -0.0, 0.16666666666666666, -0.16666666666666666, 0.0,
                    -0.16666666666666666});
    }

    // ---- CosineEmbeddingLoss --------------------------------------------------------------------

    private static void checkCosineEmbedding(CosineEmbeddingLoss loss, double[] value, double[] grad1, double[] grad2) {
        Tensor x1 = leaf(EMBEDDINGS_1, 4, 4);
        Tensor x2 = leaf(EMBEDDINGS_2, 4, 4);
        backwardAndCheck(loss.compute(x1, x2, Tensor.fromArray(SIMILARITY.clone(), 4)), value);
        assertClose(grad1, x1.grad(), "input1 gradient");
        assertClose(grad2, x2.grad(), "input2 gradient");
    }

    @Test
    void cosineEmbeddingMeanCountsATargetOfZeroAsNothing() {
        // torch.nn.CosineEmbeddingLoss()(x1, x2, [1, -1, -1, 0]), PyTorch 1.13
        checkCosineEmbedding(new CosineEmbeddingLoss(),
                new double[] {0.30366058613610336},
                new double[] {-0.011430952132988143, -0.022861904265976285, 0.05552176750306007,
                    -0.029393876913381287, -0.006366307348325301, 0.026622739820275593,
                    0.0028937760674359603, -0.014386201020894891, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0},
                new double[] {-0.020412414523225543, -0.040824829046451086, -0.10206207261588274,
                    0.08164965809273886, 0.008814080907169303, -0.03187928113549895,
                    0.008442606232945682, 0.016716360341176763, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void cosineEmbeddingSum() {
        // torch.nn.CosineEmbeddingLoss(reduction='sum')(x1, x2, [1, -1, -1, 0]), PyTorch 1.13
        checkCosineEmbedding(new CosineEmbeddingLoss(0, Reduction.SUM),
                new double[] {1.2146423445444134},
                new double[] {-0.04572380853195257, -0.09144761706390514, 0.2220870700122403,
                    -0.11757550765352515, -0.025465229393301203, 0.10649095928110237,
                    0.011575104269743841, -0.057544804083579565, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                new double[] {-0.08164965809290217, -0.16329931618580434, -0.40824829046353095,
                    0.32659863237095543, 0.035256323628677214, -0.1275171245419958, 0.03377042493178273,
                    0.06686544136470705, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void cosineEmbeddingNone() {
        // torch.nn.CosineEmbeddingLoss(reduction='none')(x1, x2, [1, -1, -1, 0]), PyTorch 1.13
        checkCosineEmbedding(new CosineEmbeddingLoss(0, Reduction.NONE),
                new double[] {0.2651530771653503, 0.949489267379063, 0.0, 0.0},
                new double[] {-0.04572380853195257, -0.09144761706390514, 0.2220870700122403,
                    -0.11757550765352515, -0.050930458786602406, 0.21298191856220475,
                    0.023150208539487682, -0.11508960816715913, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                new double[] {-0.08164965809290217, -0.16329931618580434, -0.40824829046353095,
                    0.32659863237095543, 0.07051264725735443, -0.2550342490839916, 0.06754084986356546,
                    0.1337308827294141, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void cosineEmbeddingWithAMargin() {
        // torch.nn.CosineEmbeddingLoss(margin=0.3)(x1, x2, [1, -1, -1, 0]), PyTorch 1.13
        checkCosineEmbedding(new CosineEmbeddingLoss(0.3),
                new double[] {0.22866058613610335},
                new double[] {-0.011430952132988143, -0.022861904265976285, 0.05552176750306007,
                    -0.029393876913381287, -0.006366307348325301, 0.026622739820275593,
                    0.0028937760674359603, -0.014386201020894891, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0},
                new double[] {-0.020412414523225543, -0.040824829046451086, -0.10206207261588274,
                    0.08164965809273886, 0.008814080907169303, -0.03187928113549895,
                    0.008442606232945682, 0.016716360341176763, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void cosineEmbeddingOfOnePairWithAScalarTarget() {
        // torch.nn.CosineEmbeddingLoss()(x1[1], x2[1], tensor(-1)), PyTorch 1.13
        Tensor x1 = leaf(new double[] {0.3, -0.2, 2.5, 0.0}, 4);
        Tensor x2 = leaf(new double[] {0.1, 0.4, 2.0, -0.3}, 4);
        backwardAndCheck(new CosineEmbeddingLoss().compute(x1, x2, Tensor.fromArray(new long[] {-1}).reshape()),
                new double[] {0.949489267379063});
        assertClose(new double[] {-0.025465229393301203, 0.10649095928110237, 0.011575104269743841,
                    -0.057544804083579565},
                x1.grad(), "input1 gradient");
        assertClose(new double[] {0.035256323628677214, -0.1275171245419958, 0.03377042493178273, 0.06686544136470705},
                x2.grad(), "input2 gradient");
    }

    // ---- TripletMarginLoss ----------------------------------------------------------------------

    private static void checkTriplet(TripletMarginLoss loss, double[] value, double[] anchorGrad,
                                     double[] positiveGrad, double[] negativeGrad) {
        Tensor anchor = leaf(Arrays.copyOf(EMBEDDINGS_1, 12), 3, 4);
        Tensor positive = leaf(Arrays.copyOf(EMBEDDINGS_2, 12), 3, 4);
        Tensor negative = leaf(NEGATIVES, 3, 4);
        backwardAndCheck(loss.compute(anchor, positive, negative), value);
        assertClose(anchorGrad, anchor.grad(), "anchor gradient");
        assertClose(positiveGrad, positive.grad(), "positive gradient");
        assertClose(negativeGrad, negative.grad(), "negative gradient");
    }

    @Test
    void tripletMarginMean() {
        // torch.nn.TripletMarginLoss()(anchor, positive, negative), PyTorch 1.13
        checkTriplet(new TripletMarginLoss(),
                new double[] {1.5210062960119803},
                new double[] {-0.012959249058699454, 0.07949074097623215, -0.02591847219895263,
                    0.025918420362060074, 0.0, 0.0, 0.0, 0.0, -0.03590320660463936, 0.05820050078348356,
                    0.16855615256257905, 0.01436076941356862},
                new double[] {-0.09245017493491171, -0.18490016496984332, -0.18490016496984332,
                    0.1848997951698832, -0.0, 0.0, -0.0, -0.0, 0.27399821146264, -0.1534391693940307,
                    0.021919756085629048, -0.10959943802411577},
                new double[] {0.10540942399361117, 0.10540942399361117, 0.21081863716879595, -0.21081821553194327,
                    0.0, -0.0, 0.0, -0.0, -0.23809500485800061, 0.09523866861054715,
                    -0.1904759086482081, 0.09523866861054715});
    }

    @Test
    void tripletMarginSum() {
        // torch.nn.TripletMarginLoss(reduction='sum')(anchor, positive, negative), PyTorch 1.13
        checkTriplet(new TripletMarginLoss(1, 2, 1e-6, false, Reduction.SUM),
                new double[] {4.563018888035941},
                new double[] {-0.038877747176098376, 0.23847222292869646, -0.07775541659685792,
                    0.07775526108618025, 0.0, 0.0, 0.0, 0.0, -0.10770961981391813, 0.1746015023504507,
                    0.5056684576877372, 0.04308230824070586},
                new double[] {-0.27735052480473515, -0.55470049490953, -0.55470049490953, 0.5546993855096496,
                    -0.0, 0.0, -0.0, -0.0, 0.82199463438792, -0.46031750818209216, 0.06575926825688715,
                    -0.32879831407234733},
                new double[] {0.31622827198083353, 0.31622827198083353, 0.6324559115063879, -0.6324546465958298,
                    0.0, -0.0, 0.0, -0.0, -0.7142850145740018, 0.2857160058316415, -0.5714277259446243,
                    0.2857160058316415});
    }

    @Test
    void tripletMarginNone() {
        // torch.nn.TripletMarginLoss(reduction='none')(anchor, positive, negative), PyTorch 1.13
        checkTriplet(new TripletMarginLoss(1, 2, 1e-6, false, Reduction.NONE),
                new double[] {1.2216370072423461, 0.0, 3.3413818807935947},
                new double[] {-0.038877747176098376, 0.23847222292869646, -0.07775541659685792,
                    0.07775526108618025, 0.0, 0.0, 0.0, 0.0, -0.3231288594417543, 0.523804507051352,
                    1.5170053730632116, 0.12924692472211752},
                new double[] {-0.27735052480473515, -0.55470049490953, -0.55470049490953, 0.5546993855096496,
                    -0.0, 0.0, -0.0, -0.0, 2.46598390316376, -1.3809525245462764, 0.19727780477066142,
                    -0.9863949422170419},
                new double[] {0.31622827198083353, 0.31622827198083353, 0.6324559115063879, -0.6324546465958298,
                    0.0, -0.0, 0.0, -0.0, -2.1428550437220055, 0.8571480174949244, -1.714283177833873,
                    0.8571480174949244});
    }

    @Test
    void tripletMarginWithSwapTakesTheCloserOfTheNegativesDistances() {
        // torch.nn.TripletMarginLoss(swap=True)(anchor, positive, negative), PyTorch 1.13
        checkTriplet(new TripletMarginLoss(1, 2, 1e-6, true, Reduction.MEAN),
                new double[] {1.8813864501912672},
                new double[] {0.09245017493491171, 0.18490016496984332, 0.18490016496984332, -0.1848997951698832,
                    0.0, -0.0, 0.0, 0.0, -0.03590320660463936, 0.05820050078348356, 0.16855615256257905,
                    0.01436076941356862},
                new double[] {-0.09245084160291171, 0.14843316836148998, -0.18490083163784332, 0.1848991285018832,
                    -0.0, 0.0, -0.0, 0.0, 0.27399821146264, -0.1534391693940307, 0.021919756085629048,
                    -0.10959943802411577},
                new double[] {6.666679999986664e-07, -0.3333333333313333, 6.666679999986664e-07,
                    6.666679999986664e-07, 0.0, 0.0, 0.0, 0.0, -0.23809500485800061,
                    0.09523866861054715, -0.1904759086482081, 0.09523866861054715});
    }

    @Test
    void tripletMarginWithTheOneNorm() {
        // torch.nn.TripletMarginLoss(p=1, margin=2)(anchor, positive, negative), PyTorch 1.13
        checkTriplet(new TripletMarginLoss(2, 1, 1e-6, false, Reduction.MEAN),
                new double[] {2.766666666666666},
                new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                new double[] {-0.3333333333333333, -0.3333333333333333, -0.3333333333333333, 0.3333333333333333,
                    -0.0, 0.0, -0.0, -0.0, 0.3333333333333333, -0.3333333333333333, 0.3333333333333333,
                    -0.3333333333333333},
                new double[] {0.3333333333333333, 0.3333333333333333, 0.3333333333333333, -0.3333333333333333,
                    0.0, -0.0, 0.0, -0.0, -0.3333333333333333, 0.3333333333333333, -0.3333333333333333,
                    0.3333333333333333});
    }

    @Test
    void tripletMarginWithTheThreeNormAndALargeEps() {
        // torch.nn.TripletMarginLoss(p=3, eps=0.01, reduction='none')(anchor, positive, negative), PyTorch 1.13
        checkTriplet(new TripletMarginLoss(1, 3, 0.01, false, Reduction.NONE),
                new double[] {1.1545459143755463, 0.0, 3.10100789202873},
                new double[] {-0.030074004030870197, 0.3225920084010687, -0.11794883318681537,
                    0.11332384217860769, 0.0, 0.0, 0.0, 0.0, -0.44859627929819634, 0.43677430489403635,
                    1.3396088601380278, 0.03286936341748775},
                new double[] {-0.12069530241256225, -0.47336131484450117, -0.47336131484450117,
                    0.45479994576913596, -0.0, 0.0, -0.0, -0.0, 2.587036185587552, -0.8295489815594281,
                    0.015062983871181206, -0.42564404008287954},
                new double[] {0.15076930644343245, 0.15076930644343245, 0.5913101480313165, -0.5681237879477437,
                    0.0, -0.0, 0.0, -0.0, -2.1384399062893555, 0.3927746766653918, -1.354671844009209,
                    0.3927746766653918});
    }

    @Test
    void tripletMarginOfOneTriplet() {
        // torch.nn.TripletMarginLoss()(anchor[0], positive[0], negative[0]), PyTorch 1.13
        Tensor anchor = leaf(Arrays.copyOf(EMBEDDINGS_1, 4), 4);
        Tensor loss = new TripletMarginLoss().compute(anchor, constant(Arrays.copyOf(EMBEDDINGS_2, 4), 4),
                constant(Arrays.copyOf(NEGATIVES, 4), 4));
        backwardAndCheck(loss, new double[] {1.2216370072423461});
        assertClose(new double[] {-0.038877747176098376, 0.23847222292869646, -0.07775541659685792,
                    0.07775526108618025},
                anchor.grad(), "anchor gradient");
    }
}
