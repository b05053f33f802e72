import torch, torch.nn as nn, torch.nn.functional as F
def fmt(t): return "{" + ", ".join(repr(v) for v in t.detach().reshape(-1).tolist()) + "}"
L = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 2.5, 0.0], [-1.5, 0.7, 0.1, 1.2]], dtype=torch.float32)
for name, fn in [("CE mean f32", lambda x: F.cross_entropy(x, torch.tensor([2, 0, 3]))),
                 ("CE ls=0.1 ignore -100 f32", lambda x: nn.CrossEntropyLoss(label_smoothing=0.1)(x, torch.tensor([2, -100, 3]))),
                 ("BCEWithLogits f32", lambda x: nn.BCEWithLogitsLoss()(x, torch.tensor([[0.0,1,0.5,1],[0,0.25,1,0],[1,1,0,0.5]])))]:
    x = L.clone().requires_grad_(True); out = fn(x); out.backward(); print(name, fmt(out), fmt(x.grad))
