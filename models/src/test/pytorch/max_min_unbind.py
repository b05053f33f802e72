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

# A 0-d tensor is one element along dim 0 or -1: (itself, 0), both 0-d with keepdim too; its gradient passes.
s = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
for name, op in (("max", torch.max), ("min", torch.min)):
    for dim, keepdim in ((0, False), (-1, True)):
        v, i = op(s, dim, keepdim=keepdim)
        print(name, "0-d", dim, keepdim, v.item(), list(v.shape), i.item(), list(i.shape))
v, _ = torch.max(s, 0)
(3 * v).backward()
print("0-d gradient", s.grad.item())
try:
    torch.max(s, 1)
except IndexError as e:
    print("0-d dim 1:", e)

# Integers: exact values of their dtype (2^53 + 1 is not a double) and the first extreme's index.
ints = torch.tensor([[1, 5, 5], [7, 2, 7], [2 ** 53 + 1, 2 ** 53, -3]])
for name, op in (("max", torch.max), ("min", torch.min)):
    v, i = op(ints, 1)
    print(name, "I64", v.tolist(), v.dtype, i.tolist())
v, i = torch.max(ints.to(torch.int32)[:2], 0, keepdim=True)
print("max I32 dim 0 keepdim", v.tolist(), v.dtype, list(v.shape), i.tolist())
try:
    torch.max(torch.zeros(0, 3), 0)
except (IndexError, RuntimeError) as e:
    print("empty dim:", e)
try:
    torch.unbind(torch.tensor(1.), 0)
except (IndexError, RuntimeError) as e:
    print("unbind of a 0-d tensor:", e)

# dim -1 of the matrix is dim 1: the same values and indices.
v, i = torch.max(torch.tensor(M), -1)
print("max dim -1", v.tolist(), i.tolist())
