# HuberLoss, SmoothL1Loss, GaussianNLLLoss, PoissonNLLLoss, MarginRankingLoss, CosineEmbeddingLoss and
# TripletMarginLoss (RegressionAndRankingLossPyTorchTest). With 'none' the backward pass takes the upstream gradient
# 1, 2, 3, ... in the loss's shape; every gradient printed is the first input's unless the name says otherwise.
import torch, torch.nn as nn
torch.set_default_dtype(torch.float64)
def fmt(t): return "{" + ", ".join(repr(v) for v in t.detach().reshape(-1).tolist()) + "}"
def show(name, fn, *inputs, grads=(0,)):
    inputs = [t.clone().requires_grad_(i in grads) for i, t in enumerate(inputs)]
    out = fn(*inputs)
    out.backward(torch.arange(1.0, out.numel() + 1).reshape(out.shape))
    print(name); print("  value", fmt(out))
    for i in grads: print("  grad%d" % i, fmt(inputs[i].grad))
# Differences 0.5, 0, -2, 3, -0.5, 0: both sides of delta 1, and |d| = 0.5 exactly at delta (beta) 0.5.
A = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]); B = torch.tensor([[0.5, 2.0, 5.0], [1.0, 5.5, 6.0]])
for r in ['mean', 'sum', 'none']:
    show("Huber " + r, lambda x, y: nn.HuberLoss(reduction=r)(x, y), A, B)
    show("SmoothL1 " + r, lambda x, y: nn.SmoothL1Loss(reduction=r)(x, y), A, B)
show("Huber delta=0.5 grad wrt both", lambda x, y: nn.HuberLoss(delta=0.5)(x, y), A, B, grads=(0, 1))
show("Huber delta=2.5", lambda x, y: nn.HuberLoss(delta=2.5)(x, y), A, B)
show("SmoothL1 beta=0.5", lambda x, y: nn.SmoothL1Loss(beta=0.5)(x, y), A, B)
show("SmoothL1 beta=2.5", lambda x, y: nn.SmoothL1Loss(beta=2.5)(x, y), A, B)
show("SmoothL1 beta=0 (L1)", lambda x, y: nn.SmoothL1Loss(beta=0.0)(x, y), A, B)
