"""Prints the trajectories LbfgsPyTorchTest holds as literals: torch.optim.LBFGS in float64 on the Rosenbrock function
(without a line search and with strong Wolfe), on a least-squares fit and on a logistic regression (pattern data from
parity.py; history sizes small enough that the history wraps). After each step: the loss step() returned, every
parameter, and the state's func_evals and n_iter."""
import torch
import torch.nn.functional as F
from parity import fmt, pattern

torch.set_default_dtype(torch.float64)


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def least_squares(w, b):
    x = pattern(8 * 4, 3).reshape(8, 4)
    target = pattern(8 * 2, 4).reshape(8, 2)
    return ((x @ w.t() + b - target) ** 2).mean()


def logistic(w, b):
    x = pattern(10 * 4, 3).reshape(10, 4) * 4
    labels = torch.tensor([k % 3 for k in range(10)])
    return F.cross_entropy(x @ w.t() + b, labels)


def run(title, params, loss_fn, steps, **options):
    opt = torch.optim.LBFGS(params, **options)

    def closure():
        opt.zero_grad()
        loss = loss_fn(*params)
        loss.backward()
        return loss

    print("// " + title + ": torch.optim.LBFGS(params, " + ", ".join("%s=%r" % kv for kv in options.items()) + ")")
    for _ in range(steps):
        loss = float(opt.step(closure))
        state = opt.state[params[0]]
        values = ",\n                ".join("new double[] {" + fmt(p.detach().reshape(-1)) + "}" for p in params)
        print("            step(%r, %d, %d,\n                %s)," % (loss, state['func_evals'], state['n_iter'], values))


run("Rosenbrock from (-1.2, 1), no line search", [torch.tensor([-1.2, 1.0], requires_grad=True)], rosenbrock, 6,
    lr=0.5, max_iter=4, history_size=4)
run("Rosenbrock from (-1.2, 1), strong Wolfe", [torch.tensor([-1.2, 1.0], requires_grad=True)], rosenbrock, 6,
    max_iter=5, line_search_fn="strong_wolfe")
run("least squares 8 x 4 -> 2, no line search", [pattern(2 * 4, 1).reshape(2, 4).requires_grad_(),
                                                   pattern(2, 2).requires_grad_()], least_squares, 4,
    lr=0.8, max_iter=5, history_size=2)
run("logistic regression 10 x 4 -> 3, strong Wolfe", [pattern(3 * 4, 1).reshape(3, 4).requires_grad_(),
                                                       pattern(3, 2).requires_grad_()], logistic, 5,
    max_iter=6, history_size=3, line_search_fn="strong_wolfe")
# A tolerance_change the line search ignores: PyTorch's _strong_wolfe keeps its own 1e-9 (LBFGS.step does not pass it).
run("Rosenbrock from (-1.5, 2), strong Wolfe, tolerance_change 1", [torch.tensor([-1.5, 2.0], requires_grad=True)],
    rosenbrock, 2, max_iter=1, tolerance_change=1.0, line_search_fn="strong_wolfe")
