# torch.distributions' Gamma, Chi2, Beta, Dirichlet and StudentT (ContinuousDistributionsPyTorchParityTest and
# SpecialFunctionsTest in models/src/test/java/dev/kiln/distributions/): log_prob, entropy, mean, variance and mode,
# kl_divergence of the Gamma, Beta and Dirichlet pairs and of Gamma and Beta against the other kinds, torch.lgamma and
# torch.digamma, and the implicit reparameterisation gradient torch._standard_gamma_grad(alpha, x) that Gamma.rsample's
# backward uses, in float64;
# and the trigamma function from mpmath at 50 digits, as PyTorch's (digamma's gradient) is good to about 1e-9 alone.
# Each result's backward pass takes the upstream gradient 1, 2, 3, ... in its shape; "NAME_D_X" is the gradient of
# input X. Prints the whole of ContinuousDistributionsPyTorchValues.java: run it with /usr/bin/python3 (PyTorch 1.13)
# and redirect its output into that file.
import mpmath
import torch
from torch.distributions import (Beta, Chi2, Dirichlet, Exponential, Gamma, Gumbel, Laplace, Normal, StudentT, Uniform,
                                 kl_divergence)

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link ContinuousDistributionsPyTorchParityTest} and {@link SpecialFunctionsTest}
 * (models/src/test/pytorch/distributions_continuous.py, in float64): each result, then its inputs' gradients
 * ({@code _D_} and the input's name) for the upstream gradient 1, 2, 3, ... in the result's shape.
 */
final class ContinuousDistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;
""")


# lgamma and digamma from tiny to large arguments, through 1 and 2 (where lgamma is 0) and non-integers.
SPECIAL_X = torch.tensor([1e-8, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 9.99, 10.0, 25.5, 100.0, 1234.5, 1e6])
show("LGAMMA", torch.lgamma, x=SPECIAL_X)
show("DIGAMMA", torch.digamma, x=SPECIAL_X)
mpmath.mp.dps = 50
field("TRIGAMMA", torch.tensor([float(mpmath.psi(1, mpmath.mpf(x))) for x in SPECIAL_X.tolist()]))

CONCENTRATION = torch.tensor([[0.5, 1.0, 2.5], [4.0, 0.3, 12.0]])
RATE = torch.tensor([[1.0, 2.0, 0.5], [1.5, 0.7, 3.0]])
POSITIVE = torch.tensor([[0.2, 0.4, 2.5], [1.5, 1.0, 3.0]])

# Gamma: [2, 3] parameters and values; at 0, finite where the concentration is 1 (xlogy) and infinite below it.
show("GAMMA_LOG_PROB", lambda a, r, x: Gamma(a, r).log_prob(x), a=CONCENTRATION, r=RATE, x=POSITIVE)
field("GAMMA_LOG_PROB_AT_ZERO", Gamma(CONCENTRATION, RATE).log_prob(torch.zeros(2, 3)))
show("GAMMA_ENTROPY", lambda a, r: Gamma(a, r).entropy(), a=CONCENTRATION, r=RATE)
show("GAMMA_MEAN", lambda a, r: Gamma(a, r).mean, a=CONCENTRATION, r=RATE)
show("GAMMA_VARIANCE", lambda a, r: Gamma(a, r).variance, a=CONCENTRATION, r=RATE)
# The mode clamps (a - 1) / r at 0 from below: a concentration of 1 sits on the clamp, which passes its gradient.
show("GAMMA_MODE", lambda a, r: Gamma(a, r).mode, a=CONCENTRATION, r=RATE)

# Chi2: the Gamma of df / 2 and 1/2.
DF = torch.tensor([[0.8, 1.0, 1.5], [2.0, 3.0, 7.5]])
show("CHI2_LOG_PROB", lambda df, x: Chi2(df).log_prob(x), df=DF, x=POSITIVE)
show("CHI2_ENTROPY", lambda df: Chi2(df).entropy(), df=DF)
show("CHI2_MODE", lambda df: Chi2(df).mode, df=DF)

# Beta at values inside (0, 1), concentrations below and above 1.
C1 = torch.tensor([[0.5, 1.0, 2.5], [4.0, 0.3, 12.0]])
C0 = torch.tensor([[2.0, 0.7, 1.0], [3.0, 0.4, 5.0]])
UNIT = torch.tensor([[0.1, 0.4, 0.95], [0.5, 0.02, 0.7]])
show("BETA_LOG_PROB", lambda c1, c0, x: Beta(c1, c0).log_prob(x), c1=C1, c0=C0, x=UNIT)
show("BETA_ENTROPY", lambda c1, c0: Beta(c1, c0).entropy(), c1=C1, c0=C0)
show("BETA_MEAN", lambda c1, c0: Beta(c1, c0).mean, c1=C1, c0=C0)
show("BETA_VARIANCE", lambda c1, c0: Beta(c1, c0).variance, c1=C1, c0=C0)
# The mode, the Dirichlet's first coordinate: 0 where only c0 exceeds 1, NaN at (1, 0.7) (0 / 0), 1 at (0.3, 0.4)
# (both below 1: the first vertex).
show("BETA_MODE", lambda c1, c0: Beta(c1, c0).mode, c1=C1, c0=C0)

# Dirichlet over 3 categories, a batch of 2; values [2, 3] on the simplex.
ALPHA = torch.tensor([[0.5, 1.0, 2.5], [4.0, 0.3, 12.0]])
SIMPLEX = torch.tensor([[0.2, 0.3, 0.5], [0.25, 0.05, 0.7]])
show("DIRICHLET_LOG_PROB", lambda a, x: Dirichlet(a).log_prob(x), a=ALPHA, x=SIMPLEX)
show("DIRICHLET_ENTROPY", lambda a: Dirichlet(a).entropy(), a=ALPHA)
show("DIRICHLET_MEAN", lambda a: Dirichlet(a).mean, a=ALPHA)
show("DIRICHLET_VARIANCE", lambda a: Dirichlet(a).variance, a=ALPHA)
show("DIRICHLET_MODE", lambda a: Dirichlet(a).mode, a=ALPHA)
# max(a - 1, 0) normalised is 0 / 0 where no concentration exceeds 1: NaN, unless every one is below 1, where
# PyTorch takes the one-hot of the argmax of that NaN row, the first category, wherever the largest concentration is.
field("DIRICHLET_MODE_EDGES", Dirichlet(torch.tensor([[0.2, 0.5, 0.3], [0.9, 0.1, 0.99], [1.0, 1.0, 1.0],
                                                      [1.0, 0.5, 0.5], [2.0, 0.5, 0.5]])).mode)

# StudentT: df on both sides of 1 and 2, where the mean and the variance stop being finite.
LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
SCALE = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
X = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
show("STUDENT_T_LOG_PROB", lambda df, loc, scale, x: StudentT(df, loc, scale).log_prob(x),
     df=DF, loc=LOC, scale=SCALE, x=X)
show("STUDENT_T_ENTROPY", lambda df, scale: StudentT(df, LOC, scale).entropy(), df=DF, scale=SCALE)
field("STUDENT_T_MEAN", StudentT(DF, LOC, SCALE).mean)
field("STUDENT_T_VARIANCE", StudentT(DF, LOC, SCALE).variance)
show("STUDENT_T_MODE", lambda loc: StudentT(DF, loc, SCALE).mode, loc=LOC)
show("STUDENT_T_FINITE_VARIANCE", lambda df, scale: StudentT(df, LOC[0], scale).variance,
     df=torch.tensor([2.5, 3.0, 10.0]), scale=torch.tensor([0.5, 1.2, 2.0]))

# kl_divergence of the Gamma, Beta and Dirichlet pairs, p's parameters and q's given as inputs.
CONCENTRATION_Q = torch.tensor([[1.0, 0.7, 0.4], [0.9, 2.0, 5.0]])
RATE_Q = torch.tensor([[0.5, 1.0, 2.0], [1.0, 0.3, 4.0]])
show("KL_GAMMA", lambda pa, pr, qa, qr: kl_divergence(Gamma(pa, pr), Gamma(qa, qr)),
     pa=CONCENTRATION, pr=RATE, qa=CONCENTRATION_Q, qr=RATE_Q)
show("KL_BETA", lambda p1, p0, q1, q0: kl_divergence(Beta(p1, p0), Beta(q1, q0)),
     p1=C1, p0=C0, q1=CONCENTRATION_Q, q0=RATE_Q)
show("KL_DIRICHLET", lambda p, q: kl_divergence(Dirichlet(p), Dirichlet(q)), p=ALPHA, q=CONCENTRATION_Q)

# kl_divergence of Gamma (Chi2 through it) and Beta against Kiln's other kinds: the closed forms, infinite where p has
# mass outside q's support (Beta-Uniform where q leaves out part of [0, 1], Uniform-Beta where p reaches outside it,
# Uniform-Gamma where p reaches below 0), and the pairs that are infinite throughout.
U_LOW = torch.tensor([[0.0, -1.0, 0.0], [0.2, -0.5, 0.0]])
U_HIGH = torch.tensor([[1.0, 2.0, 0.9], [1.0, 1.0, 1.5]])
P_LOW = torch.tensor([[0.1, 0.2, 0.05], [0.3, -0.1, 0.5]])
P_HIGH = torch.tensor([[0.5, 0.9, 0.6], [1.2, 0.4, 0.7]])
show("KL_BETA_EXPONENTIAL", lambda p1, p0, q: kl_divergence(Beta(p1, p0), Exponential(q)), p1=C1, p0=C0, q=RATE_Q)
show("KL_BETA_GAMMA", lambda p1, p0, qa, qr: kl_divergence(Beta(p1, p0), Gamma(qa, qr)),
     p1=C1, p0=C0, qa=CONCENTRATION_Q, qr=RATE_Q)
show("KL_BETA_NORMAL", lambda p1, p0, ql, qs: kl_divergence(Beta(p1, p0), Normal(ql, qs)),
     p1=C1, p0=C0, ql=LOC, qs=SCALE)
show("KL_BETA_UNIFORM", lambda p1, p0, ql, qh: kl_divergence(Beta(p1, p0), Uniform(ql, qh)),
     p1=C1, p0=C0, ql=U_LOW, qh=U_HIGH)
show("KL_EXPONENTIAL_GAMMA", lambda p, qa, qr: kl_divergence(Exponential(p), Gamma(qa, qr)),
     p=RATE, qa=CONCENTRATION_Q, qr=RATE_Q)
show("KL_GAMMA_EXPONENTIAL", lambda pa, pr, q: kl_divergence(Gamma(pa, pr), Exponential(q)),
     pa=CONCENTRATION, pr=RATE, q=RATE_Q)
show("KL_GAMMA_GUMBEL", lambda pa, pr, ql, qs: kl_divergence(Gamma(pa, pr), Gumbel(ql, qs)),
     pa=CONCENTRATION, pr=RATE, ql=LOC, qs=SCALE)
show("KL_GAMMA_NORMAL", lambda pa, pr, ql, qs: kl_divergence(Gamma(pa, pr), Normal(ql, qs)),
     pa=CONCENTRATION, pr=RATE, ql=LOC, qs=SCALE)
show("KL_CHI2_NORMAL", lambda df, ql, qs: kl_divergence(Chi2(df), Normal(ql, qs)), df=DF, ql=LOC, qs=SCALE)
show("KL_UNIFORM_BETA", lambda pl, ph, q1, q0: kl_divergence(Uniform(pl, ph), Beta(q1, q0)),
     pl=P_LOW, ph=P_HIGH, q1=C1, q0=C0)
show("KL_UNIFORM_GAMMA", lambda pl, ph, qa, qr: kl_divergence(Uniform(pl, ph), Gamma(qa, qr)),
     pl=P_LOW, ph=P_HIGH, qa=CONCENTRATION_Q, qr=RATE_Q)
BETA = Beta(C1, C0)
GAMMA = Gamma(CONCENTRATION, RATE)
field("KL_GAMMA_BETA_INFINITE_PAIRS", torch.stack([
    kl_divergence(Exponential(RATE), BETA), kl_divergence(GAMMA, BETA),
    kl_divergence(GAMMA, Uniform(U_LOW, U_HIGH)), kl_divergence(Gumbel(LOC, SCALE), BETA),
    kl_divergence(Gumbel(LOC, SCALE), GAMMA), kl_divergence(Laplace(LOC, SCALE), BETA),
    kl_divergence(Laplace(LOC, SCALE), GAMMA), kl_divergence(Normal(LOC, SCALE), BETA),
    kl_divergence(Normal(LOC, SCALE), GAMMA)]))

# _standard_gamma_grad(alpha, x), d(sample)/d(alpha) at a given sample, in each of its branches: x below 0.8 (Taylor
# series), alpha above 8 within 10% of the mean and beyond it (Rice's expansion), and the rational fit.
GRAD_ALPHA = torch.tensor([0.3, 1.0, 2.5, 50.0, 0.5, 1.0, 2.5, 7.9, 9.0, 20.0, 20.0, 20.0, 100.0, 100.0, 3.0, 0.05])
GRAD_X = torch.tensor([0.01, 0.5, 0.79, 0.3, 0.8, 1.7, 6.0, 4.0, 9.5, 19.0, 12.0, 30.0, 108.0, 80.0, 0.8, 2.0])
field("STANDARD_GAMMA_GRAD", torch._standard_gamma_grad(GRAD_ALPHA, GRAD_X))
print("""
    private ContinuousDistributionsPyTorchValues() {
    }
}""")
