"""Prints the constants of LinalgPinvHermitianValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg.pinv with
hermitian=True in float64 of symmetric batches (parity.py's pattern plus its transpose plus 2 I, indefinite: eigenvalues
of both signs) with the gradient of (P * pattern(9)).sum(); of a symmetric matrix of rank 2 (M M^T with M 3 x 2), its
smallest eigenvalue rounding, below the default tolerance; of the same with atol=0.5; and linalg.matrix_norm over
dim=(0, 2) of a [3, 2, 4] tensor (the pattern plus 2 at [i, :, i]) with keepdim True, ords "fro", "nuc", 2 and -inf,
with their gradients (run with /usr/bin/python3, which has torch 1.13).
"""
import torch

from java_constants import emit, pat

torch.set_default_dtype(torch.float64)


print("package dev.kiln.tests.ops;")
print()
print("/**\n * torch.linalg.pinv(hermitian=True) and matrix_norm over dims, printed by\n"
      " * models/src/test/pytorch/linalg_pinv_hermitian.py (torch %s).\n */" % torch.__version__.split("a")[0])
print("final class LinalgPinvHermitianValues {")
print("    private LinalgPinvHermitianValues() {")
print("    }")
print()
a = pat(5, 2, 3, 3)
a = (a + a.transpose(-2, -1) + 2 * torch.eye(3) * torch.tensor([1.0, -1.0]).reshape(2, 1, 1)).requires_grad_(True)
p = torch.linalg.pinv(a, hermitian=True)
emit("PINV_HERMITIAN", p)
(p * pat(9, 2, 3, 3)).sum().backward()
emit("PINV_HERMITIAN_GRAD_A", a.grad)
m = pat(6, 3, 2)
emit("PINV_HERMITIAN_RANK_DEFICIENT", torch.linalg.pinv(m @ m.T, hermitian=True))
emit("PINV_HERMITIAN_ATOL", torch.linalg.pinv(a.detach()[0], atol=0.5, hermitian=True))
for ord, key in (("fro", "FRO"), ("nuc", "NUC"), (2, "TWO"), (float("-inf"), "MINUS_INF")):
    c = pat(7, 3, 2, 4)
    for i in range(3):
        c[i, :, i] += 2  # the pattern's matrices have rank 2: the nuclear norm's gradient would be the solver's choice
    c.requires_grad_(True)
    norm = torch.linalg.matrix_norm(c, ord=ord, dim=(0, 2), keepdim=True)
    emit("NORM_DIMS_" + key, norm)
    (norm * pat(9, *norm.shape)).sum().backward()
    emit("NORM_DIMS_" + key + "_GRAD_A", c.grad)
print("}")
