# torch.distributions, the second part (MoreDistributionsPyTorchParityTest in models/src/test/java/dev/kiln/distributions/):
# log_prob, cdf, icdf, entropy, mean, variance and mode of Cauchy, HalfNormal, HalfCauchy, Gumbel, Poisson, Geometric and
# Binomial, icdf of Normal, Uniform, Exponential, Laplace and LogNormal, the modes and enumerate_support of the older
# families, and kl_divergence of the new same-kind pairs and of each cross-kind pair among Kiln's kinds, in float64.
# Each result's backward pass takes the upstream gradient 1, 2, 3, ... in its shape; "NAME_D_X" is the gradient of
# input X. Prints the whole of MoreDistributionsPyTorchValues.java: run it with /usr/bin/python3 (PyTorch 1.13) and
# redirect its output into that file.
import torch
from torch.distributions import (Bernoulli, Binomial, Categorical, Cauchy, Exponential, Geometric, Gumbel, HalfCauchy,
                                 HalfNormal, Laplace, LogNormal, Normal, OneHotCategorical, Poisson, Uniform,
                                 kl_divergence)

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link MoreDistributionsPyTorchParityTest} (models/src/test/pytorch/distributions_more.py,
 * in float64): each result, then its inputs' gradients ({@code _D_} and the input's name) for the upstream gradient 1,
 * 2, 3, ... in the result's shape.
 */
final class MoreDistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;
""")


LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
SCALE = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
X = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
POSITIVE = torch.tensor([[0.2, 0.4, 2.5], [1.5, 1.0, 3.0]])
PROB = torch.tensor([[0.1, 0.3, 0.5], [0.75, 0.9, 0.02]])

# Cauchy: log_prob, cdf and icdf through every input; entropy through scale.
show("CAUCHY_LOG_PROB", lambda loc, scale, x: Cauchy(loc, scale).log_prob(x), loc=LOC, scale=SCALE, x=X)
show("CAUCHY_CDF", lambda loc, scale, x: Cauchy(loc, scale).cdf(x), loc=LOC, scale=SCALE, x=X)
show("CAUCHY_ICDF", lambda loc, scale, p: Cauchy(loc, scale).icdf(p), loc=LOC, scale=SCALE, p=PROB)
show("CAUCHY_ENTROPY", lambda scale: Cauchy(LOC, scale).entropy(), scale=SCALE)

# HalfNormal and HalfCauchy at values from 0 (and -inf below it, without validation).
NONNEGATIVE = torch.tensor([[0.0, 0.4, 2.5], [1.5, 1.0, 3.0]])
show("HALF_NORMAL_LOG_PROB", lambda scale, x: HalfNormal(scale).log_prob(x), scale=SCALE, x=NONNEGATIVE)
show("HALF_NORMAL_CDF", lambda scale, x: HalfNormal(scale).cdf(x), scale=SCALE, x=NONNEGATIVE)
show("HALF_NORMAL_ICDF", lambda scale, p: HalfNormal(scale).icdf(p), scale=SCALE, p=PROB)
show("HALF_NORMAL_ENTROPY", lambda scale: HalfNormal(scale).entropy(), scale=SCALE)
show("HALF_NORMAL_MEAN", lambda scale: HalfNormal(scale).mean, scale=SCALE)
show("HALF_NORMAL_VARIANCE", lambda scale: HalfNormal(scale).variance, scale=SCALE)
field("HALF_NORMAL_NEGATIVE_LOG_PROB", HalfNormal(SCALE, validate_args=False).log_prob(X))
show("HALF_CAUCHY_LOG_PROB", lambda scale, x: HalfCauchy(scale).log_prob(x), scale=SCALE, x=NONNEGATIVE)
show("HALF_CAUCHY_CDF", lambda scale, x: HalfCauchy(scale).cdf(x), scale=SCALE, x=NONNEGATIVE)
show("HALF_CAUCHY_ICDF", lambda scale, p: HalfCauchy(scale).icdf(p), scale=SCALE, p=PROB)
show("HALF_CAUCHY_ENTROPY", lambda scale: HalfCauchy(scale).entropy(), scale=SCALE)

# Gumbel.
show("GUMBEL_LOG_PROB", lambda loc, scale, x: Gumbel(loc, scale).log_prob(x), loc=LOC, scale=SCALE, x=X)
show("GUMBEL_CDF", lambda loc, scale, x: Gumbel(loc, scale).cdf(x), loc=LOC, scale=SCALE, x=X)
show("GUMBEL_ICDF", lambda loc, scale, p: Gumbel(loc, scale).icdf(p), loc=LOC, scale=SCALE, p=PROB)
show("GUMBEL_ENTROPY", lambda scale: Gumbel(LOC, scale).entropy(), scale=SCALE)
show("GUMBEL_MEAN", lambda loc, scale: Gumbel(loc, scale).mean, loc=LOC, scale=SCALE)
show("GUMBEL_VARIANCE", lambda scale: Gumbel(LOC, scale).variance, scale=SCALE)

# Poisson: counts from 0 (a rate of 0 among them at count 0) to 40 (log k! by the log-gamma).
RATE = torch.tensor([[0.5, 2.0, 7.5], [0.0, 12.0, 30.0]])
COUNTS = torch.tensor([[0.0, 3.0, 7.0], [0.0, 10.0, 40.0]])
show("POISSON_LOG_PROB", lambda rate: Poisson(rate).log_prob(COUNTS), rate=RATE[0])
field("POISSON_LOG_PROB_ALL", Poisson(RATE).log_prob(COUNTS))
field("POISSON_MODE", Poisson(RATE).mode)

# Geometric by probabilities (1 among them, with k = 0) and by logits.
GEO_PROBS = torch.tensor([[0.2, 0.5, 0.9], [1.0, 0.35, 0.05]])
GEO_COUNTS = torch.tensor([[0.0, 3.0, 1.0], [0.0, 2.0, 30.0]])
GEO_LOGITS = torch.tensor([[-1.5, 0.0, 2.0], [0.3, -0.7, 4.0]])
field("GEOMETRIC_PROBS_LOG_PROB", Geometric(probs=GEO_PROBS).log_prob(GEO_COUNTS))
show("GEOMETRIC_LOGITS_LOG_PROB", lambda logits: Geometric(logits=logits).log_prob(GEO_COUNTS), logits=GEO_LOGITS)
show("GEOMETRIC_LOGITS_ENTROPY", lambda logits: Geometric(logits=logits).entropy(), logits=GEO_LOGITS)
show("GEOMETRIC_PROBS_MEAN", lambda probs: Geometric(probs=probs).mean, probs=PROB)
show("GEOMETRIC_PROBS_VARIANCE", lambda probs: Geometric(probs=probs).variance, probs=PROB)

# Binomial: total counts [2, 1] broadcast with probabilities [3] (0 and 1 among them) and with logits.
TOTAL = torch.tensor([[10.0], [25.0]])
BIN_PROBS = torch.tensor([0.3, 0.0, 1.0])
BIN_COUNTS = torch.tensor([[4.0, 0.0, 10.0], [0.0, 0.0, 25.0]])
BIN_LOGITS = torch.tensor([-0.5, 1.2, 2.5])
BIN_LOGIT_COUNTS = torch.tensor([[4.0, 7.0, 10.0], [0.0, 20.0, 25.0]])
field("BINOMIAL_PROBS_LOG_PROB", Binomial(TOTAL, probs=BIN_PROBS).log_prob(BIN_COUNTS))
show("BINOMIAL_LOGITS_LOG_PROB", lambda logits: Binomial(TOTAL, logits=logits).log_prob(BIN_LOGIT_COUNTS),
     logits=BIN_LOGITS)
show("BINOMIAL_ENTROPY", lambda logits: Binomial(10, logits=logits).entropy(), logits=BIN_LOGITS)
show("BINOMIAL_MEAN", lambda probs: Binomial(TOTAL, probs=probs).mean, probs=PROB[0])
show("BINOMIAL_VARIANCE", lambda probs: Binomial(TOTAL, probs=probs).variance, probs=PROB[0])
field("BINOMIAL_MODE", Binomial(TOTAL, probs=torch.tensor([0.3, 0.5, 0.95])).mode)

# icdf of the older families.
show("NORMAL_ICDF", lambda loc, scale, p: Normal(loc, scale).icdf(p), loc=LOC, scale=SCALE, p=PROB)
TAILS = torch.tensor([1e-12, 1e-6, 0.001, 0.2, 0.5, 0.6, 0.999, 1 - 1e-6, 0.0, 1.0])
field("NORMAL_ICDF_TAILS", Normal(0.0, 1.0).icdf(TAILS))
LOW = torch.tensor([[0.0, -1.0, 2.0], [0.5, -2.0, -0.5]])
HIGH = torch.tensor([[1.0, 0.5, 3.0], [2.0, 1.0, 0.5]])
show("UNIFORM_ICDF", lambda low, high, p: Uniform(low, high).icdf(p), low=LOW, high=HIGH, p=PROB)
show("EXPONENTIAL_ICDF", lambda rate, p: Exponential(rate).icdf(p), rate=SCALE, p=PROB)
show("LAPLACE_ICDF", lambda loc, scale, p: Laplace(loc, scale).icdf(p), loc=LOC, scale=SCALE, p=PROB)
show("LOG_NORMAL_ICDF", lambda loc, scale, p: LogNormal(loc, scale).icdf(p), loc=LOC, scale=SCALE, p=PROB)

# Modes.
show("LOG_NORMAL_MODE", lambda loc, scale: LogNormal(loc, scale).mode, loc=LOC, scale=SCALE)
field("BERNOULLI_MODE", Bernoulli(probs=torch.tensor([0.2, 0.5, 0.9, 0.0])).mode)
CAT_PROBS = torch.tensor([[1.0, 2.0, 0.0, 1.0], [0.5, 0.25, 0.25, 3.0], [0.1, 0.2, 0.3, 0.4]])
field("CATEGORICAL_MODE", Categorical(probs=CAT_PROBS).mode)
field("ONE_HOT_MODE", OneHotCategorical(probs=CAT_PROBS).mode)
field("UNIFORM_MODE", Uniform(LOW, HIGH).mode)

# enumerate_support, expanded and not.
field("BERNOULLI_SUPPORT", Bernoulli(probs=PROB).enumerate_support())
field("CATEGORICAL_SUPPORT", Categorical(probs=CAT_PROBS).enumerate_support())
field("ONE_HOT_SUPPORT", OneHotCategorical(probs=CAT_PROBS).enumerate_support(expand=False))
field("BINOMIAL_SUPPORT", Binomial(3, probs=PROB).enumerate_support())

# kl_divergence of the new same-kind pairs, p's parameters and q's given as inputs.
LOC_Q = X
SCALE_Q = torch.tensor([[1.0, 0.7, 0.4], [0.9, 2.0, 0.5]])
show("KL_CAUCHY", lambda pl, ps, ql, qs: kl_divergence(Cauchy(pl, ps), Cauchy(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_HALF_CAUCHY", lambda ps, qs: kl_divergence(HalfCauchy(ps), HalfCauchy(qs)), ps=SCALE, qs=SCALE_Q)
show("KL_HALF_NORMAL", lambda ps, qs: kl_divergence(HalfNormal(ps), HalfNormal(qs)), ps=SCALE, qs=SCALE_Q)
show("KL_GUMBEL", lambda pl, ps, ql, qs: kl_divergence(Gumbel(pl, ps), Gumbel(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_POISSON", lambda p, q: kl_divergence(Poisson(p), Poisson(q)), p=SCALE, q=SCALE_Q)
show("KL_GEOMETRIC", lambda p, q: kl_divergence(Geometric(probs=p), Geometric(probs=q)), p=PROB, q=GEO_PROBS * 0.9)
show("KL_BINOMIAL", lambda p, q: kl_divergence(Binomial(10, logits=p), Binomial(10, logits=q)),
     p=BIN_LOGITS, q=GEO_LOGITS[0])
field("KL_BINOMIAL_MORE_TRIALS", kl_divergence(Binomial(torch.tensor([10.0, 12.0]), probs=torch.tensor([0.3, 0.3])),
                                               Binomial(torch.tensor([10.0, 10.0]), probs=torch.tensor([0.4, 0.4]))))

# Cross-kind pairs in closed form, and those that are infinite.
show("KL_BERNOULLI_POISSON", lambda p, q: kl_divergence(Bernoulli(probs=p), Poisson(q)), p=PROB, q=SCALE_Q)
show("KL_EXPONENTIAL_GUMBEL", lambda p, ql, qs: kl_divergence(Exponential(p), Gumbel(ql, qs)),
     p=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_EXPONENTIAL_NORMAL", lambda p, ql, qs: kl_divergence(Exponential(p), Normal(ql, qs)),
     p=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_GUMBEL_NORMAL", lambda pl, ps, ql, qs: kl_divergence(Gumbel(pl, ps), Normal(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_LAPLACE_NORMAL", lambda pl, ps, ql, qs: kl_divergence(Laplace(pl, ps), Normal(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_NORMAL_GUMBEL", lambda pl, ps, ql, qs: kl_divergence(Normal(pl, ps), Gumbel(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_NORMAL_LAPLACE", lambda pl, ps, ql, qs: kl_divergence(Normal(pl, ps), Laplace(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
# Uniform against Exponential: the second row reaches below 0 (infinite) where LOW is negative.
show("KL_UNIFORM_EXPONENTIAL", lambda pl, ph, q: kl_divergence(Uniform(pl, ph), Exponential(q)),
     pl=LOW, ph=HIGH, q=SCALE_Q)
show("KL_UNIFORM_GUMBEL", lambda pl, ph, ql, qs: kl_divergence(Uniform(pl, ph), Gumbel(ql, qs)),
     pl=LOW, ph=HIGH, ql=LOC_Q, qs=SCALE_Q)
show("KL_UNIFORM_NORMAL", lambda pl, ph, ql, qs: kl_divergence(Uniform(pl, ph), Normal(ql, qs)),
     pl=LOW, ph=HIGH, ql=LOC_Q, qs=SCALE_Q)
infinite = [kl_divergence(Exponential(SCALE), Uniform(LOW, HIGH)), kl_divergence(Gumbel(LOC, SCALE), Exponential(SCALE)),
            kl_divergence(Gumbel(LOC, SCALE), Uniform(LOW, HIGH)), kl_divergence(Laplace(LOC, SCALE), Exponential(SCALE)),
            kl_divergence(Laplace(LOC, SCALE), Uniform(LOW, HIGH)), kl_divergence(Normal(LOC, SCALE), Exponential(SCALE)),
            kl_divergence(Normal(LOC, SCALE), Uniform(LOW, HIGH)), kl_divergence(Poisson(SCALE), Bernoulli(probs=PROB)),
            kl_divergence(Poisson(SCALE), Binomial(5, probs=PROB))]
field("KL_INFINITE_PAIRS", torch.stack(infinite))
print("""
    private MoreDistributionsPyTorchValues() {
    }
}""")
