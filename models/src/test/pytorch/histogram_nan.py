"""Prints the counts held by ConstructionOpsPyTorchParityTest's histogram-of-NaN cases (tests module): where PyTorch
1.13's torch.histogram counts NaN, with bins over a range (bin 1, or bin 0 of one) and with given edges (the last)."""
import torch

nan = float("nan")
x = torch.tensor([1.0, nan, 2.0, nan, 0.5], dtype=torch.float64)
w = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64)
edges = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)
for bins in (1, 2, 3):
    print("%d bins over [0, 3]:" % bins, torch.histogram(x, bins=bins, range=(0.0, 3.0)).hist.tolist())
print("3 bins over [0, 3], weighted:", torch.histogram(x, bins=3, range=(0.0, 3.0), weight=w).hist.tolist())
print("4 bins over [0, 3], density:", torch.histogram(x, bins=4, range=(0.0, 3.0), density=True).hist.tolist())
print("edges [0, 1, 2, 3], weighted:", torch.histogram(x, bins=edges, weight=w).hist.tolist())
print("edges [0, 1, 2, 3], density:", torch.histogram(x, bins=edges, density=True).hist.tolist())
print("edges [0, 1.5]:", torch.histogram(x, bins=torch.tensor([0.0, 1.5], dtype=torch.float64)).hist.tolist())
