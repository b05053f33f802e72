"""Prints the constants of LinalgPyTorchValues (tests/src/test/java/dev/kiln/tests/ops/): torch.linalg's cholesky,
solve_triangular, cholesky_solve, solve, inv, det and slogdet in float64 on batches of 3 x 3 matrices built from
parity.py's pattern, with the gradients of (y * w).sum() for w = pattern(9) of y's shape (run with /usr/bin/python3,
which has torch 1.13).
"""
import torch

from java_constants import emit, pat

torch.set_default_dtype(torch.float64)


def spd(seed, batch, n):
    """M M^T + n I: symmetric positive-definite."""
    m = pat(seed, batch, n, n)
    return m @ m.mT + n * torch.eye(n)


def general(seed, batch, n):
    """pattern + 2 I: well conditioned, with row swaps in its LU."""
    return pat(seed, batch, n, n) + 2 * torch.eye(n)


def lower(seed, batch, n):
    return torch.tril(pat(seed, batch, n, n)) + 2 * torch.eye(n)


def leaf(t):
    return t.clone().requires_grad_(True)


def backward(y):
    (y * pat(9, *y.shape)).sum().backward()


def case(prefix, fn, **inputs):
    leaves = {k: leaf(v) for k, v in inputs.items()}
    y = fn(**leaves)
    backward(y)
    emit(prefix, y)
    for k, v in leaves.items():
        emit("%s_GRAD_%s" % (prefix, k.upper()), v.grad)


print("package dev.kiln.tests.ops;")
print()
print("/** torch.linalg's values and gradients, printed by models/src/test/pytorch/linalg.py (torch %s). */"
      % torch.__version__.split("a")[0])
print("final class LinalgPyTorchValues {")
print("    private LinalgPyTorchValues() {")
print("    }")
print()
case("CHOLESKY", lambda a: torch.linalg.cholesky(a), a=spd(1, 2, 3))
case("CHOLESKY_UPPER", lambda a: torch.linalg.cholesky(a, upper=True), a=spd(1, 2, 3))
case("CHOLESKY_UPPER_TRIANGLE", lambda a: torch.linalg.cholesky(a, upper=True),
     a=spd(1, 2, 3) + torch.triu(pat(7, 2, 3, 3), 1))
case("SOLVE_LOWER", lambda a, b: torch.linalg.solve_triangular(a, b, upper=False), a=lower(2, 2, 3), b=pat(3, 3, 2))
case("SOLVE_UPPER_RIGHT", lambda a, b: torch.linalg.solve_triangular(a, b, upper=True, left=False),
     a=lower(2, 2, 3).mT.contiguous(), b=pat(3, 2, 4, 3))
case("SOLVE_UNIT_LOWER", lambda a, b: torch.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
     a=lower(2, 1, 3), b=pat(3, 2, 3, 2))
case("CHOLESKY_SOLVE", lambda b, l: torch.cholesky_solve(b, l), b=pat(3, 2, 3, 2),
     l=torch.linalg.cholesky(spd(1, 2, 3)))
case("CHOLESKY_SOLVE_UPPER", lambda b, l: torch.cholesky_solve(b, l, upper=True), b=pat(3, 2, 3, 2),
     l=torch.linalg.cholesky(spd(1, 2, 3), upper=True))
case("SOLVE", lambda a, b: torch.linalg.solve(a, b), a=general(4, 2, 3), b=pat(3, 2, 3, 2))
case("SOLVE_VECTOR", lambda a, b: torch.linalg.solve(a, b), a=general(4, 2, 3), b=pat(3, 2, 3))
case("SOLVE_RIGHT_BROADCAST", lambda a, b: torch.linalg.solve(a, b, left=False), a=general(4, 1, 3),
     b=pat(3, 2, 4, 3))
case("INV", lambda a: torch.linalg.inv(a), a=general(4, 2, 3))
case("DET", lambda a: torch.linalg.det(a), a=general(4, 2, 3))
case("SLOGDET_LOGABSDET", lambda a: torch.linalg.slogdet(a)[1], a=general(5, 2, 3) - 3 * torch.eye(3))
emit("SLOGDET_SIGN", torch.linalg.slogdet(general(5, 2, 3) - 3 * torch.eye(3))[0])
singular = torch.tensor([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])
emit("SINGULAR_DET", torch.linalg.det(singular))
emit("SINGULAR_SLOGDET_SIGN", torch.linalg.slogdet(singular)[0])
emit("SINGULAR_SLOGDET_LOGABSDET", torch.linalg.slogdet(singular)[1])
for name, fn in (("solve", lambda: torch.linalg.solve(torch.stack([torch.eye(3), singular]), torch.ones(2, 3, 1))),
                 ("inv", lambda: torch.linalg.inv(singular)),
                 ("cholesky", lambda: torch.linalg.cholesky(torch.stack([spd(1, 1, 3)[0], -torch.eye(3)])))):
    try:
        fn()
    except RuntimeError as e:
        print("    // %s raises: %s" % (name, e))
print("}")
