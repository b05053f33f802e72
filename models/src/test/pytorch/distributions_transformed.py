# torch.distributions' transforms, TransformedDistribution, the relaxed families and MixtureSameFamily
# (TransformedDistributionsPyTorchParityTest, RelaxedDistributionsPyTorchParityTest and
# MixtureSameFamilyPyTorchParityTest in models/src/test/java/dev/kiln/distributions/): each transform's forward,
# inverse and log_abs_det_jacobian, the log_prob, cdf and icdf of bases pushed through them (tanh-squashed Normals as
# Soft Actor-Critic's, exp, sigmoid, affine with broadcast and negative scales and with event_dim 1, power,
# compositions), kl_divergence of a pair with equal transforms, the log_prob of RelaxedBernoulli,
# LogitRelaxedBernoulli, RelaxedOneHotCategorical and ExpRelaxedCategorical, and MixtureSameFamily's log_prob, cdf,
# mean and variance over scalar and vector events, in float64. Each result's backward pass takes the upstream gradient
# 1, 2, 3, ... in its shape; "NAME_D_X" is the gradient of input X. Prints the whole of
# TransformedDistributionsPyTorchValues.java: run it with /usr/bin/python3 (PyTorch 1.13) and redirect its output into
# that file.
import torch
from torch.distributions import (Categorical, Exponential, Independent, MixtureSameFamily, Normal, RelaxedBernoulli,
                                 RelaxedOneHotCategorical, TransformedDistribution, kl_divergence)
from torch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
from torch.distributions.relaxed_categorical import ExpRelaxedCategorical
from torch.distributions.transforms import (AffineTransform, ComposeTransform, ExpTransform, PowerTransform,
                                            SigmoidTransform, TanhTransform)

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link TransformedDistributionsPyTorchParityTest}
 * (models/src/test/pytorch/distributions_transformed.py, in float64): each result, then its inputs' gradients
 * ({@code _D_} and the input's name) for the upstream gradient 1, 2, 3, ... in the result's shape.
 */
final class TransformedDistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;
""")

LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
SCALE = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
X = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
# tanh(x) rounds to 1 from x of about 19: the log-det must stay finite far beyond.
WIDE = torch.tensor([[0.2, -3.0, 20.0], [-40.0, 1.0, 400.0]])
POSITIVE = torch.tensor([[0.2, 0.4, 2.5], [1.5, 1.0, 3.0]])
SQUASHED = torch.tensor([[0.2, -0.7, 0.999999], [-0.999, 0.5, 0.0]])
UNIT = torch.tensor([[0.1, 0.3, 0.5], [0.75, 0.9, 0.02]])
EXPONENT = torch.tensor([0.5, 2.0, 3.0])
AFFINE_LOC = torch.tensor([1.0, -2.0, 0.5])
AFFINE_SCALE = torch.tensor([[2.0, -0.5, 1.5], [-3.0, 0.25, 4.0]])

# Each transform: forward, inverse and log_abs_det_jacobian through its input and parameters.
show("TANH_LOG_DET", lambda x: TanhTransform().log_abs_det_jacobian(x, x.tanh()), x=WIDE)
show("TANH_INVERSE", lambda y: TanhTransform().inv(y), y=SQUASHED)
show("SIGMOID_LOG_DET", lambda x: SigmoidTransform().log_abs_det_jacobian(x, x.sigmoid()), x=WIDE)
show("SIGMOID_INVERSE", lambda y: SigmoidTransform().inv(y), y=UNIT)
field("SIGMOID_FORWARD_WIDE", SigmoidTransform()(WIDE))
show("AFFINE_FORWARD", lambda loc, scale, x: AffineTransform(loc, scale)(x), loc=AFFINE_LOC, scale=AFFINE_SCALE, x=X)
show("AFFINE_INVERSE", lambda loc, scale, y: AffineTransform(loc, scale).inv(y), loc=AFFINE_LOC, scale=AFFINE_SCALE,
     y=X)
show("AFFINE_LOG_DET", lambda scale: AffineTransform(AFFINE_LOC, scale).log_abs_det_jacobian(X, X), scale=AFFINE_SCALE)
show("AFFINE_EVENT_LOG_DET", lambda scale: AffineTransform(AFFINE_LOC, scale, event_dim=1).log_abs_det_jacobian(X, X),
     scale=AFFINE_SCALE)
show("POWER_FORWARD", lambda exponent, x: PowerTransform(exponent)(x), exponent=EXPONENT, x=POSITIVE)
show("POWER_INVERSE", lambda exponent, y: PowerTransform(exponent).inv(y), exponent=EXPONENT, y=POSITIVE)
show("POWER_LOG_DET", lambda exponent, x: PowerTransform(exponent).log_abs_det_jacobian(x, x.pow(exponent)),
     exponent=EXPONENT, x=POSITIVE)
show("COMPOSE_LOG_DET",
     lambda scale, x: ComposeTransform([AffineTransform(0.5, scale), TanhTransform(), ExpTransform()])
     .log_abs_det_jacobian(x, ComposeTransform([AffineTransform(0.5, scale), TanhTransform(), ExpTransform()])(x)),
     scale=SCALE, x=X)

# Soft Actor-Critic's squashed Gaussian, element by element and over an action vector.
show("TANH_NORMAL_LOG_PROB", lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [TanhTransform()])
     .log_prob(y), loc=LOC, scale=SCALE, y=SQUASHED)
show("TANH_NORMAL_ACTION_LOG_PROB",
     lambda loc, scale, y: TransformedDistribution(Independent(Normal(loc, scale), 1), [TanhTransform()]).log_prob(y),
     loc=LOC, scale=SCALE, y=SQUASHED)
show("TANH_NORMAL_CDF", lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [TanhTransform()]).cdf(y),
     loc=LOC, scale=SCALE, y=SQUASHED)
show("TANH_NORMAL_ICDF", lambda loc, scale, p: TransformedDistribution(Normal(loc, scale), [TanhTransform()]).icdf(p),
     loc=LOC, scale=SCALE, p=UNIT)

# exp of a Normal (LogNormal's density), sigmoid of a Normal (the logit-normal).
show("EXP_NORMAL_LOG_PROB", lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [ExpTransform()])
     .log_prob(y), loc=LOC, scale=SCALE, y=POSITIVE)
show("EXP_NORMAL_CDF", lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [ExpTransform()]).cdf(y),
     loc=LOC, scale=SCALE, y=POSITIVE)
show("SIGMOID_NORMAL_LOG_PROB", lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [SigmoidTransform()])
     .log_prob(y), loc=LOC, scale=SCALE, y=UNIT)
show("SIGMOID_NORMAL_ICDF", lambda loc, scale, p: TransformedDistribution(Normal(loc, scale), [SigmoidTransform()])
     .icdf(p), loc=LOC, scale=SCALE, p=UNIT)

# A scalar base broadcast by the affine map's [2, 3] scale (negative entries flip the cdf).
show("AFFINE_NORMAL_LOG_PROB",
     lambda loc, scale, y: TransformedDistribution(Normal(0.3, 1.5), [AffineTransform(loc, scale)]).log_prob(y),
     loc=AFFINE_LOC, scale=AFFINE_SCALE, y=X)
show("AFFINE_NORMAL_CDF",
     lambda loc, scale, y: TransformedDistribution(Normal(0.3, 1.5), [AffineTransform(loc, scale)]).cdf(y),
     loc=AFFINE_LOC, scale=AFFINE_SCALE, y=X)
show("AFFINE_NORMAL_ICDF",
     lambda loc, scale, p: TransformedDistribution(Normal(0.3, 1.5), [AffineTransform(loc, scale)]).icdf(p),
     loc=AFFINE_LOC, scale=AFFINE_SCALE, p=UNIT)
# event_dim 1 over a Normal of batch [2, 3]: the base's last batch axis becomes the event.
show("AFFINE_EVENT_NORMAL_LOG_PROB",
     lambda loc, scale, y: TransformedDistribution(Normal(loc, scale),
                                                   [AffineTransform(AFFINE_LOC, AFFINE_SCALE[0], 1)]).log_prob(y),
     loc=LOC, scale=SCALE, y=X)

# A power of an Exponential, and a composition of affine, sigmoid and affine maps.
show("POWER_EXPONENTIAL_LOG_PROB",
     lambda rate, exponent, y: TransformedDistribution(Exponential(rate), [PowerTransform(exponent)]).log_prob(y),
     rate=SCALE, exponent=EXPONENT, y=POSITIVE)
show("POWER_EXPONENTIAL_CDF",
     lambda rate, exponent, y: TransformedDistribution(Exponential(rate), [PowerTransform(exponent)]).cdf(y),
     rate=SCALE, exponent=EXPONENT, y=POSITIVE)
show("COMPOSED_NORMAL_LOG_PROB",
     lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [AffineTransform(0.0, 2.0), SigmoidTransform(),
                                                                        AffineTransform(-1.0, 2.0)]).log_prob(y),
     loc=LOC, scale=SCALE, y=SQUASHED)

# The divergence of two tanh-squashed Normals: their bases'.
show("KL_TANH_NORMAL",
     lambda pl, ps, ql, qs: kl_divergence(TransformedDistribution(Normal(pl, ps), [TanhTransform()]),
                                          TransformedDistribution(Normal(ql, qs), [TanhTransform()])),
     pl=LOC, ps=SCALE, ql=X, qs=POSITIVE)

# The relaxed families: temperatures [2, 1] broadcast with [3] parameters.
TEMPERATURE = torch.tensor([[0.5], [2.0]])
RELAXED_PROBS = torch.tensor([0.2, 0.5, 0.9])
RELAXED_LOGITS = torch.tensor([-1.5, 0.0, 2.0])
RELAXED_VALUES = torch.tensor([[0.1, 0.6, 0.95], [0.4, 0.5, 0.001]])
show("RELAXED_BERNOULLI_PROBS_LOG_PROB",
     lambda temperature, probs, y: RelaxedBernoulli(temperature, probs=probs).log_prob(y),
     temperature=TEMPERATURE, probs=RELAXED_PROBS, y=RELAXED_VALUES)
show("RELAXED_BERNOULLI_LOGITS_LOG_PROB",
     lambda temperature, logits, y: RelaxedBernoulli(temperature, logits=logits).log_prob(y),
     temperature=TEMPERATURE, logits=RELAXED_LOGITS, y=RELAXED_VALUES)
show("LOGIT_RELAXED_BERNOULLI_LOG_PROB",
     lambda temperature, logits, y: LogitRelaxedBernoulli(temperature, logits=logits).log_prob(y),
     temperature=TEMPERATURE, logits=RELAXED_LOGITS, y=X)
CATEGORY_PROBS = torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
CATEGORY_LOGITS = torch.tensor([[-1.0, 0.5, 2.0], [0.0, 0.3, -0.7]])
SIMPLEX = torch.tensor([[0.1, 0.3, 0.6], [0.7, 0.2, 0.1]])
# One temperature for the batch (PyTorch's categorical scales the value by it along the class axis).
show("RELAXED_ONE_HOT_PROBS_LOG_PROB",
     lambda temperature, probs, y: RelaxedOneHotCategorical(temperature, probs=probs).log_prob(y),
     temperature=torch.tensor(0.5), probs=CATEGORY_PROBS, y=SIMPLEX)
show("RELAXED_ONE_HOT_LOGITS_LOG_PROB",
     lambda temperature, logits, y: RelaxedOneHotCategorical(temperature, logits=logits).log_prob(y),
     temperature=torch.tensor(1.5), logits=CATEGORY_LOGITS, y=SIMPLEX)
show("EXP_RELAXED_CATEGORICAL_LOG_PROB",
     lambda temperature, logits, y: ExpRelaxedCategorical(temperature, logits=logits).log_prob(y),
     temperature=torch.tensor(1.5), logits=CATEGORY_LOGITS, y=X)

# Mixtures of k = 3 Normals for a batch of 2, weighted per batch element and by one weighting for the batch; and of
# diagonal Gaussians over vectors of 2.
MIX_LOGITS = torch.tensor([[0.5, -1.0, 0.2], [1.5, 0.0, -0.5]])
MIX_X = torch.tensor([0.3, -1.2])
show("MIXTURE_LOG_PROB",
     lambda logits, loc, scale, x: MixtureSameFamily(Categorical(logits=logits), Normal(loc, scale)).log_prob(x),
     logits=MIX_LOGITS, loc=LOC, scale=SCALE, x=MIX_X)
show("MIXTURE_SAMPLES_LOG_PROB",
     lambda logits, x: MixtureSameFamily(Categorical(logits=logits), Normal(LOC, SCALE)).log_prob(x),
     logits=MIX_LOGITS, x=X.t())
show("MIXTURE_SHARED_LOG_PROB",
     lambda logits, loc, scale, x: MixtureSameFamily(Categorical(logits=logits), Normal(loc, scale)).log_prob(x),
     logits=MIX_LOGITS[0], loc=LOC, scale=SCALE, x=MIX_X)
show("MIXTURE_CDF",
     lambda logits, loc, scale, x: MixtureSameFamily(Categorical(logits=logits), Normal(loc, scale)).cdf(x),
     logits=MIX_LOGITS, loc=LOC, scale=SCALE, x=MIX_X)
show("MIXTURE_MEAN", lambda logits, loc: MixtureSameFamily(Categorical(logits=logits), Normal(loc, SCALE)).mean,
     logits=MIX_LOGITS, loc=LOC)
show("MIXTURE_VARIANCE",
     lambda logits, loc, scale: MixtureSameFamily(Categorical(logits=logits), Normal(loc, scale)).variance,
     logits=MIX_LOGITS, loc=LOC, scale=SCALE)
VECTOR_LOC = torch.tensor([[[0.5, -1.0], [2.0, 0.0], [1.5, -0.3]], [[0.2, 0.4], [-2.5, 1.0], [0.0, 0.7]]])
VECTOR_SCALE = torch.tensor([[[0.5, 1.2], [2.0, 0.3], [1.0, 0.8]], [[0.9, 0.6], [1.1, 0.4], [0.7, 1.3]]])
VECTOR_X = torch.tensor([[0.3, -0.4], [1.0, 0.5]])
show("VECTOR_MIXTURE_LOG_PROB",
     lambda logits, loc, scale, x: MixtureSameFamily(Categorical(logits=logits), Independent(Normal(loc, scale), 1))
     .log_prob(x), logits=MIX_LOGITS, loc=VECTOR_LOC, scale=VECTOR_SCALE, x=VECTOR_X)
show("VECTOR_MIXTURE_MEAN",
     lambda logits, loc: MixtureSameFamily(Categorical(logits=logits), Independent(Normal(loc, VECTOR_SCALE), 1)).mean,
     logits=MIX_LOGITS, loc=VECTOR_LOC)
show("VECTOR_MIXTURE_VARIANCE",
     lambda logits, loc, scale: MixtureSameFamily(Categorical(logits=logits), Independent(Normal(loc, scale), 1))
     .variance, logits=MIX_LOGITS, loc=VECTOR_LOC, scale=VECTOR_SCALE)

print("}")
