"""Prints the values of CumprodTest (tests/src/test/java/dev/kiln/tests/ops/): cumprod of float64 rows and columns
holding no zero, one zero and two zeros, and the gradient of (y * w).sum() for w = arange(size) + 1, which PyTorch's
cumprod_backward gives without dividing by the input; and cumprod of int32 and int64 tensors, which PyTorch gives in
int64, exactly beyond 2^53 and wrapping past 2^63 (run with /usr/bin/python3, which has torch 1.13).
"""
import torch

TWO_32 = 2 ** 32


def show(expression, t):
    print("// %s: %s %s" % (expression, t.dtype, list(t.shape)))
    if t.dtype.is_floating_point:
        print("new double[] {%s}" % ", ".join(repr(v) for v in t.reshape(-1).tolist()))
    else:
        print("new long[] {%s}" % ", ".join("%dL" % v for v in t.reshape(-1).tolist()))


# Rows: no zero, one zero, two zeros, a zero first; 5 columns.
Z = [[2, -0.5, 3, 1.5, -1],
     [0.5, 2, 0, 4, -3],
     [1.5, 0, 2, 0, 0.25],
     [0, 3, -2, 0.5, 4]]
for axis in (1, 0):
    x = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    y = x.cumprod(axis)
    w = torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape)
    (y * w).sum().backward()
    show("x.cumprod(%d)" % axis, y.detach())
    show("x.grad of (x.cumprod(%d) * (arange(20) + 1).reshape(4, 5)).sum()" % axis, x.grad)

i32 = torch.tensor([[65537, 65537, 65537, -3], [2147483647, 2, 2, 2]], dtype=torch.int32)
show("i32.cumprod(1)", i32.cumprod(1))

i64 = torch.tensor([[TWO_32 + 1, 3, 2 ** 53 + 1], [TWO_32 + 1, -1, 3], [3, 2 ** 62, 1]], dtype=torch.int64)
show("i64.cumprod(0)", i64.cumprod(0))
