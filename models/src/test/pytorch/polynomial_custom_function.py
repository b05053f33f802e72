"""PyTorch's "Learning PyTorch with Examples", PyTorch: Defining New autograd Functions
(beginner_source/examples_autograd/polynomial_custom_function.py): its starting values are fixed, so its lines are
those examples/PolynomialCustomFunction.java prints (PolynomialExamplesTest). Run with /usr/bin/python3."""
import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2, with its derivative 1.5 (5x^2 - 1) written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for t in range(2000):
    P3 = LegendrePolynomial3.apply

    y_pred = a + b * P3(c + d * x)

    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    loss.backward()

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')

# LegendrePolynomial3's gradient in F64 at three points, by autograd through the Function (PolynomialExamplesTest
# compares Kiln's Function with it).
z = torch.tensor([-1.25, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
LegendrePolynomial3.apply(z).backward(torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))
print('P3 gradient:', z.grad.tolist())
