"""What the basics tutorials needed of Kiln's engine, in PyTorch 1.13 (BasicsTutorialOpsTest, tests module): scatter
with a 0-d index, source or destination beside a vector (the Transforms tutorial's one-hot label) and its F64 gradients,
torch.equal, F.max_pool2d(x, k), and grad_fn.next_functions (the Neural Networks tutorial's graph walk).
Run: /usr/bin/python3 basics_tutorial_ops.py"""
import torch
import torch.nn.functional as F

print(torch.zeros(10).scatter_(dim=0, index=torch.tensor(9), value=1))
print(torch.zeros(5).scatter(0, torch.tensor([3]), torch.tensor(7.)))
print(torch.zeros(()).scatter(0, torch.tensor(0), 2.))
try:
    torch.zeros(3, 10).scatter(1, torch.tensor(9), 1)
except RuntimeError as e:
    print(e)

# Gradients of x.scatter(0, tensor(3), s): x's everywhere but at 3, s's the gradient at 3.
x = torch.arange(5, dtype=torch.float64).requires_grad_()
s = torch.tensor(7., dtype=torch.float64, requires_grad=True)
out = x.scatter(0, torch.tensor(3), s)
out.backward(torch.tensor([1., 2., 3., 4., 5.], dtype=torch.float64))
print(out.detach(), x.grad, s.grad)

a = torch.tensor([[1., 2.], [3., 4.]])
print(torch.equal(a, a.clone()), torch.equal(a, torch.tensor([[1., 2.], [3., 5.]])),
      torch.equal(torch.ones(3), torch.ones(1, 3)), torch.equal(torch.tensor([float("nan")]),
                                                               torch.tensor([float("nan")])),
      torch.equal(torch.zeros(0, 2), torch.zeros(0, 2)))

print(F.max_pool2d(torch.arange(25.).view(1, 1, 5, 5), 2))

w = torch.ones(3, requires_grad=True)
b = torch.ones(3, requires_grad=True)
z = torch.arange(3.) * w + b
print([type(n).__name__ if n is not None else None for n, _ in z.grad_fn.next_functions])
print([type(n).__name__ if n is not None else None for n, _ in z.grad_fn.next_functions[0][0].next_functions])

# A 0-d destination takes dim 0 or -1 only; a 0-d source fills at most one index entry.
for call in (lambda: torch.zeros(()).scatter(1, torch.tensor(0), 2.),
             lambda: torch.zeros(5).scatter(0, torch.tensor([1, 2]), torch.tensor(3.))):
    try:
        call()
    except (IndexError, RuntimeError) as e:
        print(type(e).__name__, e)
