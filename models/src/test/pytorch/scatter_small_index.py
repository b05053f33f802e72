"""Prints the data of SmallIndexScatterPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of the file
from the line "Printed by": PyTorch 1.13's values and float64 gradients of scatter_add, scatter (a tensor and a value),
gather and scatter_reduce (sum, prod, mean, amax, amin, with and without self) where the index is smaller than src
along every axis and smaller than self off the scatter's axis, along axis 0 and axis 1. Inputs and the gradients' weighting are
scatter_index.py's pattern; see case() for src's gradient. Run with /usr/bin/python3 (torch 1.13): python3 scatter_small_index.py
"""
import warnings
import torch

warnings.filterwarnings("ignore", "scatter_reduce")

torch.set_default_dtype(torch.float64)


def pattern(seed, *dims):
    n = 1
    for d in dims:
        n *= d
    return torch.tensor([((7 * k + 3 * seed) % 17 - 8) / 8 for k in range(n)]).reshape(dims)


def leaf(seed, *dims):
    return pattern(seed, *dims).requires_grad_(True)



def show(name, expression, t):
    print("    // %s: %s" % (expression, list(t.shape)))
    values = ", ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())
    print("    private static final double[] %s = {%s};" % (name, values))


def weighted(y):
    return (y * pattern(9, *y.shape)).sum()


def case(name, expression, f, axis, index, x, src=None):
    """Shows f(x, index[, src]) and the gradients of its weighted sum to x and to src.

    PyTorch 1.13 computes the values but its backward refuses an index smaller than src (scatter_add: "invalid gradient
    ... got [2, 3] but expected shape compatible with [3, 4]") or than self (scatter_reduce), so the gradients are taken
    through the same values composed of full-shaped scatters: x.clone() with x's block of index's extent off the axis
    replaced by f of that block and of src's leading block of index's shape (the only parts read), checked equal to
    f's values first.
    """
    with torch.no_grad():
        y = f(x, index) if src is None else f(x, index, src)
    show(name, expression, y)
    box = tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index.shape))
    out = x.clone()
    if src is None:
        out[box] = f(x[box], index)
    else:
        block = src.detach()[tuple(slice(0, n) for n in index.shape)].clone().requires_grad_(True)
        out[box] = f(x[box], index, block)
    assert torch.equal(out, y), name
    weighted(out).backward()
    show(name + "_GRAD0", "gradient to input 0", x.grad)
    if src is not None:
        grad = torch.zeros_like(src)
        grad[tuple(slice(0, n) for n in index.shape)] = block.grad
        show(name + "_GRAD1", "gradient to input 1", grad)


def longs(*rows):
    return torch.tensor(rows, dtype=torch.int64)


# self [3, 5], src [3, 4]: index [2, 3] along axis 1 (rows 0-1 of self written; src's [:2, :3] read).
ROWS = longs([4, 0, 4], [1, 1, 3])
# self [3, 5], src [3, 4]: index [2, 2] along axis 0 (columns 0-1 of self written; src's [:2, :2] read).
COLUMNS = longs([2, 0], [2, 1])
# As ROWS and COLUMNS without repeats in a line, for scatter, whose winner among repeats PyTorch leaves unspecified.
DISTINCT_ROWS = longs([4, 0, 2], [1, 0, 3])
DISTINCT_COLUMNS = longs([2, 0], [1, 1])


def gather(name, expression, axis, index):
    """Shows x.gather(axis, index), x = pattern(1, 3, 5), and the gradient of its weighted sum to x."""
    x = leaf(1, 3, 5)
    y = x.gather(axis, index)
    weighted(y).backward()
    show(name, expression, y)
    show(name + "_GRAD0", "gradient to input 0", x.grad)


def main():
    print("    // Printed by models/src/test/pytorch/scatter_small_index.py (PyTorch %s)." % torch.__version__)
    case("ADD_ROWS", "x.scatter_add(1, [[4, 0, 4], [1, 1, 3]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4)",
         lambda x, i, s: x.scatter_add(1, i, s), 1, ROWS, leaf(1, 3, 5), leaf(2, 3, 4))
    case("ADD_COLUMNS", "x.scatter_add(0, [[2, 0], [2, 1]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4)",
         lambda x, i, s: x.scatter_add(0, i, s), 0, COLUMNS, leaf(1, 3, 5), leaf(2, 3, 4))
    case("SCATTER_ROWS", "x.scatter(1, [[4, 0, 2], [1, 0, 3]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4)",
         lambda x, i, s: x.scatter(1, i, s), 1, DISTINCT_ROWS, leaf(1, 3, 5), leaf(2, 3, 4))
    case("SCATTER_COLUMNS", "x.scatter(0, [[2, 0], [1, 1]], src), x = pattern(1, 3, 5), src = pattern(2, 3, 4)",
         lambda x, i, s: x.scatter(0, i, s), 0, DISTINCT_COLUMNS, leaf(1, 3, 5), leaf(2, 3, 4))
    case("SCATTER_VALUE", "x.scatter(0, [[2, 0], [1, 1]], 0.75), x = pattern(1, 3, 5)",
         lambda x, i: x.scatter(0, i, 0.75), 0, DISTINCT_COLUMNS, leaf(1, 3, 5))
    gather("GATHER_ROWS", "x.gather(1, [[4, 0, 4], [1, 1, 3]]), x = pattern(1, 3, 5)", 1, ROWS)
    gather("GATHER_COLUMNS", "x.gather(0, [[2, 0], [2, 1]]), x = pattern(1, 3, 5)", 0, COLUMNS)
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include in (True, False):
            name = "REDUCE_%s_%s" % (reduce.upper(), "WITH_SELF" if include else "WITHOUT_SELF")
            case(name, "x.scatter_reduce(1, [[4, 0, 4], [1, 1, 3]], src, %r, include_self=%s), x = pattern(1, 3, 5),"
                 " src = pattern(2, 3, 4)" % (reduce, include),
                 lambda x, i, s: x.scatter_reduce(1, i, s, reduce, include_self=include), 1, ROWS, leaf(1, 3, 5),
                 leaf(2, 3, 4))


if __name__ == "__main__":
    main()
