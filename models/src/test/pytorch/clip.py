import torch
torch.set_default_dtype(torch.float64)
from torch.nn.utils import clip_grad_norm_, clip_grad_value_
def fmt(t): return "{" + ", ".join(repr(v) for v in t.reshape(-1).tolist()) + "}"
def mk():
    a = torch.zeros(2, 2, requires_grad=True); b = torch.zeros(3, requires_grad=True); c = torch.zeros(1, requires_grad=True)
    a.grad = torch.tensor([[1.0, -2.0], [0.5, 3.0]]); b.grad = torch.tensor([-1.5, 0.25, 2.0])
    return a, b, c
for mx in [2.0, 10.0]:
    a, b, c = mk(); n = clip_grad_norm_([a, b, c], max_norm=mx)
    print("clip_grad_norm_ max_norm", mx, "total", repr(n.item()), fmt(a.grad), fmt(b.grad))
a, b, c = mk(); n0 = torch.sqrt(sum((g**2).sum() for g in [a.grad, b.grad])).item()
n = clip_grad_norm_([a, b, c], max_norm=n0)
print("max_norm = norm", repr(n0), repr(n.item()), fmt(a.grad), fmt(b.grad))
a, b, c = mk(); n = clip_grad_norm_([a, b, c], max_norm=2.0, norm_type=float('inf'))
print("inf", repr(n.item()), fmt(a.grad), fmt(b.grad))
a, b, c = mk(); clip_grad_value_([a, b, c], 1.2); print("value 1.2", fmt(a.grad), fmt(b.grad), c.grad)
a = torch.zeros(3, dtype=torch.float32, requires_grad=True); a.grad = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float32)
n = clip_grad_norm_([a], 0.1); print("f32", repr(n.item()), n.dtype, fmt(a.grad))
for p in [1.0, 3.0]:
    a, b, c = mk(); n = clip_grad_norm_([a, b, c], max_norm=2.0, norm_type=p)
    print("norm_type", p, repr(n.item()), fmt(a.grad), fmt(b.grad))
