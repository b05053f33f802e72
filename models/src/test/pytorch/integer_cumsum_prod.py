"""Prints the values of ProdCumsumTest's integer cases (tests/src/test/java/dev/kiln/tests/ops/): cumsum and prod of
I32 and I64 tensors, which PyTorch gives in int64, exactly: sums and products beyond 2^24 and 2^53, where F32 and F64
would round, and past 2^63, where int64 wraps (run with /usr/bin/python3, which has torch 1.13).
"""
import torch

TWO_53 = 2 ** 53
TWO_62 = 2 ** 62
TWO_32 = 2 ** 32


def show(expression, t):
    print("// %s: %s %s" % (expression, t.dtype, list(t.shape)))
    print("new long[] {%s}" % ", ".join("%dL" % v for v in t.reshape(-1).tolist()))


i32 = torch.tensor([[2147483647, 2147483647, 2147483647, -5], [16777217, 16777217, 1, 3]], dtype=torch.int32)
show("i32.cumsum(1)", i32.cumsum(1))

i64 = torch.tensor([[TWO_53 + 1, 1], [2, TWO_62], [2, TWO_62]], dtype=torch.int64)
show("i64.cumsum(0)", i64.cumsum(0))

factors = torch.tensor([[1048577, 1048579, 1048583], [65537, -65539, 3]], dtype=torch.int32)
show("factors.prod(1)", factors.prod(1))
show("factors.prod(0, keepdim=True)", factors.prod(0, keepdim=True))

wrapping = torch.tensor([TWO_32 + 1, TWO_32 + 1, 3], dtype=torch.int64)
show("wrapping.prod()", wrapping.prod())

show("torch.ones(2, 0, dtype=torch.int32).prod(1)", torch.ones(2, 0, dtype=torch.int32).prod(1))
