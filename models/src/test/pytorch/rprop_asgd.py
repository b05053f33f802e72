# Prints the trajectories RpropAsgdPyTorchTest holds: torch.optim.Rprop and torch.optim.ASGD in float64 (PyTorch 1.13,
# run with /usr/bin/python3), eight steps over optim.py's gradients, the parameter after each step, and ASGD's state.
import torch
torch.set_default_dtype(torch.float64)
START = [0.5, -1.0, 2.0]
GRADS = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.1, -0.3], [0.3, -0.1, 0.2],
         [-0.1, 0.3, 0.1], [0.25, -0.05, -0.2], [0.05, 0.2, 0.15], [-0.3, -0.15, 0.05]]


def row(values):
    return "{" + ", ".join(repr(v) for v in values) + "}"


def show(v):
    if not torch.is_tensor(v):
        return repr(v)
    return row(v.tolist()) if v.dim() > 0 else repr(v.item())


def run(name, make, show_state=None):
    p = torch.tensor(START, requires_grad=True)
    opt = make([p])
    print("// " + name)
    rows = []
    for g in GRADS:
        p.grad = torch.tensor(g)
        opt.step()
        rows.append(row(p.detach().tolist()))
    print("params {\n    " + ",\n    ".join(rows) + "}")
    if show_state:
        st = opt.state[p]
        print("state " + ", ".join("%s=%s" % (k, show(v)) for k, v in st.items()))
    return opt


O = torch.optim
run("Rprop lr=0.1 defaults", lambda ps: O.Rprop(ps, lr=0.1), True)
run("Rprop lr=0.05 etas=(0.3, 1.5) step_sizes=(0.01, 0.08)",
    lambda ps: O.Rprop(ps, lr=0.05, etas=(0.3, 1.5), step_sizes=(0.01, 0.08)), True)
run("ASGD lr=0.1 defaults", lambda ps: O.ASGD(ps, lr=0.1), True)
run("ASGD lr=0.1 lambd=0.01 alpha=0.5 t0=3 weight_decay=0.05",
    lambda ps: O.ASGD(ps, lr=0.1, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.05), True)
opt = run("ASGD lr=0.1 lambd=0.01 alpha=0.5 t0=0", lambda ps: O.ASGD(ps, lr=0.1, lambd=0.01, alpha=0.5, t0=0), True)
print("// ASGD state_dict names", sorted(opt.state_dict()['state'][0].keys()))
