# HuberLoss, SmoothL1Loss, GaussianNLLLoss, PoissonNLLLoss, MarginRankingLoss, CosineEmbeddingLoss and
# TripletMarginLoss (RegressionAndRankingLossPyTorchTest). With 'none' the backward pass takes the upstream gradient
# 1, 2, 3, ... in the loss's shape; "grad<i>" is the gradient of the i-th input (0: the output or first input).
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
# GaussianNLLLoss: var [2, 3] with one entry under eps (clamped, its gradient passed through as PyTorch's clamp under
# no_grad does), var [2] (one value a row) and var [2, 1]; gradients of the input and of var.
V = torch.tensor([[0.5, 1e-8, 2.0], [0.25, 1.0, 4.0]]); VR = torch.tensor([0.5, 2.0]); VC = VR.reshape(2, 1)
for r in ['mean', 'sum', 'none']:
    show("GaussianNLL " + r, lambda x, y, v: nn.GaussianNLLLoss(reduction=r)(x, y, v), A, B, V, grads=(0, 2))
show("GaussianNLL full=True eps=0.1", lambda x, y, v: nn.GaussianNLLLoss(full=True, eps=0.1)(x, y, v), A, B, V, grads=(0, 2))
show("GaussianNLL var [2]", lambda x, y, v: nn.GaussianNLLLoss()(x, y, v), A, B, VR, grads=(0, 2))
show("GaussianNLL var [2, 1] none", lambda x, y, v: nn.GaussianNLLLoss(reduction='none')(x, y, v), A, B, VC, grads=(0, 2))
# PoissonNLLLoss: targets 0 and 1 (no Stirling term) and above 1; rates for log_input=False.
PL = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]]); PT = torch.tensor([[0.0, 1.0, 3.0], [2.5, 4.0, 1.5]])
PR = torch.tensor([[0.5, 0.1, 2.0], [1e-9, 1.5, 3.0]])
for r in ['mean', 'sum', 'none']:
    show("PoissonNLL " + r, lambda x, y: nn.PoissonNLLLoss(reduction=r)(x, y), PL, PT)
show("PoissonNLL full=True", lambda x, y: nn.PoissonNLLLoss(full=True)(x, y), PL, PT)
show("PoissonNLL log_input=False", lambda x, y: nn.PoissonNLLLoss(log_input=False)(x, y), PR, PT)
show("PoissonNLL log_input=False full=True eps=0.01 none",
     lambda x, y: nn.PoissonNLLLoss(log_input=False, full=True, eps=0.01, reduction='none')(x, y), PR, PT)
# MarginRankingLoss: one tie (x1 = x2, margin 0) at clamp_min's kink, where PyTorch passes the gradient.
X1 = torch.tensor([0.5, -1.0, 2.0, 0.3, 0.0, 1.5]); X2 = torch.tensor([0.2, 0.4, 2.5, 0.3, -1.0, 1.0])
Y = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
for r in ['mean', 'sum', 'none']:
    show("MarginRanking " + r, lambda a, b: nn.MarginRankingLoss(reduction=r)(a, b, Y), X1, X2, grads=(0, 1))
show("MarginRanking margin=0.5", lambda a, b: nn.MarginRankingLoss(margin=0.5)(a, b, Y), X1, X2, grads=(0, 1))
# CosineEmbeddingLoss: targets 1, -1, -1 and a fourth row of target 0 (loss 0); unbatched [4] with a scalar target.
C1 = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 2.5, 0.0], [-1.5, 0.7, 0.1, 1.2], [0.2, 0.2, 0.2, 0.2]])
C2 = torch.tensor([[0.5, 1.0, -0.5, 0.0], [0.1, 0.4, 2.0, -0.3], [1.0, -0.7, 0.3, 0.2], [0.1, 0.3, 0.5, 0.7]])
CY = torch.tensor([1, -1, -1, 0])
for r in ['mean', 'sum', 'none']:
    show("CosineEmbedding " + r, lambda a, b: nn.CosineEmbeddingLoss(reduction=r)(a, b, CY), C1, C2, grads=(0, 1))
show("CosineEmbedding margin=0.3", lambda a, b: nn.CosineEmbeddingLoss(margin=0.3)(a, b, CY), C1, C2, grads=(0, 1))
show("CosineEmbedding unbatched", lambda a, b: nn.CosineEmbeddingLoss()(a, b, torch.tensor(-1)), C1[1], C2[1], grads=(0, 1))
# TripletMarginLoss: rows 0 and 2 inside the margin, row 1 outside it; with swap, row 0 takes the
# positive-negative distance, the smaller.
TA = C1[:3]; TP = C2[:3]; TN = torch.tensor([[0.5, 1.5, -0.5, 0.0], [-2.0, 1.0, -1.0, 0.5], [-1.0, 0.5, 0.5, 1.0]])
for r in ['mean', 'sum', 'none']:
    show("TripletMargin " + r, lambda a, p, n: nn.TripletMarginLoss(reduction=r)(a, p, n), TA, TP, TN, grads=(0, 1, 2))
show("TripletMargin swap=True", lambda a, p, n: nn.TripletMarginLoss(swap=True)(a, p, n), TA, TP, TN, grads=(0, 1, 2))
show("TripletMargin p=1 margin=2", lambda a, p, n: nn.TripletMarginLoss(p=1, margin=2.0)(a, p, n), TA, TP, TN, grads=(0, 1, 2))
show("TripletMargin p=3 eps=0.01 none",
     lambda a, p, n: nn.TripletMarginLoss(p=3, eps=0.01, reduction='none')(a, p, n), TA, TP, TN, grads=(0, 1, 2))
show("TripletMargin unbatched", lambda a, p, n: nn.TripletMarginLoss()(a, p, n), TA[0], TP[0], TN[0], grads=(0,))
