package dev.kiln.distributions;

import static dev.kiln.distributions.TransformedDistributionsPyTorchValues.*;

import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * MixtureSameFamily against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/distributions_transformed.py}, whose output is
 * {@link TransformedDistributionsPyTorchValues}): log-probabilities, cdf, mean and variance of mixtures of k = 3
 * components for a batch of 2, and their gradients with respect to the weights' logits, the components' parameters
 * and the value for the upstream gradient 1, 2, 3, ... in the result's shape, to 1e-10 (relative above 1). The comment
 * on each test names the torch calls.
 */
class MixtureSameFamilyPyTorchParityTest extends DistributionParity {
    /** [batch 2, k 3]. */
    private static final double[] MIX_LOGITS = {0.5, -1.0, 0.2, 1.5, 0.0, -0.5};
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] MIX_X = {0.3, -1.2};
    /** [3 samples, batch 2]: the transpose of the other tests' X. */
    private static final double[] SAMPLES = {0.2, -1.0, 0.4, 1.0, 2.5, 1.0};
    /** [batch 2, k 3, event 2]. */
    private static final double[] VECTOR_LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.2, 0.4, -2.5, 1.0, 0.0, 0.7};
    private static final double[] VECTOR_SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8, 0.9, 0.6, 1.1, 0.4, 0.7, 1.3};
    private static final double[] VECTOR_X = {0.3, -0.4, 1.0, 0.5};

    private static MixtureSameFamily mixture(Tensor logits, Tensor loc, Tensor scale) {
        return new MixtureSameFamily(Categorical.ofLogits(logits), new Normal(loc, scale));
    }

    @Test
    void aMixtureOfNormalsMatchesPyTorch() {
        // MixtureSameFamily(Categorical(logits=logits), Normal(loc, scale)).log_prob(x), .cdf(x), .mean, .variance
        Tensor logits = leaf(MIX_LOGITS);
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(MIX_X, 2);
        check("log_prob", mixture(logits, loc, scale).logProb(x), MIXTURE_LOG_PROB,
                grad(logits, MIXTURE_LOG_PROB_D_LOGITS), grad(loc, MIXTURE_LOG_PROB_D_LOC),
                grad(scale, MIXTURE_LOG_PROB_D_SCALE), grad(x, MIXTURE_LOG_PROB_D_X));
        check("cdf", mixture(logits, loc, scale).cdf(x), MIXTURE_CDF, grad(logits, MIXTURE_CDF_D_LOGITS),
                grad(loc, MIXTURE_CDF_D_LOC), grad(scale, MIXTURE_CDF_D_SCALE), grad(x, MIXTURE_CDF_D_X));
        check("mean", mixture(logits, loc, constant(SCALE)).mean(), MIXTURE_MEAN,
                grad(logits, MIXTURE_MEAN_D_LOGITS), grad(loc, MIXTURE_MEAN_D_LOC));
        check("variance", mixture(logits, loc, scale).variance(), MIXTURE_VARIANCE,
                grad(logits, MIXTURE_VARIANCE_D_LOGITS), grad(loc, MIXTURE_VARIANCE_D_LOC),
                grad(scale, MIXTURE_VARIANCE_D_SCALE));
    }

    @Test
    void valuesWithSampleAxesAndOneWeightingForTheBatchMatchPyTorch() {
        // ....log_prob(x) of x [3, 2]; MixtureSameFamily(Categorical(logits=logits[0]), Normal(loc, scale)).log_prob(x)
        Tensor logits = leaf(MIX_LOGITS);
        Tensor samples = leaf(SAMPLES, 3, 2);
        check("samples log_prob", mixture(logits, constant(LOC), constant(SCALE)).logProb(samples),
                MIXTURE_SAMPLES_LOG_PROB, grad(logits, MIXTURE_SAMPLES_LOG_PROB_D_LOGITS),
                grad(samples, MIXTURE_SAMPLES_LOG_PROB_D_X));
        Tensor shared = leaf(new double[] {MIX_LOGITS[0], MIX_LOGITS[1], MIX_LOGITS[2]}, 3);
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(MIX_X, 2);
        check("shared log_prob", mixture(shared, loc, scale).logProb(x), MIXTURE_SHARED_LOG_PROB,
                grad(shared, MIXTURE_SHARED_LOG_PROB_D_LOGITS), grad(loc, MIXTURE_SHARED_LOG_PROB_D_LOC),
                grad(scale, MIXTURE_SHARED_LOG_PROB_D_SCALE), grad(x, MIXTURE_SHARED_LOG_PROB_D_X));
    }

    @Test
    void aMixtureOfDiagonalGaussiansOverVectorsMatchesPyTorch() {
        // MixtureSameFamily(Categorical(logits=logits), Independent(Normal(loc, scale), 1)).log_prob(x), .mean,
        // .variance
        Tensor logits = leaf(MIX_LOGITS);
        Tensor loc = leaf(VECTOR_LOC, 2, 3, 2);
        Tensor scale = leaf(VECTOR_SCALE, 2, 3, 2);
        Tensor x = leaf(VECTOR_X, 2, 2);
        check("log_prob", vectorMixture(logits, loc, scale).logProb(x), VECTOR_MIXTURE_LOG_PROB,
                grad(logits, VECTOR_MIXTURE_LOG_PROB_D_LOGITS), grad(loc, VECTOR_MIXTURE_LOG_PROB_D_LOC),
                grad(scale, VECTOR_MIXTURE_LOG_PROB_D_SCALE), grad(x, VECTOR_MIXTURE_LOG_PROB_D_X));
        check("mean", vectorMixture(logits, loc, constant(VECTOR_SCALE, 2, 3, 2)).mean(), VECTOR_MIXTURE_MEAN,
                grad(logits, VECTOR_MIXTURE_MEAN_D_LOGITS), grad(loc, VECTOR_MIXTURE_MEAN_D_LOC));
        check("variance", vectorMixture(logits, loc, scale).variance(), VECTOR_MIXTURE_VARIANCE,
                grad(logits, VECTOR_MIXTURE_VARIANCE_D_LOGITS), grad(loc, VECTOR_MIXTURE_VARIANCE_D_LOC),
                grad(scale, VECTOR_MIXTURE_VARIANCE_D_SCALE));
    }

    private static MixtureSameFamily vectorMixture(Tensor logits, Tensor loc, Tensor scale) {
        return new MixtureSameFamily(Categorical.ofLogits(logits), new Independent(new Normal(loc, scale), 1));
    }
}
