# Prints PyTorch 1.13's sums of integer tensors for IntegerSumTest (tests module): the dtype and the values.
# Run with /usr/bin/python3.
import torch

m = torch.tensor([[1, -2, 3], [40, 50, -60]], dtype=torch.int32)
print("int32 all:", m.sum(), m.sum().dtype)
print("int32 dim 1:", m.sum(1), m.sum(1).dtype)
print("int32 dim 0 keepdim:", m.sum(0, keepdim=True))
print("int32 dim -1:", m.sum(-1))
big = torch.tensor([2**31 - 1, 2**31 - 1, 5], dtype=torch.int32)
print("int32 past 2^31:", big.sum())
wrap = torch.tensor([2**62, 2**62, 2**62, 7])
print("int64 wrapping past 2^63:", wrap.sum())
print("int64 empty axis:", torch.zeros(2, 0, dtype=torch.int64).sum(1))
print("int64 empty all:", torch.zeros(0, dtype=torch.int64).sum())
print("correct predictions:", (torch.tensor([2, 0, 1, 1]) == torch.tensor([2, 1, 1, 0])).sum())
try:
    torch.tensor([1, 2]).mean()
except RuntimeError as e:
    print("mean of int64:", e)
