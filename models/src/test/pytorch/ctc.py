"""Prints the expected values of CtcLossPyTorchParityTest: torch.nn.functional.ctc_loss in float64.

Logits come from parity.py's pattern (PyTorchParity.tensor in Java); log_probs = log_softmax(logits, 2). Each
constant is printed as a Java field. Gradients are those of the logits, which is where Kiln and PyTorch agree:
PyTorch's ctc_loss backward returns exp(log_probs) - occupancy, folding in the softmax's Jacobian that a
log_softmax upstream cancels, while the true gradient of the loss in log_probs is -occupancy. The *_LOG_PROBS
constants give that true gradient, PyTorch's minus exp(log_probs) times the upstream gradient at the steps t below
each sample's input length.

    /usr/bin/python3 ctc.py
"""
import math
import torch
import torch.nn.functional as F
from parity import tensor

torch.set_default_dtype(torch.float64)


def java(name, t):
    values = ["Double.NaN" if math.isnan(v) else "Double.POSITIVE_INFINITY" if v == math.inf else repr(v)
              for v in t.detach().reshape(-1).tolist()]
    lines, line = [], ""
    for v in values:
        if len(line) + len(v) + 2 > 104:
            lines.append(line.rstrip())
            line = ""
        line += v + ", "
    lines.append(line.rstrip().rstrip(","))
    print("    private static final double[] %s = {\n            %s};" % (name, "\n            ".join(lines)))


def run(seed, dims, targets, input_lengths, target_lengths, blank, reduction, zero_infinity, upstream=None):
    """The loss and the logits' gradient, with PyTorch's gradient in log_probs."""
    x = tensor(seed, *dims)
    lp = F.log_softmax(x, 2)
    lp.retain_grad()
    loss = F.ctc_loss(lp, targets, torch.tensor(input_lengths), torch.tensor(target_lengths), blank=blank,
                      reduction=reduction, zero_infinity=zero_infinity)
    loss.backward(upstream if upstream is not None else torch.ones_like(loss))
    return loss, x.grad, lp


def true_log_prob_gradient(lp, input_lengths, upstream):
    """PyTorch's gradient in log_probs without its exp(log_probs) term: the loss's own gradient there."""
    steps = torch.arange(lp.shape[0]).reshape(-1, 1)
    active = (steps < torch.tensor(input_lengths).reshape(1, -1)).to(lp.dtype).unsqueeze(2)
    return lp.grad - lp.detach().exp() * active * upstream.reshape(1, -1, 1)


# Blank 0, padded targets [3, 4] (padding past each length holds non-blank labels that must be ignored):
# a repeated label (1, 1), a full-length target, a single label; input lengths 6, 5, 3 of T = 6, C = 5.
PADDED = torch.tensor([[1, 1, 2, 4], [3, 4, 2, 3], [2, 1, 1, 1]])
IN, TL = [6, 5, 3], [3, 4, 1]
UP = torch.tensor([1.0, 2.0, 3.0])
loss, grad, lp = run(1, (6, 3, 5), PADDED, IN, TL, 0, 'none', False, UP)
java("NONE", loss)
java("NONE_GRAD", grad)
java("NONE_GRAD_LOG_PROBS", true_log_prob_gradient(lp, IN, UP))
loss, grad, _ = run(1, (6, 3, 5), PADDED, IN, TL, 0, 'sum', False)
java("SUM", loss)
java("SUM_GRAD", grad)
loss, grad, _ = run(1, (6, 3, 5), PADDED, IN, TL, 0, 'mean', False)
java("MEAN", loss)
java("MEAN_GRAD", grad)

# Blank 4 (the last class), targets concatenated: (0, 0) and (1, 2, 3); input lengths 5, 4 of T = 5, C = 5.
CONCATENATED = torch.tensor([0, 0, 1, 2, 3])
loss, grad, _ = run(3, (5, 2, 5), CONCATENATED, [5, 4], [2, 3], 4, 'mean', False)
java("BLANK_LAST_MEAN", loss)
java("BLANK_LAST_MEAN_GRAD", grad)

# T = 4, C = 4, blank 0: (1, 1, 1) needs 5 steps and gets 4 (impossible), an empty target, (2, 3) in 3 steps.
SHORT = torch.tensor([[1, 1, 1], [0, 0, 0], [2, 3, 0]])
SHORT_IN, SHORT_TL = [4, 4, 3], [3, 0, 2]
loss, grad, _ = run(4, (4, 3, 4), SHORT, SHORT_IN, SHORT_TL, 0, 'none', True, UP)
java("ZERO_INFINITY_NONE", loss)
java("ZERO_INFINITY_NONE_GRAD", grad)
loss, grad, _ = run(4, (4, 3, 4), SHORT, SHORT_IN, SHORT_TL, 0, 'mean', True)
java("ZERO_INFINITY_MEAN", loss)
java("ZERO_INFINITY_MEAN_GRAD", grad)
loss, grad, _ = run(4, (4, 3, 4), SHORT, SHORT_IN, SHORT_TL, 0, 'sum', False)
java("INFINITE_SUM", loss)
java("INFINITE_SUM_GRAD", grad)
