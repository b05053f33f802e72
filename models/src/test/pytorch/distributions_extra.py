# torch.distributions, the fifth part (ExtraDistributionsPyTorchParityTest in models/src/test/java/dev/kiln/distributions/):
# log_prob, cdf, icdf, entropy, mean, variance and mode of Multinomial, NegativeBinomial, Weibull, Pareto,
# ContinuousBernoulli and VonMises, and kl_divergence of the pairs PyTorch registers for them, in float64. Each
# result's backward pass takes the upstream gradient 1, 2, 3, ... in its shape; "NAME_D_X" is the gradient of input X.
# Prints the whole of ExtraDistributionsPyTorchValues.java: run it with /usr/bin/python3 (PyTorch 1.13) and redirect
# its output into that file.
import torch
from torch.distributions import Multinomial, NegativeBinomial

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

print("""
    private ExtraDistributionsPyTorchValues() {
    }
}""")
