"""Prints the PyTorch 1.13 values that OpSemanticsFixesTest holds as literals: the edge cases that
op_semantics_cases.py found Kiln answering otherwise, each as PyTorch answers it (run it with /usr/bin/python3)."""
import torch
import torch.nn.functional as F

d = torch.float64
print("div by a scalar, F64:", (torch.tensor([1.5, -3.75, 1.0, 0.49999999999999994], dtype=d) / 2.5).tolist())
print("div by a scalar, F32:", (torch.tensor([1.5, -3.75, 1.0], dtype=torch.float32) / 3.0).tolist())
print("mean:", torch.tensor([-1.0, 0.0, -2.5], dtype=d).mean().item(),
      torch.tensor([[-1.0, 0.0, -2.5]], dtype=d).mean(1).tolist())
x = torch.tensor([1.0, -1.0, 1.0, -1.0, 2.0], dtype=d)
for p in (float("inf"), float("-inf"), float("nan")):
    print("pow", p, x.pow(p).tolist())
print("softplus:", F.softplus(torch.tensor([-40.0, -745.0, -700.0, 0.0, 3.0], dtype=d)).tolist())
print("squeeze(0) of [2, 3]:", list(torch.arange(6.0).reshape(2, 3).squeeze(0).shape))
print("expand(-1, 4, -1) of [3, 1, 2]:", list(torch.arange(6.0).reshape(3, 1, 2).expand(-1, 4, -1).shape))
print("narrow(0, -2, 2) of arange(5):", torch.arange(5.0).narrow(0, -2, 2).tolist())
print("chunk(3, 0) of [0, 3]:", [list(t.shape) for t in torch.zeros(0, 3).chunk(3, 0)])
print("masked_fill of a 0-d tensor by a [1, 2] mask:",
      torch.tensor(2.5).masked_fill(torch.tensor([[True, False]]), -1.0).tolist())
print("flatten(0) of a 0-d tensor:", list(torch.flatten(torch.tensor(3.0), 0).shape))
for dtype, big in ((torch.int64, 2 ** 63 - 1), (torch.int32, 2 ** 31 - 1)):
    a, b = torch.tensor([big, -7, 6], dtype=dtype), torch.tensor([1, 3, -4], dtype=dtype)
    print(dtype, "add", (a + b).tolist(), "sub", (a - b).tolist(), "mul", (a * b).tolist(),
          "maximum", torch.maximum(a, b).tolist(), "minimum", torch.minimum(a, b).tolist(), (a + b).dtype)
