"""Prints PerSampleGradientsPyTorchParityTest's numbers: the per-sample gradients of PyTorch's per-sample-gradients
tutorial (torch.func.vmap(grad(compute_loss), in_dims=(None, 0, 0))), computed the way 1.13 can without functorch: a
loop taking each sample's gradient separately, F64. The model Sequential(Linear(4, 5), Tanh, Linear(5, 3)) with
parity.py's parameters (seed = index + 1); inputs x = pattern(6 * 4, 31) as [6, 4], targets [0, 2, 1, 2, 0, 1]; the
loss of sample i is cross_entropy(model(x[i:i+1]), y[i:i+1]). Each parameter's gradients are printed stacked, [6, ...]
flattened."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from parity import fmt, load, pattern

model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
load(model)
x = pattern(24, 31).reshape(6, 4)
y = torch.tensor([0, 2, 1, 2, 0, 1])
params = dict(model.named_parameters())
per_sample = {name: [] for name in params}
for i in range(6):
    loss = F.cross_entropy(model(x[i:i + 1]), y[i:i + 1])
    grads = torch.autograd.grad(loss, list(params.values()))
    for name, g in zip(params, grads):
        per_sample[name].append(g)
for name, gs in per_sample.items():
    print(name, list(torch.stack(gs).shape), fmt(torch.stack(gs).reshape(-1)))
