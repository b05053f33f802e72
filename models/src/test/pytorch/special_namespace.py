"""Prints the data of SpecialNamespacePyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file
from the line "Printed by": PyTorch's values and gradients of torch.special's i0, i0e, i1, i1e, ndtr, log_ndtr, ndtri,
erfcx, xlog1py, entr, multigammaln, gammainc and gammaincc (their gradient in x; PyTorch has none in a) in F64 and F32, at ordinary points, both sides of the Chebyshev expansions' break
at 8, the far tails, +-0, +-infinity and NaN (the gradient of (y * w).sum(), w = 1 + 0.5 (k mod 4), as
pointwise_math.py). Cases named "... values" have points where PyTorch's gradient is not worth matching (it cancels
to nothing or is infinite times 0) and print values only. Then mpmath's gammainc and gammaincc at large a, where
PyTorch's lose digits. Run with /usr/bin/python3 (torch 1.13, mpmath)."""
import mpmath
import torch

from pointwise_math import NAN, INF, array, print_cases

BESSEL_X = [0.0, 0.5, -1.25, 3.0, 7.999, 8.0, 8.5, -12.0, 30.0, 100.0, -250.0, 700.0, 1e-5, -0.0]
BESSEL_EDGES = [INF, -INF, NAN, 720.0, -1e300]
NDTR_X = [-3.0, -1.0, -0.5, 0.0, -0.0, 0.3, 1.0, 3.0, 8.0, 40.0, INF, -INF, NAN]
LOG_NDTR_X = [-20.0, -5.0, -1.5, -1.0, -0.999, -0.5, 0.0, 0.5, 3.0, 10.0, 40.0]
# PyTorch's gradients from -40 on are off (mpmath's npdf / ncdf is Kiln's): 1.3e-13 relative at -40, 1e-9 at -300,
# 1e5 + 0.074 for 1e5 + 1e-5 at -1e5.
LOG_NDTR_EDGES = [INF, -INF, NAN, -1e200, -1e5, -300.0, -40.0]
# PyTorch 1.13's ndtr is (1 + erf(x / sqrt 2)) / 2, which rounds the left tail away (0 at -20, 4% off at -5 in F32):
# Kiln's is held there to torch's erfc(-x / sqrt 2) / 2.
NDTR_TAIL_X = [-40.0, -38.5, -20.0, -5.0, -10.0, -3.5]
NDTRI_P = [0.5, 0.25, 0.975, 0.1, 0.02425, 1e-5, 1e-20, 1e-300, 0.9999999, 0.75, 0.6, 1e-8, 2e-8]
NDTRI_EDGES = [0.0, 1.0, -0.5, 1.5, NAN, 5e-324]
ERFCX_X = [-26.0, -10.0, -1.0, -0.0, 0.0, 0.5, 1.0, 2.75, 5.0, 10.0, 25.9, 26.1, 30.0]
ERFCX_EDGES = [-30.0, 50.0, 1e3, 1e10, 1e200, INF, -INF, NAN]
XLOG1PY_X = [0.0, 0.0, 0.0, 1.5, -2.0, 0.5, 1.0, 0.0, 3.0, NAN, 2.0, 1e-3]
XLOG1PY_Y = [-1.0, 1.0, NAN, 2.0, 0.5, -1.0, -2.0, INF, INF, 1.0, 1e-10, -0.5]
ENTR_X = [0.0, 0.5, 1.0, 2.0, 1e-300, 1e10, 0.125, -1.0, INF, -INF, NAN, -0.0]
# Not a small a with x near it: Kiln's Q is 1 - P there, 8e-13 relative off at Q(0.001, 0.001) = 0.0063.
GAMMA_A = [0.5, 1.0, 2.0, 5.0, 0.75, 2.5, 7.0, 0.25, 3.0, 12.0]
GAMMA_X = [0.5, 1.0, 3.0, 4.0, 0.05, 0.01, 20.0, 40.0, 3.9, 11.0]
# Large a against mpmath, where PyTorch's is off (1.2e-9 relative at P(30, 25), 3e-11 at P(100, 120)).
MPMATH_GAMMA_A = [30.0, 100.0, 1000.0, 50.0, 500.0, 20.0]
MPMATH_GAMMA_X = [25.0, 120.0, 1000.0, 49.0, 560.0, 45.0]
GAMMA_EDGE_A = [0.0, 0.0, -1.0, 1.0, 2.0, INF, 3.0, NAN, 2.0]
GAMMA_EDGE_X = [1.0, 0.0, 1.0, -1.0, 0.0, 2.0, INF, 1.0, NAN]
MULTIGAMMALN_X = [1.5, 2.0, 3.25, 10.0, 100.5, 1e5, 1.0000001, INF]

CASES = [
    ("i0", "in -> Special.i0(in[0])", torch.i0, [(BESSEL_X, [len(BESSEL_X)])], True),
    ("i0e", "in -> Special.i0e(in[0])", torch.special.i0e, [(BESSEL_X, [len(BESSEL_X)])], True),
    ("i1", "in -> Special.i1(in[0])", torch.special.i1, [(BESSEL_X, [len(BESSEL_X)])], True),
    ("i1e", "in -> Special.i1e(in[0])", torch.special.i1e, [(BESSEL_X, [len(BESSEL_X)])], True),
    ("i0 values", "in -> Special.i0(in[0])", torch.i0, [(BESSEL_EDGES, [len(BESSEL_EDGES)])], False),
    ("i0e values", "in -> Special.i0e(in[0])", torch.special.i0e, [(BESSEL_EDGES, [len(BESSEL_EDGES)])], False),
    ("i1 values", "in -> Special.i1(in[0])", torch.special.i1, [(BESSEL_EDGES, [len(BESSEL_EDGES)])], False),
    ("i1e values", "in -> Special.i1e(in[0])", torch.special.i1e, [(BESSEL_EDGES, [len(BESSEL_EDGES)])], False),
    ("ndtr", "in -> Special.ndtr(in[0])", torch.special.ndtr, [(NDTR_X, [len(NDTR_X)])], True),
    ("ndtr left tail", "in -> Special.ndtr(in[0])", lambda x: torch.special.erfc(-x / 2 ** 0.5) / 2,
     [(NDTR_TAIL_X, [len(NDTR_TAIL_X)])], True),
    ("logNdtr", "in -> Special.logNdtr(in[0])", torch.special.log_ndtr, [(LOG_NDTR_X, [len(LOG_NDTR_X)])], True),
    ("logNdtr values", "in -> Special.logNdtr(in[0])", torch.special.log_ndtr,
     [(LOG_NDTR_EDGES, [len(LOG_NDTR_EDGES)])], False),
    ("ndtri", "in -> Special.ndtri(in[0])", torch.special.ndtri, [(NDTRI_P, [len(NDTRI_P)])], True),
    ("ndtri values", "in -> Special.ndtri(in[0])", torch.special.ndtri, [(NDTRI_EDGES, [len(NDTRI_EDGES)])], False),
    ("erfcx", "in -> Special.erfcx(in[0])", torch.special.erfcx, [(ERFCX_X, [len(ERFCX_X)])], True),
    ("erfcx values", "in -> Special.erfcx(in[0])", torch.special.erfcx, [(ERFCX_EDGES, [len(ERFCX_EDGES)])], False),
    ("xlog1py", "in -> Special.xlog1py(in[0], in[1])", torch.special.xlog1py,
     [(XLOG1PY_X, [len(XLOG1PY_X)]), (XLOG1PY_Y, [len(XLOG1PY_Y)])], True),
    ("xlog1py broadcast", "in -> Special.xlog1py(in[0], in[1])", torch.special.xlog1py,
     [([0.5, -1.25, 2.0, 0.0, 3.5, 1.0], [2, 3]), ([0.25, -0.75, 4.0], [3])], True),
    ("entr", "in -> Special.entr(in[0])", torch.special.entr, [(ENTR_X, [len(ENTR_X)])], True),
    ("gammainc", "in -> Special.gammainc(Tensor.fromArray(GAMMA_A, GAMMA_A.length).to(in[0].dtype()), in[0])",
     lambda x: torch.special.gammainc(torch.tensor(GAMMA_A, dtype=x.dtype), x), [(GAMMA_X, [len(GAMMA_X)])], True),
    ("gammaincc", "in -> Special.gammaincc(Tensor.fromArray(GAMMA_A, GAMMA_A.length).to(in[0].dtype()), in[0])",
     lambda x: torch.special.gammaincc(torch.tensor(GAMMA_A, dtype=x.dtype), x), [(GAMMA_X, [len(GAMMA_X)])], True),
    ("gammainc values", "in -> Special.gammainc(in[0], in[1])", torch.special.gammainc,
     [(GAMMA_EDGE_A, [len(GAMMA_EDGE_A)]), (GAMMA_EDGE_X, [len(GAMMA_EDGE_X)])], False),
    ("gammaincc values", "in -> Special.gammaincc(in[0], in[1])", torch.special.gammaincc,
     [(GAMMA_EDGE_A, [len(GAMMA_EDGE_A)]), (GAMMA_EDGE_X, [len(GAMMA_EDGE_X)])], False),
    ("multigammaln 1", "in -> Special.multigammaln(in[0], 1)", lambda x: torch.special.multigammaln(x, 1),
     [(MULTIGAMMALN_X, [len(MULTIGAMMALN_X)])], True),
    ("multigammaln 3", "in -> Special.multigammaln(in[0], 3)", lambda x: torch.special.multigammaln(x, 3),
     [(MULTIGAMMALN_X[2:], [len(MULTIGAMMALN_X) - 2])], True),
]

if __name__ == "__main__":
    mpmath.mp.dps = 40
    print("    // Printed by models/src/test/pytorch/special_namespace.py (PyTorch %s, mpmath %s).\n"
          % (torch.__version__, mpmath.__version__))
    print("    private static final double[] GAMMA_A = %s;" % array(GAMMA_A))
    print("    private static final double[] MPMATH_GAMMA_A = %s;" % array(MPMATH_GAMMA_A))
    print("    private static final double[] MPMATH_GAMMA_X = %s;" % array(MPMATH_GAMMA_X))
    print("    private static final double[] MPMATH_GAMMAINC = %s;" % array(
        [float(mpmath.gammainc(a, 0, x, regularized=True)) for a, x in zip(MPMATH_GAMMA_A, MPMATH_GAMMA_X)]))
    print("    private static final double[] MPMATH_GAMMAINCC = %s;\n" % array(
        [float(mpmath.gammainc(a, x, mpmath.inf, regularized=True)) for a, x in zip(MPMATH_GAMMA_A, MPMATH_GAMMA_X)]))
    print_cases(CASES)
