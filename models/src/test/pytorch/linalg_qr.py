"""Prints the constants of LinalgQrValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg.qr in float64 on
batches built from parity.py's pattern, in each mode, with the gradients of (Q * w).sum() + (R * u).sum() for
w = pattern(9) and u = pattern(10) of Q's and R's shapes (run with /usr/bin/python3, which has torch 1.13).
"""
import torch

from parity import pattern

torch.set_default_dtype(torch.float64)


def pat(seed, *dims):
    n = 1
    for d in dims:
        n *= d
    return pattern(n, seed).reshape(*dims)


def emit(name, t):
    """A Java array constant of t's values, row-major, with its shape in a comment (linalg.py's layout)."""
    lines, line = [], ""
    for v in t.detach().reshape(-1):
        item = repr(float(v)) + ", "
        if len(line) + len(item) > 104:
            lines.append(line.rstrip())
            line = ""
        line += item
    lines.append(line.rstrip().rstrip(","))
    print("    /** %s */" % list(t.shape))
    print("    static final double[] %s = {\n            %s};" % (name, "\n            ".join(lines)))


def full_rank(seed, *dims):
    """The pattern plus 2 on the leading diagonal: the pattern alone has rank 2."""
    return pat(seed, *dims) + 2 * torch.eye(dims[-2], dims[-1])


def qr_case(prefix, a, mode, gradient=True):
    a = a.clone().requires_grad_(gradient)
    q, r = torch.linalg.qr(a, mode=mode)
    if mode != "r":
        emit(prefix + "_Q", q)
    emit(prefix + "_R", r)
    if gradient:
        ((q * pat(9, *q.shape)).sum() + (r * pat(10, *r.shape)).sum()).backward()
        emit(prefix + "_GRAD_A", a.grad)


print("package dev.kiln.tests.ops;")
print()
print("/** torch.linalg.qr's values and gradients, printed by models/src/test/pytorch/linalg_qr.py (torch %s). */"
      % torch.__version__.split("a")[0])
print("final class LinalgQrValues {")
print("    private LinalgQrValues() {")
print("    }")
print()
qr_case("TALL", full_rank(1, 2, 4, 3), "reduced")
qr_case("WIDE", full_rank(2, 2, 3, 5), "reduced")
qr_case("SQUARE_COMPLETE", full_rank(3, 1, 2, 3, 3), "complete")
qr_case("TALL_COMPLETE", full_rank(1, 2, 4, 3), "complete", gradient=False)
qr_case("WIDE_R", full_rank(2, 2, 3, 5), "r", gradient=False)
for name, fn in (("mode r", lambda: torch.linalg.qr(pat(1, 4, 3).requires_grad_(), mode="r")[1].sum().backward()),
                 ("complete tall", lambda: torch.linalg.qr(pat(1, 4, 3).requires_grad_(), mode="complete")[0]
                  .sum().backward()),
                 ("mode", lambda: torch.linalg.qr(pat(1, 4, 3), mode="full"))):
    try:
        fn()
    except RuntimeError as e:
        print("    // %s raises: %s" % (name, e))
print("}")
