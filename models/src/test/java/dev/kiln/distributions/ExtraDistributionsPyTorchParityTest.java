package dev.kiln.distributions;

import static dev.kiln.distributions.ExtraDistributionsPyTorchValues.*;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli, VonMises, Kumaraswamy, FisherSnedecor and
 * LowRankMultivariateNormal, and the divergences registered with them, against what PyTorch 1.13 printed for the
 * same F64 inputs ({@code models/src/test/pytorch/distributions_extra.py}, whose output is
 * {@link ExtraDistributionsPyTorchValues}): each result and its inputs' gradients for the upstream gradient 1, 2, 3,
 * ... in the result's shape, to 1e-10 (relative above 1), gradients through digamma to 1e-8. The comment on each
 * test names the torch calls.
 */
class ExtraDistributionsPyTorchParityTest extends DistributionParity {
    /**
     * For gradients through digamma (Beta's entropy), which PyTorch differentiates with its trigamma, good to about
     * 1e-9 relative (as in {@link ContinuousDistributionsPyTorchParityTest}).
     */
    private static final double TRIGAMMA_TOLERANCE = 1e-8;
    private static final double[] MULTI_PROBS = {1.0, 2.0, 0.0, 1.0, 0.5, 0.25, 0.25, 3.0};
    private static final double[] MULTI_LOGITS = {-1.0, 0.5, 2.0, 0.0, 0.3, -0.7, 1.5, -2.0};
    private static final double[] MULTI_COUNTS = {2.0, 3.0, 0.0, 1.0, 0.0, 1.0, 4.0, 1.0};
    private static final double[] NB_TOTALS = {3.0, 0.5, 12.0, 7.5, 1.0, 20.0};
    private static final double[] NB_PROBS = {0.3, 0.0, 0.8, 0.5, 0.95, 0.1};
    private static final double[] NB_LOGITS = {-1.0, 0.5, 2.0, 0.0, -3.0, 1.5};
    private static final double[] NB_COUNTS = {0.0, 2.0, 5.0, 0.0, 7.0, 40.0};
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] X = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    private static final double[] SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] SHAPE = {0.7, 1.0, 2.5, 1.5, 3.0, 0.4};
    private static final double[] POSITIVE = {0.2, 0.4, 2.5, 1.5, 1.0, 3.0};
    private static final double[] PROB = {0.1, 0.3, 0.5, 0.75, 0.9, 0.02};
    private static final double[] ALPHA = {0.7, 1.0, 2.5, 1.5, 3.0, 4.0};
    /** SCALE plus 0, 0.4, 2.5, 1.5, 1, 3: the least value among them. */
    private static final double[] ABOVE = {0.5, 1.6, 4.5, 1.8, 2.0, 3.8};
    private static final double[] SCALE_Q = {1.0, 0.7, 0.4, 0.9, 2.0, 0.5};
    private static final double[] LOC_Q = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    private static final double[] LOW = {0.6, 1.0, 2.0, 0.5, 2.0, 0.5};
    private static final double[] HIGH = {1.0, 1.5, 3.0, 2.0, 3.0, 0.9};
    /** Inside PyTorch's unstable region (0.499, 0.501] (0.4995, 0.5, 0.501), outside it, and 0 (clamped to eps). */
    private static final double[] CB_PROBS = {0.1, 0.4995, 0.5, 0.75, 0.501, 0.0};
    private static final double[] CB_LOGITS = {-1.0, 0.001, 0.0, 2.0, -0.003, 25.0};
    private static final double[] CB_X = {0.2, 0.0, 1.0, 0.7, 0.3, 0.05};
    private static final double[] CB_Q = {0.3, 0.8, 0.4995, 0.2, 0.6, 0.05};
    private static final double[] VM_LOC = {0.5, -1.0, 2.0, 0.0, 3.0, -2.5};
    /** On both sides of the Bessel functions' switch at 3.75. */
    private static final double[] VM_CONCENTRATION = {0.05, 1.2, 3.7, 3.8, 10.0, 50.0};
    private static final double[] VM_X = {0.2, 4.0, 2.5, -7.0, 3.1, -2.4};
    private static final double[] UNIT = {0.1, 0.4, 0.95, 0.5, 0.02, 0.7};
    /** At and below 2 and 4 among them: NaN moments and modes. */
    private static final double[] DF1 = {0.5, 2.0, 5.0, 10.0, 3.0, 1.0};
    private static final double[] DF2 = {1.5, 3.0, 6.0, 12.0, 4.0, 30.0};
    private static final double[] LR_FACTOR = {1.0, 0.2, -0.5, 0.7, 0.3, -1.2, 0.1, 0.0, 2.0, -0.4, 0.6, 0.9};
    private static final double[] LR_DIAG = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] LR_FACTOR_Q = {0.4, 1.1, -0.3, -0.8, 0.2, 0.5};
    private static final double[] LR_DIAG_Q = {1.0, 0.7, 0.4, 0.9, 2.0, 0.5};
    private static final double[] LR_TRIL = {1.2, 0.0, 0.0, 0.3, 0.8, 0.0, -0.5, 0.4, 1.5, 0.7, 0.0, 0.0, -0.2, 1.1,
        0.0, 0.1, 0.6, 0.9};

    @Test
    void multinomialLogProbMatchesPyTorch() {
        // Multinomial(6, probs=...).log_prob(x) (a class of probability 0 at count 0), Multinomial(6, logits=...)
        Tensor probs = leaf(MULTI_PROBS, 2, 4);
        Tensor logits = leaf(MULTI_LOGITS, 2, 4);
        check("probs log_prob", Multinomial.ofProbs(6, probs).logProb(constant(new double[] {2, 3, 0, 1}, 4)),
                MULTINOMIAL_PROBS_LOG_PROB, grad(probs, MULTINOMIAL_PROBS_LOG_PROB_D_PROBS));
        check("logits log_prob", Multinomial.ofLogits(6, logits).logProb(constant(MULTI_COUNTS, 2, 4)),
                MULTINOMIAL_LOGITS_LOG_PROB, grad(logits, MULTINOMIAL_LOGITS_LOG_PROB_D_LOGITS));
    }

    @Test
    void multinomialScoresCountsOfOtherTotalsAndImpossibleClassesAsPyTorch() {
        // Multinomial(6, logits=..., validate_args=False).log_prob(counts of totals 0 and 12); logits of -inf
        assertClose("other totals", MULTINOMIAL_OTHER_TOTALS_LOG_PROB, Multinomial.ofLogits(6,
                constant(MULTI_LOGITS, 2, 4), false).logProb(constant(new double[] {0, 0, 0, 0, 3, 0, 7, 2}, 2, 4)));
        Tensor impossibleFirst = constant(new double[] {Double.NEGATIVE_INFINITY, 0, 1, 2}, 4);
        assertClose("logits of -inf", MULTINOMIAL_NEG_INF_LOG_PROB,
                Multinomial.ofLogits(6, impossibleFirst).logProb(constant(MULTI_COUNTS, 2, 4)));
    }

    @Test
    void multinomialEntropyAndMomentsMatchPyTorch() {
        // Multinomial(6, logits=...).entropy(), Multinomial(0, ...).entropy(), Multinomial(6, probs=...).mean, .variance
        Tensor logits = leaf(MULTI_LOGITS, 2, 4);
        Tensor probs = leaf(MULTI_PROBS, 2, 4);
        check("entropy", Multinomial.ofLogits(6, logits).entropy(), MULTINOMIAL_ENTROPY,
                grad(logits, MULTINOMIAL_ENTROPY_D_LOGITS));
        assertClose("entropy of 0 draws", MULTINOMIAL_ZERO_ENTROPY, Multinomial.ofLogits(0, logits).entropy());
        check("mean", Multinomial.ofProbs(6, probs).mean(), MULTINOMIAL_MEAN, grad(probs, MULTINOMIAL_MEAN_D_PROBS));
        check("variance", Multinomial.ofProbs(6, probs).variance(), MULTINOMIAL_VARIANCE,
                grad(probs, MULTINOMIAL_VARIANCE_D_PROBS));
    }

    @Test
    void negativeBinomialLogProbMatchesPyTorch() {
        // NegativeBinomial(total, probs=...).log_prob(k) (probs 0 among them), NegativeBinomial(total, logits=...)
        Tensor total = leaf(NB_TOTALS);
        Tensor probs = leaf(NB_PROBS);
        Tensor logits = leaf(NB_LOGITS);
        check("probs log_prob", NegativeBinomial.ofProbs(total, probs).logProb(constant(NB_COUNTS)),
                NEGATIVE_BINOMIAL_PROBS_LOG_PROB, grad(total, NEGATIVE_BINOMIAL_PROBS_LOG_PROB_D_TOTAL),
                grad(probs, NEGATIVE_BINOMIAL_PROBS_LOG_PROB_D_PROBS));
        check("logits log_prob", NegativeBinomial.ofLogits(total, logits).logProb(constant(NB_COUNTS)),
                NEGATIVE_BINOMIAL_LOGITS_LOG_PROB, grad(total, NEGATIVE_BINOMIAL_LOGITS_LOG_PROB_D_TOTAL),
                grad(logits, NEGATIVE_BINOMIAL_LOGITS_LOG_PROB_D_LOGITS));
    }

    @Test
    void negativeBinomialOfNoFailuresIsCertainOfZeroAsPyTorch() {
        // NegativeBinomial([[3], [0]], logits=...).log_prob(k): 0 at k = 0 and -inf above where the total is 0
        Tensor total = constant(new double[] {3, 0}, 2, 1);
        Tensor logits = constant(new double[] {-1.0, 0.5, 2.0}, 3);
        assertClose("log_prob", NEGATIVE_BINOMIAL_NO_FAILURES_LOG_PROB,
                NegativeBinomial.ofLogits(total, logits).logProb(constant(NB_COUNTS)));
    }

    @Test
    void negativeBinomialMomentsAndModeMatchPyTorch() {
        // NegativeBinomial(total, logits=...).mean, NegativeBinomial(total, probs=...).variance, .mode
        Tensor total = leaf(NB_TOTALS);
        Tensor probs = leaf(NB_PROBS);
        Tensor logits = leaf(NB_LOGITS);
        check("mean", NegativeBinomial.ofLogits(total, logits).mean(), NEGATIVE_BINOMIAL_MEAN,
                grad(total, NEGATIVE_BINOMIAL_MEAN_D_TOTAL), grad(logits, NEGATIVE_BINOMIAL_MEAN_D_LOGITS));
        check("variance", NegativeBinomial.ofProbs(total, probs).variance(), NEGATIVE_BINOMIAL_VARIANCE,
                grad(total, NEGATIVE_BINOMIAL_VARIANCE_D_TOTAL), grad(probs, NEGATIVE_BINOMIAL_VARIANCE_D_PROBS));
        assertClose("mode", NEGATIVE_BINOMIAL_MODE, NegativeBinomial.ofLogits(constant(NB_TOTALS), constant(NB_LOGITS))
                .mode());
    }

    @Test
    void weibullMatchesPyTorch() {
        // Weibull(scale, k).log_prob(x), .cdf(x), .icdf(p), .entropy(), .mean, .variance
        Tensor scale = leaf(SCALE);
        Tensor k = leaf(SHAPE);
        Tensor x = leaf(POSITIVE);
        Tensor p = leaf(PROB);
        check("log_prob", new Weibull(scale, k).logProb(x), WEIBULL_LOG_PROB, grad(scale, WEIBULL_LOG_PROB_D_SCALE),
                grad(k, WEIBULL_LOG_PROB_D_K), grad(x, WEIBULL_LOG_PROB_D_X));
        check("cdf", new Weibull(scale, k).cdf(x), WEIBULL_CDF, grad(scale, WEIBULL_CDF_D_SCALE),
                grad(k, WEIBULL_CDF_D_K), grad(x, WEIBULL_CDF_D_X));
        check("icdf", new Weibull(scale, k).icdf(p), WEIBULL_ICDF, grad(scale, WEIBULL_ICDF_D_SCALE),
                grad(k, WEIBULL_ICDF_D_K), grad(p, WEIBULL_ICDF_D_P));
        check("entropy", new Weibull(scale, k).entropy(), WEIBULL_ENTROPY, grad(scale, WEIBULL_ENTROPY_D_SCALE),
                grad(k, WEIBULL_ENTROPY_D_K));
        check("mean", new Weibull(scale, k).mean(), WEIBULL_MEAN, grad(scale, WEIBULL_MEAN_D_SCALE),
                grad(k, WEIBULL_MEAN_D_K));
        check("variance", new Weibull(scale, k).variance(), WEIBULL_VARIANCE, grad(scale, WEIBULL_VARIANCE_D_SCALE),
                grad(k, WEIBULL_VARIANCE_D_K));
    }

    @Test
    void weibullModeMatchesPyTorchNaNBelowAShapeOfOne() {
        // Weibull(scale, k + 0.5).mode (k 0.9 among them), Weibull(scale, k).mode (k 1 and below among them)
        Tensor scale = leaf(SCALE);
        Tensor k = leaf(Arrays.stream(SHAPE).map(v -> v + 0.5).toArray());
        check("mode", new Weibull(scale, k).mode(), WEIBULL_MODE, grad(scale, WEIBULL_MODE_D_SCALE),
                grad(k, WEIBULL_MODE_D_K));
        assertClose("mode for k up to 1", WEIBULL_MODE_BELOW_ONE, new Weibull(constant(SCALE), constant(SHAPE)).mode());
    }

    @Test
    void paretoMatchesPyTorch() {
        // Pareto(scale, alpha).log_prob(x) (x at the scale among them), .cdf(x), .icdf(p), .entropy(), and
        // Pareto(scale, alpha + 1.5).mean, .variance
        Tensor scale = leaf(SCALE);
        Tensor alpha = leaf(ALPHA);
        Tensor x = leaf(ABOVE);
        Tensor p = leaf(PROB);
        check("log_prob", new Pareto(scale, alpha).logProb(x), PARETO_LOG_PROB, grad(scale, PARETO_LOG_PROB_D_SCALE),
                grad(alpha, PARETO_LOG_PROB_D_ALPHA), grad(x, PARETO_LOG_PROB_D_X));
        check("cdf", new Pareto(scale, alpha).cdf(x), PARETO_CDF, grad(scale, PARETO_CDF_D_SCALE),
                grad(alpha, PARETO_CDF_D_ALPHA), grad(x, PARETO_CDF_D_X));
        check("icdf", new Pareto(scale, alpha).icdf(p), PARETO_ICDF, grad(scale, PARETO_ICDF_D_SCALE),
                grad(alpha, PARETO_ICDF_D_ALPHA), grad(p, PARETO_ICDF_D_P));
        check("entropy", new Pareto(scale, alpha).entropy(), PARETO_ENTROPY, grad(scale, PARETO_ENTROPY_D_SCALE),
                grad(alpha, PARETO_ENTROPY_D_ALPHA));
        Tensor heavier = leaf(Arrays.stream(ALPHA).map(v -> v + 1.5).toArray());
        check("mean", new Pareto(scale, heavier).mean(), PARETO_MEAN, grad(scale, PARETO_MEAN_D_SCALE),
                grad(heavier, PARETO_MEAN_D_ALPHA));
        check("variance", new Pareto(scale, heavier).variance(), PARETO_VARIANCE,
                grad(scale, PARETO_VARIANCE_D_SCALE), grad(heavier, PARETO_VARIANCE_D_ALPHA));
    }

    @Test
    void paretoMomentsAreInfiniteForHeavyTailsAsPyTorch() {
        // Pareto(scale, alpha).mean (alpha 0.7 and 1 among them), .variance (alpha 1.5 too)
        Pareto pareto = new Pareto(constant(SCALE), constant(ALPHA));
        assertClose("mean", PARETO_INFINITE_MEAN, pareto.mean());
        assertClose("variance", PARETO_INFINITE_VARIANCE, pareto.variance());
    }

    @Test
    void paretoDivergencesMatchPyTorch() {
        // kl_divergence(Pareto, Pareto | Exponential | Gamma | Normal), kl_divergence(Uniform, Pareto)
        Tensor ps = leaf(SCALE);
        Tensor pa = leaf(ALPHA);
        Tensor qs = leaf(Arrays.stream(SCALE_Q).map(v -> v * 0.5).toArray());
        Tensor qa = leaf(SHAPE);
        check("Pareto-Pareto", KL.divergence(new Pareto(ps, pa), new Pareto(qs, qa)), KL_PARETO_PARETO,
                grad(ps, KL_PARETO_PARETO_D_PS), grad(pa, KL_PARETO_PARETO_D_PA), grad(qs, KL_PARETO_PARETO_D_QS),
                grad(qa, KL_PARETO_PARETO_D_QA));
        assertClose("Pareto-Pareto below q's scale", KL_PARETO_PARETO_BELOW,
                KL.divergence(new Pareto(constant(SCALE), constant(ALPHA)), new Pareto(constant(SCALE_Q), constant(SHAPE))));
        Tensor lighter = leaf(Arrays.stream(ALPHA).map(v -> v + 0.5).toArray());
        Tensor q = leaf(SCALE_Q);
        check("Pareto-Exponential", KL.divergence(new Pareto(ps, lighter), new Exponential(q)), KL_PARETO_EXPONENTIAL,
                grad(ps, KL_PARETO_EXPONENTIAL_D_PS), grad(lighter, KL_PARETO_EXPONENTIAL_D_PA),
                grad(q, KL_PARETO_EXPONENTIAL_D_Q));
        Tensor qc = leaf(SHAPE);
        check("Pareto-Gamma", KL.divergence(new Pareto(ps, lighter), new Gamma(qc, q)), KL_PARETO_GAMMA,
                grad(ps, KL_PARETO_GAMMA_D_PS), grad(lighter, KL_PARETO_GAMMA_D_PA), grad(qc, KL_PARETO_GAMMA_D_QC),
                grad(q, KL_PARETO_GAMMA_D_QR));
        Tensor lightest = leaf(Arrays.stream(ALPHA).map(v -> v + 1.0).toArray());
        Tensor ql = leaf(LOC_Q);
        check("Pareto-Normal", KL.divergence(new Pareto(ps, lightest), new Normal(ql, q)), KL_PARETO_NORMAL,
                grad(ps, KL_PARETO_NORMAL_D_PS), grad(lightest, KL_PARETO_NORMAL_D_PA), grad(ql, KL_PARETO_NORMAL_D_QL),
                grad(q, KL_PARETO_NORMAL_D_QS));
        Tensor low = leaf(LOW);
        Tensor high = leaf(HIGH);
        check("Uniform-Pareto", KL.divergence(new Uniform(low, high), new Pareto(ps, pa)), KL_UNIFORM_PARETO,
                grad(low, KL_UNIFORM_PARETO_D_PL), grad(high, KL_UNIFORM_PARETO_D_PH), grad(ps, KL_UNIFORM_PARETO_D_QS),
                grad(pa, KL_UNIFORM_PARETO_D_QA));
    }

    @Test
    void paretoDivergencesAreInfiniteWhereOneSideRulesOutTheOthersMassAsPyTorch() {
        // kl_divergence of Beta, Exponential, Gamma, Gumbel, Laplace and Normal against Pareto, of Pareto against Beta
        // and Uniform, and of Pareto against Exponential, Gamma and Normal for alpha up to 1 (or 2)
        Tensor scale = constant(SCALE);
        Tensor shape = constant(SHAPE);
        Tensor alpha = constant(ALPHA);
        Pareto pareto = new Pareto(scale, alpha);
        List<Tensor> pairs = List.of(KL.divergence(new Beta(shape, alpha), pareto),
                KL.divergence(new Exponential(shape), pareto), KL.divergence(new Gamma(shape, alpha), pareto),
                KL.divergence(new Gumbel(constant(LOC_Q), scale), pareto),
                KL.divergence(new Laplace(constant(LOC_Q), scale), pareto),
                KL.divergence(new Normal(constant(LOC_Q), scale), pareto), KL.divergence(pareto, new Beta(shape, alpha)),
                KL.divergence(pareto, new Uniform(constant(LOW), constant(HIGH))),
                KL.divergence(pareto, new Exponential(constant(SCALE_Q))),
                KL.divergence(pareto, new Gamma(shape, constant(SCALE_Q))),
                KL.divergence(pareto, new Normal(constant(LOC_Q), constant(SCALE_Q))));
        assertClose("pairs", KL_PARETO_INFINITE_PAIRS, Tensor.stack(pairs, 0));
    }

    @Test
    void continuousBernoulliLogProbCdfAndIcdfMatchPyTorchInAndOutOfTheTaylorRegion() {
        // ContinuousBernoulli(probs=...).log_prob(x), .cdf(x), .icdf(p); ContinuousBernoulli(logits=...).log_prob(x)
        Tensor probs = leaf(CB_PROBS);
        Tensor logits = leaf(CB_LOGITS);
        Tensor x = leaf(CB_X);
        Tensor p = leaf(PROB);
        check("probs log_prob", ContinuousBernoulli.ofProbs(probs).logProb(x), CB_PROBS_LOG_PROB,
                grad(probs, CB_PROBS_LOG_PROB_D_PROBS), grad(x, CB_PROBS_LOG_PROB_D_X));
        check("logits log_prob", ContinuousBernoulli.ofLogits(logits).logProb(x), CB_LOGITS_LOG_PROB,
                grad(logits, CB_LOGITS_LOG_PROB_D_LOGITS), grad(x, CB_LOGITS_LOG_PROB_D_X));
        check("cdf", ContinuousBernoulli.ofProbs(probs).cdf(x), CB_CDF, grad(probs, CB_CDF_D_PROBS),
                grad(x, CB_CDF_D_X));
        check("icdf", ContinuousBernoulli.ofProbs(probs).icdf(p), CB_ICDF, grad(probs, CB_ICDF_D_PROBS),
                grad(p, CB_ICDF_D_P));
    }

    @Test
    void continuousBernoulliEntropyAndMomentsMatchPyTorchInAndOutOfTheTaylorRegion() {
        // ContinuousBernoulli(logits=...).entropy(), .mean, .variance; ContinuousBernoulli(probs=...).mean, .variance
        Tensor probs = leaf(CB_PROBS);
        Tensor logits = leaf(CB_LOGITS);
        check("entropy", ContinuousBernoulli.ofLogits(logits).entropy(), CB_ENTROPY,
                grad(logits, CB_ENTROPY_D_LOGITS));
        check("mean", ContinuousBernoulli.ofProbs(probs).mean(), CB_MEAN, grad(probs, CB_MEAN_D_PROBS));
        check("variance", ContinuousBernoulli.ofProbs(probs).variance(), CB_VARIANCE,
                grad(probs, CB_VARIANCE_D_PROBS));
        check("logits mean", ContinuousBernoulli.ofLogits(logits).mean(), CB_LOGITS_MEAN,
                grad(logits, CB_LOGITS_MEAN_D_LOGITS));
        check("logits variance", ContinuousBernoulli.ofLogits(logits).variance(), CB_LOGITS_VARIANCE,
                grad(logits, CB_LOGITS_VARIANCE_D_LOGITS));
    }

    @Test
    void continuousBernoulliDivergencesMatchPyTorch() {
        // kl_divergence(ContinuousBernoulli, ContinuousBernoulli | Exponential | Normal | Uniform),
        // kl_divergence(Beta | Uniform, ContinuousBernoulli)
        Tensor p = leaf(CB_PROBS);
        Tensor q = leaf(CB_Q);
        check("CB-CB", KL.divergence(ContinuousBernoulli.ofProbs(p), ContinuousBernoulli.ofProbs(q)), KL_CB_CB,
                grad(p, KL_CB_CB_D_P), grad(q, KL_CB_CB_D_Q));
        Tensor pa = leaf(SHAPE);
        Tensor pb = leaf(ALPHA);
        check("Beta-CB", KL.divergence(new Beta(pa, pb), ContinuousBernoulli.ofProbs(q)), KL_BETA_CB,
                TRIGAMMA_TOLERANCE, grad(pa, KL_BETA_CB_D_PA), grad(pb, KL_BETA_CB_D_PB), grad(q, KL_BETA_CB_D_Q));
        Tensor rate = leaf(SCALE_Q);
        check("CB-Exponential", KL.divergence(ContinuousBernoulli.ofProbs(p), new Exponential(rate)),
                KL_CB_EXPONENTIAL, grad(p, KL_CB_EXPONENTIAL_D_P), grad(rate, KL_CB_EXPONENTIAL_D_Q));
        Tensor loc = leaf(LOC_Q);
        check("CB-Normal", KL.divergence(ContinuousBernoulli.ofProbs(p), new Normal(loc, rate)), KL_CB_NORMAL,
                grad(p, KL_CB_NORMAL_D_P), grad(loc, KL_CB_NORMAL_D_QL), grad(rate, KL_CB_NORMAL_D_QS));
        Tensor qLow = leaf(new double[] {-0.5, -1.0, 0.2, -0.1, -2.0, -0.3});
        Tensor qHigh = leaf(new double[] {1.5, 2.0, 3.0, 0.8, 1.2, 1.1});
        check("CB-Uniform", KL.divergence(ContinuousBernoulli.ofProbs(p), new Uniform(qLow, qHigh)), KL_CB_UNIFORM,
                grad(p, KL_CB_UNIFORM_D_P), grad(qLow, KL_CB_UNIFORM_D_QL), grad(qHigh, KL_CB_UNIFORM_D_QH));
        Tensor pLow = leaf(new double[] {0.1, 0.2, 0.05, 0.3, 0.5, 0.6});
        Tensor pHigh = leaf(new double[] {0.4, 0.9, 0.5, 0.98, 0.7, 0.95});
        check("Uniform-CB", KL.divergence(new Uniform(pLow, pHigh), ContinuousBernoulli.ofProbs(q)), KL_UNIFORM_CB,
                grad(pLow, KL_UNIFORM_CB_D_PL), grad(pHigh, KL_UNIFORM_CB_D_PH), grad(q, KL_UNIFORM_CB_D_Q));
    }

    @Test
    void continuousBernoulliDivergencesAreInfiniteWhereOneSideRulesOutTheOthersMassAsPyTorch() {
        // kl_divergence of ContinuousBernoulli against Pareto, and of Exponential, Gamma, Gumbel, Laplace, Normal and
        // Pareto against ContinuousBernoulli
        ContinuousBernoulli cb = ContinuousBernoulli.ofProbs(constant(CB_Q));
        Tensor scale = constant(SCALE);
        Tensor shape = constant(SHAPE);
        Tensor alpha = constant(ALPHA);
        List<Tensor> pairs = List.of(KL.divergence(cb, new Pareto(scale, alpha)),
                KL.divergence(new Exponential(shape), cb), KL.divergence(new Gamma(shape, alpha), cb),
                KL.divergence(new Gumbel(constant(LOC_Q), scale), cb), KL.divergence(new Laplace(constant(LOC_Q), scale), cb),
                KL.divergence(new Normal(constant(LOC_Q), scale), cb), KL.divergence(new Pareto(scale, alpha), cb));
        assertClose("pairs", KL_CB_INFINITE_PAIRS, Tensor.stack(pairs, 0));
    }

    @Test
    void vonMisesLogProbAndCircularVarianceMatchPyTorchOnBothSidesOfTheBesselSwitch() {
        // VonMises(loc, k).log_prob(x) (angles beyond [-pi, pi) among them), .variance
        Tensor loc = leaf(VM_LOC);
        Tensor k = leaf(VM_CONCENTRATION);
        Tensor x = leaf(VM_X);
        check("log_prob", new VonMises(loc, k).logProb(x), VON_MISES_LOG_PROB, grad(loc, VON_MISES_LOG_PROB_D_LOC),
                grad(k, VON_MISES_LOG_PROB_D_K), grad(x, VON_MISES_LOG_PROB_D_X));
        check("variance", new VonMises(constant(VM_LOC), k).variance(), VON_MISES_VARIANCE,
                grad(k, VON_MISES_VARIANCE_D_K));
    }

    @Test
    void kumaraswamyMatchesPyTorch() {
        // Kumaraswamy(a, b).log_prob(x), .cdf(x), .icdf(p), .entropy(), .mean, .variance
        Tensor a = leaf(SHAPE);
        Tensor b = leaf(ALPHA);
        Tensor x = leaf(UNIT);
        Tensor p = leaf(PROB);
        check("log_prob", new Kumaraswamy(a, b).logProb(x), KUMARASWAMY_LOG_PROB, grad(a, KUMARASWAMY_LOG_PROB_D_A),
                grad(b, KUMARASWAMY_LOG_PROB_D_B), grad(x, KUMARASWAMY_LOG_PROB_D_X));
        check("cdf", new Kumaraswamy(a, b).cdf(x), KUMARASWAMY_CDF, grad(a, KUMARASWAMY_CDF_D_A),
                grad(b, KUMARASWAMY_CDF_D_B), grad(x, KUMARASWAMY_CDF_D_X));
        check("icdf", new Kumaraswamy(a, b).icdf(p), KUMARASWAMY_ICDF, grad(a, KUMARASWAMY_ICDF_D_A),
                grad(b, KUMARASWAMY_ICDF_D_B), grad(p, KUMARASWAMY_ICDF_D_P));
        check("entropy", new Kumaraswamy(a, b).entropy(), KUMARASWAMY_ENTROPY, TRIGAMMA_TOLERANCE,
                grad(a, KUMARASWAMY_ENTROPY_D_A), grad(b, KUMARASWAMY_ENTROPY_D_B));
        check("mean", new Kumaraswamy(a, b).mean(), KUMARASWAMY_MEAN, grad(a, KUMARASWAMY_MEAN_D_A),
                grad(b, KUMARASWAMY_MEAN_D_B));
        check("variance", new Kumaraswamy(a, b).variance(), KUMARASWAMY_VARIANCE, grad(a, KUMARASWAMY_VARIANCE_D_A),
                grad(b, KUMARASWAMY_VARIANCE_D_B));
    }

    @Test
    void kumaraswamyModeIsTheDensitysMaximumNotPyTorchsNaN() {
        // The density a b x^(a-1) (1 - x^a)^(b-1) peaks where 1 - x^a = (b - 1) a x^a / (a - 1): x = 1/sqrt(5) for
        // a = 2, b = 3; at 0 for a = 1 < b, at 1 for b = 1 < a; no mode where a or b is below 1, or the density is flat.
        // PyTorch 1.13 gives NaN for all six.
        double[] expected = {Math.sqrt(0.2), 0, 1, Double.NaN, Double.NaN, Double.NaN};
        assertClose("mode", expected, new Kumaraswamy(constant(new double[] {2.0, 1.0, 3.0, 0.5, 2.0, 1.0}, 6),
                constant(new double[] {3.0, 3.0, 1.0, 2.0, 0.5, 1.0}, 6)).mode());
    }

    @Test
    void fisherSnedecorMatchesPyTorchNaNWhereItsMomentsAndModeAreUndefined() {
        // FisherSnedecor(df1, df2).log_prob(x), .mean, .variance, .mode
        Tensor df1 = leaf(DF1);
        Tensor df2 = leaf(DF2);
        Tensor x = leaf(POSITIVE);
        check("log_prob", new FisherSnedecor(df1, df2).logProb(x), FISHER_SNEDECOR_LOG_PROB,
                grad(df1, FISHER_SNEDECOR_LOG_PROB_D_DF1), grad(df2, FISHER_SNEDECOR_LOG_PROB_D_DF2),
                grad(x, FISHER_SNEDECOR_LOG_PROB_D_X));
        // The mean does not depend on df1 (PyTorch's gradient there is 0).
        check("mean", new FisherSnedecor(constant(DF1), df2).mean(), FISHER_SNEDECOR_MEAN,
                grad(df2, FISHER_SNEDECOR_MEAN_D_DF2));
        check("variance", new FisherSnedecor(df1, df2).variance(), FISHER_SNEDECOR_VARIANCE,
                grad(df1, FISHER_SNEDECOR_VARIANCE_D_DF1), grad(df2, FISHER_SNEDECOR_VARIANCE_D_DF2));
        assertClose("mode", FISHER_SNEDECOR_MODE, new FisherSnedecor(constant(DF1), constant(DF2)).mode());
    }

    @Test
    void lowRankMultivariateNormalLogProbAndEntropyMatchPyTorch() {
        // LowRankMultivariateNormal(loc, W, D).log_prob(x), with W [3, 2] shared by the batch, .entropy()
        Tensor loc = leaf(LOC);
        Tensor w = leaf(LR_FACTOR, 2, 3, 2);
        Tensor d = leaf(LR_DIAG);
        Tensor x = leaf(X);
        check("log_prob", LowRankMultivariateNormal.of(loc, w, d).logProb(x), LOW_RANK_LOG_PROB,
                grad(loc, LOW_RANK_LOG_PROB_D_LOC), grad(w, LOW_RANK_LOG_PROB_D_W), grad(d, LOW_RANK_LOG_PROB_D_D),
                grad(x, LOW_RANK_LOG_PROB_D_X));
        Tensor shared = leaf(Arrays.copyOf(LR_FACTOR, 6), 3, 2);
        check("shared factor log_prob", LowRankMultivariateNormal.of(constant(LOC), shared, constant(LR_DIAG))
                .logProb(constant(X)), LOW_RANK_SHARED_FACTOR_LOG_PROB, grad(shared, LOW_RANK_SHARED_FACTOR_LOG_PROB_D_W));
        check("entropy", LowRankMultivariateNormal.of(constant(LOC), w, d).entropy(), LOW_RANK_ENTROPY,
                grad(w, LOW_RANK_ENTROPY_D_W), grad(d, LOW_RANK_ENTROPY_D_D));
    }

    @Test
    void lowRankMultivariateNormalMomentsAndMatricesMatchPyTorch() {
        // LowRankMultivariateNormal(loc, W, D).variance, .covariance_matrix, .scale_tril, .precision_matrix
        Tensor w = leaf(LR_FACTOR, 2, 3, 2);
        Tensor d = leaf(LR_DIAG);
        LowRankMultivariateNormal mvn = LowRankMultivariateNormal.of(constant(LOC), w, d);
        check("variance", mvn.variance(), LOW_RANK_VARIANCE, grad(w, LOW_RANK_VARIANCE_D_W),
                grad(d, LOW_RANK_VARIANCE_D_D));
        check("covariance", mvn.covarianceMatrix(), LOW_RANK_COVARIANCE, grad(w, LOW_RANK_COVARIANCE_D_W),
                grad(d, LOW_RANK_COVARIANCE_D_D));
        check("scale_tril", mvn.scaleTril(), LOW_RANK_SCALE_TRIL, grad(w, LOW_RANK_SCALE_TRIL_D_W),
                grad(d, LOW_RANK_SCALE_TRIL_D_D));
        check("precision", mvn.precisionMatrix(), LOW_RANK_PRECISION, grad(w, LOW_RANK_PRECISION_D_W),
                grad(d, LOW_RANK_PRECISION_D_D));
    }

    @Test
    void lowRankMultivariateNormalDivergencesMatchPyTorch() {
        // kl_divergence(LowRankMultivariateNormal, LowRankMultivariateNormal | MultivariateNormal),
        // kl_divergence(MultivariateNormal, LowRankMultivariateNormal)
        Tensor pl = leaf(LOC);
        Tensor pw = leaf(LR_FACTOR, 2, 3, 2);
        Tensor pd = leaf(LR_DIAG);
        Tensor ql = leaf(X);
        Tensor qw = leaf(LR_FACTOR_Q, 2, 3, 1);
        Tensor qd = leaf(LR_DIAG_Q);
        Tensor tril = leaf(LR_TRIL, 2, 3, 3);
        check("LowRank-LowRank", KL.divergence(LowRankMultivariateNormal.of(pl, pw, pd),
                LowRankMultivariateNormal.of(ql, qw, qd)), KL_LOW_RANK_LOW_RANK, grad(pl, KL_LOW_RANK_LOW_RANK_D_PL),
                grad(pw, KL_LOW_RANK_LOW_RANK_D_PW), grad(pd, KL_LOW_RANK_LOW_RANK_D_PD),
                grad(ql, KL_LOW_RANK_LOW_RANK_D_QL), grad(qw, KL_LOW_RANK_LOW_RANK_D_QW),
                grad(qd, KL_LOW_RANK_LOW_RANK_D_QD));
        check("Full-LowRank", KL.divergence(MultivariateNormal.ofScaleTril(pl, tril),
                LowRankMultivariateNormal.of(ql, qw, qd)), KL_FULL_LOW_RANK, grad(pl, KL_FULL_LOW_RANK_D_PL),
                grad(tril, KL_FULL_LOW_RANK_D_PT), grad(ql, KL_FULL_LOW_RANK_D_QL), grad(qw, KL_FULL_LOW_RANK_D_QW),
                grad(qd, KL_FULL_LOW_RANK_D_QD));
        check("LowRank-Full", KL.divergence(LowRankMultivariateNormal.of(pl, pw, pd),
                MultivariateNormal.ofScaleTril(ql, tril)), KL_LOW_RANK_FULL, grad(pl, KL_LOW_RANK_FULL_D_PL),
                grad(pw, KL_LOW_RANK_FULL_D_PW), grad(pd, KL_LOW_RANK_FULL_D_PD), grad(ql, KL_LOW_RANK_FULL_D_QL),
                grad(tril, KL_LOW_RANK_FULL_D_QT));
    }
}
