"""Prints the values of IntegerExtremesTest and IntegerScatterReduceTest (tests/src/test/java/dev/kiln/tests/ops/):
amax, amin and aminmax of int32 and int64 tensors, and scatter_reduce of them in each reduction with and without
self, which PyTorch gives in the input's dtype, exactly: int64 values beyond 2^53, where float64 would round them,
and at the dtype's ends; mean's integer division rounds down (run with /usr/bin/python3, which has torch 1.13).
"""
import warnings
import torch

warnings.filterwarnings("ignore", "scatter_reduce")

TWO_53 = 2 ** 53
I64_MIN = -2 ** 63
I64_MAX = 2 ** 63 - 1
I32_MIN = -2 ** 31
I32_MAX = 2 ** 31 - 1


def show(expression, t):
    print("// %s: %s %s" % (expression, t.dtype, list(t.shape)))
    print("new long[] {%s}" % ", ".join("%dL" % v for v in t.reshape(-1).tolist()))


big = torch.tensor([[TWO_53 + 1, TWO_53 + 3, TWO_53 + 2], [-TWO_53 - 1, -TWO_53 - 3, I64_MAX],
                    [I64_MIN, 5, -7], [TWO_53 + 3, TWO_53 + 1, 0]], dtype=torch.int64)
show("big.amax(1)", big.amax(1))
show("big.amin(0, keepdim=True)", big.amin(0, keepdim=True))
show("big.amax((0, 1))", big.amax((0, 1)))
show("big.amin()", big.amin())
show("torch.aminmax(big, dim=1).min", torch.aminmax(big, dim=1).min)
show("torch.aminmax(big, dim=1).max", torch.aminmax(big, dim=1).max)

small = torch.tensor([[3, I32_MIN, 7], [I32_MAX, -2, 7]], dtype=torch.int32)
show("small.amax(0)", small.amax(0))
show("small.amin(1, keepdim=True)", small.amin(1, keepdim=True))
show("torch.aminmax(small).min", torch.aminmax(small).min)
show("torch.aminmax(small).max", torch.aminmax(small).max)

self64 = torch.tensor([[TWO_53 + 1, -4, 10, 7]], dtype=torch.int64)
src64 = torch.tensor([[TWO_53 + 2, 3, -5, 2, 7, 9]], dtype=torch.int64)
index = torch.tensor([[0, 0, 1, 1, 1, 2]])
for reduce in ("sum", "prod", "mean", "amax", "amin"):
    for include_self in (True, False):
        show("self64.scatter_reduce(1, index, src64, %r, include_self=%s)" % (reduce, include_self),
             self64.scatter_reduce(1, index, src64, reduce, include_self=include_self))

self32 = torch.tensor([[5, -4, 10, 7]], dtype=torch.int32)
src32 = torch.tensor([[-6, 3, -5, 2, 8, 9]], dtype=torch.int32)
for reduce in ("sum", "prod", "mean", "amax", "amin"):
    for include_self in (True, False):
        show("self32.scatter_reduce(1, index, src32, %r, include_self=%s)" % (reduce, include_self),
             self32.scatter_reduce(1, index, src32, reduce, include_self=include_self))
