"""Prints the constants of LinalgEigValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg.eig and eigvals in
float64 of real matrices that are not symmetric, built from parity.py's pattern: one with real eigenvalues, one with
two complex pairs, a batch [2, 5, 5] with both, a 3 x 3 for eigvals and a 1 x 1. The order of the eigenvalues and the
phases of the eigenvectors are LAPACK's choice, so the eigenvalues are printed sorted by (real part rounded to 1e-6,
imaginary part), the eigenvectors as |V|^2 with their columns in that order, and the gradients are those of
sum(re^3 + im^2 / 2) + sum_ki u_k re_i |V_ki|^2 for u = pattern(10) over the rows, which neither changes (run with
/usr/bin/python3, which has torch 1.13). LAPACK's own order is printed too.
"""
import torch

from java_constants import emit, pat

torch.set_default_dtype(torch.float64)


def real_spectrum(seed, n):
    """Upper triangular plus a small full part: distinct real eigenvalues near 0, 1, ..., n - 1."""
    return pat(seed, n, n).triu() + 0.3 * pat(seed + 1, n, n) + torch.diag(torch.arange(n, dtype=torch.float64))


def rotations(seed, *dims):
    """2 x 2 rotation-like blocks on the diagonal (a 0.5 last where n is odd) plus 0.4 times the pattern."""
    n = dims[-1]
    d = torch.zeros(n, n)
    for k in range(0, n - 1, 2):
        d[k, k] = d[k + 1, k + 1] = k - 1.0
        d[k, k + 1] = 1.0 + k
        d[k + 1, k] = -1.5
    if n % 2:
        d[n - 1, n - 1] = 0.5
    return d + 0.4 * pat(seed, *dims)


def order(values):
    """The permutation that sorts each matrix's eigenvalues by (real part rounded to 1e-6, imaginary part)."""
    flat = values.reshape(-1, values.shape[-1])
    rows = [sorted(range(len(v)), key=lambda i: (round(float(v[i].real), 6), float(v[i].imag))) for v in flat]
    return torch.tensor(rows).reshape(values.shape)


def loss(values, vectors):
    re, im = values.real, values.imag
    u = pat(10, vectors.shape[-2]).unsqueeze(-1)
    return (re ** 3 + im ** 2 / 2).sum() + (u * re.unsqueeze(-2) * vectors.abs() ** 2).sum()


def eig_case(prefix, a):
    a = a.clone().requires_grad_(True)
    values, vectors = torch.linalg.eig(a)
    perm = order(values)
    sorted_values = values.gather(-1, perm)
    sorted_squares = (vectors.abs() ** 2).gather(-1, perm.unsqueeze(-2).expand(vectors.shape))
    emit(prefix + "_VALUES", torch.view_as_real(sorted_values))
    emit(prefix + "_VECTORS_SQUARED", sorted_squares)
    emit(prefix + "_LAPACK_ORDER_VALUES", torch.view_as_real(values))
    loss(values, vectors).backward()
    emit(prefix + "_GRAD_A", a.grad)


print("package dev.kiln.tests.ops;")
print()
print("/** torch.linalg.eig and eigvals, printed by models/src/test/pytorch/linalg_eig.py (torch %s). */"
      % torch.__version__.split("a")[0])
print("final class LinalgEigValues {")
print("    private LinalgEigValues() {")
print("    }")
print()
eig_case("EIG_REAL", real_spectrum(4, 4))
eig_case("EIG_COMPLEX", rotations(6, 4, 4))
eig_case("EIG_BATCH", rotations(7, 2, 5, 5))
eig_case("EIG_ONE", torch.tensor([[-1.25]]))
a = rotations(8, 3, 3).requires_grad_(True)
values = torch.linalg.eigvals(a)
emit("EIGVALS", torch.view_as_real(values.gather(-1, order(values))))
(values.real ** 3 + values.imag ** 2 / 2).sum().backward()
emit("EIGVALS_GRAD_A", a.grad)
print("}")
