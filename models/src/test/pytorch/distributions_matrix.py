# torch.distributions' simplex and matrix transforms and families (MatrixDistributionsPyTorchParityTest in
# models/src/test/java/dev/kiln/distributions/): SoftmaxTransform, StickBreakingTransform, LowerCholeskyTransform,
# CorrCholeskyTransform and ReshapeTransform (forward, inverse, log_abs_det_jacobian), LogisticNormal's log_prob,
# OneHotCategoricalStraightThrough's rsample gradient and
# kl_divergence, TransformedDistributions over the corr-Cholesky and reshape
# transforms, LKJCholesky's log_prob and Wishart's log_prob, entropy, mean, mode, variance and matrices (each of its three
# parameterisations, and a df broadcast over one scale), in float64. Each result's backward pass takes the upstream gradient 1, 2, 3, ... in its shape;
# "NAME_D_X" is the gradient of input X. Prints the whole of MatrixDistributionsPyTorchValues.java: run it with
# /usr/bin/python3 (PyTorch 1.13) and redirect its output into that file.
import torch
from torch.distributions import (LKJCholesky, LogisticNormal, Normal, OneHotCategoricalStraightThrough,
                                 TransformedDistribution, Wishart)
from torch.distributions.transforms import (CorrCholeskyTransform, LowerCholeskyTransform, ReshapeTransform,
                                            SoftmaxTransform, StickBreakingTransform)

from distribution_values import field, show

torch.set_default_dtype(torch.float64)

print("""package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link MatrixDistributionsPyTorchParityTest}
 * (models/src/test/pytorch/distributions_matrix.py, in float64): each result, then its inputs' gradients
 * ({@code _D_} and the input's name) for the upstream gradient 1, 2, 3, ... in the result's shape.
 */
final class MatrixDistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;
""")

X = torch.tensor([[0.3, -1.2, 2.0], [-0.5, 0.0, 1.1]])
# Far into sigmoid's and tanh's tails, where the clamps act.
WIDE = torch.tensor([[40.0, -3.0, 0.5], [-800.0, 25.0, 1.0]])
SIMPLEX = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.05, 0.25, 0.2]])
MATRICES = torch.tensor([[[0.3, 1.0, -2.0], [-1.2, 0.5, 0.7], [2.0, -0.4, -1.1]],
                         [[-0.5, 0.2, 0.9], [0.0, 1.3, -0.6], [1.1, 0.8, 0.1]]])
LOWER = LowerCholeskyTransform()(MATRICES)

show("SOFTMAX_FORWARD", lambda x: SoftmaxTransform()(x), x=X)
show("SOFTMAX_INVERSE", lambda y: SoftmaxTransform().inv(y), y=SIMPLEX)
show("STICK_FORWARD", lambda x: StickBreakingTransform()(x), x=X)
field("STICK_FORWARD_WIDE", StickBreakingTransform()(WIDE))
show("STICK_INVERSE", lambda y: StickBreakingTransform().inv(y), y=SIMPLEX)
show("STICK_LOG_DET", lambda x: StickBreakingTransform().log_abs_det_jacobian(x, StickBreakingTransform()(x)), x=X)
show("LOWER_CHOLESKY_FORWARD", lambda x: LowerCholeskyTransform()(x), x=MATRICES)
show("LOWER_CHOLESKY_INVERSE", lambda y: LowerCholeskyTransform().inv(y), y=LOWER)
show("CORR_FORWARD", lambda x: CorrCholeskyTransform()(x), x=X)
field("CORR_FORWARD_WIDE", CorrCholeskyTransform()(WIDE))
CORR = CorrCholeskyTransform()(X)
show("CORR_INVERSE", lambda y: CorrCholeskyTransform().inv(y), y=CORR)
show("CORR_LOG_DET", lambda x: CorrCholeskyTransform().log_abs_det_jacobian(x, CorrCholeskyTransform()(x)), x=X)
# D = 4: six numbers per factor.
X6 = torch.tensor([0.3, -1.2, 2.0, -0.5, 0.0, 1.1])
show("CORR4_FORWARD", lambda x: CorrCholeskyTransform()(x), x=X6)
show("CORR4_LOG_DET", lambda x: CorrCholeskyTransform().log_abs_det_jacobian(x, CorrCholeskyTransform()(x)), x=X6)

# LogisticNormal: a Normal of [2, 3] pushed onto simplices of 4, and a scalar Normal onto simplices of 2.
LOC = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
SCALE = torch.tensor([[0.5, 1.2, 2.0], [0.3, 1.0, 0.8]])
show("LOGISTIC_NORMAL_LOG_PROB", lambda loc, scale, y: LogisticNormal(loc, scale).log_prob(y), loc=LOC, scale=SCALE,
     y=SIMPLEX)
show("LOGISTIC_NORMAL_SCALAR_LOG_PROB", lambda loc, scale, y: LogisticNormal(loc, scale).log_prob(y),
     loc=torch.tensor(0.4), scale=torch.tensor(1.3), y=torch.tensor([[0.3, 0.7], [0.9, 0.1]]))

# A Normal of [3] pushed onto 3 x 3 correlation factors; a Normal of [6] reshaped to [2, 3] events.
show("CORR_NORMAL_LOG_PROB", lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [CorrCholeskyTransform()])
     .log_prob(y), loc=LOC[0], scale=SCALE[0], y=CORR)
show("RESHAPE_NORMAL_LOG_PROB",
     lambda loc, scale, y: TransformedDistribution(Normal(loc, scale), [ReshapeTransform((6,), (2, 3))]).log_prob(y),
     loc=LOC.reshape(6), scale=SCALE.reshape(6), y=X)

# The straight-through estimator: the gradient of sum(w * rsample) is that of sum(w * probs), whatever the draw.
LOGITS = torch.tensor([[-1.0, 0.5, 2.0], [0.0, 0.3, -0.7]])
logits = LOGITS.clone().requires_grad_(True)
(OneHotCategoricalStraightThrough(logits=logits).rsample((4,)) * torch.arange(1.0, 25.0).reshape(4, 2, 3)).sum() \
    .backward()
field("STRAIGHT_THROUGH_RSAMPLE_D_LOGITS", logits.grad)
# kl_divergence of two, by OneHotCategorical's registration (a subclass).
show("STRAIGHT_THROUGH_KL", lambda p, q: torch.distributions.kl_divergence(OneHotCategoricalStraightThrough(logits=p),
                                                                           OneHotCategoricalStraightThrough(logits=q)),
     p=LOGITS, q=X)

# LKJCholesky: d = 3 for a batch of two concentrations, d = 4 and d = 2; values from CorrCholeskyTransform.
show("LKJ_LOG_PROB", lambda concentration, y: LKJCholesky(3, concentration).log_prob(y),
     concentration=torch.tensor([0.5, 2.0]), y=CORR)
show("LKJ4_LOG_PROB", lambda concentration, y: LKJCholesky(4, concentration).log_prob(y),
     concentration=torch.tensor(1.5), y=CorrCholeskyTransform()(X6))
show("LKJ2_LOG_PROB", lambda concentration, y: LKJCholesky(2, concentration).log_prob(y),
     concentration=torch.tensor([1.0, 3.0]), y=CorrCholeskyTransform()(torch.tensor([[0.3], [-0.8]])))

# Wishart with p = 3: a batch of two scales and degrees of freedom, values two positive-definite matrices.
COVARIANCE = torch.tensor([[[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]],
                           [[1.0, -0.5, 0.1], [-0.5, 2.5, 0.6], [0.1, 0.6, 0.8]]])
SCALE_TRIL = torch.linalg.cholesky(COVARIANCE)
PRECISION = torch.linalg.inv(COVARIANCE)
DF = torch.tensor([4.0, 5.5])
VALUE = torch.tensor([[[3.0, 0.5, 0.2], [0.5, 2.0, -0.3], [0.2, -0.3, 1.5]],
                      [[1.2, 0.1, -0.6], [0.1, 4.0, 0.9], [-0.6, 0.9, 2.2]]])
field("WISHART_SCALE_TRIL", SCALE_TRIL)
field("WISHART_PRECISION", PRECISION)
show("WISHART_COVARIANCE_LOG_PROB", lambda df, covariance, x: Wishart(df, covariance_matrix=covariance).log_prob(x),
     df=DF, covariance=COVARIANCE, x=VALUE)
show("WISHART_SCALE_TRIL_LOG_PROB", lambda df, scale_tril, x: Wishart(df, scale_tril=scale_tril).log_prob(x),
     df=DF, scale_tril=SCALE_TRIL, x=VALUE)
show("WISHART_PRECISION_LOG_PROB", lambda df, precision, x: Wishart(df, precision_matrix=precision).log_prob(x),
     df=DF, precision=PRECISION, x=VALUE)
show("WISHART_BROADCAST_LOG_PROB", lambda df, covariance, x: Wishart(df, covariance_matrix=covariance).log_prob(x),
     df=DF, covariance=COVARIANCE[0], x=VALUE)
show("WISHART_ENTROPY", lambda df, covariance: Wishart(df, covariance_matrix=covariance).entropy(), df=DF,
     covariance=COVARIANCE)
show("WISHART_MEAN", lambda df, scale_tril: Wishart(df, scale_tril=scale_tril).mean, df=DF, scale_tril=SCALE_TRIL)
show("WISHART_VARIANCE", lambda df, scale_tril: Wishart(df, scale_tril=scale_tril).variance, df=DF,
     scale_tril=SCALE_TRIL)
# df = 4 = p + 1 has no mode: NaN.
show("WISHART_MODE", lambda scale_tril: Wishart(DF, scale_tril=scale_tril).mode, scale_tril=SCALE_TRIL)
show("WISHART_PRECISION_MATRIX", lambda scale_tril: Wishart(DF, scale_tril=scale_tril).precision_matrix,
     scale_tril=SCALE_TRIL)
show("WISHART_PRECISION_SCALE_TRIL", lambda precision: Wishart(DF, precision_matrix=precision).scale_tril,
     precision=PRECISION)
