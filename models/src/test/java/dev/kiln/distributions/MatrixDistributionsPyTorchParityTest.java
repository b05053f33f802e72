package dev.kiln.distributions;

import static dev.kiln.distributions.MatrixDistributionsPyTorchValues.*;

import dev.kiln.distributions.transforms.CorrCholeskyTransform;
import dev.kiln.distributions.transforms.LowerCholeskyTransform;
import dev.kiln.distributions.transforms.ReshapeTransform;
import dev.kiln.distributions.transforms.SoftmaxTransform;
import dev.kiln.distributions.transforms.StickBreakingTransform;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The simplex and matrix transforms and families against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/distributions_matrix.py}, whose output is {@link MatrixDistributionsPyTorchValues}):
 * each result and its inputs' gradients for the upstream gradient 1, 2, 3, ... in the result's shape, to 1e-10
 * (relative above 1), gradients through digamma (Wishart's entropy) to 1e-8: PyTorch differentiates digamma with its
 * trigamma, good to about 1e-9 relative (as in {@link ContinuousDistributionsPyTorchParityTest}). The comment on each
 * test names the torch calls.
 */
class MatrixDistributionsPyTorchParityTest extends DistributionParity {
    /** For gradients through digamma, which PyTorch's trigamma gives to about 1e-9. */
    private static final double TRIGAMMA_TOLERANCE = 1e-8;
    private static final double[] X = {0.3, -1.2, 2.0, -0.5, 0.0, 1.1};
    /** Far into sigmoid's and tanh's tails, where the clamps act. */
    private static final double[] WIDE = {40.0, -3.0, 0.5, -800.0, 25.0, 1.0};
    private static final double[] SIMPLEX = {0.1, 0.2, 0.3, 0.4, 0.5, 0.05, 0.25, 0.2};
    private static final double[] MATRICES = {0.3, 1.0, -2.0, -1.2, 0.5, 0.7, 2.0, -0.4, -1.1,
        -0.5, 0.2, 0.9, 0.0, 1.3, -0.6, 1.1, 0.8, 0.1};
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] LOGITS = {-1.0, 0.5, 2.0, 0.0, 0.3, -0.7};
    private static final double[] COVARIANCE = {2.0, 0.3, -0.4, 0.3, 1.5, 0.2, -0.4, 0.2, 1.0,
        1.0, -0.5, 0.1, -0.5, 2.5, 0.6, 0.1, 0.6, 0.8};
    private static final double[] DF = {4.0, 5.5};
    private static final double[] VALUE = {3.0, 0.5, 0.2, 0.5, 2.0, -0.3, 0.2, -0.3, 1.5,
        1.2, 0.1, -0.6, 0.1, 4.0, 0.9, -0.6, 0.9, 2.2};

    @Test
    void softmaxNormalisesAndItsInverseIsTheLog() {
        // SoftmaxTransform()(x), .inv(y)
        Tensor x = leaf(X);
        Tensor y = leaf(SIMPLEX, 2, 4);
        check("forward", new SoftmaxTransform().forward(x), SOFTMAX_FORWARD, grad(x, SOFTMAX_FORWARD_D_X));
        check("inverse", new SoftmaxTransform().inverse(y), SOFTMAX_INVERSE, grad(y, SOFTMAX_INVERSE_D_Y));
    }

    @Test
    void stickBreakingMapsVectorsOfKMinusOneOntoTheSimplexOfK() {
        // StickBreakingTransform()(x), .inv(y), .log_abs_det_jacobian(x, y); forward far into sigmoid's tails
        StickBreakingTransform stick = new StickBreakingTransform();
        Tensor x = leaf(X);
        Tensor y = leaf(SIMPLEX, 2, 4);
        check("forward", stick.forward(x), STICK_FORWARD, grad(x, STICK_FORWARD_D_X));
        assertClose("wide forward", STICK_FORWARD_WIDE, stick.forward(constant(WIDE)));
        check("inverse", stick.inverse(y), STICK_INVERSE, grad(y, STICK_INVERSE_D_Y));
        check("log det", stick.logAbsDetJacobian(x, stick.forward(x)), STICK_LOG_DET, grad(x, STICK_LOG_DET_D_X));
    }

    @Test
    void lowerCholeskyExponentiatesTheDiagonalAndDropsTheUpperTriangle() {
        // LowerCholeskyTransform()(x), .inv(y)
        LowerCholeskyTransform lower = new LowerCholeskyTransform();
        Tensor x = leaf(MATRICES, 2, 3, 3);
        Tensor y = lower.forward(constant(MATRICES, 2, 3, 3)).requiresGrad(true);
        check("forward", lower.forward(x), LOWER_CHOLESKY_FORWARD, grad(x, LOWER_CHOLESKY_FORWARD_D_X));
        check("inverse", lower.inverse(y), LOWER_CHOLESKY_INVERSE, grad(y, LOWER_CHOLESKY_INVERSE_D_Y));
    }

    @Test
    void corrCholeskyMapsTriangleVectorsToUnitRowFactors() {
        // CorrCholeskyTransform()(x), .inv(y), .log_abs_det_jacobian(x, y) for D = 3 and D = 4; forward in tanh's tails
        CorrCholeskyTransform corr = new CorrCholeskyTransform();
        Tensor x = leaf(X);
        Tensor y = corr.forward(constant(X)).requiresGrad(true);
        check("forward", corr.forward(x), CORR_FORWARD, grad(x, CORR_FORWARD_D_X));
        assertClose("wide forward", CORR_FORWARD_WIDE, corr.forward(constant(WIDE)));
        check("inverse", corr.inverse(y), CORR_INVERSE, grad(y, CORR_INVERSE_D_Y));
        check("log det", corr.logAbsDetJacobian(x, corr.forward(x)), CORR_LOG_DET, grad(x, CORR_LOG_DET_D_X));
        Tensor x6 = leaf(X, 6);
        check("D = 4 forward", corr.forward(x6), CORR4_FORWARD, grad(x6, CORR4_FORWARD_D_X));
        check("D = 4 log det", corr.logAbsDetJacobian(x6, corr.forward(x6)), CORR4_LOG_DET,
                grad(x6, CORR4_LOG_DET_D_X));
    }

    @Test
    void logisticNormalIsANormalPushedThroughStickBreaking() {
        // LogisticNormal(loc, scale).log_prob(y) for [2, 3] parameters and for scalar ones (events of 2)
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor y = leaf(SIMPLEX, 2, 4);
        check("log_prob", new LogisticNormal(loc, scale).logProb(y), LOGISTIC_NORMAL_LOG_PROB,
                grad(loc, LOGISTIC_NORMAL_LOG_PROB_D_LOC), grad(scale, LOGISTIC_NORMAL_LOG_PROB_D_SCALE),
                grad(y, LOGISTIC_NORMAL_LOG_PROB_D_Y));
        Tensor scalarLoc = Tensor.full(0.4, DType.F64).requiresGrad(true);
        Tensor scalarScale = Tensor.full(1.3, DType.F64).requiresGrad(true);
        Tensor pairs = leaf(new double[] {0.3, 0.7, 0.9, 0.1}, 2, 2);
        check("scalar log_prob", new LogisticNormal(scalarLoc, scalarScale).logProb(pairs),
                LOGISTIC_NORMAL_SCALAR_LOG_PROB, grad(scalarLoc, LOGISTIC_NORMAL_SCALAR_LOG_PROB_D_LOC),
                grad(scalarScale, LOGISTIC_NORMAL_SCALAR_LOG_PROB_D_SCALE),
                grad(pairs, LOGISTIC_NORMAL_SCALAR_LOG_PROB_D_Y));
    }

    @Test
    void aNormalPushedOntoCorrelationFactorsAndAReshapedNormalMatchPyTorch() {
        // TransformedDistribution(Normal(loc[0], scale[0]), [CorrCholeskyTransform()]).log_prob(y);
        // TransformedDistribution(Normal(loc [6], scale [6]), [ReshapeTransform((6,), (2, 3))]).log_prob(y [2, 3])
        Tensor loc = leaf(new double[] {LOC[0], LOC[1], LOC[2]}, 3);
        Tensor scale = leaf(new double[] {SCALE[0], SCALE[1], SCALE[2]}, 3);
        Tensor y = new CorrCholeskyTransform().forward(constant(X)).requiresGrad(true);
        check("corr log_prob", new TransformedDistribution(new Normal(loc, scale), new CorrCholeskyTransform())
                .logProb(y), CORR_NORMAL_LOG_PROB, grad(loc, CORR_NORMAL_LOG_PROB_D_LOC),
                grad(scale, CORR_NORMAL_LOG_PROB_D_SCALE), grad(y, CORR_NORMAL_LOG_PROB_D_Y));
        Tensor flatLoc = leaf(LOC, 6);
        Tensor flatScale = leaf(SCALE, 6);
        Tensor events = leaf(X);
        check("reshape log_prob", new TransformedDistribution(new Normal(flatLoc, flatScale),
                new ReshapeTransform(Shape.of(6), Shape.of(2, 3))).logProb(events), RESHAPE_NORMAL_LOG_PROB,
                grad(flatLoc, RESHAPE_NORMAL_LOG_PROB_D_LOC), grad(flatScale, RESHAPE_NORMAL_LOG_PROB_D_SCALE),
                grad(events, RESHAPE_NORMAL_LOG_PROB_D_Y));
    }

    @Test
    void straightThroughDrawsCarryTheGradientOfTheProbabilities() {
        // (OneHotCategoricalStraightThrough(logits=logits).rsample((4,)) * arange(1, 25).reshape(4, 2, 3)).sum()
        Tensor logits = leaf(LOGITS);
        Tensor weights = Tensor.arange(1, 25, 1, DType.F64).reshape(4, 2, 3);
        OneHotCategoricalStraightThrough.ofLogits(logits).rsample(4).mul(weights).sum().backward();
        assertClose("gradient", STRAIGHT_THROUGH_RSAMPLE_D_LOGITS, logits.grad());
    }

    @Test
    void straightThroughPairsDivergeAsOneHotCategoricals() {
        // kl_divergence(OneHotCategoricalStraightThrough(logits=p), OneHotCategoricalStraightThrough(logits=q))
        Tensor p = leaf(LOGITS);
        Tensor q = leaf(X);
        check("kl", KL.divergence(OneHotCategoricalStraightThrough.ofLogits(p),
                OneHotCategoricalStraightThrough.ofLogits(q)), STRAIGHT_THROUGH_KL, grad(p, STRAIGHT_THROUGH_KL_D_P),
                grad(q, STRAIGHT_THROUGH_KL_D_Q));
    }

    @Test
    void lkjCholeskyLogProbOfCorrelationFactors() {
        // LKJCholesky(3, [0.5, 2.0]).log_prob(y), LKJCholesky(4, 1.5).log_prob(y4), LKJCholesky(2, [1, 3]).log_prob(y2)
        CorrCholeskyTransform corr = new CorrCholeskyTransform();
        Tensor concentration = leaf(new double[] {0.5, 2.0}, 2);
        Tensor y = corr.forward(constant(X)).requiresGrad(true);
        check("d = 3", new LKJCholesky(3, concentration).logProb(y), LKJ_LOG_PROB,
                grad(concentration, LKJ_LOG_PROB_D_CONCENTRATION), grad(y, LKJ_LOG_PROB_D_Y));
        Tensor single = Tensor.full(1.5, DType.F64).requiresGrad(true);
        Tensor y4 = corr.forward(constant(X, 6)).requiresGrad(true);
        check("d = 4", new LKJCholesky(4, single).logProb(y4), LKJ4_LOG_PROB,
                grad(single, LKJ4_LOG_PROB_D_CONCENTRATION), grad(y4, LKJ4_LOG_PROB_D_Y));
        Tensor pair = leaf(new double[] {1.0, 3.0}, 2);
        Tensor y2 = corr.forward(constant(new double[] {0.3, -0.8}, 2, 1)).requiresGrad(true);
        check("d = 2", new LKJCholesky(2, pair).logProb(y2), LKJ2_LOG_PROB, grad(pair, LKJ2_LOG_PROB_D_CONCENTRATION),
                grad(y2, LKJ2_LOG_PROB_D_Y));
    }

    @Test
    void wishartLogProbInEachParameterisation() {
        // Wishart(df, covariance_matrix= | scale_tril= | precision_matrix=).log_prob(x); df [2] over one covariance
        Tensor df = leaf(DF, 2);
        Tensor covariance = leaf(COVARIANCE, 2, 3, 3);
        Tensor scaleTril = leaf(WISHART_SCALE_TRIL, 2, 3, 3);
        Tensor precision = leaf(WISHART_PRECISION, 2, 3, 3);
        Tensor x = leaf(VALUE, 2, 3, 3);
        check("covariance", Wishart.ofCovarianceMatrix(df, covariance).logProb(x), WISHART_COVARIANCE_LOG_PROB,
                grad(df, WISHART_COVARIANCE_LOG_PROB_D_DF), grad(covariance, WISHART_COVARIANCE_LOG_PROB_D_COVARIANCE),
                grad(x, WISHART_COVARIANCE_LOG_PROB_D_X));
        check("scale_tril", Wishart.ofScaleTril(df, scaleTril).logProb(x), WISHART_SCALE_TRIL_LOG_PROB,
                grad(df, WISHART_SCALE_TRIL_LOG_PROB_D_DF), grad(scaleTril, WISHART_SCALE_TRIL_LOG_PROB_D_SCALE_TRIL),
                grad(x, WISHART_SCALE_TRIL_LOG_PROB_D_X));
        check("precision", Wishart.ofPrecisionMatrix(df, precision).logProb(x), WISHART_PRECISION_LOG_PROB,
                grad(df, WISHART_PRECISION_LOG_PROB_D_DF), grad(precision, WISHART_PRECISION_LOG_PROB_D_PRECISION),
                grad(x, WISHART_PRECISION_LOG_PROB_D_X));
        Tensor one = leaf(Arrays.copyOf(COVARIANCE, 9), 3, 3);
        check("broadcast", Wishart.ofCovarianceMatrix(df, one).logProb(x), WISHART_BROADCAST_LOG_PROB,
                grad(df, WISHART_BROADCAST_LOG_PROB_D_DF), grad(one, WISHART_BROADCAST_LOG_PROB_D_COVARIANCE),
                grad(x, WISHART_BROADCAST_LOG_PROB_D_X));
    }

    @Test
    void wishartEntropyMomentsAndMatrices() {
        // Wishart(df, covariance_matrix=).entropy(); Wishart(df, scale_tril=).mean, .variance, .mode,
        // .precision_matrix; Wishart(df, precision_matrix=).scale_tril
        Tensor df = leaf(DF, 2);
        Tensor covariance = leaf(COVARIANCE, 2, 3, 3);
        Tensor scaleTril = leaf(WISHART_SCALE_TRIL, 2, 3, 3);
        Tensor precision = leaf(WISHART_PRECISION, 2, 3, 3);
        check("entropy", Wishart.ofCovarianceMatrix(df, covariance).entropy(), WISHART_ENTROPY, TRIGAMMA_TOLERANCE,
                grad(df, WISHART_ENTROPY_D_DF), grad(covariance, WISHART_ENTROPY_D_COVARIANCE));
        check("mean", Wishart.ofScaleTril(df, scaleTril).mean(), WISHART_MEAN, grad(df, WISHART_MEAN_D_DF),
                grad(scaleTril, WISHART_MEAN_D_SCALE_TRIL));
        check("variance", Wishart.ofScaleTril(df, scaleTril).variance(), WISHART_VARIANCE,
                grad(df, WISHART_VARIANCE_D_DF), grad(scaleTril, WISHART_VARIANCE_D_SCALE_TRIL));
        Tensor fixedDf = constant(DF, 2);
        check("mode", Wishart.ofScaleTril(fixedDf, scaleTril).mode(), WISHART_MODE,
                grad(scaleTril, WISHART_MODE_D_SCALE_TRIL));
        check("precision matrix", Wishart.ofScaleTril(fixedDf, scaleTril).precisionMatrix(), WISHART_PRECISION_MATRIX,
                grad(scaleTril, WISHART_PRECISION_MATRIX_D_SCALE_TRIL));
        check("scale_tril of a precision", Wishart.ofPrecisionMatrix(fixedDf, precision).scaleTril(),
                WISHART_PRECISION_SCALE_TRIL, grad(precision, WISHART_PRECISION_SCALE_TRIL_D_PRECISION));
    }
}
