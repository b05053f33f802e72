"""Prints the data of MoreElementwisePyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file
from the line "Printed by": PyTorch's values and
gradients (of the sum) of the element-wise functions sin ... rsqrt, atan2, fmod, remainder, floor_divide, isnan, isinf,
isfinite and nan_to_num, in F64 and F32, at ordinary points and at the edges: out of the domain, +-0, +-inf, NaN.
Every input is a float, so that F32 and F64 see the same values. Run with /usr/bin/python3 (torch 1.13)."""
import math
import torch

NAN, INF = float("nan"), float("inf")
EDGES = [NAN, INF, -INF, -0.0]
ANY = [-2.75, -1.3125, -0.5, -0.0625, 0.0, 0.375, 1.25, 3.5] + EDGES
POSITIVE = [0.0625, 0.5, 1.0, 1.5, 7.25, 100.0, 0.0, -1.0] + EDGES
UNIT = [-0.9375, -0.5, 0.0, 0.25, 0.75, 1.0, -1.0, 2.0, -2.0] + EDGES
ROUNDING = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.75, 0.25, 1.0, 3.375] + EDGES

# (Java method, torch function, inputs, whether the gradient is zero: Kiln records no graph for those, as for sign)
UNARY = [
    ("sin", torch.sin, ANY), ("cos", torch.cos, ANY), ("tan", torch.tan, ANY),
    ("asin", torch.asin, UNIT), ("acos", torch.acos, UNIT), ("atan", torch.atan, ANY),
    ("sinh", torch.sinh, ANY + [100.0]), ("cosh", torch.cosh, ANY + [-100.0]),
    ("asinh", torch.asinh, ANY + [1e10, -3e-6]),
    ("acosh", torch.acosh, [1.0, 1.0625, 1.5, 3.0, 1e10, 0.5] + EDGES),
    ("atanh", torch.atanh, UNIT + [3e-6]),
    ("log1p", torch.log1p, [-0.9375, -0.5, 0.0009765625, 3.5, -1.0, -2.0] + EDGES),
    ("expm1", torch.expm1, ANY + [0.0009765625, -100.0]), ("log2", torch.log2, POSITIVE + [1024.0, 0.125]),
    ("log10", torch.log10, POSITIVE + [1000.0]), ("exp2", torch.exp2, ANY + [10.0, 200.0, -200.0]),
    ("erf", torch.erf, ANY + [4.5]), ("erfc", torch.erfc, ANY + [4.5, 9.0, -4.5]),
    ("floor", torch.floor, ROUNDING), ("ceil", torch.ceil, ROUNDING),
    ("round", torch.round, ROUNDING), ("trunc", torch.trunc, ROUNDING),
    ("frac", torch.frac, ROUNDING), ("reciprocal", torch.reciprocal, ANY),
    ("rsqrt", torch.rsqrt, POSITIVE),
]

A = [5.0, -5.0, 5.0, -5.0, 5.5, 3.0, -3.0, 0.0, -4.0, 5.0, -5.0, 0.75, -2.25, NAN, INF, -0.0]
B = [3.0, 3.0, -3.0, -3.0, 2.0, 0.0, 0.0, 0.0, 2.0, INF, INF, -0.5, 1.5, 1.0, 2.0, 3.0]
BINARY = [("atan2", torch.atan2, True), ("fmod", torch.fmod, True), ("remainder", torch.remainder, True),
          ("floorDivide", torch.floor_divide, False)]


def literal(v):
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INF" if v > 0 else "-INF"
    return repr(float(v))


def array(values):
    parts = [literal(v) for v in values]
    lines, line = [], ""
    for p in parts:
        if len(line) + len(p) + 2 > 96:
            lines.append(line.rstrip())
            line = ""
        line += p + ", "
    lines.append(line.rstrip().rstrip(","))
    return "{" + "\n                    ".join(lines) + "}"


def unary_results(fn, xs, dtype):
    x = torch.tensor(xs, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y.detach().tolist(), x.grad.tolist()


def print_unary():
    print("    static Stream<Arguments> unaryCases() {")
    print("        return Stream.of(")
    cases = []
    for name, fn, xs in UNARY:
        y64, g64 = unary_results(fn, xs, torch.float64)
        y32, g32 = unary_results(fn, xs, torch.float32)
        cases.append('                unary("%s", Tensor::%s,\n                    new double[] %s,\n'
                     '                    new double[] %s,\n                    new double[] %s,\n'
                     '                    new double[] %s,\n                    new double[] %s)'
                     % (name, name, array(xs), array(y64), array(g64), array(y32),
                        array(g32)))
    print(",\n".join(cases) + ").flatMap(s -> s);")
    print("    }")


def print_binary():
    print("    static Stream<Arguments> binaryCases() {")
    print("        return Stream.of(")
    cases = []
    for name, fn, differentiable in BINARY:
        rows = []
        for dtype in (torch.float64, torch.float32):
            a = torch.tensor(A, dtype=dtype, requires_grad=differentiable)
            b = torch.tensor(B, dtype=dtype, requires_grad=differentiable)
            y = fn(a, b)
            if differentiable:
                y.sum().backward()
                rows.append((y.detach().tolist(), a.grad.tolist(), b.grad.tolist()))
            else:
                rows.append((y.tolist(), [0.0] * len(A), [0.0] * len(B)))
        flag = "true" if differentiable else "false"
        cases.append('                binary("%s", Tensor::%s, %s,\n' % (name, name, flag)
                     + ",\n".join("                    new double[] %s" % array(v) for row in rows for v in row) + ")")
    print(",\n".join(cases) + ").flatMap(s -> s);")
    print("    }")


def print_non_finite():
    print("    private static final double[] A = %s;" % array(A))
    print("    private static final double[] B = %s;" % array(B))
    x = torch.tensor([1.5, NAN, INF, -INF, -0.0, -2.0], dtype=torch.float64, requires_grad=True)
    print("    private static final double[] NON_FINITE_INPUT = %s;" % array(x.tolist()))
    for name, values in (("ISNAN", torch.isnan(x)), ("ISINF", torch.isinf(x)), ("ISFINITE", torch.isfinite(x))):
        print("    private static final double[] %s = %s;" % (name, array(values.double().tolist())))
    y = torch.nan_to_num(x, nan=7.0, posinf=100.0, neginf=-50.0)
    y.sum().backward()
    print("    private static final double[] NAN_TO_NUM = %s;" % array(y.detach().tolist()))
    print("    private static final double[] NAN_TO_NUM_GRADIENT = %s;" % array(x.grad.tolist()))
    for dtype, label in ((torch.float64, "F64"), (torch.float32, "F32")):
        d = torch.nan_to_num(torch.tensor([NAN, INF, -INF, 2.0], dtype=dtype))
        print("    private static final double[] NAN_TO_NUM_DEFAULTS_%s = %s;" % (label, array(d.double().tolist())))


print("    // Printed by models/src/test/pytorch/more_elementwise.py (PyTorch %s).\n" % torch.__version__)
print_non_finite()
print()
print_unary()
print()
print_binary()
