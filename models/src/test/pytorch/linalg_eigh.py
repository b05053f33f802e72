"""Prints the constants of LinalgEighValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg.eigh and eigvalsh
in float64 on symmetric batches built from parity.py's pattern, P + P^T + diag(0, 1, ..., n - 1), whose eigenvalues are
distinct. The eigenvectors' signs are LAPACK's choice, so they are printed as V * V, and the gradients are those of
(L * w).sum() + (V * V * u).sum() for w = pattern(9) and u = pattern(10), which no sign changes (run with
/usr/bin/python3, which has torch 1.13).
"""
import torch

from java_constants import emit, pat

torch.set_default_dtype(torch.float64)


def symmetric(seed, *dims):
    p = pat(seed, *dims)
    return p + p.mT + torch.diag(torch.arange(dims[-1], dtype=torch.float64))


def eigh_case(prefix, a, uplo):
    a = a.clone().requires_grad_(True)
    values, vectors = torch.linalg.eigh(a, UPLO=uplo)
    emit(prefix + "_VALUES", values)
    emit(prefix + "_VECTORS_SQUARED", vectors * vectors)
    ((values * pat(9, *values.shape)).sum() + (vectors * vectors * pat(10, *vectors.shape)).sum()).backward()
    emit(prefix + "_GRAD_A", a.grad)


print("package dev.kiln.tests.ops;")
print()
print("/** torch.linalg.eigh and eigvalsh, printed by models/src/test/pytorch/linalg_eigh.py (torch %s). */"
      % torch.__version__.split("a")[0])
print("final class LinalgEighValues {")
print("    private LinalgEighValues() {")
print("    }")
print()
eigh_case("EIGH", symmetric(1, 2, 4, 4), "L")
# Not symmetric: the upper triangle alone is read.
eigh_case("EIGH_UPPER", pat(2, 2, 1, 3, 3) + torch.diag(torch.tensor([0.0, 1.0, 2.0])), "U")
a = symmetric(3, 3, 3).requires_grad_(True)
values = torch.linalg.eigvalsh(a)
(values * pat(9, *values.shape)).sum().backward()
emit("EIGVALSH", values)
emit("EIGVALSH_GRAD_A", a.grad)
print("}")
