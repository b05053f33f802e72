# Prints PyTorch 1.13's add_(5) and mul_(3) of a float32 tensor for ScalarInPlaceTest (tests module).
# Run with /usr/bin/python3.
import torch

print("add_(5):", torch.tensor([1.5, -2.0, 0.1]).add_(5).tolist())
print("mul_(3):", torch.tensor([1.5, -2.0, 0.1]).mul_(3).tolist())
print("randint(3, 7, (2, 5)) dtype:", torch.randint(3, 7, (2, 5)).dtype)
try:
    torch.randint(5, 5, (3,))
except RuntimeError as e:
    print("randint(5, 5):", e)
