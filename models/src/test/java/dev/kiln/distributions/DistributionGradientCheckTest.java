package dev.kiln.distributions;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of the distributions against central finite differences in F64 ({@link GradCheck}): of
 * logProb, cdf and entropy with respect to parameters and values, of the gamma family's modes, of reparameterised
 * samples with respect to the parameters (the noise fixed by reseeding the engine before each evaluation), and of each
 * registered divergence with respect to both sides' parameters. Points keep clear of kinks (|x - loc| at 0, the
 * clamps of Uniform's cdf and of the modes).
 */
class DistributionGradientCheckTest extends DistributionGradientCheck {
    private static Tensor leaf(double[] values, int... dims) {
        return Tensor.fromArray(values, dims).requiresGrad(true);
    }

    @Test
    void normalLogProbCdfEntropyAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        GradCheck.check("Normal.logProb", in -> new Normal(in[0], in[1]).logProb(in[2]), loc, scale, x);
        GradCheck.check("Normal.cdf", in -> new Normal(in[0], in[1]).cdf(in[2]), loc, scale, x);
        GradCheck.check("Normal.entropy", in -> new Normal(loc.detach(), in[0]).entropy(), scale);
        GradCheck.check("Normal.rsample", seeded(in -> new Normal(in[0], in[1]).rsample(4)), loc, scale);
    }

    @Test
    void logNormalLogProbCdfMomentsAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 0.2);
        Tensor scale = leaf(0.5, 1.2, 0.8);
        Tensor x = leaf(0.2, 0.4, 2.5);
        GradCheck.check("LogNormal.logProb", in -> new LogNormal(in[0], in[1]).logProb(in[2]), loc, scale, x);
        GradCheck.check("LogNormal.cdf", in -> new LogNormal(in[0], in[1]).cdf(in[2]), loc, scale, x);
        GradCheck.check("LogNormal.variance", in -> new LogNormal(in[0], in[1]).variance(), loc, scale);
        GradCheck.check("LogNormal.rsample", seeded(in -> new LogNormal(in[0], in[1]).rsample(4)), loc, scale);
    }

    @Test
    void laplaceLogProbCdfAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        GradCheck.check("Laplace.logProb", in -> new Laplace(in[0], in[1]).logProb(in[2]), loc, scale, x);
        GradCheck.check("Laplace.cdf", in -> new Laplace(in[0], in[1]).cdf(in[2]), loc, scale, x);
        GradCheck.check("Laplace.rsample", seeded(in -> new Laplace(in[0], in[1]).rsample(4)), loc, scale);
    }

    @Test
    void uniformLogProbCdfEntropyAndRsample() {
        Tensor low = leaf(0.0, -1.0, 2.0);
        Tensor high = leaf(1.0, 0.5, 3.0);
        Tensor x = leaf(0.25, -0.5, 2.9);
        Tensor inside = Tensor.fromArray(new double[] {0.25, -0.5, 2.9}, 3);
        GradCheck.check("Uniform.logProb", in -> new Uniform(in[0], in[1]).logProb(inside), low, high);
        GradCheck.check("Uniform.cdf", in -> new Uniform(in[0], in[1]).cdf(in[2]), low, high, x);
        GradCheck.check("Uniform.entropy", in -> new Uniform(in[0], in[1]).entropy(), low, high);
        GradCheck.check("Uniform.rsample", seeded(in -> new Uniform(in[0], in[1]).rsample(4)), low, high);
    }

    @Test
    void exponentialLogProbCdfAndRsample() {
        Tensor rate = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.1, 0.4, 2.5);
        GradCheck.check("Exponential.logProb", in -> new Exponential(in[0]).logProb(in[1]), rate, x);
        GradCheck.check("Exponential.cdf", in -> new Exponential(in[0]).cdf(in[1]), rate, x);
        GradCheck.check("Exponential.rsample", seeded(in -> new Exponential(in[0]).rsample(4)), rate);
    }

    @Test
    void gammaAndChi2LogProbAndEntropy() {
        Tensor concentration = leaf(0.5, 1.3, 9.0);
        Tensor rate = leaf(1.0, 2.0, 0.5);
        Tensor x = leaf(0.2, 0.4, 2.5);
        GradCheck.check("Gamma.logProb", in -> new Gamma(in[0], in[1]).logProb(in[2]), concentration, rate, x);
        GradCheck.check("Gamma.entropy", in -> new Gamma(in[0], in[1]).entropy(), concentration, rate);
        GradCheck.check("Chi2.logProb", in -> new Chi2(in[0]).logProb(in[1]), concentration, x);
    }

    /** Away from 1, where the clamp at the excess over 1 has a kink; a concentration below 1 has the gradient 0. */
    @Test
    void modesOfTheGammaFamilyAwayFromTheirClamps() {
        Tensor concentration = leaf(0.5, 1.3, 9.0);
        Tensor rate = leaf(1.0, 2.0, 0.5);
        GradCheck.check("Gamma.mode", in -> new Gamma(in[0], in[1]).mode(), concentration, rate);
        GradCheck.check("Chi2.mode", in -> new Chi2(in[0]).mode(), leaf(1.5, 2.6, 9.0));
        GradCheck.check("Beta.mode", in -> new Beta(in[0], in[1]).mode(), leaf(1.5, 0.7, 9.0), leaf(2.0, 1.3, 1.2));
        Tensor alpha = leaf(new double[] {0.5, 1.3, 9.0, 2.0, 0.7, 1.2}, 2, 3);
        GradCheck.check("Dirichlet.mode", in -> new Dirichlet(in[0]).mode(), alpha);
    }

    /** Without validation: finite differences move values off the simplex, where the formula still holds. */
    @Test
    void betaAndDirichletLogProbAndEntropy() {
        Tensor c1 = leaf(0.5, 1.3, 9.0);
        Tensor c0 = leaf(2.0, 0.7, 1.0);
        Tensor x = leaf(0.1, 0.4, 0.95);
        GradCheck.check("Beta.logProb", in -> new Beta(in[0], in[1]).logProb(in[2]), c1, c0, x);
        GradCheck.check("Beta.entropy", in -> new Beta(in[0], in[1]).entropy(), c1, c0);
        Tensor alpha = leaf(new double[] {0.5, 1.3, 9.0, 2.0, 0.7, 1.0}, 2, 3);
        Tensor simplex = leaf(new double[] {0.2, 0.3, 0.5, 0.25, 0.05, 0.7}, 2, 3);
        GradCheck.check("Dirichlet.logProb", in -> new Dirichlet(in[0], false).logProb(in[1]), alpha, simplex);
        GradCheck.check("Dirichlet.entropy", in -> new Dirichlet(in[0]).entropy(), alpha);
    }

    /**
     * The draws' gradient with respect to df is the gamma draws' implicit one, not the derivative of the rejection
     * sampler's transform that finite differences see, so rsample is checked through loc and scale alone.
     */
    @Test
    void studentTLogProbEntropyAndRsampleThroughLocAndScale() {
        Tensor df = leaf(0.8, 2.5, 30.0);
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor x = leaf(0.2, 0.4, 2.5);
        GradCheck.check("StudentT.logProb", in -> new StudentT(in[0], in[1], in[2]).logProb(in[3]), df, loc, scale, x);
        GradCheck.check("StudentT.entropy", in -> new StudentT(in[0], loc.detach(), in[1]).entropy(), df, scale);
        GradCheck.check("StudentT.rsample", seeded(in -> new StudentT(df.detach(), in[0], in[1]).rsample(4)), loc, scale);
    }

    @Test
    void bernoulliLogProbAndEntropyByProbabilitiesAndByLogits() {
        Tensor probs = leaf(0.2, 0.5, 0.9);
        Tensor logits = leaf(-1.5, 0.0, 2.0);
        Tensor bits = Tensor.fromArray(new double[] {1, 0, 1}, 3);
        GradCheck.check("Bernoulli(probs).logProb", in -> Bernoulli.ofProbs(in[0]).logProb(bits), probs);
        GradCheck.check("Bernoulli(probs).entropy", in -> Bernoulli.ofProbs(in[0]).entropy(), probs);
        GradCheck.check("Bernoulli(logits).logProb", in -> Bernoulli.ofLogits(in[0]).logProb(bits), logits);
        GradCheck.check("Bernoulli(logits).entropy", in -> Bernoulli.ofLogits(in[0]).entropy(), logits);
    }

    @Test
    void categoricalAndOneHotLogProbAndEntropy() {
        Tensor probs = leaf(new double[] {1.0, 2.0, 0.5, 1.0, 0.5, 0.25, 0.25, 3.0}, 2, 4);
        Tensor logits = leaf(new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.2, 0.4}, 2, 4);
        Tensor classes = Tensor.fromArray(new long[] {0, 3, 2, 1, 1, 0}, 3, 2);
        GradCheck.check("Categorical(probs).logProb", in -> Categorical.ofProbs(in[0]).logProb(classes), probs);
        GradCheck.check("Categorical(probs).entropy", in -> Categorical.ofProbs(in[0]).entropy(), probs);
        GradCheck.check("Categorical(logits).logProb", in -> Categorical.ofLogits(in[0]).logProb(classes), logits);
        GradCheck.check("Categorical(logits).entropy", in -> Categorical.ofLogits(in[0]).entropy(), logits);
        Tensor oneHot = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 1, 0, 0}, 2, 4);
        GradCheck.check("OneHotCategorical.logProb", in -> OneHotCategorical.ofLogits(in[0]).logProb(oneHot), logits);
    }

    /**
     * Without validation: finite differences of an element above the diagonal leave the factor non-triangular (it reads
     * the lower triangle alone, whose gradient is 0 there) and the covariance non-symmetric.
     */
    @Test
    void multivariateNormalLogProbEntropyAndRsampleByFactorAndByCovariance() {
        Tensor loc = leaf(new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -0.3}, 2, 3);
        Tensor tril = leaf(new double[] {1.2, 0, 0, 0.3, 0.8, 0, -0.5, 0.4, 1.5}, 3, 3);
        Tensor covariance = leaf(new double[] {2.0, 0.3, -0.5, 0.3, 1.5, 0.4, -0.5, 0.4, 1.8}, 3, 3);
        Tensor x = leaf(new double[] {0.2, 0.4, 2.5, -1.0, 1.0, 1.0}, 2, 3);
        GradCheck.check("MultivariateNormal(scaleTril).logProb",
                in -> MultivariateNormal.ofScaleTril(in[0], in[1], false).logProb(in[2]), loc, tril, x);
        GradCheck.check("MultivariateNormal(scaleTril).entropy",
                in -> MultivariateNormal.ofScaleTril(loc.detach(), in[0], false).entropy(), tril);
        GradCheck.check("MultivariateNormal(scaleTril).rsample",
                seeded(in -> MultivariateNormal.ofScaleTril(in[0], in[1], false).rsample(2)), loc, tril);
        GradCheck.check("MultivariateNormal(covariance).logProb",
                in -> MultivariateNormal.ofCovarianceMatrix(in[0], in[1], false).logProb(in[2]), loc, covariance, x);
    }

    @Test
    void klDivergenceOfEachRegisteredPair() {
        Tensor pa = leaf(0.5, -1.0, 2.0);
        Tensor pb = leaf(0.5, 1.2, 2.0);
        Tensor qa = leaf(0.2, 0.4, 2.5);
        Tensor qb = leaf(1.0, 0.7, 0.4);
        GradCheck.check("KL Normal", in -> KL.divergence(new Normal(in[0], in[1]), new Normal(in[2], in[3])),
                pa, pb, qa, qb);
        GradCheck.check("KL LogNormal", in -> KL.divergence(new LogNormal(in[0], in[1]), new LogNormal(in[2], in[3])),
                pa, pb, qa, qb);
        GradCheck.check("KL Laplace", in -> KL.divergence(new Laplace(in[0], in[1]), new Laplace(in[2], in[3])),
                pa, pb, qa, qb);
        GradCheck.check("KL Exponential", in -> KL.divergence(new Exponential(in[0]), new Exponential(in[1])), pb, qb);
        GradCheck.check("KL Bernoulli", in -> KL.divergence(Bernoulli.ofLogits(in[0]), Bernoulli.ofLogits(in[1])),
                pa, qa);
        GradCheck.check("KL Independent", in -> KL.divergence(new Independent(new Normal(in[0], in[1]), 1),
                new Independent(new Normal(in[2], in[3]), 1)), pa, pb, qa, qb);
        Tensor low = leaf(0.0, -1.0, 2.0);
        Tensor high = leaf(1.0, 0.5, 3.0);
        Tensor wideLow = leaf(-1.0, -1.5, 1.0);
        Tensor wideHigh = leaf(2.0, 0.7, 3.5);
        GradCheck.check("KL Uniform", in -> KL.divergence(new Uniform(in[0], in[1]), new Uniform(in[2], in[3])),
                low, high, wideLow, wideHigh);
        GradCheck.check("KL Gamma", in -> KL.divergence(new Gamma(in[0], in[1]), new Gamma(in[2], in[3])),
                pb, qb, high, wideHigh);
        GradCheck.check("KL Beta", in -> KL.divergence(new Beta(in[0], in[1]), new Beta(in[2], in[3])),
                pb, qb, high, wideHigh);
        GradCheck.check("KL Dirichlet", in -> KL.divergence(new Dirichlet(in[0]), new Dirichlet(in[1])), pb, wideHigh);
    }

    /** Uniform bounds keep clear of 0 and 1, where the divergences turn infinite. */
    @Test
    void klDivergenceOfGammaAndBetaAgainstOtherKinds() {
        Tensor a = leaf(0.5, 1.3, 9.0);
        Tensor b = leaf(2.0, 0.7, 1.2);
        Tensor loc = leaf(0.2, -0.4, 2.5);
        Tensor scale = leaf(1.0, 0.7, 1.4);
        GradCheck.check("KL Beta-Exponential", in -> KL.divergence(new Beta(in[0], in[1]), new Exponential(in[2])),
                a, b, scale);
        GradCheck.check("KL Beta-Gamma", in -> KL.divergence(new Beta(in[0], in[1]), new Gamma(in[2], in[3])),
                a, b, leaf(1.0, 0.7, 0.4), scale);
        GradCheck.check("KL Beta-Normal", in -> KL.divergence(new Beta(in[0], in[1]), new Normal(in[2], in[3])),
                a, b, loc, scale);
        Tensor wideLow = leaf(-0.5, -1.0, -0.2);
        Tensor wideHigh = leaf(1.5, 1.2, 2.0);
        GradCheck.check("KL Beta-Uniform", in -> KL.divergence(new Beta(in[0], in[1]), new Uniform(in[2], in[3])),
                a, b, wideLow, wideHigh);
        GradCheck.check("KL Exponential-Gamma", in -> KL.divergence(new Exponential(in[0]), new Gamma(in[1], in[2])),
                scale, a, b);
        GradCheck.check("KL Gamma-Exponential", in -> KL.divergence(new Gamma(in[0], in[1]), new Exponential(in[2])),
                a, b, scale);
        GradCheck.check("KL Gamma-Gumbel", in -> KL.divergence(new Gamma(in[0], in[1]), new Gumbel(in[2], in[3])),
                a, b, loc, scale);
        GradCheck.check("KL Gamma-Normal", in -> KL.divergence(new Gamma(in[0], in[1]), new Normal(in[2], in[3])),
                a, b, loc, scale);
        Tensor low = leaf(0.1, 0.3, 0.05);
        Tensor high = leaf(0.5, 0.9, 0.6);
        GradCheck.check("KL Uniform-Beta", in -> KL.divergence(new Uniform(in[0], in[1]), new Beta(in[2], in[3])),
                low, high, a, b);
        GradCheck.check("KL Uniform-Gamma", in -> KL.divergence(new Uniform(in[0], in[1]), new Gamma(in[2], in[3])),
                low, high, a, b);
    }

    @Test
    void klDivergenceOfCategoricalsAndMultivariateNormals() {
        Tensor p = leaf(new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.2, 0.4}, 2, 4);
        Tensor q = leaf(new double[] {0.0, 0.0, 1.0, -1.0, 2.0, 1.0, 0.0, -1.0}, 2, 4);
        GradCheck.check("KL Categorical", in -> KL.divergence(Categorical.ofLogits(in[0]), Categorical.ofLogits(in[1])),
                p, q);
        GradCheck.check("KL OneHotCategorical",
                in -> KL.divergence(OneHotCategorical.ofLogits(in[0]), OneHotCategorical.ofLogits(in[1])), p, q);
        Tensor pl = leaf(new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -0.3}, 2, 3);
        Tensor pt = leaf(new double[] {1.2, 0, 0, 0.3, 0.8, 0, -0.5, 0.4, 1.5}, 3, 3);
        Tensor ql = leaf(0.2, 0.4, 2.5);
        Tensor qt = leaf(new double[] {0.9, 0, 0, 0.1, 1.3, 0, 0.2, -0.3, 0.7, 1.4, 0, 0, 0.5, 0.6, 0, -0.4, 0.2, 1.0},
                2, 3, 3);
        GradCheck.check("KL MultivariateNormal", in -> KL.divergence(MultivariateNormal.ofScaleTril(in[0], in[1], false),
                MultivariateNormal.ofScaleTril(in[2], in[3], false)), pl, pt, ql, qt);
    }
}
