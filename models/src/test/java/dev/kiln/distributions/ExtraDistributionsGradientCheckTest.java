package dev.kiln.distributions;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli and VonMises and of the
 * divergences registered with them, against central finite differences in F64 ({@link GradCheck}): logProb, cdf,
 * icdf, entropy and moments with respect to parameters and values, reparameterised samples with respect to the
 * parameters (the noise fixed by reseeding the engine before each evaluation).
 */
class ExtraDistributionsGradientCheckTest extends DistributionGradientCheck {
    private static Tensor constant(double... values) {
        return Tensor.fromArray(values, values.length);
    }

    @Test
    void multinomialLogProbEntropyAndMoments() {
        Tensor counts = constant(2, 0, 3, 1);
        GradCheck.check("Multinomial(probs).logProb",
                in -> Multinomial.ofProbs(6, in[0]).logProb(counts), leaf(1.0, 2.0, 0.5, 1.0));
        GradCheck.check("Multinomial(logits).logProb",
                in -> Multinomial.ofLogits(6, in[0]).logProb(counts), leaf(-1.0, 0.5, 2.0, 0.0));
        GradCheck.check("Multinomial.entropy", in -> Multinomial.ofLogits(6, in[0]).entropy(), leaf(-1.0, 0.5, 2.0, 0.0));
        GradCheck.check("Multinomial.variance", in -> Multinomial.ofProbs(6, in[0]).variance(), leaf(1.0, 2.0, 0.5, 1.0));
    }

    @Test
    void negativeBinomialLogProbAndMoments() {
        Tensor counts = constant(0, 2, 5, 40);
        GradCheck.check("NegativeBinomial(probs).logProb", in -> NegativeBinomial.ofProbs(in[0], in[1]).logProb(counts),
                leaf(3.0, 0.5, 12.0, 7.5), leaf(0.3, 0.6, 0.8, 0.1));
        GradCheck.check("NegativeBinomial(logits).logProb",
                in -> NegativeBinomial.ofLogits(in[0], in[1]).logProb(counts), leaf(3.0, 0.5, 12.0, 7.5),
                leaf(-1.0, 0.5, 2.0, -3.0));
        GradCheck.check("NegativeBinomial.variance", in -> NegativeBinomial.ofLogits(in[0], in[1]).variance(),
                leaf(3.0, 0.5, 12.0, 7.5), leaf(-1.0, 0.5, 2.0, -3.0));
    }
}
