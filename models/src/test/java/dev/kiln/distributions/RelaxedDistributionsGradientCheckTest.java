package dev.kiln.distributions;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of the relaxed families against central finite differences in F64 ({@link GradCheck}):
 * logProb with respect to the temperature, the parameter and the value, and reparameterised samples (the noise fixed
 * by reseeding the engine before each evaluation) with respect to the temperature and the parameter.
 */
class RelaxedDistributionsGradientCheckTest extends DistributionGradientCheck {
    @Test
    void relaxedBernoulliLogProbAndRsample() {
        Tensor temperature = leaf(0.7);
        Tensor probs = leaf(0.2, 0.5, 0.9);
        Tensor logits = leaf(-1.5, 0.0, 2.0);
        Tensor y = leaf(0.1, 0.6, 0.95);
        GradCheck.check("probs logProb", in -> RelaxedBernoulli.ofProbs(in[0], in[1]).logProb(in[2]), temperature,
                probs, y);
        GradCheck.check("logits logProb", in -> RelaxedBernoulli.ofLogits(in[0], in[1]).logProb(in[2]), temperature,
                logits, y);
        GradCheck.check("probs rsample", seeded(in -> RelaxedBernoulli.ofProbs(in[0], in[1]).rsample(4)),
                temperature, probs);
        GradCheck.check("logits rsample", seeded(in -> RelaxedBernoulli.ofLogits(in[0], in[1]).rsample(4)),
                temperature, logits);
    }

    @Test
    void relaxedOneHotCategoricalLogProbAndRsample() {
        Tensor temperature = leaf(0.7);
        Tensor probs = leaf(0.2, 0.3, 0.5);
        Tensor logits = leaf(-1.0, 0.5, 2.0);
        Tensor y = leaf(0.1, 0.3, 0.6);
        // Finite differences step the value off the simplex: the density extends to it unchecked.
        GradCheck.check("probs logProb", in -> RelaxedOneHotCategorical.ofProbs(in[0], in[1], false).logProb(in[2]),
                temperature, probs, y);
        GradCheck.check("logits logProb", in -> RelaxedOneHotCategorical.ofLogits(in[0], in[1], false).logProb(in[2]),
                temperature, logits, y);
        GradCheck.check("logits rsample", seeded(in -> RelaxedOneHotCategorical.ofLogits(in[0], in[1]).rsample(4)),
                temperature, logits);
        GradCheck.check("logProb of rsample", seeded(in -> {
            RelaxedOneHotCategorical d = RelaxedOneHotCategorical.ofLogits(in[0], in[1]);
            return d.logProb(d.rsample(2));
        }), temperature, logits);
    }
}
