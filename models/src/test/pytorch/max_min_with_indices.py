"""PyTorch 1.13's torch.max(x, dim) and torch.min(x, dim) (values, indices) for MaxMinWithIndicesTest (tests module):
ties, a NaN among numbers, keepdim, and the values' gradient of (v * w).sum(). Run with /usr/bin/python3."""
import torch

nan = float("nan")
M = [[1., 3., 3., 0.], [nan, 2., nan, 5.], [-1., -1., -2., -3.]]
for name, op in (("max", torch.max), ("min", torch.min)):
    for dim, keepdim, w in ((1, False, [1., 2., 3.]), (0, True, [[1., 2., 3., 4.]])):
        x = torch.tensor(M, dtype=torch.float64, requires_grad=True)
        v, i = op(x, dim, keepdim=keepdim)
        (v * torch.tensor(w, dtype=torch.float64)).sum().backward()
        print(name, dim, keepdim, v.tolist(), list(v.shape), i.tolist(), x.grad.flatten().tolist())
