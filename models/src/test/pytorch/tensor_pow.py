"""Prints the PyTorch 1.13 values that TensorPowerTest (tests module, dev.kiln.tests.ops) holds for x.pow(tensor):
C's pow at its edges in F64 and F32, the gradients of both operands of the sum in F64 (zeros, a negative base), and
the tutorial's polynomial features x.unsqueeze(-1).pow(torch.tensor([1, 2, 3])) of an F32 x, integer powers of
integers (wrapping, negative exponents), an I64 base to F64 exponents, and the gradients where an infinite upstream
gradient meets a zero exponent. Run with /usr/bin/python3."""
import torch

inf = float('inf')
nan = float('nan')


def java(values):
    def one(v):
        if v != v:
            return 'NAN'
        if v in (inf, -inf):
            return '-INF' if v < 0 else 'INF'
        return repr(float(v))
    return '{' + ', '.join(one(v) for v in values) + '}'


base = [-0.0, -inf, 1.0, 1.0, -1.0, nan, -2.0, -2.0, 0.0, 0.0, -0.0, 2.0, -8.0, 1.5, 0.3]
exponent = [0.5, 0.5, nan, inf, inf, 0.0, 3.0, 0.5, -1.0, 0.0, -3.0, -inf, 1.0 / 3, 2.5, -1.7]
for dtype in (torch.float64, torch.float32):
    b = torch.tensor(base, dtype=dtype)
    e = torch.tensor(exponent, dtype=dtype)
    print(dtype, 'values', java(torch.pow(b, e).tolist()))

x = torch.tensor([1.5, -2.0, 0.0, 0.0, 3.0, 0.7], dtype=torch.float64, requires_grad=True)
p = torch.tensor([2.0, 3.0, 0.0, 2.0, -1.0, 2.5], dtype=torch.float64, requires_grad=True)
y = x.pow(p)
y.sum().backward()
print('x', java(x.tolist()), 'p', java(p.tolist()))
print('values', java(y.tolist()))
print('gradient of x', java(x.grad.tolist()))
print('gradient of p', java(p.grad.tolist()))

features = torch.linspace(-3.0, 3.0, 5).unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
print(features.dtype, list(features.shape), java(features.flatten().tolist()))

for dtype in (torch.int32, torch.int64):
    ints = torch.tensor([0, 1, -1, -1, 2, -3, 5, 2, 3], dtype=dtype)
    powers = torch.tensor([-1, -5, -3, -4, -2, 3, 0, 31, 40], dtype=dtype)
    result = ints.pow(powers)
    print(dtype, 'integer powers', result.dtype, result.tolist())

mixed = torch.tensor([2, -8, 9]).pow(torch.tensor([0.5, 1.0 / 3, -0.5], dtype=torch.float64))
print('I64 base, F64 exponent:', mixed.dtype, java(mixed.tolist()))

x = torch.tensor([2.0, 0.0], dtype=torch.float64, requires_grad=True)
p = torch.tensor([0.0, 0.5], dtype=torch.float64, requires_grad=True)
x.pow(p).backward(torch.tensor([inf, inf], dtype=torch.float64))
print('infinite upstream: gradient of x', java(x.grad.tolist()), 'gradient of p', java(p.grad.tolist()))
