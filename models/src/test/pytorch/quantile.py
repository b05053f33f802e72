"""Prints the data of QuantilePyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from the
line "Printed by": torch.quantile and torch.nanquantile in each interpolation mode, along rows and columns of a tensor
holding ties and NaN (a row of NaN only, for nanquantile) and of all elements, with gradients, in F64 and F32 (the
gradient of (y * w).sum(), w = 1 + 0.5 (k mod 4), as pointwise_math.py). Run with /usr/bin/python3 (torch 1.13)."""
import torch

from pointwise_math import NAN, print_cases

X = [3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0,
     1.0, NAN, 5.0, -2.0, 0.5, NAN, 3.0,
     NAN, NAN, NAN, NAN, NAN, NAN, NAN,
     0.25, 0.25, -0.75, 6.0, 1.5, -3.0, 2.0]
CLEAN = [3.0, -1.0, 2.5, 2.5, 0.0, 7.0, -4.0, 1.0, 9.0, 5.0, -2.0, 0.5, 4.0, 3.0]
MODES = ["linear", "lower", "higher", "midpoint", "nearest"]

CASES = []
for mode in MODES:
    java = mode.upper()
    for q in (0.3, 0.5):
        CASES.append(("quantile %s q=%s axis 1" % (mode, q),
                      "in -> in[0].quantile(%s, 1, false, QuantileInterpolation.%s)" % (q, java),
                      lambda x, q=q, m=mode: torch.quantile(x, q, dim=1, interpolation=m), [(X, [4, 7])], True))
        CASES.append(("nanquantile %s q=%s axis 1" % (mode, q),
                      "in -> in[0].nanquantile(%s, 1, true, QuantileInterpolation.%s)" % (q, java),
                      lambda x, q=q, m=mode: torch.nanquantile(x, q, dim=1, keepdim=True, interpolation=m),
                      [(X, [4, 7])], True))
    CASES.append(("quantile %s q=0.75 axis 0" % mode,
                  "in -> in[0].quantile(0.75, 0, false, QuantileInterpolation.%s)" % java,
                  lambda x, m=mode: torch.quantile(x, 0.75, dim=0, interpolation=m), [(CLEAN, [2, 7])], True))
CASES.append(("quantile of all elements q=0.9", "in -> in[0].quantile(0.9)", lambda x: torch.quantile(x, 0.9),
              [(CLEAN, [2, 7])], True))
CASES.append(("nanquantile of all elements q=0.1", "in -> in[0].nanquantile(0.1)",
              lambda x: torch.nanquantile(x, 0.1), [(X, [4, 7])], True))
CASES.append(("quantile q=0 and q=1", "in -> in[0].quantile(0, 1, false, QuantileInterpolation.LINEAR)"
              ".add(in[0].quantile(1, 1, false, QuantileInterpolation.LINEAR))",
              lambda x: torch.quantile(x, 0.0, dim=1) + torch.quantile(x, 1.0, dim=1), [(CLEAN, [2, 7])], True))

if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/quantile.py (PyTorch %s).\n" % torch.__version__)
    print_cases(CASES)
