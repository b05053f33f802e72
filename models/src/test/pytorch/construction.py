"""Prints the data of ConstructionOpsPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file
from the line "Printed by": torch.triu_indices and tril_indices, torch.block_diag, torch.vander (its gradient through the
same composition without in-place writes, as 1.13's own fails), torch.trapezoid and
torch.cumulative_trapezoid (sample points and spacings), Tensor.renorm, torch.linspace and torch.logspace, and
torch.histogram (equal bins over a range and over the data's, weights, density, given edges), in F64 and F32, with the
gradient of (y * w).sum(), w = 1 + 0.5 (k mod 4), as pointwise_math.py. Ops without an input take a one-element
tensor for its dtype; a histogram is printed as its counts then its edges. torch.unravel_index is PyTorch 2's: its
numbers are PyTorch 2's formula, floor(index / stride) mod size, run in 1.13. Run with /usr/bin/python3 (torch 1.13)."""
import torch

from pointwise_math import print_cases

DTYPE = [([0.0], [1])]
A23 = [0.5, -1.0, 2.0, 1.5, 0.25, -0.75]
B3 = [3.0, -2.0, 0.5]
D22 = [1.0, 2.0, -1.5, 4.0]
V = [2.0, -1.0, 0.0, 0.5, 3.0]
Y = [1.0, 2.5, -0.5, 3.0, 0.0, 2.0, 1.5, -1.0, 0.25, 4.0, -2.0, 0.5, 1.0, 3.5, 2.5]
XS = [0.0, 0.5, 1.5, 1.75, 3.0]
X35 = [0.0, 1.0, 2.5, 3.0, 4.5, -1.0, 0.0, 0.5, 2.0, 2.25, 1.0, 1.5, 3.0, 3.5, 5.0]
R = [3.0, 4.0, 0.0, 1.0, 0.5, -0.25, 0.5, 1.0, -2.0, 2.0, 1.0, 0.0]
# No NaN: PyTorch 1.13 counts it in a bin (its position cast from NaN), Kiln leaves it out.
H = [0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 3.5, 1.5]
H_CLEAN = [0.0, 0.5, 1.0, 1.9, 2.0, 2.5, -0.25, 0.75, 1.25, 0.5, 0.1, 1.5]
HW = [1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 2.0, 0.25, 1.0, 1.0, 4.0, 0.5]
EDGES = [-1.0, 0.0, 0.5, 2.0, 3.0]
FLAT = [0, 7, 59, -1, 60, 23, -61, 13]


def vander(x, n, increasing):
    """torch.vander's composition without its in-place writes (1.13's own backward fails on them), checked equal."""
    powers = torch.cat([torch.ones_like(x).unsqueeze(1), x.unsqueeze(1).expand(len(x), n - 1).cumprod(1)], 1)
    powers = powers if increasing else powers.flip(1)
    assert torch.equal(powers.detach(), torch.vander(x.detach(), n, increasing))
    return powers


def joined(h):
    return torch.cat([h.hist, h.bin_edges])


def unravel(indices, shape):
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    return torch.stack([torch.div(indices, s, rounding_mode="floor") % n for s, n in zip(strides, shape)])


CASES = []
for name, java, fn in (("triuIndices 4 5 1", "F.triuIndices(4, 5, 1)", lambda: torch.triu_indices(4, 5, 1)),
                       ("triuIndices 4 5 -1", "F.triuIndices(4, 5, -1)", lambda: torch.triu_indices(4, 5, -1)),
                       ("trilIndices 4 5 0", "F.trilIndices(4, 5, 0)", lambda: torch.tril_indices(4, 5, 0)),
                       ("trilIndices 5 2 2", "F.trilIndices(5, 2, 2)", lambda: torch.tril_indices(5, 2, 2)),
                       ("trilIndices 3 3 -1", "F.trilIndices(3, 3, -1)", lambda: torch.tril_indices(3, 3, -1))):
    CASES.append((name, "in -> %s.to(in[0].dtype())" % java, lambda d, fn=fn: fn().to(d.dtype), DTYPE, False))
CASES += [
    ("blockDiag", "in -> F.blockDiag(in[0], in[1], in[2])", torch.block_diag,
     [(A23, [2, 3]), (B3, [3]), (D22, [2, 2])], True),
    ("vander", "in -> F.vander(in[0], 5, false)", lambda x: vander(x, 5, False), [(V, [5])], True),
    ("vander increasing n=3", "in -> F.vander(in[0], 3, true)", lambda x: vander(x, 3, True), [(V, [5])], True),
    ("trapezoid x along axis 1", "in -> F.trapezoid(in[0], in[1], 1)", lambda y, x: torch.trapezoid(y, x, dim=1),
     [(Y, [3, 5]), (XS, [5])], True),
    ("trapezoid x of y's shape", "in -> F.trapezoid(in[0], in[1], -1)", lambda y, x: torch.trapezoid(y, x),
     [(Y, [3, 5]), (X35, [3, 5])], True),
    ("trapezoid dx 0.5 axis 0", "in -> F.trapezoid(in[0], 0.5, 0)", lambda y: torch.trapezoid(y, dx=0.5, dim=0),
     [(Y, [3, 5])], True),
    ("cumulativeTrapezoid x along axis 1", "in -> F.cumulativeTrapezoid(in[0], in[1], 1)",
     lambda y, x: torch.cumulative_trapezoid(y, x, dim=1), [(Y, [3, 5]), (XS, [5])], True),
    ("cumulativeTrapezoid x of y's shape axis 0", "in -> F.cumulativeTrapezoid(in[0], in[1], 0)",
     lambda y, x: torch.cumulative_trapezoid(y, x, dim=0), [(Y, [3, 5]), (X35, [3, 5])], True),
    ("cumulativeTrapezoid dx 1.5", "in -> F.cumulativeTrapezoid(in[0], 1.5, -1)",
     lambda y: torch.cumulative_trapezoid(y, dx=1.5), [(Y, [3, 5])], True),
    ("renorm p=2 axis 0 maxnorm 2", "in -> in[0].renorm(2, 0, 2)", lambda x: torch.renorm(x, 2, 0, 2.0),
     [(R, [3, 4])], True),
    ("renorm p=1 axis 1 maxnorm 1.5", "in -> in[0].renorm(1, 1, 1.5)", lambda x: torch.renorm(x, 1, 1, 1.5),
     [(R, [3, 4])], True),
    ("renorm p=inf axis 0 maxnorm 1", "in -> in[0].renorm(Double.POSITIVE_INFINITY, 0, 1)",
     lambda x: torch.renorm(x, float("inf"), 0, 1.0), [(R, [3, 2, 2])], True),
    ("renorm p=3 axis 2 maxnorm 0.75", "in -> in[0].renorm(3, 2, 0.75)", lambda x: torch.renorm(x, 3, 2, 0.75),
     [(R, [3, 2, 2])], True),
    ("unravelIndex (PyTorch 2's formula)", "in -> Tensor.stack(F.unravelIndex(Tensor.fromArray(new long[] "
     "{0, 7, 59, -1, 60, 23, -61, 13}, 2, 4), 3, 4, 5), 0).to(in[0].dtype())",
     lambda d: unravel(torch.tensor(FLAT).reshape(2, 4), [3, 4, 5]).to(d.dtype), DTYPE, False),
    ("linspace -1 2.5 7", "in -> F.linspace(-1, 2.5, 7, in[0].dtype())",
     lambda d: torch.linspace(-1, 2.5, 7, dtype=d.dtype), DTYPE, False),
    ("linspace 3 -2 6", "in -> F.linspace(3, -2, 6, in[0].dtype())", lambda d: torch.linspace(3, -2, 6, dtype=d.dtype),
     DTYPE, False),
    ("linspace 0.1 0.7 1", "in -> F.linspace(0.1, 0.7, 1, in[0].dtype())",
     lambda d: torch.linspace(0.1, 0.7, 1, dtype=d.dtype), DTYPE, False),
    ("linspace 0 1 11", "in -> F.linspace(0, 1, 11, in[0].dtype())", lambda d: torch.linspace(0, 1, 11, dtype=d.dtype),
     DTYPE, False),
    ("logspace -2 3 6 base 10", "in -> F.logspace(-2, 3, 6, 10, in[0].dtype())",
     lambda d: torch.logspace(-2, 3, 6, dtype=d.dtype), DTYPE, False),
    ("logspace 0 5 4 base 2", "in -> F.logspace(0, 5, 4, 2, in[0].dtype())",
     lambda d: torch.logspace(0, 5, 4, base=2.0, dtype=d.dtype), DTYPE, False),
    ("histogram 4 bins over [0, 2]", "in -> joined(F.histogram(in[0], 4, 0, 2, null, false))",
     lambda x: joined(torch.histogram(x, 4, range=(0.0, 2.0))), [(H, [12])], False),
    ("histogram 5 bins of the data's range", "in -> joined(F.histogram(in[0], 5, null, false))",
     lambda x: joined(torch.histogram(x, 5)), [(H_CLEAN, [3, 4])], False),
    ("histogram weighted density", "in -> joined(F.histogram(in[0], 3, 0, 2, in[1], true))",
     lambda x, w: joined(torch.histogram(x, 3, range=(0.0, 2.0), weight=w, density=True)),
     [(H, [12]), (HW, [12])], False),
    ("histogram of edges weighted", "in -> joined(F.histogram(in[0], in[2], in[1], false))",
     lambda x, w, e: joined(torch.histogram(x, e, weight=w)), [(H, [12]), (HW, [12]), (EDGES, [5])], False),
    ("histogram of edges density", "in -> joined(F.histogram(in[0], in[1], null, true))",
     lambda x, e: joined(torch.histogram(x, e, density=True)), [(H, [12]), (EDGES, [5])], False),
    ("histogram of one point", "in -> joined(F.histogram(in[0], 3, null, false))",
     lambda x: joined(torch.histogram(x, 3)), [([2.0, 2.0], [2])], False),
]

if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/construction.py (PyTorch %s).\n" % torch.__version__)
    print_cases(CASES)
