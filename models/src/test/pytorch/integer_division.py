"""Prints the values of IntegerDivisionTest (tests/src/test/java/dev/kiln/tests/ops/): floor_divide, remainder and fmod
of int64 and int32 tensors, which PyTorch gives in the integer dtype, exactly (beyond 2^53, where a double rounds, and
at the dtype's ends), and true division of integers, which PyTorch gives in float32 after converting both operands to
float32 (so 16777217 / 5 is 16777216 / 5). Run with /usr/bin/python3 (torch 1.13).

Two cases are not run, as PyTorch 1.13's CPU kernels cannot give them: an integer zero divisor raises
RuntimeError: ZeroDivisionError, and the dtype's minimum floor-divided (or remaindered) by -1 kills the process with
SIGFPE; Kiln refuses the first and wraps the second (MIN // -1 == MIN, remainders 0).
"""
import torch

TWO_53 = 2 ** 53
TWO_62 = 2 ** 62
MIN64 = -2 ** 63
MAX64 = 2 ** 63 - 1


def literal(v):
    if v != v:
        return "Double.NaN"
    if v in (float("inf"), float("-inf")):
        return ("" if v > 0 else "-") + "Double.POSITIVE_INFINITY"
    return repr(v)


def show(expression, t):
    print("// %s: %s %s" % (expression, t.dtype, list(t.shape)))
    if t.dtype.is_floating_point:
        print("new double[] {%s}" % ", ".join(literal(v) for v in t.reshape(-1).tolist()))
    else:
        print("new long[] {%s}" % ", ".join("%dL" % v for v in t.reshape(-1).tolist()))


a64 = torch.tensor([7, -7, 7, -7, TWO_53 + 1, MIN64, MAX64, 0, -TWO_62 - 3, MIN64 + 1], dtype=torch.int64)
b64 = torch.tensor([2, 2, -2, -2, 2, 3, -7, 5, 2 ** 40, -7], dtype=torch.int64)
show("torch.floor_divide(a64, b64)", torch.floor_divide(a64, b64))
show("torch.remainder(a64, b64)", torch.remainder(a64, b64))
show("torch.fmod(a64, b64)", torch.fmod(a64, b64))

a32 = torch.tensor([[2147483647, -7, 16777217], [-2147483648, 5, -16777219]], dtype=torch.int32)
b32 = torch.tensor([-2, 3, 2], dtype=torch.int32)
show("torch.floor_divide(a32, b32)", torch.floor_divide(a32, b32))
show("torch.remainder(a32, b32)", torch.remainder(a32, b32))
show("torch.fmod(a32, b32)", torch.fmod(a32, b32))

n = torch.tensor([16777217, 7, -7, TWO_53 + 1, 1, 0, -1], dtype=torch.int64)
d = torch.tensor([5, 2, 2, 3, 0, 0, 0], dtype=torch.int64)
show("torch.div(n, d)", torch.div(n, d))
n32 = torch.tensor([16777217, 7, -7, 2147483647, 1, 0, -1], dtype=torch.int32)
show("torch.div(n32, d.int())", torch.div(n32, d.int()))
