"""Writes tests/src/test/resources/ops/op_semantics_cases.json, the cases OpSemanticsPyTorchParityTest replays on Kiln's
CPU backend: a few hundred small, seeded draws of Tensor ops at their edges (broadcasting with size-1, size-0 and rank-0
operands; reductions over negative dims, dim lists, keepdim and empty axes; shape ops; indexing with ties and bad
indices; element-wise functions at 0, -0, infinities, NaN, huge and tiny values; dtype rules), each with what PyTorch
1.13 gives (the outputs' dtypes, shapes and values to full precision) or the fact that it raises.

Where Kiln deliberately differs and docs/PYTORCH.md says so, the case carries Kiln's expectation beside PyTorch's and
the documenting line (``kiln`` and ``doc``). ``ulps`` is the tolerance in units in the last place of the expected value:
0 (the same double) unless PyTorch's own order of summation or its libm may differ from Kiln's in the last bit.

Run it with /usr/bin/python3 (torch 1.13) from this folder: python3 op_semantics_cases.py
"""
import json
import math
import os
import random

import torch
import torch.nn.functional as F

RNG = random.Random(20261207)
torch.set_default_dtype(torch.float64)
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64", torch.bool: "BOOL"}
INF = math.inf
NAN = math.nan
# Values at the edges of element-wise functions.
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, -3.5, INF, -INF, NAN, 1e-300, -1e-300, 5e-324, 1e300,
           -1e300, 1e-8, -1e-8, 710.0, -745.0, 40.0, -40.0, 20.5, 2.0 ** 53, 0.49999999999999994, 7.0, -7.0, 3.0, -3.0]

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "docs", "PYTORCH.md")


def doc(fragment):
    """docs/PYTORCH.md's line that documents a difference of Kiln's: its number and the quoted fragment."""
    with open(DOCS) as f:
        for number, line in enumerate(f, 1):
            if fragment in line:
                return "docs/PYTORCH.md:%d: %s" % (number, fragment)
    raise ValueError("docs/PYTORCH.md does not say: " + fragment)


# Kiln's documented differences, each a fragment of its line in docs/PYTORCH.md.
DOC_NO_BOOL = doc("No bool dtype: comparisons, `isnan`, `isinf`, `isfinite`, `any` and `all` give 1/0")
DOC_ONE_DTYPE = doc("No type promotion: a binary op, `where` too, takes operands of one dtype and refuses mixed ones")
DOC_INT = doc("`abs`, `neg`, `sign` and the scalar forms (`add(2.5)`, `mul(2.0)`) need F32 or F64")
DOC_RANK0 = doc("A 0-d tensor has no axis: `squeeze`, `transpose`, `flip`, `sort` and `argsort` refuse an axis for it")
DOC_SIGN = doc("`sign(NaN)` is NaN and `sign(-0.0)` is -0.0 (PyTorch 1.13: 0 and 0.0)")
DOC_RELU = doc("`relu(-0.0)` is 0.0 (PyTorch's -0.0)")
DOC_MUL_ZERO = doc("`x.mul(s)` is 0.0 where PyTorch's x * s is -0.0.")
DOC_CLAMP_NAN = doc("`clamp`, `clampMin` and `clampMax` refuse a NaN bound")
DOC_FMOD = doc("`fmod` and `remainder` of floats are exact (C's fmod) where PyTorch 1.13's overflowing quotient")
DOC_VAR = doc("`var` and `std` refuse a `correction` above the number of elements reduced")
DOC_CAT = doc("`cat` refuses an empty 1-D tensor beside tensors of another rank")
DOC_DIAG = doc("`diag(offset)` past a matrix's corner gives an empty diagonal, as PyTorch 2")
DOC_SOFTPLUS = doc("`F.softplus` has no threshold: log(1 + e^x) everywhere")
DOC_TOPK_TIES = doc("ties in position order (PyTorch leaves topk's unspecified)")
DOC_NORM_P = doc("`norm` takes any p > 0 or infinity")

cases = []


def encode(t):
    """A tensor as dtype, shape and row-major values (floats as the doubles they hold, so F32 exactly)."""
    t = t.detach().contiguous()
    values = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        values = [int(v) for v in values]
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": values}


def outputs(result):
    if isinstance(result, (tuple, list)):
        return [encode(r) for r in result]
    return [encode(result)]


def case(family, op, inputs, args, fn, ulps=0, kiln=None, doc=None, tol=None):
    """
    Runs fn(*inputs) in PyTorch and records its outputs or the error it raises; tol, where given, is each element's
    absolute tolerance instead of ulps.
    """
    c = {"id": "%s-%03d" % (family, sum(1 for k in cases if k["family"] == family)), "family": family, "op": op,
         "in": [encode(t) for t in inputs], "args": args}
    try:
        c["out"] = outputs(fn(*inputs))
        if ulps:
            c["ulps"] = ulps
        if tol is not None and "raises" not in c:
            c["tol"] = tol
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        c["raises"] = type(e).__name__ + ": " + str(e).split("\n")[0][:120]
    if kiln is not None:
        c["kiln"] = kiln
        c["doc"] = doc
    cases.append(c)
    return c


def cancellation_tol(fn, *ts):
    """
    Per element, twice the ulp of the largest of the operands and fn's result: what a libm's last bit becomes in
    max(a, b) + log1p(exp(-|a - b|)) when the sum cancels, PyTorch's formula and Kiln's alike.
    """
    try:
        parts = torch.broadcast_tensors(*[t.abs() for t in ts], fn(*ts).abs())
    except RuntimeError:
        return None
    big = torch.stack(parts).amax(0) if parts[0].numel() else parts[0]
    return [2 * math.ulp(v) if math.isfinite(v) else 0.0 for v in big.reshape(-1).tolist()]


def kiln_mul_scalar(x, s):
    """Kiln's x.mul(s), computed as x s + 0: 0.0 where x s is -0.0."""
    return {"out": outputs(x * s + 0.0)}


def values(n, special=0.0):
    """n multiples of 1/4 in [-4, 4] (exact sums in any order), each a special value with probability special."""
    return [RNG.choice(SPECIAL) if RNG.random() < special else RNG.randint(-16, 16) / 4 for _ in range(n)]


def tensor(shape, dtype=torch.float64, special=0.0):
    n = math.prod(shape)
    if dtype in (torch.int32, torch.int64):
        return torch.tensor([RNG.randint(-9, 9) for _ in range(n)], dtype=dtype).reshape(shape)
    return torch.tensor(values(n, special), dtype=dtype).reshape(shape)


def shape(max_rank=3, sizes=(0, 1, 2, 3), zero=0.1):
    dims = [RNG.choice(sizes[1:]) for _ in range(RNG.randint(0, max_rank))]
    if dims and RNG.random() < zero:
        dims[RNG.randrange(len(dims))] = 0
    return dims


def mask(shape):
    return torch.tensor([RNG.random() < 0.5 for _ in range(math.prod(shape))], dtype=torch.bool).reshape(shape)


def broadcast_partner(dims):
    """A shape that broadcasts with dims: leading axes dropped, some set to 1; now and then one that does not."""
    other = list(dims[RNG.randint(0, len(dims)):]) if dims else []
    other = [1 if RNG.random() < 0.3 else d for d in other]
    if RNG.random() < 0.2:
        other = [1, 1] + other if RNG.random() < 0.5 else [RNG.choice([1, 2])] + other
    if other and RNG.random() < 0.08:
        i = RNG.randrange(len(other))
        other[i] = {0: 2, 1: 1, 2: 3, 3: 2}[other[i]] if other[i] != 1 else 1
    return other


# ---- broadcasting of binary ops ----------------------------------------------------------------------------------

BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "maximum": torch.maximum,
          "minimum": torch.minimum, "atan2": torch.atan2, "hypot": torch.hypot, "logaddexp": torch.logaddexp}
COMPARISONS = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}


def comparison_as_kiln(a, b, fn):
    try:
        return {"out": outputs(fn(a, b).to(a.dtype))}
    except RuntimeError:
        return None


for _ in range(70):
    dims = shape()
    a, b = tensor(dims), tensor(broadcast_partner(dims))
    if RNG.random() < 0.5:
        a, b = b, a
    op = RNG.choice(list(BINARY))
    tol = cancellation_tol(BINARY[op], a, b) if op == "logaddexp" else None
    case("broadcast", op, [a, b], {}, BINARY[op], ulps=1 if op in ("atan2", "hypot") else 0, tol=tol)
for dims_a, dims_b in [([0], [1]), ([0], [2]), ([], [0]), ([2, 1, 3], [4, 1]), ([2, 3], [3, 2]), ([2, 0], [3, 1]),
                       ([1, 0], [3, 1]), ([3], [1, 1, 1, 3]), ([2, 3], [2]), ([1], [])]:
    op = RNG.choice(["add", "mul", "sub", "maximum"])
    case("broadcast", op, [tensor(dims_a), tensor(dims_b)], {}, BINARY[op])
for _ in range(18):
    dims = shape()
    a, b = tensor(dims), tensor(broadcast_partner(dims))
    op = RNG.choice(list(COMPARISONS))
    kiln = comparison_as_kiln(a, b, COMPARISONS[op])
    case("broadcast", op, [a, b], {}, COMPARISONS[op], kiln=kiln, doc=DOC_NO_BOOL if kiln else None)
for op, fn in [("addScalar", lambda x, s: x + s), ("subScalar", lambda x, s: x - s), ("mulScalar", lambda x, s: x * s),
               ("divScalar", lambda x, s: x / s)]:
    for s in (2.5, -0.0, 0.0):
        x = tensor(shape(), special=0.3)
        kiln = kiln_mul_scalar(x, s) if op == "mulScalar" and s == 0 else None
        case("broadcast", op, [x], {"value": s}, lambda x, s=s, fn=fn: fn(x, s), kiln=kiln,
             doc=DOC_MUL_ZERO if kiln else None)
for _ in range(12):
    dims = shape()
    c, a, b = mask(broadcast_partner(dims)), tensor(broadcast_partner(dims)), tensor(dims)
    case("broadcast", "where", [c, a, b], {}, torch.where)
for _ in range(8):
    dims = shape()
    x, m = tensor(dims), mask(broadcast_partner(dims))
    case("broadcast", "maskedFill", [x, m], {"value": -1.5}, lambda x, m: x.masked_fill(m, -1.5))

# ---- reductions -------------------------------------------------------------------------------------------------


def axis_of(rank):
    return RNG.randint(-rank, rank - 1) if rank else RNG.choice([0, -1])


def reduction_shape():
    return shape(max_rank=3, zero=0.2) or [RNG.randint(1, 3)]


ONE_AXIS = {
    "sum": lambda x, a, k: x.sum(a, keepdim=k),
    "mean": lambda x, a, k: x.mean(a, keepdim=k),
    "max": lambda x, a, k: x.max(a, keepdim=k).values,
    "min": lambda x, a, k: x.min(a, keepdim=k).values,
    "argmax": lambda x, a, k: x.argmax(a, keepdim=k),
    "argmin": lambda x, a, k: x.argmin(a, keepdim=k),
    "prod": lambda x, a, k: x.prod(a, keepdim=k),
    "logsumexp": lambda x, a, k: x.logsumexp(a, keepdim=k),
}
ALL = {"sumAll": torch.sum, "meanAll": torch.mean, "maxAll": torch.max, "minAll": torch.min, "prodAll": torch.prod,
       "varAll": torch.var, "stdAll": torch.std}
for _ in range(56):
    x = tensor(reduction_shape(), special=0.1 if RNG.random() < 0.3 else 0.0)
    op = RNG.choice(list(ONE_AXIS))
    a = axis_of(x.dim()) if RNG.random() < 0.93 else x.dim() + 1
    k = RNG.random() < 0.5
    ulps = 2 if op in ("logsumexp",) else 0
    case("reduce", op, [x], {"axis": a, "keepDim": k}, lambda x, a=a, k=k, op=op: ONE_AXIS[op](x, a, k), ulps=ulps)
for op, fn in ALL.items():
    for dims in ([2, 3], [0], [0, 3], [1], []):
        x = tensor(dims, special=0.15)
        kiln = {"raises": True} if op in ("varAll", "stdAll") and x.numel() == 0 else None
        case("reduce", op, [x], {}, fn, ulps=2 if op in ("varAll", "stdAll") else 0, kiln=kiln,
             doc=DOC_VAR if kiln else None)


def axes_of(rank):
    picked = [a for a in range(rank) if RNG.random() < 0.5] or ([0] if rank else [])
    axes = [a - rank if RNG.random() < 0.4 else a for a in picked]
    if RNG.random() < 0.08 and axes:
        axes.append(axes[0])
    return axes


def kiln_refuses_correction(x, axes, correction):
    """Kiln refuses a correction above the count each result of var or std reduces."""
    try:
        count = math.prod(x.shape[a] for a in set(a % x.dim() for a in axes)) if axes else x.numel()
    except ZeroDivisionError:
        return False
    return correction > count


MANY_AXES = {
    "var": lambda x, d, c, k: torch.var(x, dim=d, correction=c, keepdim=k),
    "std": lambda x, d, c, k: torch.std(x, dim=d, correction=c, keepdim=k),
    "amax": lambda x, d, c, k: torch.amax(x, dim=d, keepdim=k),
    "amin": lambda x, d, c, k: torch.amin(x, dim=d, keepdim=k),
}
for _ in range(36):
    x = tensor(reduction_shape())
    op = RNG.choice(list(MANY_AXES))
    d, c, k = axes_of(x.dim()), RNG.choice([0, 1, 2]), RNG.random() < 0.5
    args = {"axes": d, "keepDim": k}
    kiln = None
    if op in ("var", "std"):
        args["correction"] = c
        kiln = {"raises": True} if kiln_refuses_correction(x, d, c) else None
    case("reduce", op, [x], args, lambda x, d=d, c=c, k=k, op=op: MANY_AXES[op](x, d, c, k), ulps=2, kiln=kiln,
         doc=DOC_VAR if kiln else None)
for _ in range(14):
    x = tensor(reduction_shape(), special=0.05)
    p, d, k = RNG.choice([1.0, 2.0, 3.0, 0.5, INF]), axes_of(x.dim()), RNG.random() < 0.5
    case("reduce", "norm", [x], {"p": p, "axes": d, "keepDim": k},
         lambda x, p=p, d=d, k=k: torch.linalg.vector_norm(x, p, d, k), ulps=2)
for p in (1.0, 2.0, INF, 0.0, -1.0):
    x = tensor([2, 3])
    kiln = {"raises": True} if p <= 0 else None
    case("reduce", "normAll", [x], {"p": p}, lambda x, p=p: torch.linalg.vector_norm(x, p), ulps=2,
         kiln=kiln, doc=DOC_NORM_P if kiln else None)
for _ in range(16):
    x = tensor(reduction_shape(), special=0.1)
    op, a = RNG.choice(["cumsum", "cumprod"]), axis_of(x.dim())
    case("reduce", op, [x], {"axis": a}, lambda x, a=a, op=op: getattr(x, op)(a))

# ---- shape ops --------------------------------------------------------------------------------------------------


def sized(dims):
    return torch.arange(math.prod(dims), dtype=torch.float64).reshape(dims)


for dims, target in [([2, 3], [3, 2]), ([2, 3], [-1]), ([2, 3], [-1, 2]), ([2, 3], [4, -1]), ([2, 3], [-1, -1]),
                     ([0, 3], [-1, 0]), ([0, 3], [0, -1]), ([0, 3], [3, 0]), ([], [1, 1]), ([], [-1]), ([1], []),
                     ([2, 3], [6, -2]), ([2, 3], [7])]:
    case("shape", "reshape", [sized(dims)], {"dims": target}, lambda x, t=target: x.reshape(t))
for dims, start in [([2, 3, 4], 1), ([2, 3, 4], -1), ([2, 3, 4], -2), ([2, 3, 4], 0), ([], 0), ([2, 3], 2),
                    ([2, 0, 3], 1), ([2, 3], -3)]:
    case("shape", "flatten", [sized(dims)], {"startAxis": start}, lambda x, s=start: torch.flatten(x, s))
for dims, axis in [([2, 3], 0), ([2, 3], 2), ([2, 3], -1), ([2, 3], -3), ([2, 3], 3), ([2, 3], -4), ([], 0), ([], -1)]:
    case("shape", "unsqueeze", [sized(dims)], {"axis": axis}, lambda x, a=axis: x.unsqueeze(a))
for dims, axis in [([2, 1, 3], 1), ([2, 1, 3], -2), ([1], 0), ([], 0), ([2, 3], 0), ([2, 3], -1), ([2, 3], 2),
                   ([0, 1], 1), ([0, 1], 0)]:
    kiln = {"raises": True} if not dims else None
    case("shape", "squeeze", [sized(dims)], {"axis": axis}, lambda x, a=axis: x.squeeze(a), kiln=kiln,
         doc=DOC_RANK0 if kiln else None)
for dims, a, b in [([2, 3], 0, 1), ([2, 3, 4], -1, 0), ([2, 3], 1, 1), ([2, 3], 0, 2), ([], 0, 0), ([], 0, -1),
                   ([0, 2], 0, 1)]:
    kiln = {"raises": True} if not dims else None
    case("shape", "transpose", [sized(dims)], {"a": a, "b": b}, lambda x, a=a, b=b: x.transpose(a, b), kiln=kiln,
         doc=DOC_RANK0 if kiln else None)
for dims, perm in [([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [-1, 0, 1]), ([2, 3, 4], [0, 0, 1]), ([2, 3], [1]),
                   ([2, 3, 4], [0, 1, 3]), ([], [])]:
    case("shape", "permute", [sized(dims)], {"perm": perm}, lambda x, p=perm: x.permute(p))
for dims, target in [([3, 1], [3, 4]), ([3, 1], [-1, 4]), ([1], [2, 3, 1]), ([3], [2, 3]), ([3, 1], [3, 0]),
                     ([], [2, 2]), ([3, 2], [3, 4]), ([3], [3, -1]), ([2, 3], [3]), ([1, 3], [-1, -1])]:
    case("shape", "expand", [sized(dims)], {"dims": target}, lambda x, t=target: x.expand(t))
for dims, reps in [([2, 3], [2, 1]), ([2], [3, 2]), ([2, 3], [2]), ([], [2, 3]), ([2, 3], [0, 1]), ([2, 3], [-1, 1])]:
    case("shape", "repeat", [sized(dims)], {"repeats": reps}, lambda x, r=reps: x.repeat(r))
for dims, reps in [([2, 3], [2]), ([2, 3], [2, 1]), ([2], [3, 2]), ([], [2]), ([2, 3], [])]:
    case("shape", "tile", [sized(dims)], {"repeats": reps}, lambda x, r=reps: x.tile(r))
for dims_list, axis in [([[2, 3], [1, 3]], 0), ([[2, 3], [2, 1]], -1), ([[2, 3], [0, 3]], 0), ([[2, 3], [0]], 0),
                        ([[2, 3], [2, 4]], 0), ([[2], [3]], 0), ([[2, 3]], 1), ([[2, 3], [2, 3]], 2),
                        ([[], []], 0), ([[0], [0]], 0)]:
    ts = [sized(d) + 10 * i for i, d in enumerate(dims_list)]
    legacy = len({len(d) for d in dims_list}) > 1 and [0] in dims_list
    case("shape", "cat", ts, {"axis": axis}, lambda *ts, a=axis: torch.cat(ts, a),
         kiln={"raises": True} if legacy else None, doc=DOC_CAT if legacy else None)
for dims_list, axis in [([[2, 3], [2, 3]], 0), ([[2, 3], [2, 3]], 2), ([[2, 3], [2, 3]], -1), ([[2, 3], [2, 3]], -3),
                        ([[2, 3], [3, 2]], 0), ([[], []], 0), ([[0, 2], [0, 2]], 1), ([[2]], 3)]:
    ts = [sized(d) + 10 * i for i, d in enumerate(dims_list)]
    case("shape", "stack", ts, {"axis": axis}, lambda *ts, a=axis: torch.stack(ts, a))
for dims, axis, sizes in [([5, 2], 0, [2, 3]), ([5, 2], 0, [5]), ([5, 2], 0, [2, 0, 3]), ([5, 2], -2, [1, 4]),
                          ([5, 2], 1, [1, 1]), ([5, 2], 0, [2, 2]), ([5, 2], 0, [4, 2]), ([0, 2], 0, [0, 0])]:
    case("shape", "split", [sized(dims)], {"axis": axis, "sizes": sizes},
         lambda x, a=axis, s=sizes: torch.split(x, s, a))
for dims, chunks, axis in [([6], 4, 0), ([5], 2, 0), ([5], 5, 0), ([2], 3, 0), ([0], 2, 0), ([2, 7], 3, -1),
                           ([6], 0, 0), ([1], 1, 0)]:
    case("shape", "chunk", [sized(dims)], {"chunks": chunks, "axis": axis}, lambda x, c=chunks, a=axis: x.chunk(c, a))
for dims, axis, start, length in [([5], 0, 1, 3), ([5], 0, -2, 2), ([5], 0, 5, 0), ([5], 0, 4, 2), ([2, 5], -1, 0, 5),
                                  ([2, 5], 1, 2, 0), ([5], 0, -6, 1), ([5], 0, 0, -1)]:
    case("shape", "narrow", [sized(dims)], {"axis": axis, "start": start, "length": length},
         lambda x, a=axis, s=start, n=length: x.narrow(a, s, n))
for dims, shift in [([2, 3], 1), ([2, 3], -7), ([5], 12), ([0], 1), ([], 3)]:
    case("shape", "rollFlat", [sized(dims)], {"shift": shift}, lambda x, s=shift: x.roll(s))
for dims, shifts, axes in [([2, 3], [1], [1]), ([2, 3], [-1, 4], [0, 1]), ([2, 3], [1, 1], [1, 1]), ([2, 3], [1], [2]),
                           ([2, 3], [1, 2], [0]), ([2, 0], [1], [1])]:
    case("shape", "roll", [sized(dims)], {"shifts": shifts, "axes": axes},
         lambda x, s=shifts, a=axes: x.roll(s, a))
for dims, axes in [([2, 3], [0]), ([2, 3], [-1, 0]), ([2, 3, 2], [2]), ([2, 3], []), ([2, 3], [0, 0]), ([], [0]),
                   ([2, 3], [2])]:
    kiln = {"raises": True} if not dims and axes else None
    case("shape", "flip", [sized(dims)], {"axes": axes}, lambda x, a=axes: x.flip(a), kiln=kiln,
         doc=DOC_RANK0 if kiln else None)
for dims, src, dst in [([2, 3, 4], [0], [2]), ([2, 3, 4], [0, 1], [2, 0]), ([2, 3, 4], [-1], [0]),
                       ([2, 3, 4], [0, 0], [1, 2]), ([2, 3, 4], [0], [3]), ([2, 3, 4], [0, 1], [1])]:
    case("shape", "movedim", [sized(dims)], {"source": src, "destination": dst},
         lambda x, s=src, d=dst: torch.movedim(x, s, d))
for dims in ([3, 4], [4, 3], [2, 3, 3], [0, 3], [3]):
    for k in (0, 1, -2, 5):
        op = RNG.choice(["tril", "triu"])
        case("shape", op, [sized(dims) + 1], {"k": k}, lambda x, k=k, op=op: getattr(x, op)(k))
for dims, offset in [([3], 0), ([3], 1), ([3], -2), ([3, 4], 0), ([3, 4], 2), ([3, 4], -1), ([3, 4], 5), ([3, 4], -4),
                     ([0], 0), ([2, 2, 2], 0), ([], 0)]:
    past = len(dims) == 2 and (offset >= dims[1] or -offset >= dims[0])
    kiln = {"out": outputs(torch.zeros(0))} if past else None
    case("shape", "diag", [sized(dims) + 1], {"offset": offset}, lambda x, o=offset: torch.diag(x, o), kiln=kiln,
         doc=DOC_DIAG if kiln else None)
for dims, offset, d1, d2 in [([3, 4], 1, 0, 1), ([2, 3, 4], -1, -1, 1), ([3, 4], 0, 0, 0), ([3, 4], 9, 0, 1)]:
    case("shape", "diagonal", [sized(dims)], {"offset": offset, "dim1": d1, "dim2": d2},
         lambda x, o=offset, a=d1, b=d2: torch.diagonal(x, o, a, b))

# ---- indexing ---------------------------------------------------------------------------------------------------


def index(n, count, low=None):
    low = 0 if low is None else low
    return torch.tensor([RNG.randint(low, n - 1) for _ in range(count)], dtype=torch.int64)


for dims, axis, idx in [([3, 4], 0, [2, 0, 2]), ([3, 4], -1, [3, 3]), ([3, 4], 1, []), ([3, 4], 0, [3]),
                        ([3, 4], 0, [-1]), ([3], 0, [0, 1, 2, 1]), ([0, 2], 1, [1]), ([3, 4], 2, [0])]:
    case("index", "indexSelect", [sized(dims), torch.tensor(idx, dtype=torch.int64)], {"axis": axis},
         lambda x, i, a=axis: torch.index_select(x, a, i))
for _ in range(10):
    x = tensor([3, 4])
    axis = RNG.choice([0, 1, -1])
    n = x.shape[axis]
    rows, cols = RNG.choice([1, 2, 3, 4]), RNG.choice([1, 2, 4, 5])
    idx = torch.tensor([[RNG.randint(0, n - 1) for _ in range(cols)] for _ in range(rows)])
    case("index", "gather", [x, idx], {"axis": axis}, lambda x, i, a=axis: torch.gather(x, a, i))
for x, axis, idx in [(sized([3, 4]), 0, [[3, 0, 0, 0]]), (sized([3, 4]), 0, [[-1, 0, 0, 0]]),
                     (sized([3, 4]), 1, [[0, 1, 2, 3, 0]]), (sized([3, 4]), 0, [0, 1]), (sized([3]), 0, [])]:
    case("index", "gather", [x, torch.tensor(idx, dtype=torch.int64)], {"axis": axis},
         lambda x, i, a=axis: torch.gather(x, a, i))
for _ in range(6):
    x, src = tensor([3, 4]), tensor([2, 4])
    idx = torch.stack([torch.randperm(3, generator=torch.Generator().manual_seed(RNG.randint(0, 999)))[:2]
                       for _ in range(4)], 1)
    case("index", "scatter", [x, idx, src], {"axis": 0}, lambda x, i, s: x.scatter(0, i, s))
    case("index", "scatterAdd", [x, index(3, 8).reshape(2, 4), src], {"axis": 0},
         lambda x, i, s: x.scatter_add(0, i, s))
    case("index", "scatterValue", [x, index(4, 6).reshape(3, 2)], {"axis": 1, "value": 9.5},
         lambda x, i: x.scatter(1, i, 9.5))
for idx in ([[3, 0, 0, 0]], [[-1, 0, 0, 0]]):
    x, src = tensor([3, 4]), tensor([1, 4])
    case("index", "scatterAdd", [x, torch.tensor(idx), src], {"axis": 0}, lambda x, i, s: x.scatter_add(0, i, s))
    case("index", "scatter", [x, torch.tensor(idx), src], {"axis": 0}, lambda x, i, s: x.scatter(0, i, s))
for axis, idx, src_dims in [(0, [0, 2, 0], [3, 4]), (1, [3, 3], [3, 2]), (-1, [1], [3, 1]), (0, [3], [1, 4]),
                            (0, [0, 1], [3, 4]), (0, [-1], [1, 4])]:
    case("index", "indexAdd", [sized([3, 4]), torch.tensor(idx), tensor(src_dims)], {"axis": axis},
         lambda x, i, s, a=axis: x.index_add(a, i, s))
for _ in range(6):
    x = tensor([3, 4])
    axis = RNG.choice([0, 1, -1, None])
    if axis is None:
        idx = index(12, 5)
        case("index", "takeAlongDimFlat", [x, idx], {}, lambda x, i: torch.take_along_dim(x, i))
    else:
        idx = torch.argsort(x, axis)
        case("index", "takeAlongDim", [x, idx], {"axis": axis}, lambda x, i, a=axis: torch.take_along_dim(x, i, a))
case("index", "takeAlongDim", [sized([3, 4]), torch.tensor([[0], [1], [4]])], {"axis": 1},
     lambda x, i: torch.take_along_dim(x, i, 1))
for x in (tensor([3, 4]), torch.tensor([0.0, -0.0, NAN, 1.0]), torch.zeros(0, 2), torch.tensor(2.0),
          torch.tensor(0.0)):
    case("index", "nonzero", [x], {}, torch.nonzero)
TIES = torch.tensor([1.5, -0.0, 2.0, 0.0, 1.5, -3.0, NAN, 4.0, -INF, NAN, 0.5, 4.0, 0.25, INF, -1.0, 0.25])
for dims, axis, desc in [([16], 0, False), ([16], 0, True), ([4, 4], 0, False), ([4, 4], -1, True), ([2, 8], 1, False),
                         ([0], 0, False), ([], 0, False)]:
    x = torch.zeros(0) if dims == [0] else TIES.reshape(dims) if dims else torch.tensor(2.5)
    kiln = {"raises": True} if not dims else None
    case("index", "sort", [x], {"axis": axis, "descending": desc},
         lambda x, a=axis, d=desc: torch.sort(x, dim=a, descending=d, stable=True), kiln=kiln,
         doc=DOC_RANK0 if kiln else None)
    case("index", "argsort", [x], {"axis": axis, "descending": desc},
         lambda x, a=axis, d=desc: torch.sort(x, dim=a, descending=d, stable=True).indices, kiln=kiln,
         doc=DOC_RANK0 if kiln else None)
for _ in range(5):
    x = tensor([3, 5])
    case("index", "sort", [x], {"axis": -1, "descending": False}, lambda x: torch.sort(x, dim=-1, stable=True))
for k, axis, largest in [(3, 0, True), (3, 0, False), (16, 0, True), (0, 0, True), (17, 0, True), (2, -1, True)]:
    x = TIES if axis == 0 else TIES.reshape(4, 4)
    ties_index = 0 < k <= 16
    kiln = None
    if ties_index:
        # PyTorch leaves the order of tied elements unspecified in topk: Kiln's are the stable sort's.
        v, i = torch.sort(x, dim=axis, descending=largest, stable=True)
        kiln = {"out": outputs((v.narrow(axis, 0, k), i.narrow(axis, 0, k)))}
    case("index", "topk", [x], {"k": k, "axis": axis, "largest": largest},
         lambda x, k=k, a=axis, l=largest: torch.topk(x, k, a, l, True), kiln=kiln, doc=DOC_TOPK_TIES if kiln else None)
for x in (torch.tensor([3.0, 1.0, 3.0, -0.0, 0.0, 2.0, 1.0]), tensor([2, 3]), torch.tensor([], dtype=torch.float64),
          torch.tensor([4, -1, 4, 4, 0], dtype=torch.int64), torch.tensor(5.0)):
    case("index", "unique", [x], {}, lambda x: torch.unique(x, sorted=True, return_inverse=True, return_counts=True))
for dims in ([3, 4], [3, 1], [0, 2]):
    x = tensor(dims)
    m = mask(broadcast_partner(dims))
    case("index", "maskedSelect", [x, m], {}, torch.masked_select)
for axis, idx in [(0, [2, 0]), (1, [-1]), (1, [4]), (0, [])]:
    case("index", "indexFill", [sized([3, 4]), torch.tensor(idx, dtype=torch.int64)], {"axis": axis, "value": -2.0},
         lambda x, i, a=axis: x.index_fill(a, i, -2.0))
for idx in ([0, 11, -1, 5], [12], [[1, 2], [3, 4]]):
    case("index", "take", [sized([3, 4]), torch.tensor(idx, dtype=torch.int64)], {}, torch.take)

# ---- element-wise functions at special values -------------------------------------------------------------------

UNARY = {
    "sign": torch.sign, "floor": torch.floor, "ceil": torch.ceil, "round": torch.round, "trunc": torch.trunc,
    "frac": torch.frac, "abs": torch.abs, "neg": torch.neg, "relu": torch.relu, "sqrt": torch.sqrt,
    "reciprocal": torch.reciprocal, "square": torch.square, "exp": torch.exp, "expm1": torch.expm1,
    "log": torch.log, "log1p": torch.log1p, "log2": torch.log2, "rsqrt": torch.rsqrt, "sigmoid": torch.sigmoid,
    "softplus": F.softplus, "tanh": torch.tanh, "atan": torch.atan, "sinh": torch.sinh, "erf": torch.erf,
    "logit": torch.logit, "isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite,
    "nanToNum": torch.nan_to_num,
}
KILN_UNARY = {
    # Java's Math.signum
    "sign": (lambda x: torch.where(x.isnan() | (x == 0), x, torch.sign(x)), DOC_SIGN),
    "relu": (lambda x: torch.where(x == 0, torch.zeros_like(x), torch.relu(x)), DOC_RELU),
    "softplus": (lambda x: torch.relu(x) + torch.log1p(torch.exp(-x.abs())), DOC_SOFTPLUS),
    "isnan": (lambda x: torch.isnan(x).to(x.dtype), DOC_NO_BOOL),
    "isinf": (lambda x: torch.isinf(x).to(x.dtype), DOC_NO_BOOL),
    "isfinite": (lambda x: torch.isfinite(x).to(x.dtype), DOC_NO_BOOL),
}
# Kiln's erf (engine-cpu's Erf: Taylor polynomials about sixteenths) is up to 9 ulps from glibc's, PyTorch's, near 1.
ULPS = {"erf": 10}
EXACT = {"sign", "floor", "ceil", "round", "trunc", "frac", "abs", "neg", "relu", "sqrt", "reciprocal", "square",
         "isnan", "isinf", "isfinite", "nanToNum"}
for op, fn in UNARY.items():
    for x in (torch.tensor(SPECIAL), torch.tensor(values(8, special=0.5))):
        kiln, doc_line = (({"out": outputs(KILN_UNARY[op][0](x))}, KILN_UNARY[op][1]) if op in KILN_UNARY
                          else (None, None))
        case("elementwise", op, [x], {}, fn, ulps=0 if op in EXACT else ULPS.get(op, 1), kiln=kiln, doc=doc_line)
case("elementwise", "round", [torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, 2.0 ** 52 + 1,
                                            4503599627370495.5, -0.0, 1e300])], {}, torch.round)
BOUNDS = [(-1.0, 1.0), (0.0, 0.0), (2.0, -2.0), (-INF, 0.5), (NAN, 1.0), (-1.0, NAN)]
for lo, hi in BOUNDS:
    nan = math.isnan(lo) or math.isnan(hi)
    case("elementwise", "clamp", [torch.tensor(SPECIAL)], {"min": lo, "max": hi},
         lambda x, lo=lo, hi=hi: x.clamp(lo, hi),
         kiln={"raises": True} if nan else None, doc=DOC_CLAMP_NAN if nan else None)
for v in (0.0, -0.0, NAN):
    nan = {"raises": True} if math.isnan(v) else None
    case("elementwise", "clampMin", [torch.tensor(SPECIAL)], {"min": v}, lambda x, v=v: x.clamp_min(v), kiln=nan,
         doc=DOC_CLAMP_NAN if nan else None)
    case("elementwise", "clampMax", [torch.tensor(SPECIAL)], {"max": v}, lambda x, v=v: x.clamp_max(v), kiln=nan,
         doc=DOC_CLAMP_NAN if nan else None)
for p in (0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 1.0 / 3, 2.5, INF, -INF, NAN, 1e300):
    case("elementwise", "pow", [torch.tensor(SPECIAL)], {"exponent": p}, lambda x, p=p: x.pow(p),
         ulps=0 if p in (0.0, 1.0, 2.0, -1.0, 0.5, INF, -INF, NAN) else 1)
PAIRS_A = [5.0, -5.0, 5.0, -5.0, 0.0, -0.0, 7.5, -7.5, 1.0, INF, -INF, NAN, 5.0, 0.0, 1e300, 3.0, -3.0, 2.0 ** 53 + 2,
           -0.0, 1e-300, 0.3, -0.3]
PAIRS_B = [3.0, 3.0, -3.0, -3.0, 3.0, 3.0, 2.0, 2.0, 0.0, 2.0, 3.0, 1.0, INF, -INF, 1e-300, -0.0, 0.0, 3.0, -2.0, -1.0,
           0.1, 0.1]
BINARY_SPECIAL = {"remainder": torch.remainder, "fmod": torch.fmod, "floorDivide": torch.floor_divide,
                  "atan2": torch.atan2, "maximum": torch.maximum, "minimum": torch.minimum, "div": torch.div,
                  "hypot": torch.hypot, "xlogy": torch.xlogy, "copysign": torch.copysign, "logaddexp": torch.logaddexp}


def exact_division(op, a, b):
    """Kiln's fmod, remainder and floorDivide: C's exact fmod (Java's %) where PyTorch's quotient overflows to NaN."""
    torch_result = BINARY_SPECIAL[op](a, b)
    overflowed = torch_result.isnan() & a.isfinite() & b.isfinite() & (b != 0)
    if not overflowed.any():
        return None
    if op == "floorDivide":
        exact = torch.floor(a / b)
    else:
        exact = torch.tensor([math.fmod(x, y) if math.isfinite(x) and y != 0 and not math.isnan(y) else NAN
                              for x, y in zip(a.tolist(), b.tolist())])
        if op == "remainder":
            exact = torch.where((exact != 0) & ((exact < 0) != (b < 0)), exact + b, exact)
    return {"out": outputs(torch.where(overflowed, exact, torch_result))}


for op, fn in BINARY_SPECIAL.items():
    for a, b in ((torch.tensor(PAIRS_A), torch.tensor(PAIRS_B)),
                 (torch.tensor(values(10, special=0.3)), torch.tensor(values(10, special=0.3)))):
        kiln = exact_division(op, a, b) if op in ("fmod", "remainder", "floorDivide") else None
        tol = cancellation_tol(fn, a, b) if op == "logaddexp" else None
        case("elementwise", op, [a, b], {}, fn, ulps=1 if op in ("atan2", "hypot", "xlogy") else 0, kiln=kiln,
             doc=DOC_FMOD if kiln else None, tol=tol)

# ---- dtype rules (PyTorch's default dtype, F32, for integer true division) --------------------------------------

torch.set_default_dtype(torch.float32)
INTEGER_REFUSED = {"abs", "neg", "sign", "addScalar", "mulScalar"}
INTS = [7, -7, 0, 3, -3, 2 ** 31 - 1]
I32 = torch.tensor(INTS, dtype=torch.int32)
I64 = torch.tensor(INTS, dtype=torch.int64)
I64B = torch.tensor([2, 2, -2, -2, 5, 3], dtype=torch.int64)
I32B = I64B.to(torch.int32)
F32 = torch.tensor([1.5, -2.25, 3.0, 0.1, -0.0, 16777217.0], dtype=torch.float32)
F64 = F32.to(torch.float64)
for op in ("add", "sub", "mul", "div", "maximum", "eq", "lt", "floorDivide", "remainder", "fmod"):
    fn = {**BINARY, **COMPARISONS, **BINARY_SPECIAL}[op]
    for a, b in [(I64, I64B), (I32, I32B), (F32, F32), (F32, F64), (I64, F32), (I32, I64B), (I64, F64)]:
        kiln = None
        doc = None
        if a.dtype != b.dtype:
            kiln, doc = {"raises": True}, DOC_ONE_DTYPE
        elif op in COMPARISONS:
            kiln, doc = {"out": outputs(fn(a, b).to(a.dtype))}, DOC_NO_BOOL
        case("dtype", op, [a, b], {}, fn, kiln=kiln, doc=doc)
for op, fn in [("sumAll", torch.sum), ("prodAll", torch.prod), ("meanAll", torch.mean), ("maxAll", torch.max),
               ("cumsum", lambda x: x.cumsum(0)), ("cumprod", lambda x: x.cumprod(0)),
               ("argmax", lambda x: x.argmax(0)),
               ("abs", torch.abs), ("neg", torch.neg), ("sign", torch.sign), ("addScalar", lambda x: x + 2.5),
               ("mulScalar", lambda x: x * 2.0), ("sort", lambda x: torch.sort(x, stable=True)),
               ("amax", lambda x: torch.amax(x, dim=[0])), ("clamp", lambda x: x.clamp(-3, 3))]:
    for x in (I32, I64, F32):
        integer_refused = x.is_floating_point() is False and op in INTEGER_REFUSED
        # Kiln adds F32 in double: the last bit of a sum, as PyTorch's order of float additions rounds it otherwise.
        ulps = 1 if x.dtype == torch.float32 and op in ("sumAll", "meanAll", "cumsum") else 0
        args = {"axis": 0} if op in ("cumsum", "cumprod") else {}
        if op == "argmax":
            args = {"axis": 0, "keepDim": False}
        if op == "addScalar":
            args = {"value": 2.5}
        elif op == "mulScalar":
            args = {"value": 2.0}
        elif op == "sort":
            args = {"axis": -1, "descending": False}
        elif op == "amax":
            args = {"axes": [0], "keepDim": False}
        elif op == "clamp":
            args = {"min": -3.0, "max": 3.0}
        kiln, doc_line = None, None
        if integer_refused:
            kiln, doc_line = {"raises": True}, DOC_INT
        elif op == "mulScalar":
            kiln, doc_line = kiln_mul_scalar(x, 2.0), DOC_MUL_ZERO
        elif op == "sign":
            kiln, doc_line = {"out": outputs(KILN_UNARY["sign"][0](x))}, DOC_SIGN
        case("dtype", op, [x], args, fn, ulps=ulps, kiln=kiln, doc=doc_line)
for a, b in [(I64, I64B), (F32, F32), (I64, F32)]:
    m = torch.tensor([True, False, True, False, True, False])
    kiln = {"raises": True} if a.dtype != b.dtype else None
    case("dtype", "where", [m, a, b], {}, torch.where, kiln=kiln, doc=DOC_ONE_DTYPE if kiln else None)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "tests", "src", "test",
                   "resources", "ops", "op_semantics_cases.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]\n")
counts = {}
for c in cases:
    counts[c["family"]] = counts.get(c["family"], 0) + 1
print(len(cases), "cases", counts, os.path.getsize(out), "bytes")
