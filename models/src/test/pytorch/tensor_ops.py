"""Prints the data of ShapeProductOpsPyTorchParityTest and SelectionReductionOpsPyTorchParityTest
(tests/src/test/java/dev/kiln/tests/ops/), the end of each file from the line "Printed by": PyTorch 1.13's values and
gradients in float64 of diagonal, diag, trace, diag_embed, outer, kron, tensordot, cross, movedim, rot90, repeat, tile,
repeat_interleave, meshgrid, cartesian_prod and diff (argument "shape"), and of take_along_dim, masked_select, nonzero,
any, all, count_nonzero, amax, amin, nansum, nanmean and clone (argument "selection"). Inputs are
pattern(seed, n)[k] = ((7 k + 3 seed) mod 17 - 8) / 8, exact in float32 too; each gradient is that of
(y * pattern(9, y.numel()).reshape(y.shape)).sum(). Run with /usr/bin/python3 (torch 1.13): python3 tensor_ops.py shape
"""
import sys
import torch

torch.set_default_dtype(torch.float64)


def pattern(seed, *dims):
    n = 1
    for d in dims:
        n *= d
    return torch.tensor([((7 * k + 3 * seed) % 17 - 8) / 8 for k in range(n)]).reshape(dims)


def leaf(seed, *dims):
    return pattern(seed, *dims).requires_grad_(True)


def weigh(y):
    (y * pattern(9, *y.shape)).sum().backward()


def java(v):
    return "NAN" if v != v else repr(v)


def show(name, expression, t):
    print("    // %s: %s" % (expression, list(t.shape)))
    values = ", ".join(java(float(v)) for v in t.detach().reshape(-1).tolist())
    print("    private static final double[] %s = {%s};" % (name, values))


def shape_ops():
    x = leaf(1, 2, 3, 4)
    y = torch.diagonal(x, 1, 0, 2)
    weigh(y)
    show("DIAGONAL", "torch.diagonal(x, 1, 0, 2), x = pattern(1, 2, 3, 4)", y)
    show("DIAGONAL_GRAD", "x.grad", x.grad)
    show("DIAGONAL_BELOW", "torch.diagonal(x, -1, -1, -2)", torch.diagonal(x, -1, -1, -2))
    v = leaf(2, 3)
    y = torch.diag(v, 1)
    weigh(y)
    show("DIAG_OF_VECTOR", "torch.diag(v, 1), v = pattern(2, 3)", y)
    show("DIAG_OF_VECTOR_GRAD", "v.grad", v.grad)
    m = leaf(3, 3, 4)
    show("DIAG_OF_MATRIX", "torch.diag(m, -1), m = pattern(3, 3, 4)", torch.diag(m, -1))
    t = torch.trace(m)
    t.backward()
    show("TRACE", "torch.trace(m)", t.reshape(1))
    show("TRACE_GRAD", "m.grad of torch.trace(m)", m.grad)
    e = leaf(4, 2, 3)
    y = torch.diag_embed(e, -1, 0, 2)
    weigh(y)
    show("DIAG_EMBED", "torch.diag_embed(e, -1, 0, 2), e = pattern(4, 2, 3)", y)
    show("DIAG_EMBED_GRAD", "e.grad", e.grad)
    a, b = leaf(5, 3), leaf(6, 4)
    y = torch.outer(a, b)
    weigh(y)
    show("OUTER", "torch.outer(a, b), a = pattern(5, 3), b = pattern(6, 4)", y)
    show("OUTER_GRAD_A", "a.grad", a.grad)
    show("OUTER_GRAD_B", "b.grad", b.grad)
    a, b = leaf(7, 2, 3), leaf(8, 2, 1, 2)
    y = torch.kron(a, b)
    weigh(y)
    show("KRON", "torch.kron(a, b), a = pattern(7, 2, 3), b = pattern(8, 2, 1, 2)", y)
    show("KRON_GRAD_A", "a.grad", a.grad)
    show("KRON_GRAD_B", "b.grad", b.grad)
    a, b = leaf(10, 2, 3, 4), leaf(11, 4, 3, 5)
    y = torch.tensordot(a, b, dims=([1, 2], [1, 0]))
    weigh(y)
    show("TENSORDOT", "torch.tensordot(a, b, dims=([1, 2], [1, 0])), a = pattern(10, 2, 3, 4), b = pattern(11, 4, 3, 5)",
         y)
    show("TENSORDOT_GRAD_A", "a.grad", a.grad)
    show("TENSORDOT_GRAD_B", "b.grad", b.grad)
    show("TENSORDOT_ONE", "torch.tensordot(a, c, 1), c = pattern(12, 4, 5)", torch.tensordot(a, pattern(12, 4, 5), 1))
    a, b = leaf(13, 3, 4), leaf(14, 3, 1)
    y = torch.linalg.cross(a, b, dim=0)
    weigh(y)
    show("CROSS", "torch.linalg.cross(a, b, dim=0), a = pattern(13, 3, 4), b = pattern(14, 3, 1)", y)
    show("CROSS_GRAD_A", "a.grad", a.grad)
    show("CROSS_GRAD_B", "b.grad", b.grad)
    r = torch.arange(24.0).reshape(2, 3, 4)
    show("MOVEDIM", "torch.movedim(r, (0, 1), (2, 0)), r = arange(24).reshape(2, 3, 4)", torch.movedim(r, (0, 1), (2, 0)))
    r = torch.arange(12.0).reshape(3, 4).requires_grad_(True)
    y = torch.rot90(r, 1, [0, 1])
    weigh(y)
    show("ROT90", "torch.rot90(r, 1, [0, 1]), r = arange(12).reshape(3, 4)", y)
    show("ROT90_GRAD", "r.grad", r.grad)
    show("ROT90_MINUS_ONE", "torch.rot90(r, -1, [0, 1])", torch.rot90(r, -1, [0, 1]))
    show("ROT90_TWO", "torch.rot90(r, 2, [1, 0])", torch.rot90(r, 2, [1, 0]))
    x = leaf(15, 2, 3)
    y = x.repeat(2, 1, 2)
    weigh(y)
    show("REPEAT", "x.repeat(2, 1, 2), x = pattern(15, 2, 3)", y)
    show("REPEAT_GRAD", "x.grad", x.grad)
    show("TILE", "x.tile((2,))", x.tile((2,)))
    x = leaf(16, 3, 2)
    y = torch.repeat_interleave(x, torch.tensor([1, 0, 2]), dim=0)
    weigh(y)
    show("REPEAT_INTERLEAVE", "torch.repeat_interleave(x, tensor([1, 0, 2]), dim=0), x = pattern(16, 3, 2)", y)
    show("REPEAT_INTERLEAVE_GRAD", "x.grad", x.grad)
    show("REPEAT_INTERLEAVE_TWO", "torch.repeat_interleave(x, 2, dim=1)", torch.repeat_interleave(x, 2, dim=1))
    a, b = leaf(17, 3), leaf(18, 2)
    gi, gj = torch.meshgrid(a, b, indexing="ij")
    xi, xj = torch.meshgrid(a, b, indexing="xy")
    show("MESHGRID_IJ_0", "torch.meshgrid(a, b, indexing='ij')[0], a = pattern(17, 3), b = pattern(18, 2)", gi)
    show("MESHGRID_IJ_1", "torch.meshgrid(a, b, indexing='ij')[1]", gj)
    show("MESHGRID_XY_0", "torch.meshgrid(a, b, indexing='xy')[0]", xi)
    show("MESHGRID_XY_1", "torch.meshgrid(a, b, indexing='xy')[1]", xj)
    (xi * pattern(9, 2, 3)).sum().add((xj * pattern(19, 2, 3)).sum()).backward()
    show("MESHGRID_XY_GRAD_A", "a.grad of (xy[0] * pattern(9, 2, 3) + xy[1] * pattern(19, 2, 3)).sum()", a.grad)
    show("MESHGRID_XY_GRAD_B", "b.grad", b.grad)
    show("CARTESIAN_PROD", "torch.cartesian_prod(a, b, c), c = pattern(20, 2)",
         torch.cartesian_prod(a, b, pattern(20, 2)))
    x, before, after = leaf(21, 2, 5), leaf(22, 2, 1), leaf(23, 2, 2)
    y = torch.diff(x, n=2, dim=1, prepend=before, append=after)
    weigh(y)
    show("DIFF", "torch.diff(x, 2, 1, before, after), x = pattern(21, 2, 5), before = pattern(22, 2, 1), after = "
         "pattern(23, 2, 2)", y)
    show("DIFF_GRAD_X", "x.grad", x.grad)
    show("DIFF_GRAD_BEFORE", "before.grad", before.grad)
    show("DIFF_GRAD_AFTER", "after.grad", after.grad)
    show("DIFF_ROWS", "torch.diff(x, dim=0)", torch.diff(x, dim=0))


def selection_ops():
    x = leaf(1, 3, 4)
    i = torch.tensor([[2], [0], [3]])
    y = torch.take_along_dim(x, i, 1)
    weigh(y)
    show("TAKE_ALONG", "torch.take_along_dim(x, tensor([[2], [0], [3]]), 1), x = pattern(1, 3, 4)", y)
    show("TAKE_ALONG_GRAD", "x.grad", x.grad)
    show("TAKE_ALONG_BROADCAST", "torch.take_along_dim(x, tensor([[1], [2]]), 0)",
         torch.take_along_dim(x, torch.tensor([[1], [2]]), 0))
    show("TAKE_ALONG_FLAT", "torch.take_along_dim(x, tensor([[11, 0], [5, 5]]))",
         torch.take_along_dim(x, torch.tensor([[11, 0], [5, 5]])))
    x = leaf(2, 3, 4)
    mask = pattern(3, 4) > 0
    y = torch.masked_select(x, mask)
    weigh(y)
    show("MASK", "pattern(3, 4) > 0", mask.double())
    show("MASKED_SELECT", "torch.masked_select(x, mask), x = pattern(2, 3, 4)", y)
    show("MASKED_SELECT_GRAD", "x.grad", x.grad)
    z = torch.tensor([[0.0, 1.5, 0.0], [float("nan"), 0.0, -2.0]])
    show("NONZERO", "torch.nonzero(z), z = [[0, 1.5, 0], [nan, 0, -2]]", torch.nonzero(z).double())
    b = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, float("nan")], [2.0, -1.0, 3.0]])
    show("ANY_ROWS", "b.any(1), b = [[0, 0, 0], [1, 0, nan], [2, -1, 3]]", b.any(1).double())
    show("ALL_ROWS", "b.all(1)", b.all(1).double())
    show("ANY_COLUMNS", "b.any(0, keepdim=True)", b.any(0, keepdim=True).double())
    show("ALL_COLUMNS", "b.all(0, keepdim=True)", b.all(0, keepdim=True).double())
    show("COUNT_NONZERO", "torch.count_nonzero(b, 0)", torch.count_nonzero(b, 0).double())
    t = torch.tensor([[[1.0, 3.0], [3.0, -2.0]], [[0.5, 3.0], [-1.0, -2.0]], [[2.0, 2.0], [-4.0, 0.0]]],
                     requires_grad=True)
    y = torch.amax(t, (0, 2))
    weigh(y)
    show("AMAX", "torch.amax(t, (0, 2)), t = [[[1, 3], [3, -2]], [[0.5, 3], [-1, -2]], [[2, 2], [-4, 0]]]", y)
    show("AMAX_GRAD", "t.grad", t.grad)
    t.grad = None
    y = torch.amin(t, (1,), keepdim=True)
    weigh(y)
    show("AMIN", "torch.amin(t, 1, keepdim=True)", y)
    show("AMIN_GRAD", "t.grad", t.grad)
    t.grad = None
    y = torch.amax(t, ())
    y.backward()
    show("AMAX_ALL_GRAD", "t.grad of torch.amax(t, ())", t.grad)
    n = torch.tensor([[1.5, float("nan"), -0.5], [float("nan"), float("nan"), float("nan")]], requires_grad=True)
    y = torch.nansum(n, 1)
    weigh(y)
    show("NANSUM", "torch.nansum(n, 1), n = [[1.5, nan, -0.5], [nan, nan, nan]]", y)
    show("NANSUM_GRAD", "n.grad", n.grad)
    n.grad = None
    y = torch.nanmean(n, 1)
    weigh(y)
    show("NANMEAN", "torch.nanmean(n, 1)", y)
    show("NANMEAN_GRAD", "n.grad", n.grad)
    show("NANMEAN_ALL", "torch.nanmean(n)", torch.nanmean(n).reshape(1))
    show("NANSUM_COLUMNS", "torch.nansum(n, 0, keepdim=True)", torch.nansum(n, 0, keepdim=True))


if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/tensor_ops.py %s (PyTorch %s)" % (sys.argv[1], torch.__version__))
    {"shape": shape_ops, "selection": selection_ops}[sys.argv[1]]()
