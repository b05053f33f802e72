"""Prints PyTorch 1.13's hand-written update w -= learning_rate * g of float32 tensors (the "Learning PyTorch with
Examples" step) and -0.0 - 0.0, for SubInPlaceTest (tests module). Run with /usr/bin/python3."""
import torch

w = torch.tensor([1.5409960746765137, -0.293428897857666, -0.0, 3.0])
g = torch.tensor([-3412.56689453125, 1201.3359375, 0.0, 0.1])
with torch.no_grad():
    w -= 1e-6 * g
print('w -= 1e-6 * g:', w.tolist(), 'sign of element 2:', torch.copysign(torch.tensor(1.0), w[2]).item())

# Outside no_grad, w.sub_(y) of a y that requires a gradient is recorded: y's gradient through it is -1 (Kiln refuses
# the update rather than drop that gradient).
w = torch.zeros(2)
y = torch.tensor([1.0, 2.0], requires_grad=True)
w.sub_(y)
w.sum().backward()
print('w.sub_(y) recorded:', w.grad_fn is not None, 'y.grad:', y.grad.tolist())
