# Prints the trajectories MaximizePyTorchTest holds: SGD, Adam and AdamW with maximize=True in float64 (PyTorch 1.13,
# run with /usr/bin/python3), eight steps over optim.py's gradients, the parameter after each step.
import torch
torch.set_default_dtype(torch.float64)
START = [0.5, -1.0, 2.0]
GRADS = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.1, -0.3], [0.3, -0.1, 0.2],
         [-0.1, 0.3, 0.1], [0.25, -0.05, -0.2], [0.05, 0.2, 0.15], [-0.3, -0.15, 0.05]]


def run(name, make):
    p = torch.tensor(START, requires_grad=True)
    opt = make([p])
    print("// " + name)
    rows = []
    for g in GRADS:
        p.grad = torch.tensor(g)
        opt.step()
        rows.append("{" + ", ".join(repr(v) for v in p.detach().tolist()) + "}")
    print("    " + ",\n    ".join(rows))


O = torch.optim
run("SGD lr=0.1 momentum=0.9 nesterov weight_decay=0.05 maximize",
    lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True))
run("SGD lr=0.1 maximize", lambda ps: O.SGD(ps, lr=0.1, maximize=True))
run("Adam lr=0.1 betas=(0.8, 0.9) weight_decay=0.05 maximize",
    lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, maximize=True))
run("Adam lr=0.1 betas=(0.8, 0.9) weight_decay=0.05 amsgrad maximize",
    lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, amsgrad=True, maximize=True))
run("AdamW lr=0.1 betas=(0.8, 0.9) eps=0.1 weight_decay=0.05 maximize",
    lambda ps: O.AdamW(ps, lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05, maximize=True))
