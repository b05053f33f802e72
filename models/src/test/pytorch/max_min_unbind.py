"""PyTorch 1.13's torch.max(x, dim) and torch.min(x, dim) (values, indices) for MaxMinWithIndicesTest (tests module):
ties, a NaN among numbers, keepdim, and the values' gradient of (v * w).sum(); and torch.unbind for UnbindTest. Run
with /usr/bin/python3."""
import torch

nan = float("nan")
M = [[1., 3., 3., 0.], [nan, 2., nan, 5.], [-1., -1., -2., -3.]]
for name, op in (("max", torch.max), ("min", torch.min)):
    for dim, keepdim, w in ((1, False, [1., 2., 3.]), (0, True, [[1., 2., 3., 4.]])):
        x = torch.tensor(M, dtype=torch.float64, requires_grad=True)
        v, i = op(x, dim, keepdim=keepdim)
        (v * torch.tensor(w, dtype=torch.float64)).sum().backward()
        print(name, dim, keepdim, v.tolist(), list(v.shape), i.tolist(), x.grad.flatten().tolist())

# UnbindTest: torch.unbind(x, 1) of arange(24) as [2, 3, 4], and the gradient of (slices[1] * w).sum().
x = torch.arange(24., dtype=torch.float64).reshape(2, 3, 4).requires_grad_()
slices = torch.unbind(x, 1)
w = torch.arange(1., 9., dtype=torch.float64).reshape(2, 4)
(slices[1] * w).sum().backward()
print("unbind", len(slices), [list(t.shape) for t in slices], slices[2].flatten().tolist(), x.grad.flatten().tolist())
print("unbind of an empty axis", torch.unbind(torch.zeros(0, 3), 0))
