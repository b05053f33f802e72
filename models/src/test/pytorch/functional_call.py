"""Prints FunctionalCallPyTorchParityTest's numbers: PyTorch 1.13's torch.nn.utils.stateless.functional_call (PyTorch
2's torch.func.functional_call) in one step of MAML, F64. The model Sequential(Linear(3, 4), Tanh, Linear(4, 2)) with
parity.py's parameters (seed = index + 1); support x = pattern(5 * 3, 11), query x = pattern(5 * 3, 12), targets
pattern(5 * 2, 13) and pattern(5 * 2, 14); inner loss mse(model(xs), ys), fast weights w - 0.4 * grad(inner,
create_graph=True); outer loss mse(functional_call(model, fast, xq), yq), its gradients to the model's own parameters
(second order, through the inner gradient). Also BatchNorm1d(3) in training mode called with substitute
running_mean/running_var buffers (pattern(3, 21), 1 + pattern(3, 22) ** 2) on x = pattern(4 * 3, 23): the output
and the substitutes' values after the call (updated in place), the module's own buffers untouched."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call
from parity import fmt, load, pattern

model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
load(model)
xs, xq = pattern(15, 11).reshape(5, 3), pattern(15, 12).reshape(5, 3)
ys, yq = pattern(10, 13).reshape(5, 2), pattern(10, 14).reshape(5, 2)
params = dict(model.named_parameters())
inner = F.mse_loss(model(xs), ys)
grads = torch.autograd.grad(inner, list(params.values()), create_graph=True)
fast = {name: p - 0.4 * g for (name, p), g in zip(params.items(), grads)}
out = functional_call(model, fast, (xq,))
outer = F.mse_loss(out, yq)
outer.backward()
print("inner", repr(inner.item()))
print("outer", repr(outer.item()))
print("query output", fmt(out.detach().reshape(-1)))
for name, p in model.named_parameters():
    print("meta-gradient", name, fmt(p.grad.reshape(-1)))

bn = nn.BatchNorm1d(3)
mean, var = pattern(3, 21).clone(), 1 + pattern(3, 22) ** 2
x = pattern(12, 23).reshape(4, 3)
y = functional_call(bn, {"running_mean": mean, "running_var": var}, (x,))
print("bn output", fmt(y.detach().reshape(-1)))
print("substitute running_mean after", fmt(mean.reshape(-1)))
print("substitute running_var after", fmt(var.reshape(-1)))
print("own running_mean", fmt(bn.running_mean), "own num_batches_tracked", bn.num_batches_tracked.item())
