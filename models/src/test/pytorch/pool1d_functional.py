# Prints the expected values of FunctionalPool1dTest: F.max_pool1d (with indices) and F.avg_pool1d in float64 on a
# [1, 2, 8] input, batched and unbatched. Run with /usr/bin/python3.
import torch
import torch.nn.functional as F
torch.set_printoptions(precision=10)
x = torch.tensor([[[1., 9, 2, 3, 0, 7, 7, 4], [5, -1, 6, 6, 2, 8, -3, 0]]], dtype=torch.float64)
def arr(t):
    return ", ".join(repr(v) for v in t.flatten().tolist())
o, i = F.max_pool1d(x, 3, 2, 1, 2, True, return_indices=True)
print("max k3 s2 p1 d2 ceil", list(o.shape), arr(o), arr(i))
o, i = F.max_pool1d(x, 2, return_indices=True)
print("max k2", list(o.shape), arr(o), arr(i))
print("avg k3 s2 p1 ceil nopad", list(F.avg_pool1d(x, 3, 2, 1, True, False).shape), arr(F.avg_pool1d(x, 3, 2, 1, True, False)))
print("avg k3 s2 p1 ceil pad", arr(F.avg_pool1d(x, 3, 2, 1, True, True)))
print("avg unbatched k2", list(F.avg_pool1d(x[0], 2).shape), arr(F.avg_pool1d(x[0], 2)))
print("max unbatched k3 s1", list(F.max_pool1d(x[0], 3, 1).shape), arr(F.max_pool1d(x[0], 3, 1)))
