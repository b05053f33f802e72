"""Prints the data of MaxPoolNanPyTorchParityTest: max pooling with indices of inputs whose windows hold several NaNs
(element k is (7 k) mod 11, NaN where k mod 4 = 1 or k mod 5 = 3). PyTorch 1.13's CPU kernels take a NaN whenever it
comes (val > max || isnan(val)), so each window's maximum is NaN at its last NaN in row-major window order, and the
gradient of the sum goes there. F64 printed; F32 asserted equal. Then adaptive max pooling of uneven windows (values
and gradient) and fractional max pooling with given samples (values and indices), which follow the same rule."""
import math
import torch
import torch.nn.functional as Fn


def values(n, dtype):
    return torch.tensor([math.nan if k % 4 == 1 or k % 5 == 3 else (7 * k) % 11 for k in range(n)], dtype=dtype)


CASES = [
    ("maxPool1d kernel 3 stride 1", (1, 2, 9), lambda x: Fn.max_pool1d(x, 3, 1, return_indices=True)),
    ("maxPool1d kernel 2 stride 2 padding 1 dilation 2", (1, 1, 11),
     lambda x: Fn.max_pool1d(x, 2, 2, 1, 2, return_indices=True)),
    ("maxPool2d kernel 2 stride 1", (1, 2, 4, 5), lambda x: Fn.max_pool2d(x, 2, 1, return_indices=True)),
    ("maxPool2d kernel 3 stride 2 padding 1", (2, 1, 5, 6), lambda x: Fn.max_pool2d(x, 3, 2, 1, return_indices=True)),
    ("maxPool2d kernel (2, 4) stride 1 ceil", (1, 1, 4, 7),
     lambda x: Fn.max_pool2d(x, (2, 4), (2, 3), ceil_mode=True, return_indices=True)),
    ("maxPool2d kernel 2 stride 1 dilation 2", (1, 1, 5, 5),
     lambda x: Fn.max_pool2d(x, 2, 1, 0, 2, return_indices=True)),
    ("maxPool3d kernel 2 stride 1", (1, 2, 3, 3, 4), lambda x: Fn.max_pool3d(x, 2, 1, return_indices=True)),
    ("maxPool3d kernel (2, 3, 2) stride 2 padding 1", (1, 1, 4, 5, 4),
     lambda x: Fn.max_pool3d(x, (2, 3, 2), 2, 1, return_indices=True)),
]


def literal(t):
    return ', '.join('NAN' if v != v else repr(float(v)) for v in t.reshape(-1).tolist())


for label, dims, pool in CASES:
    n = math.prod(dims)
    results = []
    for dtype in [torch.float64, torch.float32]:
        x = values(n, dtype).reshape(dims).requires_grad_()
        out, indices = pool(x)
        out.sum().backward()
        results.append((out.detach().double(), indices, x.grad.double()))
    for wide, narrow in zip(*results):
        assert torch.allclose(wide.double(), narrow.double(), equal_nan=True), (label, wide, narrow)
    out, indices, grad = results[0]
    print('        // %s of %s' % (label, list(dims)))
    print('        {%s},' % literal(out))
    print('        {%s},' % ', '.join(str(int(v)) for v in indices.reshape(-1).tolist()))
    print('        {%s},' % literal(grad))

# Adaptive max pooling of uneven windows (PyTorch's own kernels, the same rule): values and the gradient of the sum.
ADAPTIVE = [
    ("adaptiveMaxPool1d 3 of", (1, 2, 8), lambda x: Fn.adaptive_max_pool1d(x, 3)),
    ("adaptiveMaxPool2d (2, 3) of", (1, 1, 3, 5), lambda x: Fn.adaptive_max_pool2d(x, (2, 3))),
    ("adaptiveMaxPool3d (2, 2, 2) of", (1, 1, 3, 3, 3), lambda x: Fn.adaptive_max_pool3d(x, (2, 2, 2))),
]
print('        // adaptive')
for label, dims, pool in ADAPTIVE:
    x = values(math.prod(dims), torch.float64).reshape(dims).requires_grad_()
    out = pool(x)
    out.sum().backward()
    print('        // %s %s' % (label, list(dims)))
    print('        {%s},' % literal(out.detach()))
    print('        {%s},' % literal(x.grad))

# Fractional max pooling with given samples (0.3, 0.6 for each plane), kernel 2, output (2, 3) of [1, 2, 4, 5] and
# (2, 2, 2) of [1, 1, 4, 4, 4] (samples 0.3, 0.6, 0.9): values and indices.
print('        // fractional')
x = values(40, torch.float64).reshape(1, 2, 4, 5)
out, indices = Fn.fractional_max_pool2d(x, 2, output_size=(2, 3), return_indices=True,
                                        _random_samples=torch.tensor([[[0.3, 0.6], [0.3, 0.6]]], dtype=torch.float64))
print('        {%s},' % literal(out))
print('        {%s},' % ', '.join(str(int(v)) for v in indices.reshape(-1).tolist()))
x = values(64, torch.float64).reshape(1, 1, 4, 4, 4)
out, indices = Fn.fractional_max_pool3d(x, 2, output_size=(2, 2, 2), return_indices=True,
                                        _random_samples=torch.tensor([[[0.3, 0.6, 0.9]]], dtype=torch.float64))
print('        {%s},' % literal(out))
print('        {%s},' % ', '.join(str(int(v)) for v in indices.reshape(-1).tolist()))
