"""Prints the PyTorch 1.13 references of AutogradFunctionalTest (tests module) for vjp, jvp and vhp: F64 values of
torch.autograd.functional.vjp, jvp and vhp of f(x, w) = tanh(x @ w)^2 + (x @ w) * x.sum(1, keepdim=True) at patterned
x [2, 4], w [4, 3] and vectors (pasted by hand; run it with /usr/bin/python3)."""
import torch
torch.set_printoptions(precision=17)
def pat(n, a, b, shape):
    return torch.tensor([((a * i + b) % 11 - 5) / 4.0 for i in range(n)], dtype=torch.float64).reshape(shape)
x = pat(8, 3, 1, (2, 4)); w = pat(12, 5, 2, (4, 3))
def f(x, w):
    z = x @ w
    return torch.tanh(z) ** 2 + z * x.sum(1, keepdim=True)
v = pat(6, 7, 3, (2, 3))
vx = pat(8, 2, 5, (2, 4)); vw = pat(12, 4, 0, (4, 3))
out, vj = torch.autograd.functional.vjp(f, (x, w), v)
_, jv = torch.autograd.functional.jvp(f, (x, w), (vx, vw))
g = lambda x, w: f(x, w).sum()
_, vh = torch.autograd.functional.vhp(g, (x, w), (vx, vw))
print("out", out.flatten().tolist())
print("vjp x", vj[0].flatten().tolist()); print("vjp w", vj[1].flatten().tolist())
print("jvp", jv.flatten().tolist())
print("vhp x", vh[0].flatten().tolist()); print("vhp w", vh[1].flatten().tolist())
