"""Prints the gradients CpuSimpleGradientsTest (engine-cpu) expects: abs, leaky ReLU (slope 0.01) and sqrt at the
points where their derivatives switch, F32 and F64, from torch.autograd with a gradient of ones."""
import torch

X = [-0.0, 0.0, float("nan"), float("inf"), float("-inf"), -2.0, 3.0]

for dtype in (torch.float32, torch.float64):
    for name, f in (("abs", torch.abs),
                    ("leaky_relu", lambda x: torch.nn.functional.leaky_relu(x, 0.01)),
                    ("sqrt", torch.sqrt)):
        x = torch.tensor(X, dtype=dtype, requires_grad=True)
        f(x).backward(torch.ones_like(x))
        print(dtype, name, [repr(v) for v in x.grad.tolist()])
