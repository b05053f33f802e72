# torch.distributions (DistributionsPyTorchParityTest in models/src/test/java/dev/kiln/distributions/): log_prob, cdf,
# entropy, mean and variance of Normal, LogNormal, Laplace, Uniform, Exponential, Bernoulli, Categorical,
# OneHotCategorical, Independent and MultivariateNormal, and kl_divergence of each registered pair, in float64. Each
# result's backward pass takes the upstream gradient 1, 2, 3, ... in its shape; "NAME_D_X" is the gradient of input X.
# Prints the whole of DistributionsPyTorchValues.java: run it with /usr/bin/python3 (PyTorch 1.13) and redirect its
# output into that file.
import torch
from torch.distributions import (Bernoulli, Categorical, Exponential, Independent, Laplace, LogNormal,
                                 MultivariateNormal, Normal, OneHotCategorical, Uniform, kl_divergence)

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link DistributionsPyTorchParityTest} (models/src/test/pytorch/distributions.py, in
 * float64): each result, then its inputs' gradients ({@code _D_} and the input's name) for the upstream gradient 1, 2,
 * 3, ... in the result's shape.
 */
final class DistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
""")


LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
SCALE = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
X = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
POSITIVE = torch.tensor([[0.2, 0.4, 2.5], [1.5, 1.0, 3.0]])
NONNEGATIVE = torch.tensor([[0.0, 0.4, 2.5], [1.5, 1.0, 3.0]])

# Normal: [2, 3] parameters and values; loc [3] and scale [2, 1] broadcast to the batch [2, 3].
show("NORMAL_LOG_PROB", lambda loc, scale, x: Normal(loc, scale).log_prob(x), loc=LOC, scale=SCALE, x=X)
show("NORMAL_CDF", lambda loc, scale, x: Normal(loc, scale).cdf(x), loc=LOC, scale=SCALE, x=X)
show("NORMAL_ENTROPY", lambda scale: Normal(LOC, scale).entropy(), scale=SCALE)
show("NORMAL_BROADCAST_LOG_PROB", lambda loc, scale: Normal(loc, scale).log_prob(X),
     loc=LOC[0], scale=SCALE[:, :1])

# LogNormal at positive values; its mean and variance through both parameters.
show("LOG_NORMAL_LOG_PROB", lambda loc, scale, x: LogNormal(loc, scale).log_prob(x), loc=LOC, scale=SCALE, x=POSITIVE)
show("LOG_NORMAL_CDF", lambda loc, scale: LogNormal(loc, scale).cdf(POSITIVE), loc=LOC, scale=SCALE)
show("LOG_NORMAL_ENTROPY", lambda loc, scale: LogNormal(loc, scale).entropy(), loc=LOC, scale=SCALE)
show("LOG_NORMAL_MEAN", lambda loc, scale: LogNormal(loc, scale).mean, loc=LOC, scale=SCALE)
show("LOG_NORMAL_VARIANCE", lambda loc, scale: LogNormal(loc, scale).variance, loc=LOC, scale=SCALE)

# Laplace: values on both sides of their locations.
show("LAPLACE_LOG_PROB", lambda loc, scale, x: Laplace(loc, scale).log_prob(x), loc=LOC, scale=SCALE, x=X)
show("LAPLACE_CDF", lambda loc, scale, x: Laplace(loc, scale).cdf(x), loc=LOC, scale=SCALE, x=X)
show("LAPLACE_ENTROPY", lambda scale: Laplace(LOC, scale).entropy(), scale=SCALE)
show("LAPLACE_STDDEV", lambda scale: Laplace(LOC, scale).stddev, scale=SCALE)

# Uniform: values inside [low, high), one of them at low itself.
LOW = torch.tensor([[0.0, -1.0, 2.0], [0.5, -2.0, -0.5]])
HIGH = torch.tensor([[1.0, 0.5, 3.0], [2.0, 1.0, 0.5]])
INSIDE = torch.tensor([[0.25, -1.0, 2.9], [1.0, 0.0, 0.25]])
show("UNIFORM_LOG_PROB", lambda low, high: Uniform(low, high).log_prob(INSIDE), low=LOW, high=HIGH)
show("UNIFORM_CDF", lambda low, high, x: Uniform(low, high).cdf(x), low=LOW, high=HIGH, x=INSIDE)
show("UNIFORM_ENTROPY", lambda low, high: Uniform(low, high).entropy(), low=LOW, high=HIGH)
show("UNIFORM_STDDEV", lambda low, high: Uniform(low, high).stddev, low=LOW, high=HIGH)
# Outside the support, without validation: log_prob -inf and cdf clamped to 0 or 1.
OUTSIDE = torch.tensor([[-0.5, 0.5, 3.5], [0.0, 1.0, 0.75]])
field("UNIFORM_OUTSIDE_LOG_PROB", Uniform(LOW, HIGH, validate_args=False).log_prob(OUTSIDE))
field("UNIFORM_OUTSIDE_CDF", Uniform(LOW, HIGH, validate_args=False).cdf(OUTSIDE))

# Exponential at values from 0.
show("EXPONENTIAL_LOG_PROB", lambda rate, x: Exponential(rate).log_prob(x), rate=SCALE, x=NONNEGATIVE)
show("EXPONENTIAL_CDF", lambda rate, x: Exponential(rate).cdf(x), rate=SCALE, x=NONNEGATIVE)
show("EXPONENTIAL_ENTROPY", lambda rate: Exponential(rate).entropy(), rate=SCALE)
show("EXPONENTIAL_VARIANCE", lambda rate: Exponential(rate).variance, rate=SCALE)

# Bernoulli by probabilities (0 and 1 among them, clamped to eps and 1 - eps) and by logits.
PROBS = torch.tensor([[0.2, 0.5, 0.9], [0.0, 1.0, 0.35]])
LOGITS = torch.tensor([[-1.5, 0.0, 2.0], [0.3, -0.7, 4.0]])
BITS = torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
show("BERNOULLI_PROBS_LOG_PROB", lambda probs: Bernoulli(probs=probs).log_prob(BITS), probs=PROBS)
show("BERNOULLI_PROBS_ENTROPY", lambda probs: Bernoulli(probs=probs).entropy(), probs=PROBS)
show("BERNOULLI_LOGITS_LOG_PROB", lambda logits: Bernoulli(logits=logits).log_prob(BITS), logits=LOGITS)
show("BERNOULLI_LOGITS_ENTROPY", lambda logits: Bernoulli(logits=logits).entropy(), logits=LOGITS)
show("BERNOULLI_LOGITS_VARIANCE", lambda logits: Bernoulli(logits=logits).variance, logits=LOGITS)

# Categorical over 4 classes, a batch of 3; values [2, 3] (a sample axis of 2). The probabilities are not normalised
# and hold a zero; the logits are shifted by any constant without changing the distribution.
CAT_PROBS = torch.tensor([[1.0, 2.0, 0.0, 1.0], [0.5, 0.25, 0.25, 3.0], [0.1, 0.2, 0.3, 0.4]])
CAT_LOGITS = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.5, -0.3, 0.2, 0.4], [3.0, 3.0, -2.0, 1.0]])
CLASSES = torch.tensor([[0, 1, 3], [3, 3, 0]])
show("CATEGORICAL_PROBS_LOG_PROB", lambda probs: Categorical(probs=probs).log_prob(CLASSES), probs=CAT_PROBS)
show("CATEGORICAL_PROBS_ENTROPY", lambda probs: Categorical(probs=probs).entropy(), probs=CAT_PROBS)
show("CATEGORICAL_LOGITS_LOG_PROB", lambda logits: Categorical(logits=logits).log_prob(CLASSES), logits=CAT_LOGITS)
show("CATEGORICAL_LOGITS_ENTROPY", lambda logits: Categorical(logits=logits).entropy(), logits=CAT_LOGITS)
show("CATEGORICAL_LOGITS_PROBS", lambda logits: Categorical(logits=logits).probs, logits=CAT_LOGITS)

# OneHotCategorical: the classes above as one-hot rows [2, 3, 4].
ONE_HOT = torch.nn.functional.one_hot(CLASSES, 4).double()
show("ONE_HOT_LOG_PROB", lambda logits: OneHotCategorical(logits=logits).log_prob(ONE_HOT), logits=CAT_LOGITS)
show("ONE_HOT_ENTROPY", lambda probs: OneHotCategorical(probs=probs).entropy(), probs=CAT_PROBS)
show("ONE_HOT_VARIANCE", lambda probs: OneHotCategorical(probs=probs).variance, probs=CAT_PROBS)

# Independent: the Normal's last batch axis made an event axis, and both axes.
show("INDEPENDENT_LOG_PROB", lambda loc, scale: Independent(Normal(loc, scale), 1).log_prob(X), loc=LOC, scale=SCALE)
show("INDEPENDENT_ENTROPY", lambda scale: Independent(Normal(LOC, scale), 2).entropy(), scale=SCALE)

# MultivariateNormal of 3 dimensions, a batch of 2: by scale_tril and by covariance_matrix (Cholesky), values [2, 3].
TRIL = torch.tensor([[[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.4, 1.5]],
                     [[0.6, 0.0, 0.0], [-0.2, 1.1, 0.0], [0.1, 0.7, 0.9]]])
COVARIANCE = TRIL @ TRIL.transpose(-1, -2) + 0.1 * torch.eye(3)
show("MVN_TRIL_LOG_PROB", lambda loc, tril, x: MultivariateNormal(loc, scale_tril=tril).log_prob(x),
     loc=LOC, tril=TRIL, x=X)
show("MVN_TRIL_ENTROPY", lambda tril: MultivariateNormal(LOC, scale_tril=tril).entropy(), tril=TRIL)
show("MVN_TRIL_VARIANCE", lambda tril: MultivariateNormal(LOC, scale_tril=tril).variance, tril=TRIL)
show("MVN_COVARIANCE_LOG_PROB", lambda loc, cov: MultivariateNormal(loc, covariance_matrix=cov).log_prob(X),
     loc=LOC, cov=COVARIANCE)
show("MVN_COVARIANCE_SCALE_TRIL", lambda cov: MultivariateNormal(LOC, covariance_matrix=cov).scale_tril,
     cov=COVARIANCE)
# One location [3] and one matrix [3, 3] for a sample of values [4, 2, 3]: the batch [2] comes from loc [2, 3].
X3 = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.5, -0.5, 0.3]] * 2).reshape(4, 2, 3)
show("MVN_BROADCAST_LOG_PROB", lambda loc, tril: MultivariateNormal(loc, scale_tril=tril).log_prob(X3),
     loc=LOC, tril=TRIL[1])

# kl_divergence of each registered pair, p's parameters and q's given as inputs.
LOC_Q = X
SCALE_Q = torch.tensor([[1.0, 0.7, 0.4], [0.9, 2.0, 0.5]])
show("KL_NORMAL", lambda pl, ps, ql, qs: kl_divergence(Normal(pl, ps), Normal(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_LOG_NORMAL", lambda pl, ps, ql, qs: kl_divergence(LogNormal(pl, ps), LogNormal(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_LAPLACE", lambda pl, ps, ql, qs: kl_divergence(Laplace(pl, ps), Laplace(ql, qs)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
show("KL_EXPONENTIAL", lambda p, q: kl_divergence(Exponential(p), Exponential(q)), p=SCALE, q=SCALE_Q)
show("KL_INDEPENDENT", lambda pl, ps, ql, qs: kl_divergence(Independent(Normal(pl, ps), 1), Independent(Normal(ql, qs), 1)),
     pl=LOC, ps=SCALE, ql=LOC_Q, qs=SCALE_Q)
# Uniform: q contains p (finite), and q leaves part of p out (infinite) in the second row.
LOW_Q = torch.tensor([[-1.0, -1.0, 1.0], [0.75, -2.0, -1.0]])
HIGH_Q = torch.tensor([[2.0, 0.5, 3.5], [2.0, 0.5, 0.5]])
show("KL_UNIFORM", lambda pl, ph, ql, qh: kl_divergence(Uniform(pl, ph), Uniform(ql, qh)),
     pl=LOW, ph=HIGH, ql=LOW_Q, qh=HIGH_Q)
# Bernoulli by logits (finite), and by probabilities with zeros and ones on either side (0, infinity).
LOGITS_Q = torch.tensor([[0.5, -2.0, 1.0], [-0.3, 0.7, 3.0]])
show("KL_BERNOULLI", lambda p, q: kl_divergence(Bernoulli(logits=p), Bernoulli(logits=q)), p=LOGITS, q=LOGITS_Q)
P_EDGES = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3, 0.3, 0.0, 1.0])
Q_EDGES = torch.tensor([0.4, 0.4, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
field("KL_BERNOULLI_EDGES", kl_divergence(Bernoulli(probs=P_EDGES), Bernoulli(probs=Q_EDGES)))
# Categorical by logits (finite), and by probabilities with zeros: where only p has one, and where only q has one.
CAT_LOGITS_Q = torch.tensor([[0.0, 0.0, 1.0, -1.0], [2.0, 1.0, 0.0, -1.0], [0.3, -0.3, 0.6, -0.6]])
show("KL_CATEGORICAL", lambda p, q: kl_divergence(Categorical(logits=p), Categorical(logits=q)),
     p=CAT_LOGITS, q=CAT_LOGITS_Q)
CAT_PROBS_Q = torch.tensor([[0.25, 0.25, 0.25, 0.25], [0.5, 0.0, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]])
show("KL_CATEGORICAL_ZEROS", lambda p: kl_divergence(Categorical(probs=p), Categorical(probs=CAT_PROBS_Q)), p=CAT_PROBS)
show("KL_ONE_HOT", lambda p, q: kl_divergence(OneHotCategorical(logits=p), OneHotCategorical(logits=q)),
     p=CAT_LOGITS, q=CAT_LOGITS_Q)
TRIL_Q = torch.tensor([[[0.9, 0.0, 0.0], [0.1, 1.3, 0.0], [0.2, -0.3, 0.7]],
                       [[1.4, 0.0, 0.0], [0.5, 0.6, 0.0], [-0.4, 0.2, 1.0]]])
show("KL_MVN", lambda pl, pt, ql, qt: kl_divergence(MultivariateNormal(pl, scale_tril=pt), MultivariateNormal(ql, scale_tril=qt)),
     pl=LOC, pt=TRIL, ql=LOC_Q, qt=TRIL_Q)
print("""
    private DistributionsPyTorchValues() {
    }
}""")
