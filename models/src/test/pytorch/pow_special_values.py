# Prints the expected values of engine-cpu's PowSpecialValuesTest: torch.pow(x, p) and its gradient for the
# fractional exponents at bases where PyTorch's special cases differ from C's pow (p = 0.5 and -0.5 run sqrt and
# rsqrt, so that sqrt(-0) = -0 and (-inf)^0.5 is NaN), in float32 and float64, as Java literals.
# Run with /usr/bin/python3 (torch 1.13).
import math

import torch

BASES = [-math.inf, -0.0, 0.0, -1.0, math.inf, math.nan, 1.0, 4.0]
EXPONENTS = [0.5, -0.5, 1.5, -1.5]


def literal(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "INF" if v > 0 else "-INF"
    if v == 0:
        return "-0.0" if math.copysign(1, v) < 0 else "0.0"
    return repr(v)


for dtype, name in [(torch.float32, "F32"), (torch.float64, "F64")]:
    for p in EXPONENTS:
        x = torch.tensor(BASES, dtype=dtype, requires_grad=True)
        y = x.pow(p)
        y.backward(torch.ones_like(y))
        print("        // %s, p = %s: values, then gradients" % (name, p))
        print("        {%s}," % ", ".join(literal(v) for v in y.tolist()))
        print("        {%s}," % ", ".join(literal(v) for v in x.grad.tolist()))
