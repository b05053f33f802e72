"""Prints the data of SpecialFunctionsPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file
from the line "Printed by": PyTorch's values and gradients of lgamma, digamma, polygamma(1), polygamma(2) and erfinv in
F64 and F32, at ordinary points, negative non-integers, the poles, +-0, +-infinity and NaN (the gradient of
(y * w).sum(), w = 1 + 0.5 (k mod 4), as pointwise_math.py), then mpmath's trigamma and tetragamma at points of both
signs, against which Kiln's polygamma is held where PyTorch's own trigamma is off by up to 1e-9 relative.
Run with /usr/bin/python3 (torch 1.13, mpmath)."""
import mpmath
import torch

from pointwise_math import NAN, INF, array, print_cases

GAMMA_X = [0.5, 1.0, 2.0, 3.5, 0.0009765625, 100.5, 1e10, -0.5, -1.5, -2.25, -7.75, 0.0, -0.0, -1.0, -3.0, INF, -INF,
           NAN]
# Without the negative integers, where PyTorch's trigamma (digamma's gradient) divides by sin(pi x) rounded away from 0.
DIGAMMA_X = [x for x in GAMMA_X if x not in (-1.0, -3.0)]
POLYGAMMA_X = [0.5, 1.0, 2.0, 3.5, 0.0009765625, 100.5, 0.0625, 30.0, 7.25, -0.5, -2.25, -7.75]
ERFINV_X = [0.0, 0.5, -0.25, 0.75, 0.9375, -0.99, 0.999, 1.0, -1.0, 1.5, NAN, 0.0001, -0.9999, -0.0]

CASES = [
    ("lgamma", "in -> in[0].lgamma()", torch.lgamma, [(GAMMA_X, [len(GAMMA_X)])], True),
    ("digamma", "in -> in[0].digamma()", torch.digamma, [(DIGAMMA_X, [len(DIGAMMA_X)])], True),
    ("polygamma 1", "in -> in[0].polygamma(1)", lambda x: torch.polygamma(1, x),
     [(POLYGAMMA_X, [len(POLYGAMMA_X)])], True),
    ("polygamma 2", "in -> in[0].polygamma(2)", lambda x: torch.polygamma(2, x),
     [(POLYGAMMA_X, [len(POLYGAMMA_X)])], True),
    ("erfinv", "in -> in[0].erfinv()", torch.erfinv, [(ERFINV_X, [len(ERFINV_X)])], True),
]

MPMATH_X = [0.0625, 0.5, 1.0, 3.5, 12.0, 100.5, -0.5, -2.25, -7.75]
MPMATH_ERFINV_X = [-0.999999, 0.9999999999, 0.999, -0.5, 0.0625]
MPMATH_X_BOTH = [0.0625, 0.5, 1.0, 3.5, 12.0, 100.5, 1e4, -0.5, -2.25, -7.75]

if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/special_functions.py (PyTorch %s, mpmath %s).\n"
          % (torch.__version__, mpmath.__version__))
    print("    private static final double[] MPMATH_X = %s;" % array(MPMATH_X))
    print("    private static final double[] MPMATH_TRIGAMMA = %s;"
          % array([float(mpmath.psi(1, mpmath.mpf(x))) for x in MPMATH_X]))
    print("    private static final double[] MPMATH_X_BOTH = %s;" % array(MPMATH_X_BOTH))
    for n in (2, 3):
        print("    private static final double[] MPMATH_POLYGAMMA_%d = %s;"
              % (n, array([float(mpmath.psi(n, mpmath.mpf(x))) for x in MPMATH_X_BOTH])))
    print("    private static final double[] MPMATH_ERFINV_X = %s;" % array(MPMATH_ERFINV_X))
    print("    private static final double[] MPMATH_ERFINV = %s;"
          % array([float(mpmath.erfinv(mpmath.mpf(x))) for x in MPMATH_ERFINV_X]))
    print()
    print_cases(CASES)
