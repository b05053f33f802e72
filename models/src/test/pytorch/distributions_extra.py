# torch.distributions, the fifth part (ExtraDistributionsPyTorchParityTest in models/src/test/java/dev/kiln/distributions/):
# log_prob, cdf, icdf, entropy, mean, variance and mode of Multinomial, NegativeBinomial, Weibull, Pareto,
# ContinuousBernoulli, VonMises, Kumaraswamy, FisherSnedecor and LowRankMultivariateNormal, and kl_divergence of the
# pairs PyTorch registers for them, in float64. Each result's backward pass takes the upstream gradient 1, 2, 3, ... in
# its shape; "NAME_D_X" is the gradient of input X.
# Prints the whole of ExtraDistributionsPyTorchValues.java: run it with /usr/bin/python3 (PyTorch 1.13) and redirect
# its output into that file.
import torch
from torch.distributions import (Beta, ContinuousBernoulli, Exponential, FisherSnedecor, Gamma, Gumbel, Kumaraswamy,
                                 Laplace, LowRankMultivariateNormal, Multinomial,
                                 MultivariateNormal, NegativeBinomial, Normal, Pareto, Uniform, VonMises, Weibull,
                                 kl_divergence)

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link ExtraDistributionsPyTorchParityTest}
 * (models/src/test/pytorch/distributions_extra.py, in float64): each result, then its inputs' gradients ({@code _D_}
 * and the input's name) for the upstream gradient 1, 2, 3, ... in the result's shape.
 */
final class ExtraDistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;
""")

# Multinomial of 6 draws over 4 classes, a batch of 2: a class of probability 0 scored at count 0, counts of other
# totals, and logits of -inf.
MULTI_PROBS = torch.tensor([[1.0, 2.0, 0.0, 1.0], [0.5, 0.25, 0.25, 3.0]])
MULTI_LOGITS = torch.tensor([[-1.0, 0.5, 2.0, 0.0], [0.3, -0.7, 1.5, -2.0]])
MULTI_COUNTS = torch.tensor([[2.0, 3.0, 0.0, 1.0], [0.0, 1.0, 4.0, 1.0]])
show("MULTINOMIAL_PROBS_LOG_PROB", lambda probs: Multinomial(6, probs=probs).log_prob(MULTI_COUNTS[0]),
     probs=MULTI_PROBS)
show("MULTINOMIAL_LOGITS_LOG_PROB", lambda logits: Multinomial(6, logits=logits).log_prob(MULTI_COUNTS),
     logits=MULTI_LOGITS)
field("MULTINOMIAL_OTHER_TOTALS_LOG_PROB",
      Multinomial(6, logits=MULTI_LOGITS, validate_args=False).log_prob(
          torch.tensor([[0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 7.0, 2.0]])))
field("MULTINOMIAL_NEG_INF_LOG_PROB",
      Multinomial(6, logits=torch.tensor([-float("inf"), 0.0, 1.0, 2.0])).log_prob(MULTI_COUNTS))
show("MULTINOMIAL_ENTROPY", lambda logits: Multinomial(6, logits=logits).entropy(), logits=MULTI_LOGITS)
field("MULTINOMIAL_ZERO_ENTROPY", Multinomial(0, logits=MULTI_LOGITS).entropy())
show("MULTINOMIAL_MEAN", lambda probs: Multinomial(6, probs=probs).mean, probs=MULTI_PROBS)
show("MULTINOMIAL_VARIANCE", lambda probs: Multinomial(6, probs=probs).variance, probs=MULTI_PROBS)

# NegativeBinomial: total counts [2, 1] (0 among them, and a fraction) against parameters [3]: the batch [2, 3], counts
# from 0 (with a total of 0) to 40.
NB_TOTAL = torch.tensor([[3.0], [0.0]])
NB_TOTALS = torch.tensor([[3.0, 0.5, 12.0], [7.5, 1.0, 20.0]])
NB_PROBS = torch.tensor([[0.3, 0.0, 0.8], [0.5, 0.95, 0.1]])
NB_LOGITS = torch.tensor([[-1.0, 0.5, 2.0], [0.0, -3.0, 1.5]])
NB_COUNTS = torch.tensor([[0.0, 2.0, 5.0], [0.0, 7.0, 40.0]])
show("NEGATIVE_BINOMIAL_PROBS_LOG_PROB",
     lambda total, probs: NegativeBinomial(total, probs=probs).log_prob(NB_COUNTS), total=NB_TOTALS, probs=NB_PROBS)
show("NEGATIVE_BINOMIAL_LOGITS_LOG_PROB",
     lambda total, logits: NegativeBinomial(total, logits=logits).log_prob(NB_COUNTS), total=NB_TOTALS,
     logits=NB_LOGITS)
field("NEGATIVE_BINOMIAL_NO_FAILURES_LOG_PROB", NegativeBinomial(NB_TOTAL, logits=NB_LOGITS[0]).log_prob(NB_COUNTS))
show("NEGATIVE_BINOMIAL_MEAN", lambda total, logits: NegativeBinomial(total, logits=logits).mean, total=NB_TOTALS,
     logits=NB_LOGITS)
show("NEGATIVE_BINOMIAL_VARIANCE", lambda total, probs: NegativeBinomial(total, probs=probs).variance,
     total=NB_TOTALS, probs=NB_PROBS)
field("NEGATIVE_BINOMIAL_MODE", NegativeBinomial(NB_TOTALS, logits=NB_LOGITS).mode)

# Weibull and Pareto: log_prob, cdf and icdf through every input; entropy and moments through the parameters.
SCALE = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
SHAPE = torch.tensor([[0.7, 1.0, 2.5], [1.5, 3.0, 0.4]])
POSITIVE = torch.tensor([[0.2, 0.4, 2.5], [1.5, 1.0, 3.0]])
PROB = torch.tensor([[0.1, 0.3, 0.5], [0.75, 0.9, 0.02]])
show("WEIBULL_LOG_PROB", lambda scale, k, x: Weibull(scale, k).log_prob(x), scale=SCALE, k=SHAPE, x=POSITIVE)
show("WEIBULL_CDF", lambda scale, k, x: Weibull(scale, k).cdf(x), scale=SCALE, k=SHAPE, x=POSITIVE)
show("WEIBULL_ICDF", lambda scale, k, p: Weibull(scale, k).icdf(p), scale=SCALE, k=SHAPE, p=PROB)
show("WEIBULL_ENTROPY", lambda scale, k: Weibull(scale, k).entropy(), scale=SCALE, k=SHAPE)
show("WEIBULL_MEAN", lambda scale, k: Weibull(scale, k).mean, scale=SCALE, k=SHAPE)
show("WEIBULL_VARIANCE", lambda scale, k: Weibull(scale, k).variance, scale=SCALE, k=SHAPE)
show("WEIBULL_MODE", lambda scale, k: Weibull(scale, k).mode, scale=SCALE, k=SHAPE + 0.5)
field("WEIBULL_MODE_BELOW_ONE", Weibull(SCALE, SHAPE).mode)
# Pareto values at or above the scale; alpha of 1 and below, and 2 and below, among them (infinite moments).
ALPHA = torch.tensor([[0.7, 1.0, 2.5], [1.5, 3.0, 4.0]])
ABOVE = SCALE + torch.tensor([[0.0, 0.4, 2.5], [1.5, 1.0, 3.0]])
show("PARETO_LOG_PROB", lambda scale, alpha, x: Pareto(scale, alpha).log_prob(x), scale=SCALE, alpha=ALPHA, x=ABOVE)
show("PARETO_CDF", lambda scale, alpha, x: Pareto(scale, alpha).cdf(x), scale=SCALE, alpha=ALPHA, x=ABOVE)
show("PARETO_ICDF", lambda scale, alpha, p: Pareto(scale, alpha).icdf(p), scale=SCALE, alpha=ALPHA, p=PROB)
show("PARETO_ENTROPY", lambda scale, alpha: Pareto(scale, alpha).entropy(), scale=SCALE, alpha=ALPHA)
show("PARETO_MEAN", lambda scale, alpha: Pareto(scale, alpha).mean, scale=SCALE, alpha=ALPHA + 1.5)
show("PARETO_VARIANCE", lambda scale, alpha: Pareto(scale, alpha).variance, scale=SCALE, alpha=ALPHA + 1.5)
field("PARETO_INFINITE_MEAN", Pareto(SCALE, ALPHA).mean)
field("PARETO_INFINITE_VARIANCE", Pareto(SCALE, ALPHA).variance)

# kl_divergence of the Pareto pairs: q's scale above p's in part of the batch (infinite), alpha at most 1 or 2.
SCALE_Q = torch.tensor([[1.0, 0.7, 0.4], [0.9, 2.0, 0.5]])
LOC_Q = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
show("KL_PARETO_PARETO", lambda ps, pa, qs, qa: kl_divergence(Pareto(ps, pa), Pareto(qs, qa)),
     ps=SCALE, pa=ALPHA, qs=SCALE_Q * 0.5, qa=SHAPE)
field("KL_PARETO_PARETO_BELOW", kl_divergence(Pareto(SCALE, ALPHA), Pareto(SCALE_Q, SHAPE)))
show("KL_PARETO_EXPONENTIAL", lambda ps, pa, q: kl_divergence(Pareto(ps, pa), Exponential(q)),
     ps=SCALE, pa=ALPHA + 0.5, q=SCALE_Q)
show("KL_PARETO_GAMMA", lambda ps, pa, qc, qr: kl_divergence(Pareto(ps, pa), Gamma(qc, qr)),
     ps=SCALE, pa=ALPHA + 0.5, qc=SHAPE, qr=SCALE_Q)
show("KL_PARETO_NORMAL", lambda ps, pa, ql, qs: kl_divergence(Pareto(ps, pa), Normal(ql, qs)),
     ps=SCALE, pa=ALPHA + 1.0, ql=LOC_Q, qs=SCALE_Q)
LOW = torch.tensor([[0.6, 1.0, 2.0], [0.5, 2.0, 0.5]])
HIGH = torch.tensor([[1.0, 1.5, 3.0], [2.0, 3.0, 0.9]])
show("KL_UNIFORM_PARETO", lambda pl, ph, qs, qa: kl_divergence(Uniform(pl, ph), Pareto(qs, qa)),
     pl=LOW, ph=HIGH, qs=SCALE, qa=ALPHA)
PARETO = Pareto(SCALE, ALPHA)
infinite = [kl_divergence(Beta(SHAPE, ALPHA), PARETO), kl_divergence(Exponential(SHAPE), PARETO),
            kl_divergence(Gamma(SHAPE, ALPHA), PARETO), kl_divergence(Gumbel(LOC_Q, SCALE), PARETO),
            kl_divergence(Laplace(LOC_Q, SCALE), PARETO), kl_divergence(Normal(LOC_Q, SCALE), PARETO),
            kl_divergence(PARETO, Beta(SHAPE, ALPHA)), kl_divergence(PARETO, Uniform(LOW, HIGH)),
            kl_divergence(PARETO, Exponential(SCALE_Q)), kl_divergence(PARETO, Gamma(SHAPE, SCALE_Q)),
            kl_divergence(PARETO, Normal(LOC_Q, SCALE_Q))]
field("KL_PARETO_INFINITE_PAIRS", torch.stack(infinite))

# ContinuousBernoulli: lambda inside PyTorch's unstable region (0.499, 0.501] (0.4995, 0.5, 0.501) and outside it, 0
# (clamped to eps), values at both ends of [0, 1]; logits near 0 and far out.
CB_PROBS = torch.tensor([[0.1, 0.4995, 0.5], [0.75, 0.501, 0.0]])
CB_LOGITS = torch.tensor([[-1.0, 0.001, 0.0], [2.0, -0.003, 25.0]])
CB_X = torch.tensor([[0.2, 0.0, 1.0], [0.7, 0.3, 0.05]])
show("CB_PROBS_LOG_PROB", lambda probs, x: ContinuousBernoulli(probs=probs).log_prob(x), probs=CB_PROBS, x=CB_X)
show("CB_LOGITS_LOG_PROB", lambda logits, x: ContinuousBernoulli(logits=logits).log_prob(x), logits=CB_LOGITS, x=CB_X)
show("CB_CDF", lambda probs, x: ContinuousBernoulli(probs=probs).cdf(x), probs=CB_PROBS, x=CB_X)
show("CB_ICDF", lambda probs, p: ContinuousBernoulli(probs=probs).icdf(p), probs=CB_PROBS, p=PROB)
show("CB_ENTROPY", lambda logits: ContinuousBernoulli(logits=logits).entropy(), logits=CB_LOGITS)
show("CB_MEAN", lambda probs: ContinuousBernoulli(probs=probs).mean, probs=CB_PROBS)
show("CB_VARIANCE", lambda probs: ContinuousBernoulli(probs=probs).variance, probs=CB_PROBS)
show("CB_LOGITS_MEAN", lambda logits: ContinuousBernoulli(logits=logits).mean, logits=CB_LOGITS)
show("CB_LOGITS_VARIANCE", lambda logits: ContinuousBernoulli(logits=logits).variance, logits=CB_LOGITS)

# kl_divergence of the ContinuousBernoulli pairs.
CB_Q = torch.tensor([[0.3, 0.8, 0.4995], [0.2, 0.6, 0.05]])
show("KL_CB_CB", lambda p, q: kl_divergence(ContinuousBernoulli(probs=p), ContinuousBernoulli(probs=q)),
     p=CB_PROBS, q=CB_Q)
show("KL_BETA_CB", lambda pa, pb, q: kl_divergence(Beta(pa, pb), ContinuousBernoulli(probs=q)),
     pa=SHAPE, pb=ALPHA, q=CB_Q)
show("KL_CB_EXPONENTIAL", lambda p, q: kl_divergence(ContinuousBernoulli(probs=p), Exponential(q)), p=CB_PROBS,
     q=SCALE_Q)
show("KL_CB_NORMAL", lambda p, ql, qs: kl_divergence(ContinuousBernoulli(probs=p), Normal(ql, qs)), p=CB_PROBS,
     ql=LOC_Q, qs=SCALE_Q)
CB_Q_LOW = torch.tensor([[-0.5, -1.0, 0.2], [-0.1, -2.0, -0.3]])
CB_Q_HIGH = torch.tensor([[1.5, 2.0, 3.0], [0.8, 1.2, 1.1]])
show("KL_CB_UNIFORM", lambda p, ql, qh: kl_divergence(ContinuousBernoulli(probs=p), Uniform(ql, qh)), p=CB_PROBS,
     ql=CB_Q_LOW, qh=CB_Q_HIGH)
# Bounds off 0 and 1: there PyTorch 1.13's >= and <= make the divergence infinite, which Kiln's is not.
CB_P_LOW = torch.tensor([[0.1, 0.2, 0.05], [0.3, 0.5, 0.6]])
CB_P_HIGH = torch.tensor([[0.4, 0.9, 0.5], [0.98, 0.7, 0.95]])
show("KL_UNIFORM_CB", lambda pl, ph, q: kl_divergence(Uniform(pl, ph), ContinuousBernoulli(probs=q)), pl=CB_P_LOW,
     ph=CB_P_HIGH, q=CB_Q)
CB = ContinuousBernoulli(probs=CB_Q)
infinite = [kl_divergence(CB, Pareto(SCALE, ALPHA)), kl_divergence(Exponential(SHAPE), CB),
            kl_divergence(Gamma(SHAPE, ALPHA), CB), kl_divergence(Gumbel(LOC_Q, SCALE), CB),
            kl_divergence(Laplace(LOC_Q, SCALE), CB), kl_divergence(Normal(LOC_Q, SCALE), CB),
            kl_divergence(Pareto(SCALE, ALPHA), CB)]
field("KL_CB_INFINITE_PAIRS", torch.stack(infinite))

# VonMises: concentrations on both sides of the Bessel functions' switch at 3.75, angles beyond [-pi, pi).
VM_LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 3.0, -2.5]])
VM_CONCENTRATION = torch.tensor([[0.05, 1.2, 3.7], [3.8, 10.0, 50.0]])
VM_X = torch.tensor([[0.2, 4.0, 2.5], [-7.0, 3.1, -2.4]])
show("VON_MISES_LOG_PROB", lambda loc, k, x: VonMises(loc, k).log_prob(x), loc=VM_LOC, k=VM_CONCENTRATION, x=VM_X)
show("VON_MISES_VARIANCE", lambda k: VonMises(VM_LOC, k).variance, k=VM_CONCENTRATION)

# Kumaraswamy: concentrations below and above 1 (not its mode: PyTorch 1.13's formula takes logarithms of 1 - b and
# 1 - a b and is NaN everywhere; Kiln's test checks the density's maximum).
UNIT = torch.tensor([[0.1, 0.4, 0.95], [0.5, 0.02, 0.7]])
show("KUMARASWAMY_LOG_PROB", lambda a, b, x: Kumaraswamy(a, b).log_prob(x), a=SHAPE, b=ALPHA, x=UNIT)
show("KUMARASWAMY_CDF", lambda a, b, x: Kumaraswamy(a, b).cdf(x), a=SHAPE, b=ALPHA, x=UNIT)
show("KUMARASWAMY_ICDF", lambda a, b, p: Kumaraswamy(a, b).icdf(p), a=SHAPE, b=ALPHA, p=PROB)
show("KUMARASWAMY_ENTROPY", lambda a, b: Kumaraswamy(a, b).entropy(), a=SHAPE, b=ALPHA)
show("KUMARASWAMY_MEAN", lambda a, b: Kumaraswamy(a, b).mean, a=SHAPE, b=ALPHA)
show("KUMARASWAMY_VARIANCE", lambda a, b: Kumaraswamy(a, b).variance, a=SHAPE, b=ALPHA)

# FisherSnedecor: degrees of freedom at and below 2 and 4 among them (NaN moments and modes).
DF1 = torch.tensor([[0.5, 2.0, 5.0], [10.0, 3.0, 1.0]])
DF2 = torch.tensor([[1.5, 3.0, 6.0], [12.0, 4.0, 30.0]])
show("FISHER_SNEDECOR_LOG_PROB", lambda df1, df2, x: FisherSnedecor(df1, df2).log_prob(x), df1=DF1, df2=DF2,
     x=POSITIVE)
show("FISHER_SNEDECOR_MEAN", lambda df1, df2: FisherSnedecor(df1, df2).mean, df1=DF1, df2=DF2)
show("FISHER_SNEDECOR_VARIANCE", lambda df1, df2: FisherSnedecor(df1, df2).variance, df1=DF1, df2=DF2)
field("FISHER_SNEDECOR_MODE", FisherSnedecor(DF1, DF2).mode)

# LowRankMultivariateNormal over vectors of 3, a factor of rank 2, a batch of 2; the factor unbatched in the second.
LR_LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
LR_FACTOR = torch.tensor([[[1.0, 0.2], [-0.5, 0.7], [0.3, -1.2]], [[0.1, 0.0], [2.0, -0.4], [0.6, 0.9]]])
LR_DIAG = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
LR_X = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
show("LOW_RANK_LOG_PROB", lambda loc, w, d, x: LowRankMultivariateNormal(loc, w, d).log_prob(x), loc=LR_LOC,
     w=LR_FACTOR, d=LR_DIAG, x=LR_X)
show("LOW_RANK_SHARED_FACTOR_LOG_PROB", lambda w: LowRankMultivariateNormal(LR_LOC, w, LR_DIAG).log_prob(LR_X),
     w=LR_FACTOR[0])
show("LOW_RANK_ENTROPY", lambda w, d: LowRankMultivariateNormal(LR_LOC, w, d).entropy(), w=LR_FACTOR, d=LR_DIAG)
show("LOW_RANK_VARIANCE", lambda w, d: LowRankMultivariateNormal(LR_LOC, w, d).variance, w=LR_FACTOR, d=LR_DIAG)
show("LOW_RANK_COVARIANCE", lambda w, d: LowRankMultivariateNormal(LR_LOC, w, d).covariance_matrix, w=LR_FACTOR,
     d=LR_DIAG)
show("LOW_RANK_SCALE_TRIL", lambda w, d: LowRankMultivariateNormal(LR_LOC, w, d).scale_tril, w=LR_FACTOR, d=LR_DIAG)
show("LOW_RANK_PRECISION", lambda w, d: LowRankMultivariateNormal(LR_LOC, w, d).precision_matrix, w=LR_FACTOR,
     d=LR_DIAG)
LR_FACTOR_Q = torch.tensor([[[0.4], [1.1], [-0.3]], [[-0.8], [0.2], [0.5]]])
LR_DIAG_Q = torch.tensor([[1.0, 0.7, 0.4], [0.9, 2.0, 0.5]])
show("KL_LOW_RANK_LOW_RANK", lambda pl, pw, pd, ql, qw, qd: kl_divergence(LowRankMultivariateNormal(pl, pw, pd),
                                                                           LowRankMultivariateNormal(ql, qw, qd)),
     pl=LR_LOC, pw=LR_FACTOR, pd=LR_DIAG, ql=LR_X, qw=LR_FACTOR_Q, qd=LR_DIAG_Q)
LR_TRIL = torch.tensor([[[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.4, 1.5]],
                        [[0.7, 0.0, 0.0], [-0.2, 1.1, 0.0], [0.1, 0.6, 0.9]]])
show("KL_FULL_LOW_RANK", lambda pl, pt, ql, qw, qd: kl_divergence(MultivariateNormal(pl, scale_tril=pt),
                                                                  LowRankMultivariateNormal(ql, qw, qd)),
     pl=LR_LOC, pt=LR_TRIL, ql=LR_X, qw=LR_FACTOR_Q, qd=LR_DIAG_Q)
show("KL_LOW_RANK_FULL", lambda pl, pw, pd, ql, qt: kl_divergence(LowRankMultivariateNormal(pl, pw, pd),
                                                                  MultivariateNormal(ql, scale_tril=qt)),
     pl=LR_LOC, pw=LR_FACTOR, pd=LR_DIAG, ql=LR_X, qt=LR_TRIL)

print("""
    private ExtraDistributionsPyTorchValues() {
    }
}""")
