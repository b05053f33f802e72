# MultivariateNormal(loc, precision_matrix=...) (MultivariateNormalPrecisionTest in
# models/src/test/java/dev/kiln/distributions/): log_prob, scale_tril and entropy in float64, and precision_matrix of
# one given its covariance, with the inputs' gradients for the upstream gradient 1, 2, 3, ... in the result's shape, on
# distributions.py's LOC, X and covariances (used as precisions too). Prints the whole of MultivariateNormalPrecisionValues.java: run it with /usr/bin/python3 (PyTorch 1.13)
# and redirect its output into that file.
import torch
from torch.distributions import MultivariateNormal

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link MultivariateNormalPrecisionTest} (models/src/test/pytorch/mvn_precision.py, in
 * float64): each result, then its inputs' gradients ({@code _D_} and the input's name) for the upstream gradient 1, 2,
 * 3, ... in the result's shape.
 */
final class MultivariateNormalPrecisionValues {""")

LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
X = torch.tensor([[0.2, 0.4, 2.5], [-1.0, 1.0, 1.0]])
TRIL = torch.tensor([[[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.4, 1.5]],
                     [[0.6, 0.0, 0.0], [-0.2, 1.1, 0.0], [0.1, 0.7, 0.9]]])
PRECISION = TRIL @ TRIL.transpose(-1, -2) + 0.1 * torch.eye(3)
field("PRECISION", PRECISION)
show("MVN_PRECISION_LOG_PROB", lambda loc, precision, x: MultivariateNormal(loc, precision_matrix=precision).log_prob(x),
     loc=LOC, precision=PRECISION, x=X)
show("MVN_PRECISION_SCALE_TRIL", lambda precision: MultivariateNormal(LOC, precision_matrix=precision).scale_tril,
     precision=PRECISION)
show("MVN_PRECISION_ENTROPY", lambda precision: MultivariateNormal(LOC, precision_matrix=precision).entropy(),
     precision=PRECISION)
# The precision of a distribution given its covariance: cholesky_inverse of the factor.
show("MVN_COVARIANCE_PRECISION_MATRIX",
     lambda covariance: MultivariateNormal(LOC, covariance_matrix=covariance).precision_matrix, covariance=PRECISION)
print("}")
