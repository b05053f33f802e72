"""Prints the constants of LinalgSvdValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg.svd, svdvals, pinv,
matrix_norm (every ord) and lstsq's solution in float64 on batches built from parity.py's pattern plus 2 on the leading
diagonal (distinct non-zero singular values). The signs of each pair of singular vectors are the solver's choice, so U
and Vh are printed as U * U and Vh * Vh (their first k columns and rows), and the gradients are those of
(S * w).sum() + (U * U * u).sum() + (Vh * Vh * z).sum() for w, u, z = pattern(9), pattern(10), pattern(11), which no
such sign changes (run with /usr/bin/python3, which has torch 1.13).
"""
import torch

from java_constants import emit, full_rank, pat

torch.set_default_dtype(torch.float64)


def svd_case(prefix, a, full_matrices):
    a = a.clone().requires_grad_(True)
    u, s, vh = torch.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    emit(prefix + "_S", s)
    emit(prefix + "_U_SQUARED", u * u)
    emit(prefix + "_VH_SQUARED", vh * vh)
    ((s * pat(9, *s.shape)).sum() + (u * u * pat(10, *u.shape)).sum()
     + (vh * vh * pat(11, *vh.shape)).sum()).backward()
    emit(prefix + "_GRAD_A", a.grad)


print("package dev.kiln.tests.ops;")
print()
print("/** torch.linalg.svd, svdvals, pinv, matrix_norm, printed by models/src/test/pytorch/linalg_svd.py (torch %s). */"
      % torch.__version__.split("a")[0])
print("final class LinalgSvdValues {")
print("    private LinalgSvdValues() {")
print("    }")
print()
svd_case("TALL", full_rank(1, 2, 4, 3), False)
svd_case("WIDE_FULL", full_rank(2, 2, 1, 3, 5), True)
svd_case("SQUARE", full_rank(3, 2, 3, 3), False)
a = full_rank(4, 3, 4).requires_grad_(True)
s = torch.linalg.svdvals(a)
(s * pat(9, *s.shape)).sum().backward()
emit("SVDVALS", s)
emit("SVDVALS_GRAD_A", a.grad)
eye = torch.eye(3).requires_grad_(True)
torch.linalg.svdvals(eye).sum().backward()
emit("SVDVALS_REPEATED_GRAD_A", eye.grad)
b = full_rank(5, 2, 3, 4).requires_grad_(True)
p = torch.linalg.pinv(b)
(p * pat(9, *p.shape)).sum().backward()
emit("PINV", p)
emit("PINV_GRAD_A", b.grad)
# Rank 2 of 3: the smallest singular value is rounding, below pinv's default tolerance.
emit("PINV_RANK_DEFICIENT", torch.linalg.pinv(pat(6, 3, 3)))
for name, ord in (("FRO", "fro"), ("NUC", "nuc"), ("TWO", 2), ("MINUS_TWO", -2), ("ONE", 1), ("MINUS_ONE", -1),
                  ("INF", float("inf")), ("MINUS_INF", float("-inf"))):
    c = full_rank(7, 2, 3, 4).requires_grad_(True)
    norm = torch.linalg.matrix_norm(c, ord=ord)
    (norm * pat(9, *norm.shape)).sum().backward()
    emit("NORM_" + name, norm)
    emit("NORM_" + name + "_GRAD_A", c.grad)
a = full_rank(8, 2, 5, 3).requires_grad_(True)
b = pat(3, 1, 5, 2).requires_grad_(True)
x = torch.linalg.lstsq(a, b).solution
(x * pat(9, *x.shape)).sum().backward()
emit("LSTSQ", x)
emit("LSTSQ_GRAD_A", a.grad)
emit("LSTSQ_GRAD_B", b.grad)
print("}")
