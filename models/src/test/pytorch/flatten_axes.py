# Prints PyTorch 1.13's nn.Flatten(start_dim, end_dim) output shapes and reprs for FlattenAxesTest (models module).
# Run with /usr/bin/python3.
import torch
from torch import nn

x = torch.zeros(2, 3, 4, 5)
for start, end in [(1, -1), (0, -2), (-3, -2), (1, 2), (2, 2), (-1, -1)]:
    f = nn.Flatten(start, end)
    print(f, tuple(f(x).shape))
print(nn.Flatten(0, -1), tuple(nn.Flatten(0, -1)(torch.tensor(3.0)).shape))
try:
    nn.Flatten(2, 1)(x)
except RuntimeError as e:
    print("Flatten(2, 1):", e)
