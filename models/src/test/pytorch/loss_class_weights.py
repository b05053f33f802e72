# NLLLoss and CrossEntropyLoss's class weights (ClassWeightLossPyTorchTest). With 'none' the backward pass takes the
# upstream gradient 1, 2, 3, ... in the loss's shape.
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_default_dtype(torch.float64)
def fmt(t): return "{" + ", ".join(repr(v) for v in t.detach().reshape(-1).tolist()) + "}"
def show(name, fn, x, *rest):
    x = x.clone().requires_grad_(True)
    out = fn(x, *rest)
    out.backward(torch.arange(1.0, out.numel() + 1).reshape(out.shape))
    print(name); print("  value", fmt(out)); print("  grad ", fmt(x.grad))
L = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 2.5, 0.0], [-1.5, 0.7, 0.1, 1.2]])
LP = F.log_softmax(L, 1); print("LP", fmt(LP))
T = torch.tensor([2, 0, 3]); TI = torch.tensor([2, -100, 3]); TJ = torch.tensor([2, 1, 1])
W = torch.tensor([0.5, 2.0, 1.5, 3.0])
for r in ['mean', 'sum', 'none']:
    show("NLL " + r, lambda x: nn.NLLLoss(reduction=r)(x, T), LP)
    show("NLL weight " + r, lambda x: nn.NLLLoss(weight=W, reduction=r)(x, T), LP)
    show("NLL weight ignore -100 " + r, lambda x: nn.NLLLoss(weight=W, reduction=r)(x, TI), LP)
    show("NLL weight ignore_index=1 " + r, lambda x: nn.NLLLoss(weight=W, ignore_index=1, reduction=r)(x, TJ), LP)
# [batch=2, classes=3, 2, 2] log-probabilities, [2, 2, 2] targets with one ignored position
X4 = F.log_softmax(torch.tensor([0.5 * ((k * 7) % 11) - 2.0 for k in range(24)]).reshape(2, 3, 2, 2), 1)
T4 = torch.tensor([[[0, 2], [1, -100]], [[2, 2], [0, 1]]]); W3 = torch.tensor([1.0, 0.25, 2.0])
print("X4", fmt(X4))
show("NLL 4-d weight mean", lambda x: nn.NLLLoss(weight=W3)(x, T4), X4)
show("NLL 4-d none", lambda x: nn.NLLLoss(reduction='none')(x, T4), X4)
show("NLL 1-d", lambda x: nn.NLLLoss(weight=W)(x, torch.tensor(3)), LP[0])
for r in ['mean', 'sum', 'none']:
    show("CE weight " + r, lambda x: nn.CrossEntropyLoss(weight=W, reduction=r)(x, T), L)
    show("CE weight ignore -100 ls=0.1 " + r,
         lambda x: nn.CrossEntropyLoss(weight=W, label_smoothing=0.1, reduction=r)(x, TI), L)
    show("CE weight ignore_index=1 ls=0.2 " + r,
         lambda x: nn.CrossEntropyLoss(weight=W, ignore_index=1, label_smoothing=0.2, reduction=r)(x, TJ), L)
# PyTorch 1.13's weighted label smoothing by hand, to confirm the formula the Java code follows.
eps, counted = 0.1, TI != -100
nll = F.nll_loss(LP, TI, weight=W)
uniform = -(LP * W).sum(1).masked_fill(~counted, 0).sum() / W[TI[counted]].sum()
print("by hand ls=0.1 mean", (1 - eps) * nll.item() + eps / 4 * uniform.item())
# float32: the weighted, smoothed cross-entropy ignoring a row.
L32 = L.float().requires_grad_(True)
out = nn.CrossEntropyLoss(weight=W.float(), label_smoothing=0.1)(L32, TI); out.backward()
print("CE weight ignore -100 ls=0.1 f32"); print("  value", fmt(out)); print("  grad ", fmt(L32.grad))
