"""Prints the constants of LinalgQrValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg.qr in float64 on
batches built from parity.py's pattern, in each mode, with the gradients of (Q * w).sum() + (R * u).sum() for
w = pattern(9) and u = pattern(10) of Q's and R's shapes (run with /usr/bin/python3, which has torch 1.13).
"""
import torch

from java_constants import emit, full_rank, pat

torch.set_default_dtype(torch.float64)


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
