"""Prints the data of CumulativePyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from
the line "Printed by": PyTorch's values, indices and gradients of cummax, cummin and logcumsumexp along rows and
columns of tensors holding ties, NaN, infinities and values whose exponentials overflow, in F64 and F32 (the gradient
of (y * w).sum(), w = 1 + 0.5 (k mod 4), as pointwise_math.py). Run with /usr/bin/python3 (torch 1.13)."""
import torch

from pointwise_math import NAN, INF, print_cases

TIES = [1.0, 3.0, 3.0, 2.0, 5.0, -1.0,
        2.0, NAN, 1.0, NAN, 7.0, 0.0,
        -INF, -INF, 0.0, INF, INF, 1.0,
        0.5, 0.5, 0.5, -2.0, 0.5, 4.0]
LOGS = [1.0, 2.0, 3.0, 1000.0, 1000.0, -1000.0,
        -INF, -INF, 0.0, -INF, 5.0, 0.25,
        0.5, -0.25, -3.0, 2.5, 0.0, 1.5]

CASES = []
for axis in (1, 0):
    for name in ("cummax", "cummin"):
        CASES.append(("%s axis %d" % (name, axis), "in -> in[0].%s(%d).values()" % (name, axis),
                      lambda x, n=name, a=axis: getattr(torch, n)(x, a).values, [(TIES, [4, 6])], True))
        CASES.append(("%s indices axis %d" % (name, axis), "in -> in[0].%s(%d).indices()" % (name, axis),
                      lambda x, n=name, a=axis: getattr(torch, n)(x, a).indices.double(), [(TIES, [4, 6])], False))
    CASES.append(("logcumsumexp axis %d" % axis, "in -> in[0].logcumsumexp(%d)" % axis,
                  lambda x, a=axis: torch.logcumsumexp(x, a), [(LOGS, [3, 6])], True))

if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/cumulative.py (PyTorch %s).\n" % torch.__version__)
    print_cases(CASES)
