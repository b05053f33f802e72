"""Prints the numbers of OneCycleMomentumPyTorchTest: OneCycleLR's momentum cycling (cycle_momentum=True, PyTorch's
default), on SGD's momentum and on Adam's beta1, and an Adam trajectory under it, in F64 with PyTorch 1.13.
Run: /usr/bin/python3 onecycle_momentum.py
"""
import torch
import torch.optim.lr_scheduler as S

from parity import fmt, pattern

torch.set_default_dtype(torch.float64)


def momentum(o):
    g = o.param_groups[0]
    return g["betas"][0] if "betas" in g else g["momentum"]


def show(title, o, s, steps):
    print("// " + title)
    values = [momentum(o)]
    for _ in range(steps):
        o.step()
        s.step()
        values.append(momentum(o))
    print("        double[] expected = {" + fmt(values) + "};")


w = torch.zeros(2, requires_grad=True)
o = torch.optim.SGD([w], lr=0.1, momentum=0.9)
show("SGD(lr=0.1, momentum=0.9), OneCycleLR(max_lr=0.5, total_steps=10): momentum before and after each step", o,
     S.OneCycleLR(o, max_lr=0.5, total_steps=10), 10)

o = torch.optim.Adam([w], lr=0.1, betas=(0.9, 0.99))
show("Adam(lr=0.1, betas=(0.9, 0.99)), OneCycleLR(max_lr=0.5, total_steps=12, pct_start=0.25, anneal_strategy="
     "'linear', three_phase=True, base_momentum=0.8, max_momentum=0.9): beta1 before and after each step", o,
     S.OneCycleLR(o, max_lr=0.5, total_steps=12, pct_start=0.25, anneal_strategy="linear", three_phase=True,
                  base_momentum=0.8, max_momentum=0.9), 12)

w = pattern(5, 1).clone().requires_grad_(True)
target = pattern(5, 2)
o = torch.optim.Adam([w], lr=0.01)
s = S.OneCycleLR(o, max_lr=0.1, total_steps=8)
print("// Adam(lr=0.01) on sum((w - target)^2 * [1..5]), w = pattern(5, 1), target = pattern(5, 2), "
      "OneCycleLR(max_lr=0.1, total_steps=8): w after 8 steps")
for _ in range(8):
    o.zero_grad()
    ((w - target) ** 2 * torch.arange(1.0, 6.0)).sum().backward()
    o.step()
    s.step()
print("        double[] expected = {" + fmt(w.detach()) + "};")
