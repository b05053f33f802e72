package dev.kiln.distributions;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli, VonMises,
 * Kumaraswamy, FisherSnedecor and LowRankMultivariateNormal and of the divergences registered with them, against
 * central finite differences in F64 ({@link GradCheck}): logProb, cdf, icdf, entropy and moments with respect to
 * parameters and values, reparameterised samples with respect to the parameters (the noise fixed by reseeding the
 * engine before each evaluation). FisherSnedecor's draws pass their gradient through Gamma's implicit one, not the
 * derivative of the rejection sampler that finite differences see: its rsample is judged in
 * {@link ExtraDistributionsSamplingTest} by the mean of its gradients.
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

    @Test
    void weibullLogProbCdfIcdfMomentsEntropyAndRsample() {
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor k = leaf(0.7, 1.5, 2.5);
        Tensor x = leaf(0.2, 0.4, 2.5);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("Weibull.logProb", in -> new Weibull(in[0], in[1]).logProb(in[2]), scale, k, x);
        GradCheck.check("Weibull.cdf", in -> new Weibull(in[0], in[1]).cdf(in[2]), scale, k, x);
        GradCheck.check("Weibull.icdf", in -> new Weibull(in[0], in[1]).icdf(in[2]), scale, k, p);
        GradCheck.check("Weibull.entropy", in -> new Weibull(in[0], in[1]).entropy(), scale, k);
        GradCheck.check("Weibull.mean", in -> new Weibull(in[0], in[1]).mean(), scale, k);
        GradCheck.check("Weibull.variance", in -> new Weibull(in[0], in[1]).variance(), scale, k);
        GradCheck.check("Weibull.mode", in -> new Weibull(in[0], in[1]).mode(), scale, leaf(1.2, 1.5, 2.5));
        GradCheck.check("Weibull.rsample", seeded(in -> new Weibull(in[0], in[1]).rsample(4)), scale, k);
    }

    @Test
    void paretoLogProbCdfIcdfMomentsEntropyRsampleAndDivergences() {
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor alpha = leaf(0.7, 2.5, 3.5);
        Tensor x = leaf(0.7, 1.6, 4.5);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("Pareto.logProb", in -> new Pareto(in[0], in[1]).logProb(in[2]), scale, alpha, x);
        GradCheck.check("Pareto.cdf", in -> new Pareto(in[0], in[1]).cdf(in[2]), scale, alpha, x);
        GradCheck.check("Pareto.icdf", in -> new Pareto(in[0], in[1]).icdf(in[2]), scale, alpha, p);
        GradCheck.check("Pareto.entropy", in -> new Pareto(in[0], in[1]).entropy(), scale, alpha);
        Tensor light = leaf(2.5, 3.0, 4.5);
        GradCheck.check("Pareto.mean", in -> new Pareto(in[0], in[1]).mean(), scale, light);
        GradCheck.check("Pareto.variance", in -> new Pareto(in[0], in[1]).variance(), scale, light);
        GradCheck.check("Pareto.rsample", seeded(in -> new Pareto(in[0], in[1]).rsample(4)), scale, alpha);
        Tensor qScale = leaf(0.3, 0.5, 1.0);
        Tensor qRate = leaf(1.0, 0.7, 0.4);
        Tensor loc = leaf(0.2, 0.4, 2.5);
        GradCheck.check("KL Pareto-Pareto", in -> KL.divergence(new Pareto(in[0], in[1]), new Pareto(in[2], in[3])),
                scale, alpha, qScale, light);
        GradCheck.check("KL Pareto-Exponential", in -> KL.divergence(new Pareto(in[0], in[1]), new Exponential(in[2])),
                scale, light, qRate);
        GradCheck.check("KL Pareto-Gamma", in -> KL.divergence(new Pareto(in[0], in[1]), new Gamma(in[2], in[3])),
                scale, light, alpha, qRate);
        GradCheck.check("KL Pareto-Normal", in -> KL.divergence(new Pareto(in[0], in[1]), new Normal(in[2], in[3])),
                scale, light, loc, qRate);
        GradCheck.check("KL Uniform-Pareto", in -> KL.divergence(new Uniform(in[0], in[1]), new Pareto(in[2], in[3])),
                leaf(0.6, 1.5, 2.1), leaf(1.0, 2.5, 3.0), scale, alpha);
    }

    @Test
    void continuousBernoulliLogProbCdfIcdfMomentsEntropyRsampleAndDivergence() {
        // Away from the switch at 0.499 and 0.501; 0.5 inside the Taylor region.
        Tensor probs = leaf(0.1, 0.5, 0.75);
        Tensor x = leaf(0.2, 0.4, 0.7);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("ContinuousBernoulli.logProb", in -> ContinuousBernoulli.ofProbs(in[0]).logProb(in[1]), probs, x);
        GradCheck.check("ContinuousBernoulli(logits).logProb",
                in -> ContinuousBernoulli.ofLogits(in[0]).logProb(in[1]), leaf(-1.0, 0.0, 2.0), x);
        GradCheck.check("ContinuousBernoulli.cdf", in -> ContinuousBernoulli.ofProbs(in[0]).cdf(in[1]), probs, x);
        GradCheck.check("ContinuousBernoulli.icdf", in -> ContinuousBernoulli.ofProbs(in[0]).icdf(in[1]), probs, p);
        GradCheck.check("ContinuousBernoulli.entropy", in -> ContinuousBernoulli.ofProbs(in[0]).entropy(), probs);
        GradCheck.check("ContinuousBernoulli.mean", in -> ContinuousBernoulli.ofProbs(in[0]).mean(), probs);
        GradCheck.check("ContinuousBernoulli.variance", in -> ContinuousBernoulli.ofProbs(in[0]).variance(), probs);
        GradCheck.check("ContinuousBernoulli.rsample", seeded(in -> ContinuousBernoulli.ofProbs(in[0]).rsample(4)),
                probs);
        GradCheck.check("KL ContinuousBernoulli", in -> KL.divergence(ContinuousBernoulli.ofProbs(in[0]),
                ContinuousBernoulli.ofProbs(in[1])), probs, leaf(0.3, 0.8, 0.2));
        GradCheck.check("KL ContinuousBernoulli-Normal", in -> KL.divergence(ContinuousBernoulli.ofProbs(in[0]),
                new Normal(in[1], in[2])), probs, leaf(0.2, 0.4, 2.5), leaf(1.0, 0.7, 0.4));
    }

    @Test
    void vonMisesLogProbAndVariance() {
        Tensor loc = leaf(0.5, -1.0, 2.0, 0.0);
        Tensor k = leaf(0.05, 1.2, 5.0, 50.0);
        Tensor x = leaf(0.2, 4.0, 2.5, -7.0);
        GradCheck.check("VonMises.logProb", in -> new VonMises(in[0], in[1]).logProb(in[2]), loc, k, x);
        GradCheck.check("VonMises.variance", in -> new VonMises(loc.detach(), in[0]).variance(), k);
    }

    @Test
    void kumaraswamyLogProbCdfIcdfMomentsEntropyAndRsample() {
        Tensor a = leaf(0.7, 1.5, 2.5);
        Tensor b = leaf(0.8, 2.5, 4.0);
        Tensor x = leaf(0.1, 0.4, 0.7);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("Kumaraswamy.logProb", in -> new Kumaraswamy(in[0], in[1]).logProb(in[2]), a, b, x);
        GradCheck.check("Kumaraswamy.cdf", in -> new Kumaraswamy(in[0], in[1]).cdf(in[2]), a, b, x);
        GradCheck.check("Kumaraswamy.icdf", in -> new Kumaraswamy(in[0], in[1]).icdf(in[2]), a, b, p);
        GradCheck.check("Kumaraswamy.entropy", in -> new Kumaraswamy(in[0], in[1]).entropy(), a, b);
        GradCheck.check("Kumaraswamy.mean", in -> new Kumaraswamy(in[0], in[1]).mean(), a, b);
        GradCheck.check("Kumaraswamy.variance", in -> new Kumaraswamy(in[0], in[1]).variance(), a, b);
        GradCheck.check("Kumaraswamy.rsample", seeded(in -> new Kumaraswamy(in[0], in[1]).rsample(4)), a, b);
    }

    @Test
    void fisherSnedecorLogProbMomentsAndRsample() {
        Tensor df1 = leaf(0.5, 3.0, 10.0);
        Tensor df2 = leaf(5.0, 6.0, 30.0);
        GradCheck.check("FisherSnedecor.logProb", in -> new FisherSnedecor(in[0], in[1]).logProb(in[2]), df1, df2,
                leaf(0.2, 1.0, 3.0));
        GradCheck.check("FisherSnedecor.variance", in -> new FisherSnedecor(in[0], in[1]).variance(), df1, df2);
        GradCheck.check("FisherSnedecor.mode", in -> new FisherSnedecor(in[0], in[1]).mode(), leaf(3.0, 5.0, 10.0),
                df2);
    }

    @Test
    void lowRankMultivariateNormalLogProbEntropyRsampleAndDivergences() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor w = Tensor.fromArray(new double[] {1.0, 0.2, -0.5, 0.7, 0.3, -1.2}, 3, 2).requiresGrad(true);
        Tensor d = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        GradCheck.check("LowRankMultivariateNormal.logProb",
                in -> LowRankMultivariateNormal.of(in[0], in[1], in[2]).logProb(in[3]), loc, w, d, x);
        GradCheck.check("LowRankMultivariateNormal.entropy",
                in -> LowRankMultivariateNormal.of(loc.detach(), in[0], in[1]).entropy(), w, d);
        GradCheck.check("LowRankMultivariateNormal.precisionMatrix",
                in -> LowRankMultivariateNormal.of(loc.detach(), in[0], in[1]).precisionMatrix(), w, d);
        GradCheck.check("LowRankMultivariateNormal.scaleTril",
                in -> LowRankMultivariateNormal.of(loc.detach(), in[0], in[1]).scaleTril(), w, d);
        GradCheck.check("LowRankMultivariateNormal.rsample",
                seeded(in -> LowRankMultivariateNormal.of(in[0], in[1], in[2]).rsample(4)), loc, w, d);
        Tensor qw = Tensor.fromArray(new double[] {0.4, 1.1, -0.3}, 3, 1).requiresGrad(true);
        Tensor qd = leaf(1.0, 0.7, 0.4);
        GradCheck.check("KL LowRank-LowRank", in -> KL.divergence(LowRankMultivariateNormal.of(in[0], in[1], in[2]),
                LowRankMultivariateNormal.of(in[3], in[4], in[5])), loc, w, d, x, qw, qd);
        Tensor tril = Tensor.fromArray(new double[] {1.2, 0, 0, 0.3, 0.8, 0, -0.5, 0.4, 1.5}, 3, 3)
                .requiresGrad(true);
        GradCheck.check("KL Full-LowRank", in -> KL.divergence(MultivariateNormal.ofScaleTril(in[0], in[1], false),
                LowRankMultivariateNormal.of(in[2], in[3], in[4])), loc, tril, x, qw, qd);
        GradCheck.check("KL LowRank-Full", in -> KL.divergence(LowRankMultivariateNormal.of(in[0], in[1], in[2]),
                MultivariateNormal.ofScaleTril(in[3], in[4], false)), loc, w, d, x, tril);
    }
}
