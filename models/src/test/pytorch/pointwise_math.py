"""Prints the data of PointwiseMathPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file
from the line "Printed by": PyTorch's values and gradients of lerp (scalar and tensor weights, broadcast), addcmul,
addcdiv, hypot, logaddexp, logaddexp2, xlogy, copysign, heaviside, logit (with and without eps), sinc and
F.logsigmoid, in F64 and F32, at ordinary points and at the special ones: xlogy(0, 0), sinc(0), hypot at 0,
infinities and NaN. The gradient is that of (y * w).sum() with w = 1 + 0.5 (k mod 4) over y's elements k. Every input
is exact in F32, so that F32 and F64 see the same values. Run with /usr/bin/python3 (torch 1.13)."""
import math
import torch
import torch.nn.functional as F

NAN, INF = float("nan"), float("inf")

X23, END3, W21 = [0.5, -1.25, 2.0, 3.5, -0.75, 1.0], [1.5, 0.25, -2.0], [0.25, 0.75]
T1, T2, T2_NONZERO = [1.5, -0.5, 2.0], [0.5, -3.0], [0.5, -4.0]
S6, E6 = [0.5, -1.25, 2.0, 3.5, -0.75, 1.0], [1.5, 0.25, -2.0, 3.5, 4.0, -1.0]
HYPOT_A = [3.0, 0.0, -1.5, 0.0, 0.0009765625, 2.5, -0.0, INF, NAN, -INF]
HYPOT_B = [4.0, 0.0, 0.0, -2.0, 0.5, -6.0, 0.0, NAN, 1.0, 3.0]
LAE_A = [0.5, -INF, INF, INF, 1000.0, -1000.0, NAN, 1.0, -3.0, 0.0, -INF]
LAE_B = [0.25, -INF, INF, -INF, 1000.0, 1.0, 1.0, NAN, 2.0, -INF, 5.0]
XLOGY_X = [0.0, 0.0, 0.0, 1.5, -2.0, 0.5, 1.0, 0.0, 3.0, NAN]
XLOGY_Y = [0.0, 1.0, NAN, 2.0, 0.5, 0.0, -1.0, INF, INF, 1.0]
COPYSIGN_A = [1.5, -2.0, 0.0, -0.0, 3.0, 2.5, -INF, NAN, -0.5]
COPYSIGN_B = [-1.0, 2.0, -0.0, -3.0, 0.0, INF, 1.0, -1.0, -INF]
HEAVISIDE_X = [-1.5, 0.0, 2.0, -0.0, NAN, INF, -INF]
HEAVISIDE_V = [0.5, 0.5, 7.0, -1.0, 3.0, 2.0, 4.0]
LOGIT_X = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, -0.5, 0.125, 0.875, NAN]
SINC_X = [0.0, 0.5, -0.25, 1.0, 1.5, -2.75, 3.0, 2.25, -0.0, INF, NAN]
LOGSIGMOID_X = [-100.0, -20.0, -1.0, 0.0, 0.5, 20.0, 100.0, -INF, INF, NAN, -800.0, 40.0]

# (name, Java lambda over Tensor[] in, torch function over the inputs, [(values, dims)], differentiable)
CASES = [
    ("lerp scalar weight 0.3", "in -> in[0].lerp(in[1], 0.3)", lambda a, b: torch.lerp(a, b, 0.3),
     [(S6, [6]), (E6, [6])], True),
    ("lerp scalar weight 0.75", "in -> in[0].lerp(in[1], 0.75)", lambda a, b: torch.lerp(a, b, 0.75),
     [(S6, [6]), (E6, [6])], True),
    ("lerp scalar weight -1.5", "in -> in[0].lerp(in[1], -1.5)", lambda a, b: torch.lerp(a, b, -1.5),
     [(S6, [6]), (E6, [6])], True),
    ("lerp tensor weight broadcast", "in -> in[0].lerp(in[1], in[2])", torch.lerp,
     [(X23, [2, 3]), (END3, [3]), (W21, [2, 1])], True),
    ("addcmul", "in -> in[0].addcmul(in[1], in[2], 0.5)", lambda a, b, c: torch.addcmul(a, b, c, value=0.5),
     [(X23, [2, 3]), (T1, [3]), (T2, [2, 1])], True),
    ("addcmul value 1", "in -> in[0].addcmul(in[1], in[2])", torch.addcmul,
     [(X23, [2, 3]), (T1, [3]), (T2, [2, 1])], True),
    ("addcdiv", "in -> in[0].addcdiv(in[1], in[2], -2)", lambda a, b, c: torch.addcdiv(a, b, c, value=-2),
     [(X23, [2, 3]), (T1, [3]), (T2_NONZERO, [2, 1])], True),
    ("addcdiv value 1", "in -> in[0].addcdiv(in[1], in[2])", torch.addcdiv,
     [(X23, [2, 3]), (T1, [3]), (T2_NONZERO, [2, 1])], True),
    ("hypot", "in -> in[0].hypot(in[1])", torch.hypot, [(HYPOT_A, [10]), (HYPOT_B, [10])], True),
    ("logaddexp", "in -> in[0].logaddexp(in[1])", torch.logaddexp, [(LAE_A, [11]), (LAE_B, [11])], True),
    ("logaddexp2", "in -> in[0].logaddexp2(in[1])", torch.logaddexp2, [(LAE_A, [11]), (LAE_B, [11])], True),
    ("xlogy", "in -> in[0].xlogy(in[1])", torch.xlogy, [(XLOGY_X, [10]), (XLOGY_Y, [10])], True),
    ("copysign", "in -> in[0].copysign(in[1])", torch.copysign, [(COPYSIGN_A, [9]), (COPYSIGN_B, [9])], True),
    ("heaviside", "in -> in[0].heaviside(in[1])", torch.heaviside, [(HEAVISIDE_X, [7]), (HEAVISIDE_V, [7])], False),
    ("logit", "in -> in[0].logit()", torch.logit, [(LOGIT_X, [10])], True),
    ("logit eps 0.2", "in -> in[0].logit(0.2)", lambda x: torch.logit(x, 0.2), [(LOGIT_X, [10])], True),
    ("logit eps 0", "in -> in[0].logit(0)", lambda x: torch.logit(x, 0.0), [(LOGIT_X, [10])], True),
    ("sinc", "in -> in[0].sinc()", torch.sinc, [(SINC_X, [11])], True),
    ("logSigmoid", "in -> F.logSigmoid(in[0])", F.logsigmoid, [(LOGSIGMOID_X, [12])], True),
]


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
        if len(line) + len(p) + 2 > 88:
            lines.append(line.rstrip())
            line = ""
        line += p + ", "
    lines.append(line.rstrip().rstrip(","))
    return "{" + "\n                    ".join(lines) + "}"


def results(fn, inputs, dtype, differentiable):
    xs = [torch.tensor(v, dtype=dtype).reshape(d).requires_grad_(differentiable) for v, d in inputs]
    y = fn(*xs)
    if not differentiable:
        return y.reshape(-1).tolist(), []
    w = (1 + 0.5 * (torch.arange(y.numel()) % 4)).to(dtype).reshape(y.shape)
    (y * w).sum().backward()
    return y.detach().reshape(-1).tolist(), [x.grad.reshape(-1).tolist() for x in xs]


def grads(gs):
    return "new double[][] {" + ",".join("\n                    " + array(g) for g in gs) + "}"


def print_cases(cases_list):
    print("    static Stream<Arguments> cases() {")
    print("        return Stream.of(")
    cases = []
    for name, java, fn, inputs, differentiable in cases_list:
        y64, g64 = results(fn, inputs, torch.float64, differentiable)
        y32, g32 = results(fn, inputs, torch.float32, differentiable)
        ins = "new double[][] {" + ",\n                    ".join(array(v) for v, _ in inputs) + "}"
        dims = "new int[][] {" + ", ".join("{" + ", ".join(map(str, d)) + "}" for _, d in inputs) + "}"
        cases.append('                cases("%s", %s,\n                    %s,\n                    %s,\n'
                     '                    new double[] %s,\n                    %s,\n'
                     '                    new double[] %s,\n                    %s)'
                     % (name, java, ins, dims, array(y64), grads(g64), array(y32), grads(g32)))
    print(",\n".join(cases) + ").flatMap(s -> s);")
    print("    }")


if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/pointwise_math.py (PyTorch %s).\n" % torch.__version__)
    print_cases(CASES)
