"""Prints the constants of LinalgLuValues ("lu") or LinalgFunctionsValues ("functions") (tests/src/test/java/dev/kiln/
tests/ops/): torch.linalg.lu_factor, lu and lu_solve, or matrix_power, matrix_exp, multi_dot, vector_norm, norm,
vecdot, matrix_rank, cond, cholesky_inverse and householder_product, in float64 on batches built from parity.py's
pattern as linalg.py builds them, with the gradients of (y * w).sum() for w = pattern(9) of y's shape (run with
/usr/bin/python3, which has torch 1.13, and redirect the output into the class's file).
"""
import sys

import torch

from parity import pattern

torch.set_default_dtype(torch.float64)


def pat(seed, *dims):
    n = 1
    for d in dims:
        n *= d
    return pattern(n, seed).reshape(*dims)


def spd(seed, batch, n):
    m = pat(seed, batch, n, n)
    return m @ m.mT + n * torch.eye(n)


def general(seed, batch, n):
    return pat(seed, batch, n, n) + 2 * torch.eye(n)


def swapped(seed, batch, n):
    """pattern + 2 on a cyclic shift of the diagonal: well conditioned, its LU permutes the rows in a cycle."""
    return pat(seed, batch, n, n) + 2 * torch.eye(n).roll(1, -1)


def full_rank(seed, *dims):
    return pat(seed, *dims) + 2 * torch.eye(dims[-2], dims[-1])


def literal(v):
    if v != v:
        return "Double.NaN"
    if v in (float("inf"), float("-inf")):
        return ("" if v > 0 else "-") + "Double.POSITIVE_INFINITY"
    return repr(v)


def emit(name, t):
    lines, line = [], ""
    for v in t.detach().reshape(-1):
        item = literal(float(v)) + ", "
        if len(line) + len(item) > 104:
            lines.append(line.rstrip())
            line = ""
        line += item
    lines.append(line.rstrip().rstrip(","))
    print("    /** %s */" % list(t.shape))
    print("    static final double[] %s = {\n            %s};" % (name, "\n            ".join(lines)))


def case(prefix, fn, **inputs):
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**leaves)
    (y * pat(9, *y.shape)).sum().backward()
    emit(prefix, y)
    for k, v in leaves.items():
        emit("%s_GRAD_%s" % (prefix, k.upper()), v.grad)


def header(name, what):
    print("package dev.kiln.tests.ops;")
    print()
    print("/** %s, printed by models/src/test/pytorch/linalg_lu_functions.py (torch %s). */"
          % (what, torch.__version__.split("a")[0]))
    print("final class %s {" % name)
    print("    private %s() {" % name)
    print("    }")
    print()


def lu_values():
    header("LinalgLuValues", "torch.linalg.lu_factor, lu and lu_solve")
    case("LU_FACTOR", lambda a: torch.linalg.lu_factor(a)[0], a=swapped(4, 2, 3))
    emit("LU_FACTOR_PIVOTS", torch.linalg.lu_factor(swapped(4, 2, 3))[1])
    a = swapped(5, 2, 4).requires_grad_(True)
    p, l, u = torch.linalg.lu(a)
    ((l * pat(9, *l.shape)).sum() + (u * pat(10, *u.shape)).sum()).backward()
    emit("LU_P", p)
    emit("LU_L", l)
    emit("LU_U", u)
    emit("LU_GRAD_A", a.grad)
    p, l, u = torch.linalg.lu(torch.tensor([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]]))
    emit("SINGULAR_LU_P", p)
    emit("SINGULAR_LU_L", l)
    emit("SINGULAR_LU_U", u)
    for prefix, left, adjoint, a, b in (("LU_SOLVE", True, False, swapped(4, 2, 3), pat(3, 3, 2)),
                                        ("LU_SOLVE_ADJOINT", True, True, swapped(4, 2, 3), pat(3, 2, 3, 2)),
                                        ("LU_SOLVE_RIGHT", False, False, swapped(4, 1, 3), pat(3, 2, 4, 3)),
                                        ("LU_SOLVE_RIGHT_ADJOINT", False, True, swapped(6, 2, 3), pat(3, 2, 4, 3))):
        case(prefix, lambda a, b: torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b, left=left, adjoint=adjoint),
             a=a, b=b)
    print("}")


if __name__ == "__main__":
    {"lu": lu_values}[sys.argv[1]]()
