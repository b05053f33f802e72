package dev.kiln.distributions;

import static dev.kiln.distributions.TransformedDistributionsPyTorchValues.*;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * RelaxedBernoulli, LogitRelaxedBernoulli, RelaxedOneHotCategorical and ExpRelaxedCategorical against what PyTorch 1.13
 * printed for the same F64 inputs ({@code models/src/test/pytorch/distributions_transformed.py}, whose output is
 * {@link TransformedDistributionsPyTorchValues}): log-probabilities and their gradients with respect to the
 * temperature, the parameter and the value for the upstream gradient 1, 2, 3, ... in the result's shape, to 1e-10
 * (relative above 1). The comment on each test names the torch calls.
 */
class RelaxedDistributionsPyTorchParityTest extends DistributionParity {
    /** Temperatures [2, 1] against parameters [3]: the result is [2, 3]. */
    private static final double[] TEMPERATURE = {0.5, 2.0};
    private static final double[] RELAXED_PROBS = {0.2, 0.5, 0.9};
    private static final double[] RELAXED_LOGITS = {-1.5, 0.0, 2.0};
    private static final double[] RELAXED_VALUES = {0.1, 0.6, 0.95, 0.4, 0.5, 0.001};
    private static final double[] X = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    private static final double[] CATEGORY_PROBS = {0.2, 0.3, 0.5, 0.6, 0.3, 0.1};
    private static final double[] CATEGORY_LOGITS = {-1.0, 0.5, 2.0, 0.0, 0.3, -0.7};
    private static final double[] SIMPLEX = {0.1, 0.3, 0.6, 0.7, 0.2, 0.1};

    private static Tensor scalarLeaf(double value) {
        return Tensor.full(value, DType.F64).requiresGrad(true);
    }

    @Test
    void relaxedBernoulliMatchesPyTorch() {
        // RelaxedBernoulli(temperature, probs=probs).log_prob(y),
        // RelaxedBernoulli(temperature, logits=logits).log_prob(y)
        Tensor temperature = leaf(TEMPERATURE, 2, 1);
        Tensor probs = leaf(RELAXED_PROBS, 3);
        Tensor logits = leaf(RELAXED_LOGITS, 3);
        Tensor y = leaf(RELAXED_VALUES);
        check("probs log_prob", RelaxedBernoulli.ofProbs(temperature, probs).logProb(y),
                RELAXED_BERNOULLI_PROBS_LOG_PROB, grad(temperature, RELAXED_BERNOULLI_PROBS_LOG_PROB_D_TEMPERATURE),
                grad(probs, RELAXED_BERNOULLI_PROBS_LOG_PROB_D_PROBS), grad(y, RELAXED_BERNOULLI_PROBS_LOG_PROB_D_Y));
        check("logits log_prob", RelaxedBernoulli.ofLogits(temperature, logits).logProb(y),
                RELAXED_BERNOULLI_LOGITS_LOG_PROB, grad(temperature, RELAXED_BERNOULLI_LOGITS_LOG_PROB_D_TEMPERATURE),
                grad(logits, RELAXED_BERNOULLI_LOGITS_LOG_PROB_D_LOGITS),
                grad(y, RELAXED_BERNOULLI_LOGITS_LOG_PROB_D_Y));
    }

    @Test
    void logitRelaxedBernoulliMatchesPyTorch() {
        // LogitRelaxedBernoulli(temperature, logits=logits).log_prob(x)
        Tensor temperature = leaf(TEMPERATURE, 2, 1);
        Tensor logits = leaf(RELAXED_LOGITS, 3);
        Tensor x = leaf(X);
        check("log_prob", LogitRelaxedBernoulli.ofLogits(temperature, logits).logProb(x),
                LOGIT_RELAXED_BERNOULLI_LOG_PROB, grad(temperature, LOGIT_RELAXED_BERNOULLI_LOG_PROB_D_TEMPERATURE),
                grad(logits, LOGIT_RELAXED_BERNOULLI_LOG_PROB_D_LOGITS), grad(x, LOGIT_RELAXED_BERNOULLI_LOG_PROB_D_Y));
    }

    @Test
    void relaxedOneHotCategoricalMatchesPyTorch() {
        // RelaxedOneHotCategorical(0.5, probs=probs).log_prob(y),
        // RelaxedOneHotCategorical(1.5, logits=logits).log_prob(y)
        Tensor cold = scalarLeaf(0.5);
        Tensor warm = scalarLeaf(1.5);
        Tensor probs = leaf(CATEGORY_PROBS);
        Tensor logits = leaf(CATEGORY_LOGITS);
        Tensor y = leaf(SIMPLEX);
        check("probs log_prob", RelaxedOneHotCategorical.ofProbs(cold, probs).logProb(y),
                RELAXED_ONE_HOT_PROBS_LOG_PROB, grad(cold, RELAXED_ONE_HOT_PROBS_LOG_PROB_D_TEMPERATURE),
                grad(probs, RELAXED_ONE_HOT_PROBS_LOG_PROB_D_PROBS), grad(y, RELAXED_ONE_HOT_PROBS_LOG_PROB_D_Y));
        check("logits log_prob", RelaxedOneHotCategorical.ofLogits(warm, logits).logProb(y),
                RELAXED_ONE_HOT_LOGITS_LOG_PROB, grad(warm, RELAXED_ONE_HOT_LOGITS_LOG_PROB_D_TEMPERATURE),
                grad(logits, RELAXED_ONE_HOT_LOGITS_LOG_PROB_D_LOGITS), grad(y, RELAXED_ONE_HOT_LOGITS_LOG_PROB_D_Y));
    }

    @Test
    void expRelaxedCategoricalMatchesPyTorch() {
        // ExpRelaxedCategorical(1.5, logits=logits).log_prob(x)
        Tensor temperature = scalarLeaf(1.5);
        Tensor logits = leaf(CATEGORY_LOGITS);
        Tensor x = leaf(X);
        check("log_prob", ExpRelaxedCategorical.ofLogits(temperature, logits).logProb(x),
                EXP_RELAXED_CATEGORICAL_LOG_PROB, grad(temperature, EXP_RELAXED_CATEGORICAL_LOG_PROB_D_TEMPERATURE),
                grad(logits, EXP_RELAXED_CATEGORICAL_LOG_PROB_D_LOGITS), grad(x, EXP_RELAXED_CATEGORICAL_LOG_PROB_D_Y));
    }
}
