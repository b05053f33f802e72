# Each loss's reduction='sum' and 'none', BCEWithLogitsLoss's pos_weight and KLDivLoss's log_target (LossPyTorchTest).
# With 'none' the backward pass takes the upstream gradient 1, 2, 3, ... in the loss's shape.
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_default_dtype(torch.float64)
def fmt(t): return "{" + ", ".join(repr(v) for v in t.detach().reshape(-1).tolist()) + "}"
def show(name, fn, x, *rest):
    x = x.clone().requires_grad_(True)
    out = fn(x, *rest)
    out.backward(torch.arange(1.0, out.numel() + 1).reshape(out.shape))
    print(name); print("  value", fmt(out)); print("  grad ", fmt(x.grad))
L = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 2.5, 0.0], [-1.5, 0.7, 0.1, 1.2]])
T = torch.tensor([2, 0, 3]); TI = torch.tensor([2, -100, 3]); TJ = torch.tensor([2, 1, 1])
for r in ['sum', 'none']:
    show("CE " + r, lambda x: nn.CrossEntropyLoss(reduction=r)(x, T), L)
    show("CE label_smoothing=0.1 " + r, lambda x: nn.CrossEntropyLoss(label_smoothing=0.1, reduction=r)(x, T), L)
    show("CE label_smoothing=0.1 ignore_index=-100 " + r,
         lambda x: nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-100, reduction=r)(x, TI), L)
    show("CE label_smoothing=0.2 ignore_index=1 " + r,
         lambda x: nn.CrossEntropyLoss(label_smoothing=0.2, ignore_index=1, reduction=r)(x, TJ), L)
A = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]); B = torch.tensor([[0.5, 2.0, 5.0], [1.0, 5.5, 6.0]])
P = torch.tensor([0.2, 0.9, 0.0, 1.0, 0.5, 0.7]); Y = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.3])
X = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0, 40.0]); YB = torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0, 0.25])
H = torch.tensor([[0.1, 0.2, 0.4, 0.8], [1.0, -1.0, 0.5, 3.0], [0.3, 0.9, -0.2, 0.35]]); HT = torch.tensor([3, 0, 1])
for r in ['sum', 'none']:
    show("MSE " + r, lambda x: nn.MSELoss(reduction=r)(x, B), A)
    show("L1 " + r, lambda x: nn.L1Loss(reduction=r)(x, B), A)
    show("BCE " + r, lambda x: nn.BCELoss(reduction=r)(x, Y), P)
    show("BCEWithLogits " + r, lambda x: nn.BCEWithLogitsLoss(reduction=r)(x, YB), X)
    show("MultiMarginLoss " + r, lambda x: nn.MultiMarginLoss(reduction=r)(x, HT), H)
# pos_weight [classes] over the last axis of [2, 3]; logits out to +-50 for stability
XP = torch.tensor([[-2.0, -0.5, 0.0], [0.5, 50.0, -50.0]]); YP = torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]])
PW = torch.tensor([3.0, 0.5, 2.0])
for r in ['mean', 'sum', 'none']:
    show("BCEWithLogits pos_weight=[3, 0.5, 2] " + r, lambda x: nn.BCEWithLogitsLoss(pos_weight=PW, reduction=r)(x, YP), XP)
show("BCEWithLogits pos_weight=[3, 0.5, 2] grad wrt target", lambda y: nn.BCEWithLogitsLoss(pos_weight=PW)(XP, y), YP)
show("BCEWithLogits pos_weight=tensor(2.5) (rank 0)", lambda x: nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.5))(x, YP), XP)
LP = F.log_softmax(torch.tensor([[0.1, 0.5, -0.3], [1.0, -1.0, 0.0]]), 1); TP = torch.tensor([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]])
LT = F.log_softmax(torch.tensor([[0.4, -0.2, 0.9], [-1.0, 0.3, 0.2]]), 1)
print("LP", fmt(LP)); print("LT", fmt(LT))
for r in ['batchmean', 'sum', 'mean', 'none']:
    show("KLDiv " + r, lambda x: nn.KLDivLoss(reduction=r)(x, TP), LP)
    show("KLDiv log_target " + r, lambda x: nn.KLDivLoss(reduction=r, log_target=True)(x, LT), LP)
