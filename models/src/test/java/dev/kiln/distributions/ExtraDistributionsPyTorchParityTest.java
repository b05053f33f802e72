package dev.kiln.distributions;

import static dev.kiln.distributions.ExtraDistributionsPyTorchValues.*;

import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli and VonMises, and the divergences registered
 * with them, against what PyTorch 1.13 printed for the same F64 inputs ({@code models/src/test/pytorch/distributions_extra.py},
 * whose output is {@link ExtraDistributionsPyTorchValues}): each result and its inputs' gradients for the upstream
 * gradient 1, 2, 3, ... in the result's shape, to 1e-10 (relative above 1). The comment on each test names the torch
 * calls.
 */
class ExtraDistributionsPyTorchParityTest extends DistributionParity {
    private static final double[] MULTI_PROBS = {1.0, 2.0, 0.0, 1.0, 0.5, 0.25, 0.25, 3.0};
    private static final double[] MULTI_LOGITS = {-1.0, 0.5, 2.0, 0.0, 0.3, -0.7, 1.5, -2.0};
    private static final double[] MULTI_COUNTS = {2.0, 3.0, 0.0, 1.0, 0.0, 1.0, 4.0, 1.0};
    private static final double[] NB_TOTALS = {3.0, 0.5, 12.0, 7.5, 1.0, 20.0};
    private static final double[] NB_PROBS = {0.3, 0.0, 0.8, 0.5, 0.95, 0.1};
    private static final double[] NB_LOGITS = {-1.0, 0.5, 2.0, 0.0, -3.0, 1.5};
    private static final double[] NB_COUNTS = {0.0, 2.0, 5.0, 0.0, 7.0, 40.0};

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
}
