"""What PyTorch 1.13 says when a resumed script's model or optimizer differs from the checkpoint's
(TrainerResumeMismatchTest compares Kiln's refusals with these)."""
import torch
from torch import nn

def mlp(hidden, extra=False):
    layers = [nn.Linear(6, hidden), nn.ReLU()] + ([nn.Linear(hidden, hidden), nn.ReLU()] if extra else []) + [nn.Linear(hidden, 3)]
    return nn.Sequential(*layers)

def trained(model, opt):
    model(torch.randn(4, 6)).sum().backward()
    opt.step()
    return model.state_dict(), opt.state_dict()

torch.manual_seed(0)
m = mlp(8); o = torch.optim.Adam(m.parameters(), lr=0.01)
ms, os_ = trained(m, o)
for name, other in [("hidden size 9", mlp(9)), ("an extra layer", mlp(8, True))]:
    try:
        other.load_state_dict(ms)
    except RuntimeError as e:
        print(f"model with {name}: {e}")
print("model without the extra layer:", end=" ")
mx = mlp(8, True); ox = torch.optim.Adam(mx.parameters(), lr=0.01); mxs, _ = trained(mx, ox)
try:
    mlp(8).load_state_dict(mxs)
except RuntimeError as e:
    print(e)
for name, make in [("AdamW", lambda p: torch.optim.AdamW(p, lr=0.01)),
                   ("Adam eps 1e-3", lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-3)),
                   ("SGD nesterov", lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True))]:
    fresh = mlp(8); opt = make(fresh.parameters()); fresh.load_state_dict(ms)
    try:
        opt.load_state_dict(os_)
        g = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
        print(f"Adam's state into {name}: loaded silently; param_groups now {g}")
    except Exception as e:
        print(f"Adam's state into {name}: {type(e).__name__}: {e}")
