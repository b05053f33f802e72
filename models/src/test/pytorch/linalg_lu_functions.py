"""Prints the constants of LinalgLuValues ("lu") or LinalgFunctionsValues ("functions") (tests/src/test/java/dev/kiln/
tests/ops/): torch.linalg.lu_factor, lu and lu_solve, or matrix_power, matrix_exp, multi_dot, vector_norm, norm,
vecdot, matrix_rank, cond, cholesky_inverse and householder_product, in float64 on batches built from parity.py's
pattern as linalg.py builds them, with the gradients of (y * w).sum() for w = pattern(9) of y's shape (run with
/usr/bin/python3, which has torch 1.13, and redirect the output into the class's file).
"""
import sys

import torch

from java_constants import emit, full_rank, pat

torch.set_default_dtype(torch.float64)


def spd(seed, batch, n):
    m = pat(seed, batch, n, n)
    return m @ m.mT + n * torch.eye(n)


def general(seed, batch, n):
    return pat(seed, batch, n, n) + 2 * torch.eye(n)


def swapped(seed, batch, n):
    """pattern + 2 on a cyclic shift of the diagonal: well conditioned, its LU permutes the rows in a cycle."""
    return pat(seed, batch, n, n) + 2 * torch.eye(n).roll(1, -1)


def shifted(seed, batch, m, n):
    """pattern + 2 on the rectangular diagonal shifted down a row (cyclically): its LU pivots the rows."""
    return pat(seed, batch, m, n) + 2 * torch.eye(m, n).roll(1, -2)


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
    print("/**\n * %s,\n * printed by models/src/test/pytorch/linalg_lu_functions.py (torch %s).\n */"
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
    for prefix, m, n in (("TALL", 5, 3), ("WIDE", 3, 5)):
        case(prefix + "_LU_FACTOR", lambda a: torch.linalg.lu_factor(a)[0], a=shifted(11, 2, m, n))
        emit(prefix + "_LU_FACTOR_PIVOTS", torch.linalg.lu_factor(shifted(11, 2, m, n))[1])
        a = shifted(12, 2, m, n).requires_grad_(True)
        p, l, u = torch.linalg.lu(a)
        ((l * pat(9, *l.shape)).sum() + (u * pat(10, *u.shape)).sum()).backward()
        emit(prefix + "_LU_P", p)
        emit(prefix + "_LU_L", l)
        emit(prefix + "_LU_U", u)
        emit(prefix + "_LU_GRAD_A", a.grad)
    print("}")


def functions_values():
    header("LinalgFunctionsValues", "torch.linalg.matrix_power, matrix_exp, multi_dot, vector_norm, norm, vecdot, "
           "matrix_rank, cond,\n * cholesky_inverse and householder_product")
    case("MATRIX_POWER_3", lambda a: torch.linalg.matrix_power(a, 3), a=general(4, 2, 3))
    case("MATRIX_POWER_MINUS_2", lambda a: torch.linalg.matrix_power(a, -2), a=general(4, 2, 3))
    # Matrix 0 has 1-norm above theta13 (scaled by 2^-2 and squared twice), matrix 1 is below it.
    scaled = pat(1, 2, 4, 4) * torch.tensor([12.0, 1.0]).reshape(2, 1, 1)
    case("MATRIX_EXP", lambda a: torch.linalg.matrix_exp(a), a=scaled)
    case("MULTI_DOT", lambda a, b, c, d: torch.linalg.multi_dot([a, b, c, d]), a=pat(1, 2, 3), b=pat(2, 3, 6),
         c=pat(3, 6, 1), d=pat(4, 1, 4))
    case("MULTI_DOT_VECTORS", lambda v, a, w: torch.linalg.multi_dot([v, a, w]), v=pat(1, 3), a=pat(2, 3, 4),
         w=pat(3, 4))
    x = pat(5, 2, 3, 4)
    for name, ord, dim, keepdim in (("TWO_OVER_1_2_KEEPDIM", 2, (1, 2), True), ("ONE_OVER_0", 1, 0, False),
                                    ("INF_OVER_LAST", float("inf"), -1, False),
                                    ("MINUS_INF_OVER_LAST", float("-inf"), -1, True), ("HALF_ALL", 0.5, None, False),
                                    ("MINUS_ONE_AND_A_HALF_OVER_1", -1.5, 1, False), ("THREE_ALL", 3, None, False)):
        case("VECTOR_NORM_" + name, lambda x: torch.linalg.vector_norm(x, ord, dim, keepdim), x=x)
    emit("VECTOR_NORM_ZERO_OVER_LAST", torch.linalg.vector_norm(torch.tensor([[0.0, 1, -2], [0, 0, 3]]), 0, -1))
    case("VECTOR_NORM_MINUS_ONE_WITH_ZERO", lambda x: torch.linalg.vector_norm(x, -1, -1),
         x=torch.tensor([[0.0, 1, -2], [0.5, 1, 3]]))
    case("NORM_ONE_OVER_2_0", lambda x: torch.linalg.norm(x, 1, (2, 0)), x=x)
    case("NORM_FRO_OVER_0_2_KEEPDIM", lambda x: torch.linalg.norm(x, "fro", (0, 2), True), x=x)
    case("NORM_NUC", lambda x: torch.linalg.norm(x, "nuc"), x=full_rank(6, 3, 4))
    case("NORM_MINUS_TWO", lambda x: torch.linalg.norm(x, -2), x=full_rank(6, 3, 4))
    case("NORM_VECTOR_INF", lambda x: torch.linalg.norm(x, float("inf")), x=pat(7, 5))
    case("NORM_ALL", lambda x: torch.linalg.norm(x), x=x)
    case("VECDOT", lambda x, y: torch.linalg.vecdot(x, y), x=x, y=pat(8, 3, 4))
    case("VECDOT_OVER_1", lambda x, y: torch.linalg.vecdot(x, y, dim=1), x=x, y=pat(8, 3, 1))
    deficient = torch.stack([pat(6, 3, 3), full_rank(6, 3, 3)])
    emit("MATRIX_RANK", torch.linalg.matrix_rank(deficient))
    emit("MATRIX_RANK_HERMITIAN", torch.linalg.matrix_rank(deficient @ deficient.mT, hermitian=True))
    # Singular values 2.567, 2.421 and 1.539: tolerances 0.7 S_max and 2.5.
    emit("MATRIX_RANK_RTOL", torch.linalg.matrix_rank(full_rank(6, 3, 3), atol=1.0, rtol=0.7))
    emit("MATRIX_RANK_ATOL", torch.linalg.matrix_rank(full_rank(6, 3, 3), atol=2.5, rtol=0.1))
    for name, p in (("TWO", None), ("MINUS_TWO", -2), ("ONE", 1), ("MINUS_ONE", -1), ("INF", float("inf")),
                    ("MINUS_INF", float("-inf")), ("FRO", "fro"), ("NUC", "nuc")):
        if p in (None, -2):
            case("COND_" + name, lambda a: torch.linalg.cond(a, p), a=general(4, 2, 3))
        else:
            # PyTorch 1.13 cannot differentiate these (its inv_ex result is modified in place).
            emit("COND_" + name, torch.linalg.cond(general(4, 2, 3), p))
    case("COND_TWO_WIDE", lambda a: torch.linalg.cond(a), a=full_rank(2, 2, 3, 5))
    emit("COND_ONE_SINGULAR", torch.linalg.cond(torch.tensor([[1.0, 2], [2, 4]]), 1))
    case("CHOLESKY_INVERSE", lambda l: torch.cholesky_inverse(l), l=torch.linalg.cholesky(spd(1, 2, 3)))
    case("CHOLESKY_INVERSE_UPPER", lambda u: torch.cholesky_inverse(u, upper=True),
         u=torch.linalg.cholesky(spd(1, 2, 3), upper=True))
    case("HOUSEHOLDER_PRODUCT", lambda a, tau: torch.linalg.householder_product(a, tau), a=pat(2, 2, 5, 3),
         tau=pat(3, 2, 2))
    a, tau = torch.geqrf(full_rank(2, 4, 3))
    emit("GEQRF_A", a)
    emit("GEQRF_TAU", tau)
    emit("HOUSEHOLDER_PRODUCT_OF_GEQRF", torch.linalg.householder_product(a, tau))
    print("}")


if __name__ == "__main__":
    {"lu": lu_values, "functions": functions_values}[sys.argv[1]]()
