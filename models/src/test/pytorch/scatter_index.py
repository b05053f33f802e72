"""Prints the data of ScatterOpsPyTorchParityTest (argument "scatter") and AdvancedIndexOpsPyTorchParityTest (argument
"index") in tests/src/test/java/dev/kiln/tests/ops/, the end of each file from the line "Printed by": PyTorch 1.13's
values and float64 gradients of scatter (a tensor and a value), scatter_reduce (sum, prod, mean, amax, amin, with and
without self, on the pattern inputs and on ties and zeros), index_fill, index_copy and masked_scatter; of take, put
(accumulating or not), index_put_ (as x[i, j] = v on a clone) and advanced indexing x[i, j]; and the values where
entries write one element several times (the last wins on PyTorch's CPU). Inputs are
pattern(seed, n)[k] = ((7 k + 3 seed) mod 17 - 8) / 8; each gradient is that of
(y * pattern(9, y.numel()).reshape(y.shape)).sum(). Run with /usr/bin/python3 (torch 1.13): python3 scatter_index.py scatter
"""
import sys
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


def java(v):
    return "NAN" if v != v else repr(v)


def show(name, expression, t):
    print("    // %s: %s" % (expression, list(t.shape)))
    values = ", ".join(java(float(v)) for v in t.detach().reshape(-1).tolist())
    print("    private static final double[] %s = {%s};" % (name, values))


def case(name, expression, f, *inputs):
    """Shows f(*inputs) and the gradients of its weighted sum to each input that requires one."""
    y = f(*inputs)
    (y * pattern(9, *y.shape)).sum().backward()
    show(name, expression, y)
    for k, t in enumerate(inputs):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            show("%s_GRAD%d" % (name, k), "gradient to input %d" % k, t.grad)


def longs(*rows):
    return torch.tensor(rows, dtype=torch.int64)


SCATTER_ROWS = longs([3, 0], [1, 2], [0, 3])
SCATTER_COLUMNS = longs([2, 0, 1, 2], [0, 1, 2, 1])
REDUCE_INDEX = longs([1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0])
TIE_SELF = [[1., 2, 0, -1]]
TIE_SRC = [[2., 2, 1, 0, 0, 3]]
TIE_INDEX = longs([1, 1, 0, 2, 3, 0])
COPY_INDEX = torch.tensor([2, 0])
MASK = torch.tensor([[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]])
TAKE_INDEX = longs([-1, 0], [5, 5], [11, -12])
I_ROWS = longs([0], [-1])
J_COLUMNS = torch.tensor([3, 0, -2])


def group1():
    case("SCATTER_ROWS", "x.scatter(1, [[3, 0], [1, 2], [0, 3]], src), x = pattern(1, 3, 4), src = pattern(2, 3, 2)",
         lambda x, s: x.scatter(1, SCATTER_ROWS, s), leaf(1, 3, 4), leaf(2, 3, 2))
    case("SCATTER_COLUMNS", "x.scatter(0, [[2, 0, 1, 2], [0, 1, 2, 1]], src), x = pattern(1, 3, 4), src = pattern(2, 2, 4)",
         lambda x, s: x.scatter(0, SCATTER_COLUMNS, s), leaf(1, 3, 4), leaf(2, 2, 4))
    case("SCATTER_VALUE", "x.scatter(1, [[3, 0], [1, 2], [0, 3]], 0.75)",
         lambda x: x.scatter(1, SCATTER_ROWS, 0.75), leaf(1, 3, 4))
    repeated = torch.zeros(2, 4).scatter(1, longs([1, 1, 3, 1], [0, 0, 0, 2]), torch.tensor([[1., 2, 3, 4], [5, 6, 7, 8]]))
    show("SCATTER_REPEATED", "zeros(2, 4).scatter(1, [[1, 1, 3, 1], [0, 0, 0, 2]], [[1, 2, 3, 4], [5, 6, 7, 8]])",
         repeated)
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include in (True, False):
            suffix = "%s_%s" % (reduce.upper(), "WITH_SELF" if include else "WITHOUT_SELF")
            case("REDUCE_" + suffix, "x.scatter_reduce(1, [[1, 3, 1, 0, 1], [2, 2, 2, 2, 0], [0, 3, 3, 1, 0]], src, %r, "
                 "include_self=%s), x = pattern(1, 3, 4), src = pattern(2, 3, 5)" % (reduce, include),
                 lambda x, s: x.scatter_reduce(1, REDUCE_INDEX, s, reduce, include_self=include),
                 leaf(1, 3, 4), leaf(2, 3, 5))
            case("TIES_" + suffix, "self.scatter_reduce(1, [[1, 1, 0, 2, 3, 0]], src, %r, include_self=%s), self = "
                 "[[1, 2, 0, -1]], src = [[2, 2, 1, 0, 0, 3]]" % (reduce, include),
                 lambda x, s: x.scatter_reduce(1, TIE_INDEX, s, reduce, include_self=include),
                 torch.tensor(TIE_SELF, requires_grad=True), torch.tensor(TIE_SRC, requires_grad=True))
    case("INDEX_FILL", "x.index_fill(1, [2, 0, 2], -0.25), x = pattern(1, 3, 4)",
         lambda x: x.index_fill(1, torch.tensor([2, 0, 2]), -0.25), leaf(1, 3, 4))
    case("INDEX_COPY", "x.index_copy(0, [2, 0], source), x = pattern(1, 3, 4), source = pattern(2, 2, 4)",
         lambda x, s: x.index_copy(0, COPY_INDEX, s), leaf(1, 3, 4), leaf(2, 2, 4))
    show("INDEX_COPY_REPEATED", "zeros(5).index_copy(0, [1, 3, 1], [1, 2, 3])",
         torch.zeros(5).index_copy(0, torch.tensor([1, 3, 1]), torch.tensor([1., 2, 3])))
    case("MASKED_SCATTER", "x.masked_scatter(mask, source), mask = [[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]], "
         "source = pattern(2, 3, 3)", lambda x, s: x.masked_scatter(MASK.bool(), s), leaf(1, 3, 4), leaf(2, 3, 3))
    case("MASKED_SCATTER_ROW", "x.masked_scatter(row mask [1, 0, 0, 1], source), source = pattern(2, 7)",
         lambda x, s: x.masked_scatter(torch.tensor([True, False, False, True]), s), leaf(1, 3, 4), leaf(2, 7))


def group2():
    case("TAKE", "x.take([[-1, 0], [5, 5], [11, -12]]), x = pattern(1, 3, 4)",
         lambda x: x.take(TAKE_INDEX), leaf(1, 3, 4))
    case("PUT", "x.put([[-1, 0], [5, 6], [10, -9]], source), source = pattern(2, 3, 2)",
         lambda x, s: x.put(longs([-1, 0], [5, 6], [10, -9]), s), leaf(1, 3, 4), leaf(2, 3, 2))
    case("PUT_ACCUMULATE", "x.put([[-1, 0], [5, 5], [11, -12]], source, accumulate=True)",
         lambda x, s: x.put(TAKE_INDEX, s, accumulate=True), leaf(1, 3, 4), leaf(2, 3, 2))
    show("PUT_REPEATED", "zeros(5).put([1, 3, 1], [1, 2, 3])",
         torch.zeros(5).put(torch.tensor([1, 3, 1]), torch.tensor([1., 2, 3])))

    def index_put(x, v, accumulate):
        y = x.clone()
        y.index_put_((I_ROWS, J_COLUMNS), v, accumulate=accumulate)
        return y

    case("INDEX_PUT", "x[i, j] = v, x = pattern(1, 3, 4, 2), i = [[0], [-1]], j = [3, 0, -2], v = pattern(2, 3, 2)",
         lambda x, v: index_put(x, v, False), leaf(1, 3, 4, 2), leaf(2, 3, 2))
    repeated = longs([1], [1])
    case("INDEX_PUT_ACCUMULATE", "x.index_put_((i, [[1], [1]]), v, accumulate=True), i = [[0], [-1]], "
         "v = pattern(2, 2, 1, 2)", lambda x, v: x.clone().index_put_((I_ROWS, repeated), v, accumulate=True),
         leaf(1, 3, 4, 2), leaf(2, 2, 1, 2))
    case("INDEX", "x[i, j], x = pattern(1, 3, 4, 2)", lambda x: x[I_ROWS, J_COLUMNS], leaf(1, 3, 4, 2))
    case("INDEX_ALL_AXES", "x[i, j, [1]]", lambda x: x[I_ROWS, J_COLUMNS, torch.tensor([1])], leaf(1, 3, 4, 2))


print("    // Printed by models/src/test/pytorch/scatter_index.py %s (PyTorch %s)." % (sys.argv[1], torch.__version__))
{"scatter": group1, "index": group2}[sys.argv[1]]()
