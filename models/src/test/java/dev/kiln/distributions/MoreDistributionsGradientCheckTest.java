package dev.kiln.distributions;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of Cauchy, HalfNormal, HalfCauchy, Gumbel, Poisson, Geometric and Binomial, of every icdf and
 * of the divergences registered with them, against central finite differences in F64 ({@link GradCheck}):
 * logProb, cdf, icdf and entropy with respect to parameters, values and probabilities, reparameterised samples with
 * respect to the parameters (the noise fixed by reseeding the engine before each evaluation). Points keep clear of
 * kinks (|x| at 0, |p - 1/2| at 0).
 */
class MoreDistributionsGradientCheckTest extends DistributionGradientCheck {
    private static Tensor constant(double... values) {
        return Tensor.fromArray(values, values.length);
    }

    @Test
    void cauchyLogProbCdfIcdfEntropyAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("Cauchy.logProb", in -> new Cauchy(in[0], in[1]).logProb(in[2]), loc, scale, x);
        GradCheck.check("Cauchy.cdf", in -> new Cauchy(in[0], in[1]).cdf(in[2]), loc, scale, x);
        GradCheck.check("Cauchy.icdf", in -> new Cauchy(in[0], in[1]).icdf(in[2]), loc, scale, p);
        GradCheck.check("Cauchy.entropy", in -> new Cauchy(loc.detach(), in[0]).entropy(), scale);
        GradCheck.check("Cauchy.rsample", seeded(in -> new Cauchy(in[0], in[1]).rsample(4)), loc, scale);
    }

    @Test
    void halfNormalAndHalfCauchyLogProbCdfIcdfAndRsample() {
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("HalfNormal.logProb", in -> new HalfNormal(in[0]).logProb(in[1]), scale, x);
        GradCheck.check("HalfNormal.cdf", in -> new HalfNormal(in[0]).cdf(in[1]), scale, x);
        GradCheck.check("HalfNormal.icdf", in -> new HalfNormal(in[0]).icdf(in[1]), scale, p);
        GradCheck.check("HalfNormal.rsample", seeded(in -> new HalfNormal(in[0]).rsample(4)), scale);
        GradCheck.check("HalfCauchy.logProb", in -> new HalfCauchy(in[0]).logProb(in[1]), scale, x);
        GradCheck.check("HalfCauchy.cdf", in -> new HalfCauchy(in[0]).cdf(in[1]), scale, x);
        GradCheck.check("HalfCauchy.icdf", in -> new HalfCauchy(in[0]).icdf(in[1]), scale, p);
        GradCheck.check("HalfCauchy.rsample", seeded(in -> new HalfCauchy(in[0]).rsample(4)), scale);
    }

    @Test
    void gumbelLogProbCdfIcdfMomentsAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("Gumbel.logProb", in -> new Gumbel(in[0], in[1]).logProb(in[2]), loc, scale, x);
        GradCheck.check("Gumbel.cdf", in -> new Gumbel(in[0], in[1]).cdf(in[2]), loc, scale, x);
        GradCheck.check("Gumbel.icdf", in -> new Gumbel(in[0], in[1]).icdf(in[2]), loc, scale, p);
        GradCheck.check("Gumbel.mean", in -> new Gumbel(in[0], in[1]).mean(), loc, scale);
        GradCheck.check("Gumbel.variance", in -> new Gumbel(loc.detach(), in[0]).variance(), scale);
        GradCheck.check("Gumbel.rsample", seeded(in -> new Gumbel(in[0], in[1]).rsample(4)), loc, scale);
    }

    @Test
    void poissonGeometricAndBinomialLogProbAndEntropy() {
        Tensor rate = leaf(0.5, 2.0, 30.0);
        Tensor counts = constant(0, 3, 40);
        GradCheck.check("Poisson.logProb", in -> new Poisson(in[0]).logProb(counts), rate);
        Tensor probs = leaf(0.2, 0.5, 0.9);
        Tensor logits = leaf(-1.5, 0.0, 2.0);
        Tensor failures = constant(0, 3, 1);
        GradCheck.check("Geometric(probs).logProb", in -> Geometric.ofProbs(in[0]).logProb(failures), probs);
        GradCheck.check("Geometric(probs).entropy", in -> Geometric.ofProbs(in[0]).entropy(), probs);
        GradCheck.check("Geometric(logits).logProb", in -> Geometric.ofLogits(in[0]).logProb(failures), logits);
        GradCheck.check("Geometric(logits).entropy", in -> Geometric.ofLogits(in[0]).entropy(), logits);
        Tensor total = Tensor.full(10, DType.F64);
        Tensor successes = constant(4, 7, 10);
        GradCheck.check("Binomial(probs).logProb", in -> Binomial.ofProbs(total, in[0]).logProb(successes), probs);
        GradCheck.check("Binomial(logits).logProb", in -> Binomial.ofLogits(total, in[0]).logProb(successes), logits);
        GradCheck.check("Binomial(logits).entropy", in -> Binomial.ofLogits(total, in[0]).entropy(), logits);
    }

    @Test
    void icdfOfNormalUniformExponentialLaplaceAndLogNormal() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor p = leaf(0.001, 0.3, 0.8);
        GradCheck.check("Normal.icdf", in -> new Normal(in[0], in[1]).icdf(in[2]), loc, scale, p);
        GradCheck.check("Laplace.icdf", in -> new Laplace(in[0], in[1]).icdf(in[2]), loc, scale, p);
        GradCheck.check("LogNormal.icdf", in -> new LogNormal(in[0], in[1]).icdf(in[2]), loc, scale, p);
        GradCheck.check("Exponential.icdf", in -> new Exponential(in[0]).icdf(in[1]), scale, p);
        Tensor high = leaf(1.0, 0.5, 3.0);
        Tensor low = leaf(-0.5, -2.0, 1.0);
        GradCheck.check("Uniform.icdf", in -> new Uniform(in[0], in[1]).icdf(in[2]), low, high, p);
    }

    @Test
    void klDivergenceOfTheNewSameKindPairs() {
        Tensor pa = leaf(0.5, -1.0, 2.0);
        Tensor pb = leaf(0.5, 1.2, 2.0);
        Tensor qa = leaf(0.2, 0.4, 2.5);
        Tensor qb = leaf(1.0, 0.7, 0.4);
        GradCheck.check("KL Cauchy", in -> KL.divergence(new Cauchy(in[0], in[1]), new Cauchy(in[2], in[3])),
                pa, pb, qa, qb);
        GradCheck.check("KL Gumbel", in -> KL.divergence(new Gumbel(in[0], in[1]), new Gumbel(in[2], in[3])),
                pa, pb, qa, qb);
        GradCheck.check("KL HalfNormal", in -> KL.divergence(new HalfNormal(in[0]), new HalfNormal(in[1])), pb, qb);
        GradCheck.check("KL HalfCauchy", in -> KL.divergence(new HalfCauchy(in[0]), new HalfCauchy(in[1])), pb, qb);
        GradCheck.check("KL Poisson", in -> KL.divergence(new Poisson(in[0]), new Poisson(in[1])), pb, qb);
        Tensor pp = leaf(0.2, 0.5, 0.9);
        Tensor qp = leaf(0.3, 0.1, 0.6);
        GradCheck.check("KL Geometric", in -> KL.divergence(Geometric.ofProbs(in[0]), Geometric.ofProbs(in[1])),
                pp, qp);
        Tensor total = Tensor.full(10, DType.F64);
        GradCheck.check("KL Binomial",
                in -> KL.divergence(Binomial.ofLogits(total, in[0]), Binomial.ofLogits(total, in[1])), pa, qa);
    }

    @Test
    void klDivergenceOfTheCrossKindPairs() {
        Tensor pa = leaf(0.5, -1.0, 2.0);
        Tensor pb = leaf(0.5, 1.2, 2.0);
        Tensor qa = leaf(0.2, 0.4, 2.5);
        Tensor qb = leaf(1.0, 0.7, 0.4);
        Tensor probs = leaf(0.2, 0.5, 0.9);
        GradCheck.check("KL Bernoulli-Poisson", in -> KL.divergence(Bernoulli.ofProbs(in[0]), new Poisson(in[1])),
                probs, qb);
        GradCheck.check("KL Exponential-Gumbel", in -> KL.divergence(new Exponential(in[0]), new Gumbel(in[1], in[2])),
                pb, qa, qb);
        GradCheck.check("KL Exponential-Normal", in -> KL.divergence(new Exponential(in[0]), new Normal(in[1], in[2])),
                pb, qa, qb);
        GradCheck.check("KL Gumbel-Normal", in -> KL.divergence(new Gumbel(in[0], in[1]), new Normal(in[2], in[3])),
                pa, pb, qa, qb);
        GradCheck.check("KL Laplace-Normal", in -> KL.divergence(new Laplace(in[0], in[1]), new Normal(in[2], in[3])),
                pa, pb, qa, qb);
        // Scales of q above p's keep exp((ps/qs)^2 / 2 - pl/qs + ql/qs) small, and finite differences of it exact.
        Tensor wide = leaf(1.0, 1.5, 2.5);
        GradCheck.check("KL Normal-Gumbel", in -> KL.divergence(new Normal(in[0], in[1]), new Gumbel(in[2], in[3])),
                pa, pb, qa, wide);
        GradCheck.check("KL Normal-Laplace", in -> KL.divergence(new Normal(in[0], in[1]), new Laplace(in[2], in[3])),
                pa, pb, qa, qb);
        Tensor low = leaf(0.1, 1.0, 2.0);
        Tensor high = leaf(1.0, 1.5, 3.0);
        GradCheck.check("KL Uniform-Exponential",
                in -> KL.divergence(new Uniform(in[0], in[1]), new Exponential(in[2])), low, high, qb);
        GradCheck.check("KL Uniform-Gumbel", in -> KL.divergence(new Uniform(in[0], in[1]), new Gumbel(in[2], in[3])),
                low, high, qa, qb);
        GradCheck.check("KL Uniform-Normal", in -> KL.divergence(new Uniform(in[0], in[1]), new Normal(in[2], in[3])),
                low, high, qa, qb);
    }
}
