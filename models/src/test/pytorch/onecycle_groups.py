"""Prints the numbers of OneCycleGroupsPyTorchTest: what PyTorch 1.13's OneCycleLR writes into each param group
(initial_lr = max_lr / div_factor, max_lr, min_lr, max_momentum, base_momentum), the base rate a schedule made after it
takes (initial_lr), and a run resumed from the optimizer's state_dict at step 4, whose rates and momenta go on as the
uninterrupted run's (cos two-phase on SGD's momentum, linear three-phase on Adam's beta1); and a max_lr for each group.
Run: /usr/bin/python3 onecycle_groups.py
"""
import torch
import torch.optim.lr_scheduler as S

from parity import fmt

torch.set_default_dtype(torch.float64)


def momentum(g):
    return g["betas"][0] if "betas" in g else g["momentum"]


def groups(make):
    return make([{"params": [torch.zeros(2, requires_grad=True)], "lr": 0.1},
                 {"params": [torch.zeros(3, requires_grad=True)], "lr": 0.03}])


def show_groups(title, o):
    print("// " + title)
    for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"):
        print("//   %s: %s" % (key, [g[key] for g in o.param_groups]))


def trajectory(o, s, steps):
    rates, momenta = [o.param_groups[0]["lr"]], [momentum(o.param_groups[0])]
    for _ in range(steps):
        o.step()
        s.step()
        rates.append(o.param_groups[0]["lr"])
        momenta.append(momentum(o.param_groups[0]))
    return rates, momenta


CASES = [
    ("SGD(groups lr 0.1 and 0.03, momentum=0.9), OneCycleLR(max_lr=0.5, total_steps=10)",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), dict(max_lr=0.5, total_steps=10), 10),
    ("Adam(groups lr 0.1 and 0.03), OneCycleLR(max_lr=0.4, total_steps=12, pct_start=0.25, anneal_strategy='linear',"
     " div_factor=10, final_div_factor=100, three_phase=True, base_momentum=0.8, max_momentum=0.9)",
     lambda p: torch.optim.Adam(p, lr=0.1), dict(max_lr=0.4, total_steps=12, pct_start=0.25, anneal_strategy="linear",
                                                 div_factor=10.0, final_div_factor=100.0, three_phase=True,
                                                 base_momentum=0.8, max_momentum=0.9), 12),
]

for title, make, args, steps in CASES:
    o = groups(make)
    s = S.OneCycleLR(o, **args)
    show_groups(title + ": the groups when it is made", o)
    print("//   ExponentialLR(gamma=0.5) made after it: base_lrs %s" % S.ExponentialLR(o, 0.5).base_lrs)
    o = groups(make)
    s = S.OneCycleLR(o, **args)
    rates, momenta = trajectory(o, s, steps)
    print("// uninterrupted: lr and momentum/beta1 of group 0 when made and after each step")
    print("        double[] rates = {" + fmt(rates) + "};")
    print("        double[] momenta = {" + fmt(momenta) + "};")
    o = groups(make)
    s = S.OneCycleLR(o, **args)
    trajectory(o, s, 4)
    saved = o.state_dict()
    print("// state_dict after 4 steps: initial_lr %s, lr %s" % ([g["initial_lr"] for g in saved["param_groups"]],
                                                               [g["lr"] for g in saved["param_groups"]]))
    resumed = groups(make)
    resumed.load_state_dict(saved)
    s = S.OneCycleLR(resumed, last_epoch=3, **args)
    rates, momenta = trajectory(resumed, s, steps - 4)
    print("// resumed (OneCycleLR(..., last_epoch=3) on the loaded optimizer): lr and momentum from step 4 on")
    print("        double[] resumedRates = {" + fmt(rates) + "};")
    print("        double[] resumedMomenta = {" + fmt(momenta) + "};")

o = groups(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9))
s = S.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=10, pct_start=0.4)
show_groups("SGD(groups lr 0.1 and 0.03, momentum=0.9), OneCycleLR(max_lr=[0.5, 0.2], total_steps=10, pct_start=0.4)",
            o)
rates = [[g["lr"] for g in o.param_groups]]
for _ in range(10):
    o.step()
    s.step()
    rates.append([g["lr"] for g in o.param_groups])
print("// each group's lr when made and after each step")
print("        double[] first = {" + fmt([r[0] for r in rates]) + "};")
print("        double[] second = {" + fmt([r[1] for r in rates]) + "};")
