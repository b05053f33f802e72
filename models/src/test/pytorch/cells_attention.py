"""Prints the PyTorch 1.13 numbers (float64) of RnnCellPaddingAttentionPyTorchParityTest (RNNCell, Softmax2d,
ZeroPad1d/ZeroPad3d as PyTorch 2's through F.pad, pad_sequence, and PyTorch 2's scaled_dot_product_attention as 1.13's
composition softmax(q k^T / sqrt(E) + bias) v) and of engine-api's GumbelSoftmaxTest (F.gumbel_softmax's formula with
the pattern as its Gumbel noise), section by section (Debian's /usr/bin/python3):

    /usr/bin/python3 cells_attention.py
"""
import math
from parity import *
import torch.nn as nn
import torch.nn.functional as F


def section(title):
    print()
    print("// ---- " + title)


def outputs_and_grads(y, named_inputs, module=None):
    backward([y], [200])
    emit_values("output", "y", y)
    for java, t in named_inputs:
        emit_values("gradient of " + java, java + ".grad()", t.grad)
    if module is not None:
        emit_grads("cell", module)


# ---- RNNCell
for title, bias, nonlinearity, xdims, hdims in [
        ("RNNCell(4, 5) tanh, batched", True, "tanh", (3, 4), (3, 5)),
        ("RNNCell(4, 5, bias=False, nonlinearity='relu'), unbatched", False, "relu", (4,), (5,))]:
    section(title)
    cell = nn.RNNCell(4, 5, bias=bias, nonlinearity=nonlinearity)
    emit_load("cell", load(cell))
    x = tensor(100, *xdims)
    h = tensor(101, *hdims)
    y = cell(3 * x, 3 * h)
    outputs_and_grads(y, [("x", x), ("h", h)], cell)

# ---- Softmax2d
for title, dims in [("Softmax2d batched", (2, 3, 2, 2)), ("Softmax2d unbatched", (3, 2, 2))]:
    section(title + " of 4 x")
    x = tensor(100, *dims)
    y = nn.Softmax2d()(4 * x)
    outputs_and_grads(y, [("x", x)])

# ---- ZeroPad1d, ZeroPad3d (PyTorch 2's modules are F.pad with zeros)
for title, dims, pads in [("ZeroPad1d((2, 1))", (2, 3, 4), (2, 1)), ("ZeroPad1d((-1, 2))", (3, 4), (-1, 2)),
                          ("ZeroPad3d((1, 0, 2, 1, 0, 1))", (1, 2, 2, 3, 2), (1, 0, 2, 1, 0, 1)),
                          ("ZeroPad3d((1, -1, 0, 1, 1, 0)) unbatched", (2, 2, 2, 3), (1, -1, 0, 1, 1, 0))]:
    section(title + " as F.pad")
    x = tensor(100, *dims)
    y = F.pad(x, pads)
    outputs_and_grads(y, [("x", x)])

# ---- pad_sequence
for batch_first, value in [(False, 0.0), (True, -1.5)]:
    section("pad_sequence([a [3, 2], b [1, 2], c [4, 2]], batch_first=%s, padding_value=%r)" % (batch_first, value))
    a, b, c = tensor(100, 3, 2), tensor(101, 1, 2), tensor(102, 4, 2)
    y = nn.utils.rnn.pad_sequence([a, b, c], batch_first=batch_first, padding_value=value)
    outputs_and_grads(y, [("a", a), ("b", b), ("c", c)])


# ---- scaled dot-product attention
def sdpa(q, k, v, bias):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if bias is not None:
        scores = scores + bias
    return torch.softmax(scores, -1) @ v


def causal_bias(l, s):
    return torch.zeros(l, s).masked_fill(torch.ones(l, s, dtype=torch.bool).tril().logical_not(), float("-inf"))


allowed = pattern(15, 104).reshape(3, 5) > -0.2
for title, bias_fn in [("no mask", lambda: None),
                       ("is_causal", lambda: causal_bias(3, 5)),
                       ("boolean attn_mask pattern(15, 104).reshape(3, 5) > -0.2 (True: attends)",
                        lambda: torch.zeros(3, 5).masked_fill(allowed.logical_not(), float("-inf"))),
                       ("float attn_mask tensor(103, 2, 1, 3, 5)", lambda: tensor(103, 2, 1, 3, 5))]:
    section("scaled_dot_product_attention, " + title + ", q [2, 2, 3, 4], k [2, 2, 5, 4], v [2, 2, 5, 3] times 2")
    q, k, v = tensor(100, 2, 2, 3, 4), tensor(101, 2, 2, 5, 4), tensor(102, 2, 2, 5, 3)
    bias = bias_fn()
    y = sdpa(2 * q, 2 * k, 2 * v, bias)
    named = [("q", q), ("k", k), ("v", v)]
    if bias is not None and bias.requires_grad:
        named.append(("mask", bias))
    outputs_and_grads(y, named)
print("// allowed: " + fmt(allowed.reshape(-1).double()))


# ---- gumbel_softmax with the noise given: F.gumbel_softmax's own lines
def gumbel(logits, gumbels, tau, hard, dim):
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = torch.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


for tau, hard, dim in [(0.5, False, -1), (0.5, True, -1), (2.0, True, 0)]:
    section("gumbel_softmax(4 x [3, 4], tau=%r, hard=%s, dim=%d) with the Gumbel noise 2 tensor(101, 3, 4)" % (tau, hard, dim))
    x = tensor(100, 3, 4)
    y = gumbel(4 * x, 2 * tensor(101, 3, 4, grad=False), tau, hard, dim)
    outputs_and_grads(y, [("logits", x)])
