# Prints the rates LearningRateScheduleMorePyTorchTest holds: LambdaLR, MultiplicativeLR, SequentialLR, ChainedScheduler
# and CyclicLR (with SGD's momentum), PyTorch 1.13, float64, run with /usr/bin/python3.
import math
import torch
from torch.optim import lr_scheduler as S
torch.set_default_dtype(torch.float64)


def opt(lrs=(0.1,), momentum=0.0):
    return torch.optim.SGD([{'params': [torch.zeros(1, requires_grad=True)], 'lr': lr} for lr in lrs], lr=lrs[0],
                           momentum=momentum)


def row(values):
    return "{" + ", ".join(repr(v) for v in values) + "}"


def show(name, o, sched, epochs, momentum=False):
    """The rates before the first step, then after each of `epochs` scheduler steps (one opt.step() before each)."""
    print("// " + name)
    print("initial " + row([g['lr'] for g in o.param_groups]) + (" momentum %r" % o.param_groups[0]['momentum'] if momentum else ""))
    rates, momenta = [], []
    for _ in range(epochs):
        o.step()
        sched.step()
        rates.append(row([g['lr'] for g in o.param_groups]))
        momenta.append(repr(o.param_groups[0]['momentum']))
    print("rates {\n    " + ",\n    ".join(rates) + "}")
    if momentum:
        print("momenta {" + ", ".join(momenta) + "}")


o = opt((0.1, 0.03)); show("LambdaLR(lambda e: 0.95 ** e) groups 0.1, 0.03", o, S.LambdaLR(o, lambda e: 0.95 ** e), 8)
o = opt((0.1, 0.03)); show("LambdaLR([lambda e: 1 / (e + 1), lambda e: 0.5 if e < 3 else 2.0]) groups 0.1, 0.03", o,
                           S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.5 if e < 3 else 2.0]), 6)
o = opt((0.1, 0.03)); show("MultiplicativeLR(lambda e: 0.9) groups 0.1, 0.03", o, S.MultiplicativeLR(o, lambda e: 0.9), 8)
o = opt((0.1, 0.03)); show("MultiplicativeLR([lambda e: 0.95, lambda e: 1 - 0.05 * e]) groups 0.1, 0.03", o,
                           S.MultiplicativeLR(o, [lambda e: 0.95, lambda e: 1 - 0.05 * e]), 8)

o = opt((0.1, 0.03))
warm = S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4)
cos = S.CosineAnnealingLR(o, T_max=6, eta_min=0.001)
show("SequentialLR([LinearLR(start_factor=0.1, total_iters=4), CosineAnnealingLR(T_max=6, eta_min=0.001)], milestones=[4])"
     " groups 0.1, 0.03", o, S.SequentialLR(o, [warm, cos], milestones=[4]), 12)
o = opt((0.1, 0.03))
a = S.ConstantLR(o, factor=0.5, total_iters=2)
b = S.ExponentialLR(o, gamma=0.9)
c = S.MultiplicativeLR(o, lambda e: 0.8)
show("SequentialLR([ConstantLR(factor=0.5, total_iters=2), ExponentialLR(0.9), MultiplicativeLR(lambda e: 0.8)],"
     " milestones=[3, 6]) groups 0.1, 0.03", o, S.SequentialLR(o, [a, b, c], milestones=[3, 6]), 9)

o = opt((1.0,))
a = S.ConstantLR(o, factor=0.1, total_iters=2)
b = S.ExponentialLR(o, gamma=0.9)
show("ChainedScheduler([ConstantLR(factor=0.1, total_iters=2), ExponentialLR(gamma=0.9)]) lr 1", o,
     S.ChainedScheduler([a, b]), 6)
o = opt((0.1, 0.03))
a = S.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=3)
b = S.MultiStepLR(o, milestones=[2, 5], gamma=0.5)
c = S.PolynomialLR(o, total_iters=8, power=2.0)
d = S.MultiplicativeLR(o, [lambda e: 0.95, lambda e: 0.9])
show("ChainedScheduler([LinearLR(0.5, 1.0, 3), MultiStepLR([2, 5], 0.5), PolynomialLR(8, 2.0),"
     " MultiplicativeLR([0.95, 0.9])]) groups 0.1, 0.03", o, S.ChainedScheduler([a, b, c, d]), 10)

o = opt((0.1, 0.03), momentum=0.9)
show("CyclicLR(base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=5) momentum 0.8-0.9", o,
     S.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=5), 20, momentum=True)
o = opt((0.1, 0.03), momentum=0.9)
show("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=2, mode='triangular2', base_momentum=0.7, max_momentum=0.95)", o,
     S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, mode='triangular2', base_momentum=0.7, max_momentum=0.95),
     16, momentum=True)
o = opt((0.1, 0.03))
show("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=3, mode='exp_range', gamma=0.9, cycle_momentum=False)", o,
     S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode='exp_range', gamma=0.9, cycle_momentum=False), 14)
o = opt((0.1, 0.03), momentum=0.9)
show("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3, scale_fn=lambda x: 1 / (1 + 0.5 * x),"
     " scale_mode='cycle')", o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3,
                                           scale_fn=lambda x: 1 / (1 + 0.5 * x), scale_mode='cycle'), 12, momentum=True)
o = opt((0.1, 0.03))
show("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3, scale_fn=lambda x: 1 / (1 + 0.5 * x),"
     " scale_mode='iterations', cycle_momentum=False)", o,
     S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3, scale_fn=lambda x: 1 / (1 + 0.5 * x),
                scale_mode='iterations', cycle_momentum=False), 12)
