import torch
from torch.optim import lr_scheduler as S
torch.set_default_dtype(torch.float64)
def opt(lrs=(0.1,)):
    return torch.optim.SGD([{'params': [torch.zeros(1, requires_grad=True)], 'lr': lr} for lr in lrs], lr=lrs[0])
def show(name, o, sched, epochs, metrics=None):
    print(name)
    rows = []
    for e in range(epochs):
        o.step()
        if metrics is None: sched.step()
        else: sched.step(metrics[e])
        rows.append([g['lr'] for g in o.param_groups])
    for r in rows:
        print("  {" + ", ".join(repr(v) for v in r) + "},")
o = opt(); show("StepLR(step_size=3, gamma=0.5)", o, S.StepLR(o, 3, 0.5), 12)
o = opt(); show("ExponentialLR(gamma=0.9)", o, S.ExponentialLR(o, 0.9), 12)
o = opt((0.1, 0.03)); show("CosineAnnealingLR(T_max=8, eta_min=0.001) groups 0.1, 0.03", o, S.CosineAnnealingLR(o, T_max=8, eta_min=0.001), 20)
M = [1.0, 0.95, 0.93, 0.92, 0.915, 0.91, 0.7, 0.69, 0.695, 0.7, 0.71, 0.72, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
o = opt(); show("ReduceLROnPlateau(factor=0.5, patience=1, threshold=0.05, cooldown=1, min_lr=0.02)", o,
                S.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=1, threshold=0.05, threshold_mode='rel', cooldown=1, min_lr=0.02), 20, M)
o = opt(); show("ReduceLROnPlateau(factor=0.1, patience=2) defaults", o, S.ReduceLROnPlateau(o, factor=0.1, patience=2, min_lr=0.0), 20, M)
o = opt((0.1, 0.03))
lin = S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3)
cos = S.CosineAnnealingLR(o, T_max=6, eta_min=0.001)
print("initial", [g['lr'] for g in o.param_groups])
seq = S.SequentialLR(o, [lin, cos], milestones=[4])
print("after SequentialLR", [g['lr'] for g in o.param_groups])
show("SequentialLR([LinearLR(start_factor=0.25, total_iters=3), CosineAnnealingLR(T_max=6, eta_min=0.001)], milestones=[4])", o, seq, 12)

# the schedules added later: MultiStepLR, ConstantLR, LinearLR, PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR
def initial(o):
    print("  initial", [g['lr'] for g in o.param_groups])
o = opt((0.1, 0.03)); show("MultiStepLR(milestones=[5, 2, 5, 9], gamma=0.5) groups 0.1, 0.03", o, S.MultiStepLR(o, [5, 2, 5, 9], gamma=0.5), 12)
o = opt((0.1, 0.03)); s = S.ConstantLR(o, factor=0.25, total_iters=3); initial(o); show("ConstantLR(factor=0.25, total_iters=3)", o, s, 6)
o = opt((0.1, 0.03)); s = S.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=4); initial(o); show("LinearLR(start_factor=0.2, end_factor=0.9, total_iters=4)", o, s, 7)
o = opt((0.1, 0.03)); show("PolynomialLR(total_iters=6, power=2.0)", o, S.PolynomialLR(o, total_iters=6, power=2.0), 9)
o = opt(); show("PolynomialLR(total_iters=4, power=0.5)", o, S.PolynomialLR(o, total_iters=4, power=0.5), 6)
o = opt((0.1, 0.03)); show("CosineAnnealingWarmRestarts(T_0=3, T_mult=2, eta_min=0.001)", o, S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001), 24)
o = opt(); show("CosineAnnealingWarmRestarts(T_0=4)", o, S.CosineAnnealingWarmRestarts(o, T_0=4), 10)
o = opt((0.1, 0.03)); s = S.OneCycleLR(o, max_lr=0.5, total_steps=10, cycle_momentum=False); initial(o); show("OneCycleLR(max_lr=0.5, total_steps=10, cycle_momentum=False)", o, s, 10)
o = opt(); s = S.OneCycleLR(o, max_lr=0.5, total_steps=12, pct_start=0.25, anneal_strategy='linear', div_factor=10.0, final_div_factor=100.0, three_phase=True, cycle_momentum=False); initial(o)
show("OneCycleLR(max_lr=0.5, total_steps=12, pct_start=0.25, anneal_strategy='linear', div_factor=10, final_div_factor=100, three_phase=True, cycle_momentum=False)", o, s, 12)
o = opt(); s = S.OneCycleLR(o, max_lr=0.5, total_steps=20, pct_start=0.4, three_phase=True, cycle_momentum=False); initial(o)
show("OneCycleLR(max_lr=0.5, total_steps=20, pct_start=0.4, three_phase=True, cycle_momentum=False)", o, s, 20)
