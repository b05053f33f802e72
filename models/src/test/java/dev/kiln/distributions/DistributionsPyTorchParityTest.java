package dev.kiln.distributions;

import static dev.kiln.distributions.DistributionsPyTorchValues.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The distributions and divergences against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/distributions.py}, whose output is {@link DistributionsPyTorchValues}): each result
 * and its inputs' gradients for the upstream gradient 1, 2, 3, ... in the result's shape, to 1e-10 (relative above
 * 1). The comment on each test names the torch call.
 */
class DistributionsPyTorchParityTest extends DistributionParity {
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] X = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    private static final double[] POSITIVE = {0.2, 0.4, 2.5, 1.5, 1.0, 3.0};
    private static final double[] NONNEGATIVE = {0.0, 0.4, 2.5, 1.5, 1.0, 3.0};
    private static final double[] SCALE_Q = {1.0, 0.7, 0.4, 0.9, 2.0, 0.5};
    private static final double[] LOW = {0.0, -1.0, 2.0, 0.5, -2.0, -0.5};
    private static final double[] HIGH = {1.0, 0.5, 3.0, 2.0, 1.0, 0.5};
    /** Inside [LOW, HIGH), element 1 at its lower bound. */
    private static final double[] INSIDE = {0.25, -1.0, 2.9, 1.0, 0.0, 0.25};
    /** Below LOW, at HIGH (excluded) and above it. */
    private static final double[] OUTSIDE = {-0.5, 0.5, 3.5, 0.0, 1.0, 0.75};
    /** A second row of q containing p's interval and one leaving part of it out (infinite divergence). */
    private static final double[] LOW_Q = {-1.0, -1.0, 1.0, 0.75, -2.0, -1.0};
    private static final double[] HIGH_Q = {2.0, 0.5, 3.5, 2.0, 0.5, 0.5};
    /** Probabilities 0 and 1 among them, which PyTorch clamps to eps and 1 - eps for the log-odds. */
    private static final double[] PROBS = {0.2, 0.5, 0.9, 0.0, 1.0, 0.35};
    private static final double[] LOGITS = {-1.5, 0.0, 2.0, 0.3, -0.7, 4.0};
    private static final double[] LOGITS_Q = {0.5, -2.0, 1.0, -0.3, 0.7, 3.0};
    private static final double[] BITS = {1.0, 0.0, 1.0, 1.0, 0.0, 0.0};
    /** Zeros and ones on either side of a Bernoulli divergence: 0, infinity, or finite. */
    private static final double[] P_EDGES = {0.0, 1.0, 0.0, 1.0, 0.3, 0.3, 0.0, 1.0};
    private static final double[] Q_EDGES = {0.4, 0.4, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0};
    /** Three rows of four classes, not normalised, one of probability 0. */
    private static final double[] CAT_PROBS = {1.0, 2.0, 0.0, 1.0, 0.5, 0.25, 0.25, 3.0, 0.1, 0.2, 0.3, 0.4};
    private static final double[] CAT_PROBS_Q = {0.25, 0.25, 0.25, 0.25, 0.5, 0.0, 0.25, 0.25, 0.1, 0.2, 0.3, 0.4};
    private static final double[] CAT_LOGITS = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.2, 0.4, 3.0, 3.0, -2.0, 1.0};
    private static final double[] CAT_LOGITS_Q = {0.0, 0.0, 1.0, -1.0, 2.0, 1.0, 0.0, -1.0, 0.3, -0.3, 0.6, -0.6};
    /** Class indices [2, 3]: a sample axis of 2 over the batch of 3. */
    private static final long[] CLASSES = {0, 1, 3, 3, 3, 0};
    private static final double[] TRIL = {1.2, 0.0, 0.0, 0.3, 0.8, 0.0, -0.5, 0.4, 1.5, 0.6, 0.0, 0.0, -0.2, 1.1, 0.0,
        0.1, 0.7, 0.9};
    private static final double[] TRIL_Q = {0.9, 0.0, 0.0, 0.1, 1.3, 0.0, 0.2, -0.3, 0.7, 1.4, 0.0, 0.0, 0.5, 0.6, 0.0,
        -0.4, 0.2, 1.0};
    /** Values [4, 2, 3]: four rows of X, repeated. */
    private static final double[] X3 = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.5, -0.5, 0.3, 0.2, 0.4, 2.5,
        -1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.5, -0.5, 0.3};

    @Test
    void normalLogProbCdfAndEntropyMatchPyTorch() {
        // Normal(loc, scale).log_prob(x), .cdf(x), .entropy()
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(X);
        check("log_prob", new Normal(loc, scale).logProb(x), NORMAL_LOG_PROB, grad(loc, NORMAL_LOG_PROB_D_LOC),
                grad(scale, NORMAL_LOG_PROB_D_SCALE), grad(x, NORMAL_LOG_PROB_D_X));
        check("cdf", new Normal(loc, scale).cdf(x), NORMAL_CDF, grad(loc, NORMAL_CDF_D_LOC),
                grad(scale, NORMAL_CDF_D_SCALE), grad(x, NORMAL_CDF_D_X));
        check("entropy", new Normal(constant(LOC), scale).entropy(), NORMAL_ENTROPY, grad(scale, NORMAL_ENTROPY_D_SCALE));
    }

    /**
     * In F32 (inputs rounded from the F64 ones) the results and gradients match PyTorch's float64 numbers to single
     * precision: 1e-5, relative above 1.
     */
    @Test
    void inF32TheResultsMatchPyTorchToSinglePrecision() {
        Tensor loc = leaf(LOC).to(DType.F32).detach().requiresGrad(true);
        Tensor scale = leaf(SCALE).to(DType.F32).detach().requiresGrad(true);
        Tensor logits = leaf(CAT_LOGITS, 3, 4).to(DType.F32).detach().requiresGrad(true);
        Tensor tril = leaf(TRIL, 2, 3, 3).to(DType.F32).detach().requiresGrad(true);
        Tensor x = constant(X).to(DType.F32);
        checkF32("Normal log_prob", new Normal(loc, scale).logProb(x), NORMAL_LOG_PROB,
                grad(loc, NORMAL_LOG_PROB_D_LOC), grad(scale, NORMAL_LOG_PROB_D_SCALE));
        checkF32("Categorical log_prob", Categorical.ofLogits(logits).logProb(Tensor.fromArray(CLASSES, 2, 3)),
                CATEGORICAL_LOGITS_LOG_PROB, grad(logits, CATEGORICAL_LOGITS_LOG_PROB_D_LOGITS));
        checkF32("MultivariateNormal log_prob", MultivariateNormal.ofScaleTril(loc, tril).logProb(x), MVN_TRIL_LOG_PROB,
                grad(loc, MVN_TRIL_LOG_PROB_D_LOC), grad(tril, MVN_TRIL_LOG_PROB_D_TRIL));
    }

    @Test
    void normalParametersBroadcastToTheBatchShape() {
        // Normal(loc[0] of [3], scale[:, :1] of [2, 1]).log_prob(x [2, 3])
        Tensor loc = leaf(new double[] {0.5, -1.0, 2.0}, 3);
        Tensor scale = leaf(new double[] {0.5, 0.3}, 2, 1);
        Normal normal = new Normal(loc, scale);
        assertEquals(Shape.of(2, 3), normal.batchShape());
        check("log_prob", normal.logProb(constant(X)), NORMAL_BROADCAST_LOG_PROB,
                grad(loc, NORMAL_BROADCAST_LOG_PROB_D_LOC), grad(scale, NORMAL_BROADCAST_LOG_PROB_D_SCALE));
    }

    @Test
    void logNormalMatchesPyTorch() {
        // LogNormal(loc, scale).log_prob(x), .cdf(x), .entropy(), .mean, .variance
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(POSITIVE);
        check("log_prob", new LogNormal(loc, scale).logProb(x), LOG_NORMAL_LOG_PROB,
                grad(loc, LOG_NORMAL_LOG_PROB_D_LOC), grad(scale, LOG_NORMAL_LOG_PROB_D_SCALE),
                grad(x, LOG_NORMAL_LOG_PROB_D_X));
        check("cdf", new LogNormal(loc, scale).cdf(constant(POSITIVE)), LOG_NORMAL_CDF,
                grad(loc, LOG_NORMAL_CDF_D_LOC), grad(scale, LOG_NORMAL_CDF_D_SCALE));
        check("entropy", new LogNormal(loc, scale).entropy(), LOG_NORMAL_ENTROPY,
                grad(loc, LOG_NORMAL_ENTROPY_D_LOC), grad(scale, LOG_NORMAL_ENTROPY_D_SCALE));
        check("mean", new LogNormal(loc, scale).mean(), LOG_NORMAL_MEAN,
                grad(loc, LOG_NORMAL_MEAN_D_LOC), grad(scale, LOG_NORMAL_MEAN_D_SCALE));
        check("variance", new LogNormal(loc, scale).variance(), LOG_NORMAL_VARIANCE,
                grad(loc, LOG_NORMAL_VARIANCE_D_LOC), grad(scale, LOG_NORMAL_VARIANCE_D_SCALE));
    }

    @Test
    void laplaceMatchesPyTorch() {
        // Laplace(loc, scale).log_prob(x), .cdf(x), .entropy(), .stddev
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(X);
        check("log_prob", new Laplace(loc, scale).logProb(x), LAPLACE_LOG_PROB, grad(loc, LAPLACE_LOG_PROB_D_LOC),
                grad(scale, LAPLACE_LOG_PROB_D_SCALE), grad(x, LAPLACE_LOG_PROB_D_X));
        check("cdf", new Laplace(loc, scale).cdf(x), LAPLACE_CDF, grad(loc, LAPLACE_CDF_D_LOC),
                grad(scale, LAPLACE_CDF_D_SCALE), grad(x, LAPLACE_CDF_D_X));
        check("entropy", new Laplace(constant(LOC), scale).entropy(), LAPLACE_ENTROPY,
                grad(scale, LAPLACE_ENTROPY_D_SCALE));
        check("stddev", new Laplace(constant(LOC), scale).stddev(), LAPLACE_STDDEV, grad(scale, LAPLACE_STDDEV_D_SCALE));
    }

    @Test
    void uniformMatchesPyTorch() {
        // Uniform(low, high).log_prob(inside), .cdf(x), .entropy(), .stddev
        Tensor low = leaf(LOW);
        Tensor high = leaf(HIGH);
        Tensor x = leaf(INSIDE);
        check("log_prob", new Uniform(low, high).logProb(constant(INSIDE)), UNIFORM_LOG_PROB,
                grad(low, UNIFORM_LOG_PROB_D_LOW), grad(high, UNIFORM_LOG_PROB_D_HIGH));
        check("cdf", new Uniform(low, high).cdf(x), UNIFORM_CDF, grad(low, UNIFORM_CDF_D_LOW),
                grad(high, UNIFORM_CDF_D_HIGH), grad(x, UNIFORM_CDF_D_X));
        check("entropy", new Uniform(low, high).entropy(), UNIFORM_ENTROPY, grad(low, UNIFORM_ENTROPY_D_LOW),
                grad(high, UNIFORM_ENTROPY_D_HIGH));
        check("stddev", new Uniform(low, high).stddev(), UNIFORM_STDDEV, grad(low, UNIFORM_STDDEV_D_LOW),
                grad(high, UNIFORM_STDDEV_D_HIGH));
    }

    @Test
    void uniformOutsideItsSupportWithoutValidationIsImpossibleAndClampsItsCdf() {
        // Uniform(low, high, validate_args=False).log_prob(outside), .cdf(outside)
        Uniform uniform = new Uniform(constant(LOW), constant(HIGH), false);
        assertClose("log_prob", UNIFORM_OUTSIDE_LOG_PROB, uniform.logProb(constant(OUTSIDE)));
        assertClose("cdf", UNIFORM_OUTSIDE_CDF, uniform.cdf(constant(OUTSIDE)));
    }

    @Test
    void exponentialMatchesPyTorch() {
        // Exponential(rate).log_prob(x), .cdf(x), .entropy(), .variance, at values from 0
        Tensor rate = leaf(SCALE);
        Tensor x = leaf(NONNEGATIVE);
        check("log_prob", new Exponential(rate).logProb(x), EXPONENTIAL_LOG_PROB,
                grad(rate, EXPONENTIAL_LOG_PROB_D_RATE), grad(x, EXPONENTIAL_LOG_PROB_D_X));
        check("cdf", new Exponential(rate).cdf(x), EXPONENTIAL_CDF, grad(rate, EXPONENTIAL_CDF_D_RATE),
                grad(x, EXPONENTIAL_CDF_D_X));
        check("entropy", new Exponential(rate).entropy(), EXPONENTIAL_ENTROPY, grad(rate, EXPONENTIAL_ENTROPY_D_RATE));
        check("variance", new Exponential(rate).variance(), EXPONENTIAL_VARIANCE,
                grad(rate, EXPONENTIAL_VARIANCE_D_RATE));
    }

    @Test
    void bernoulliByProbabilitiesClampsZeroAndOneAsPyTorchDoes() {
        // Bernoulli(probs=probs).log_prob(bits), .entropy(), with probabilities 0 and 1
        Tensor probs = leaf(PROBS);
        check("log_prob", Bernoulli.ofProbs(probs).logProb(constant(BITS)), BERNOULLI_PROBS_LOG_PROB,
                grad(probs, BERNOULLI_PROBS_LOG_PROB_D_PROBS));
        check("entropy", Bernoulli.ofProbs(probs).entropy(), BERNOULLI_PROBS_ENTROPY,
                grad(probs, BERNOULLI_PROBS_ENTROPY_D_PROBS));
    }

    @Test
    void bernoulliByLogitsMatchesPyTorch() {
        // Bernoulli(logits=logits).log_prob(bits), .entropy(), .variance
        Tensor logits = leaf(LOGITS);
        check("log_prob", Bernoulli.ofLogits(logits).logProb(constant(BITS)), BERNOULLI_LOGITS_LOG_PROB,
                grad(logits, BERNOULLI_LOGITS_LOG_PROB_D_LOGITS));
        check("entropy", Bernoulli.ofLogits(logits).entropy(), BERNOULLI_LOGITS_ENTROPY,
                grad(logits, BERNOULLI_LOGITS_ENTROPY_D_LOGITS));
        check("variance", Bernoulli.ofLogits(logits).variance(), BERNOULLI_LOGITS_VARIANCE,
                grad(logits, BERNOULLI_LOGITS_VARIANCE_D_LOGITS));
    }

    @Test
    void categoricalByUnnormalisedProbabilitiesWithAZeroMatchesPyTorch() {
        // Categorical(probs=probs).log_prob(classes [2, 3]), .entropy()
        Tensor probs = leaf(CAT_PROBS, 3, 4);
        check("log_prob", Categorical.ofProbs(probs).logProb(Tensor.fromArray(CLASSES, 2, 3)),
                CATEGORICAL_PROBS_LOG_PROB, grad(probs, CATEGORICAL_PROBS_LOG_PROB_D_PROBS));
        check("entropy", Categorical.ofProbs(probs).entropy(), CATEGORICAL_PROBS_ENTROPY,
                grad(probs, CATEGORICAL_PROBS_ENTROPY_D_PROBS));
    }

    @Test
    void categoricalByLogitsMatchesPyTorch() {
        // Categorical(logits=logits).log_prob(classes [2, 3]), .entropy(), .probs
        Tensor logits = leaf(CAT_LOGITS, 3, 4);
        check("log_prob", Categorical.ofLogits(logits).logProb(Tensor.fromArray(CLASSES, 2, 3)),
                CATEGORICAL_LOGITS_LOG_PROB, grad(logits, CATEGORICAL_LOGITS_LOG_PROB_D_LOGITS));
        check("entropy", Categorical.ofLogits(logits).entropy(), CATEGORICAL_LOGITS_ENTROPY,
                grad(logits, CATEGORICAL_LOGITS_ENTROPY_D_LOGITS));
        check("probs", Categorical.ofLogits(logits).probs(), CATEGORICAL_LOGITS_PROBS,
                grad(logits, CATEGORICAL_LOGITS_PROBS_D_LOGITS));
    }

    @Test
    void oneHotCategoricalMatchesPyTorch() {
        // OneHotCategorical(logits=logits).log_prob(one_hot(classes)), OneHotCategorical(probs=probs).entropy(), .variance
        Tensor logits = leaf(CAT_LOGITS, 3, 4);
        check("log_prob", OneHotCategorical.ofLogits(logits).logProb(oneHot(CLASSES, 4)), ONE_HOT_LOG_PROB,
                grad(logits, ONE_HOT_LOG_PROB_D_LOGITS));
        Tensor probs = leaf(CAT_PROBS, 3, 4);
        check("entropy", OneHotCategorical.ofProbs(probs).entropy(), ONE_HOT_ENTROPY,
                grad(probs, ONE_HOT_ENTROPY_D_PROBS));
        check("variance", OneHotCategorical.ofProbs(probs).variance(), ONE_HOT_VARIANCE,
                grad(probs, ONE_HOT_VARIANCE_D_PROBS));
    }

    /** The classes [2, 3] as one-hot rows [2, 3, classes], F64. */
    private static Tensor oneHot(long[] classes, int count) {
        double[] values = new double[classes.length * count];
        for (int i = 0; i < classes.length; i++) {
            values[i * count + (int) classes[i]] = 1;
        }
        return Tensor.fromArray(values, 2, 3, count);
    }

    @Test
    void independentSumsItsBaseOverTheReinterpretedAxes() {
        // Independent(Normal(loc, scale), 1).log_prob(x), Independent(Normal(loc, scale), 2).entropy()
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        check("log_prob", new Independent(new Normal(loc, scale), 1).logProb(constant(X)), INDEPENDENT_LOG_PROB,
                grad(loc, INDEPENDENT_LOG_PROB_D_LOC), grad(scale, INDEPENDENT_LOG_PROB_D_SCALE));
        check("entropy", new Independent(new Normal(constant(LOC), scale), 2).entropy(), INDEPENDENT_ENTROPY,
                grad(scale, INDEPENDENT_ENTROPY_D_SCALE));
    }

    @Test
    void multivariateNormalByScaleTrilMatchesPyTorch() {
        // MultivariateNormal(loc, scale_tril=tril).log_prob(x), .entropy(), .variance
        Tensor loc = leaf(LOC);
        Tensor tril = leaf(TRIL, 2, 3, 3);
        Tensor x = leaf(X);
        check("log_prob", MultivariateNormal.ofScaleTril(loc, tril).logProb(x), MVN_TRIL_LOG_PROB,
                grad(loc, MVN_TRIL_LOG_PROB_D_LOC), grad(tril, MVN_TRIL_LOG_PROB_D_TRIL), grad(x, MVN_TRIL_LOG_PROB_D_X));
        check("entropy", MultivariateNormal.ofScaleTril(constant(LOC), tril).entropy(), MVN_TRIL_ENTROPY,
                grad(tril, MVN_TRIL_ENTROPY_D_TRIL));
        check("variance", MultivariateNormal.ofScaleTril(constant(LOC), tril).variance(), MVN_TRIL_VARIANCE,
                grad(tril, MVN_TRIL_VARIANCE_D_TRIL));
    }

    @Test
    void multivariateNormalByCovarianceFactorisesItAsPyTorchDoes() {
        // MultivariateNormal(loc, covariance_matrix=tril tril^T + 0.1 I).log_prob(x), .scale_tril
        Tensor loc = leaf(LOC);
        Tensor covariance = leaf(covariance(TRIL), 2, 3, 3);
        check("log_prob", MultivariateNormal.ofCovarianceMatrix(loc, covariance).logProb(constant(X)),
                MVN_COVARIANCE_LOG_PROB, grad(loc, MVN_COVARIANCE_LOG_PROB_D_LOC),
                grad(covariance, MVN_COVARIANCE_LOG_PROB_D_COV));
        check("scale_tril", MultivariateNormal.ofCovarianceMatrix(constant(LOC), covariance).scaleTril(),
                MVN_COVARIANCE_SCALE_TRIL, grad(covariance, MVN_COVARIANCE_SCALE_TRIL_D_COV));
    }

    /** {@code tril tril^T + 0.1 I} for two 3 x 3 factors, as the script makes the covariances. */
    private static double[] covariance(double[] tril) {
        double[] out = new double[tril.length];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double sum = 0;
                    for (int k = 0; k < 3; k++) {
                        sum += tril[b * 9 + i * 3 + k] * tril[b * 9 + j * 3 + k];
                    }
                    out[b * 9 + i * 3 + j] = sum + (i == j ? 0.1 : 0);
                }
            }
        }
        return out;
    }

    @Test
    void multivariateNormalScoresASampleAxisAgainstOneSharedFactor() {
        // MultivariateNormal(loc [2, 3], scale_tril=tril[1] [3, 3]).log_prob(x [4, 2, 3])
        Tensor loc = leaf(LOC);
        Tensor tril = leaf(Arrays.copyOfRange(TRIL, 9, 18), 3, 3);
        check("log_prob", MultivariateNormal.ofScaleTril(loc, tril).logProb(constant(X3, 4, 2, 3)),
                MVN_BROADCAST_LOG_PROB, grad(loc, MVN_BROADCAST_LOG_PROB_D_LOC), grad(tril, MVN_BROADCAST_LOG_PROB_D_TRIL));
    }

    @Test
    void klOfLocationScalePairsMatchesPyTorch() {
        // kl_divergence(Normal(pl, ps), Normal(ql, qs)), and of LogNormal, Laplace and Independent(Normal, 1)
        Tensor pl = leaf(LOC);
        Tensor ps = leaf(SCALE);
        Tensor ql = leaf(X);
        Tensor qs = leaf(SCALE_Q);
        check("Normal", KL.divergence(new Normal(pl, ps), new Normal(ql, qs)), KL_NORMAL, grad(pl, KL_NORMAL_D_PL),
                grad(ps, KL_NORMAL_D_PS), grad(ql, KL_NORMAL_D_QL), grad(qs, KL_NORMAL_D_QS));
        check("LogNormal", KL.divergence(new LogNormal(pl, ps), new LogNormal(ql, qs)), KL_LOG_NORMAL,
                grad(pl, KL_LOG_NORMAL_D_PL), grad(ps, KL_LOG_NORMAL_D_PS), grad(ql, KL_LOG_NORMAL_D_QL),
                grad(qs, KL_LOG_NORMAL_D_QS));
        check("Laplace", KL.divergence(new Laplace(pl, ps), new Laplace(ql, qs)), KL_LAPLACE,
                grad(pl, KL_LAPLACE_D_PL), grad(ps, KL_LAPLACE_D_PS), grad(ql, KL_LAPLACE_D_QL),
                grad(qs, KL_LAPLACE_D_QS));
        check("Independent", KL.divergence(new Independent(new Normal(pl, ps), 1), new Independent(new Normal(ql, qs), 1)),
                KL_INDEPENDENT, grad(pl, KL_INDEPENDENT_D_PL), grad(ps, KL_INDEPENDENT_D_PS),
                grad(ql, KL_INDEPENDENT_D_QL), grad(qs, KL_INDEPENDENT_D_QS));
    }

    @Test
    void klOfExponentialsAndUniformsMatchesPyTorch() {
        // kl_divergence(Exponential(p), Exponential(q)), kl_divergence(Uniform(pl, ph), Uniform(ql, qh))
        Tensor p = leaf(SCALE);
        Tensor q = leaf(SCALE_Q);
        check("Exponential", KL.divergence(new Exponential(p), new Exponential(q)), KL_EXPONENTIAL,
                grad(p, KL_EXPONENTIAL_D_P), grad(q, KL_EXPONENTIAL_D_Q));
        Tensor pl = leaf(LOW);
        Tensor ph = leaf(HIGH);
        Tensor ql = leaf(LOW_Q);
        Tensor qh = leaf(HIGH_Q);
        check("Uniform", KL.divergence(new Uniform(pl, ph), new Uniform(ql, qh)), KL_UNIFORM, grad(pl, KL_UNIFORM_D_PL),
                grad(ph, KL_UNIFORM_D_PH), grad(ql, KL_UNIFORM_D_QL), grad(qh, KL_UNIFORM_D_QH));
    }

    @Test
    void klOfBernoullisMatchesPyTorchAlsoAtProbabilitiesZeroAndOne() {
        // kl_divergence(Bernoulli(logits=p), Bernoulli(logits=q)); Bernoulli(probs=...) with zeros and ones
        Tensor p = leaf(LOGITS);
        Tensor q = leaf(LOGITS_Q);
        check("logits", KL.divergence(Bernoulli.ofLogits(p), Bernoulli.ofLogits(q)), KL_BERNOULLI,
                grad(p, KL_BERNOULLI_D_P), grad(q, KL_BERNOULLI_D_Q));
        assertClose("edges", KL_BERNOULLI_EDGES,
                KL.divergence(Bernoulli.ofProbs(constant(P_EDGES, 8)), Bernoulli.ofProbs(constant(Q_EDGES, 8))));
    }

    @Test
    void klOfCategoricalsMatchesPyTorchAlsoWithZeroProbabilities() {
        // kl_divergence(Categorical(logits=p), Categorical(logits=q)), of OneHotCategorical, and of probs with zeros
        Tensor p = leaf(CAT_LOGITS, 3, 4);
        Tensor q = leaf(CAT_LOGITS_Q, 3, 4);
        check("Categorical", KL.divergence(Categorical.ofLogits(p), Categorical.ofLogits(q)), KL_CATEGORICAL,
                grad(p, KL_CATEGORICAL_D_P), grad(q, KL_CATEGORICAL_D_Q));
        check("OneHotCategorical", KL.divergence(OneHotCategorical.ofLogits(p), OneHotCategorical.ofLogits(q)),
                KL_ONE_HOT, grad(p, KL_ONE_HOT_D_P), grad(q, KL_ONE_HOT_D_Q));
        Tensor probs = leaf(CAT_PROBS, 3, 4);
        check("zeros", KL.divergence(Categorical.ofProbs(probs), Categorical.ofProbs(constant(CAT_PROBS_Q, 3, 4))),
                KL_CATEGORICAL_ZEROS, grad(probs, KL_CATEGORICAL_ZEROS_D_P));
    }

    @Test
    void klOfMultivariateNormalsMatchesPyTorch() {
        // kl_divergence(MultivariateNormal(pl, scale_tril=pt), MultivariateNormal(ql, scale_tril=qt))
        Tensor pl = leaf(LOC);
        Tensor pt = leaf(TRIL, 2, 3, 3);
        Tensor ql = leaf(X);
        Tensor qt = leaf(TRIL_Q, 2, 3, 3);
        check("MultivariateNormal", KL.divergence(MultivariateNormal.ofScaleTril(pl, pt),
                MultivariateNormal.ofScaleTril(ql, qt)), KL_MVN, grad(pl, KL_MVN_D_PL), grad(pt, KL_MVN_D_PT),
                grad(ql, KL_MVN_D_QL), grad(qt, KL_MVN_D_QT));
    }
}
