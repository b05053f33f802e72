"""Reference values for what "What is torch.nn really?" (examples/WhatIsNn.java) needed of Kiln: the tutorial's
Lambda layer in its nn.Sequential (repr), TensorDataset slicing and batching, F.avg_pool2d(x, k) with its default
stride, F.relu, x.sum(-1) / x.mean(-1) without keepdim (of a 0-d tensor too), and max() / min() of integer tensors
(and their refusal of no elements). Printed for LambdaTest, TensorDatasetTest and NnTutorialOpsPyTorchParityTest.
Run: /usr/bin/python3 nn_tutorial_gaps.py"""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


model = nn.Sequential(
    Lambda(lambda x: x.view(-1, 1, 28, 28)),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AvgPool2d(4),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
print("sequential repr:")
print(model)
print("sequential output shape of [3, 784]:", list(model(torch.zeros(3, 784)).shape))
print("lambda state dict:", list(Lambda(lambda x: x).state_dict().keys()))

# TensorDataset: x [10, 2] = arange(20) / 4, y [10] = (3 i) % 7
x = torch.arange(20, dtype=torch.float32).view(10, 2) / 4
y = (torch.arange(10) * 3) % 7
ds = TensorDataset(x, y)
print("len:", len(ds))
xb, yb = ds[8:12]
print("ds[8:12]:", xb.tolist(), yb.tolist())
xb, yb = ds[2:5]
print("ds[2:5]:", xb.tolist(), yb.tolist())
print("ds[3]:", ds[3][0].tolist(), ds[3][1].item())
print("loader batch 4:", [(b[0].shape[0], b[1].tolist()) for b in DataLoader(ds, batch_size=4)])
print("loader last batch features:", list(DataLoader(ds, batch_size=4))[-1][0].tolist())

# F.avg_pool2d(x, 4) and F.relu of z = sin(0.37 i), [1, 2, 8, 8]
z = (torch.arange(128, dtype=torch.float64) * 0.37).sin().view(1, 2, 8, 8)
print("avg_pool2d(z, 4):", list(F.avg_pool2d(z, 4).shape), F.avg_pool2d(z, 4).flatten().tolist())
print("relu(z) sum:", F.relu(z).sum().item())
w = (torch.arange(12, dtype=torch.float64) * 0.37).sin().view(3, 4)
print("w.sum(-1):", w.sum(-1).tolist())
print("w.mean(-1):", w.mean(-1).tolist())
print("w.exp().sum(-1).log().unsqueeze(-1):", w.exp().sum(-1).log().unsqueeze(-1).tolist())
labels = torch.tensor([5, 0, 4, 1, 9, 2], dtype=torch.int64)
print("int64 min, max:", labels.min(), labels.max(), labels.max().dtype)
big = torch.tensor([2 ** 62 + 1, -(2 ** 62) - 3, 7], dtype=torch.int64)
print("int64 beyond 2^53 min, max:", big.min().item(), big.max().item())
print("int32 min, max:", labels.int().min(), labels.int().max(), labels.int().max().dtype)

# A 0-d tensor's sum and mean over its one axis, 0 or -1, and the refusal of another; max() / min() of no elements.
s = torch.tensor(2.5, dtype=torch.float64)
print("0-d sum(-1), sum(0), mean(-1), sum(-1, keepdim=True):", s.sum(-1), s.sum(0), s.mean(-1),
      s.sum(-1, keepdim=True).shape)
print("0-d int32 sum(0):", torch.tensor(7, dtype=torch.int32).sum(0))
leaf = s.clone().requires_grad_()
print("0-d (3 sum(-1)) gradient:", torch.autograd.grad(leaf.sum(-1) * 3, leaf)[0])
try:
    s.sum(1)
except IndexError as e:
    print("0-d sum(1):", type(e).__name__, e)
for empty in (torch.zeros(0, dtype=torch.int64), torch.zeros(2, 0, dtype=torch.int32)):
    for name in ("max", "min"):
        try:
            getattr(empty, name)()
        except RuntimeError as e:
            print(name + "() of", empty.dtype, list(empty.shape), "raises:", e)
