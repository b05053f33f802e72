"""Prints the data of MixedIndexPyTorchParityTest in tests/src/test/java/dev/kiln/tests/ops/, the end of the file from
the line "Printed by": PyTorch 1.13's values and float64 gradients of subscripts x[...] that mix integers, slices
(with steps, negative and clipped bounds), None, an ellipsis, index tensors and boolean masks, read and written
(x[...] = v on a clone, and index_put_ with accumulate=True through aten's list of optional index tensors on a view),
with index tensors adjacent (their shape stays in place) and separated (it leads). Inputs are
pattern(seed, n)[k] = ((7 k + 3 seed) mod 17 - 8) / 8; each gradient is that of
(y * pattern(9, y.numel()).reshape(y.shape)).sum(). Masks of one axis only beside other entries: PyTorch 1.13 applies
the entries after a mask of several axes one axis too early. Run with /usr/bin/python3 (torch 1.13).
"""
import torch

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


def case(name, expression, f, *inputs):
    """Shows f(*inputs) and the gradients of its weighted sum to each input."""
    y = f(*inputs)
    (y * pattern(9, *y.shape)).sum().backward()
    show(name, expression, y)
    for k, t in enumerate(inputs):
        show("%s_GRAD%d" % (name, k), "gradient to input %d" % k, t.grad)


def longs(*values):
    return torch.tensor(values, dtype=torch.int64)


def assigned(x, subscript, v):
    y = x.clone()
    y[subscript] = v
    return y


def accumulated(x, view, indices, v):
    """index_put_(indices, v, accumulate=True) on view(y) of a clone y of x; None entries take an axis whole."""
    y = x.clone()
    torch.ops.aten.index_put_(view(y), indices, v, True)
    return y


MASK = torch.tensor([[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]]).bool()
ROWS = torch.tensor([1, 0, 1]).bool()
LAST = torch.tensor([0, 1, 1, 0, 1]).bool()
I = longs(0, -1)
J = longs([1], [-2])
COLUMNS = longs([0, -1], [2, 2])

print("    // Printed by models/src/test/pytorch/mixed_index.py (PyTorch %s)." % torch.__version__)
case("MASK", "x[m], x = pattern(1, 3, 4, 5), m = [[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]]",
     lambda x: x[MASK], leaf(1, 3, 4, 5))
case("MASK_LAST", "x[..., [0, 1, 1, 0, 1]]", lambda x: x[..., LAST], leaf(1, 3, 4, 5))
case("MASK_AND_TENSOR", "x[[1, 0, 1], :, j], j = [[1], [-2]]", lambda x: x[ROWS, :, J], leaf(1, 3, 4, 5))
case("COLUMNS", "x[:, c], c = [[0, -1], [2, 2]]", lambda x: x[:, COLUMNS], leaf(1, 3, 4, 5))
case("SEPARATED", "x[i, :, j], i = [0, -1]", lambda x: x[I, :, J], leaf(1, 3, 4, 5))
case("ELLIPSIS", "x[..., c]", lambda x: x[..., COLUMNS], leaf(1, 3, 4, 5))
case("STEP", "x[0:3:2, c]", lambda x: x[0:3:2, COLUMNS], leaf(1, 3, 4, 5))
case("BOUNDS", "x[-2:, :-1, 1:9:3]", lambda x: x[-2:, :-1, 1:9:3], leaf(1, 3, 4, 5))
case("NEW_AXES", "x[None, -1, c, None]", lambda x: x[None, -1, COLUMNS, None], leaf(1, 3, 4, 5))
case("INTEGER_BETWEEN", "x[:, i, 1, j], x = pattern(1, 2, 3, 4, 5)", lambda x: x[:, I, 1, J], leaf(1, 2, 3, 4, 5))
case("PUT_MASK", "x[m] = v, v = pattern(2, 5)", lambda x, v: assigned(x, MASK, v), leaf(1, 3, 4, 5), leaf(2, 5))
case("PUT_MASK_VALUE", "x[m] = 0.25", lambda x: assigned(x, MASK, 0.25), leaf(1, 3, 4, 5))
case("PUT_SEPARATED", "x[i, :, j] = v, v = pattern(2, 2, 1, 4)",
     lambda x, v: assigned(x, (I, slice(None), J), v), leaf(1, 3, 4, 5), leaf(2, 2, 1, 4))
case("PUT_COLUMNS_ACCUMULATE", "x[:, c] += v accumulating, v = pattern(2, 3, 2, 2, 5)",
     lambda x, v: accumulated(x, lambda y: y, [None, COLUMNS], v), leaf(1, 3, 4, 5), leaf(2, 3, 2, 2, 5))
case("PUT_STEP_ACCUMULATE", "x[0:3:2, :, c] += v accumulating, v = pattern(2, 4, 1, 2)",
     lambda x, v: accumulated(x, lambda y: y[0:3:2], [None, None, COLUMNS], v), leaf(1, 3, 4, 5), leaf(2, 4, 1, 2))
case("PUT_INTEGER_BETWEEN_ACCUMULATE", "x[:, i, 1, j] += v accumulating, x = pattern(1, 2, 3, 4, 5), "
     "v = pattern(2, 2, 1, 2)", lambda x, v: accumulated(x, lambda y: y[:, :, 1], [None, I, J], v),
     leaf(1, 2, 3, 4, 5), leaf(2, 2, 1, 2))
# A 0-dim integer index tensor selects as an integer: it neither separates the index tensors around it nor broadcasts.
SCALAR = torch.tensor(-1)
case("SCALAR_TENSOR_BETWEEN", "x[:, s, :, i], s = tensor(-1), x = pattern(1, 2, 3, 4, 5)",
     lambda x: x[:, SCALAR, :, I], leaf(1, 2, 3, 4, 5))
case("PUT_SCALAR_TENSOR_FIRST", "x[s, :, i] = v, v = pattern(2, 3, 2, 1), x = pattern(1, 2, 3, 4, 5)",
     lambda x, v: assigned(x, (SCALAR, slice(None), I), v), leaf(1, 2, 3, 4, 5), leaf(2, 3, 2, 1))
