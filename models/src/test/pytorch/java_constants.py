"""What the linalg*.py scripts share: parity.py's pattern in a shape, and tensors printed as Java array constants
(row-major, the shape in a comment, NaN and infinities as Java's constants)."""
import torch

from parity import pattern


def pat(seed, *dims):
    """parity.py's pattern for seed, as many values as the shape holds, in that shape."""
    n = 1
    for d in dims:
        n *= d
    return pattern(n, seed).reshape(dims)


def full_rank(seed, *dims):
    """The pattern plus 2 on the leading diagonal: the pattern alone has rank 2."""
    return pat(seed, *dims) + 2 * torch.eye(dims[-2], dims[-1])


def literal(v):
    if v != v:
        return "Double.NaN"
    if v in (float("inf"), float("-inf")):
        return ("" if v > 0 else "-") + "Double.POSITIVE_INFINITY"
    return repr(v)


def emit(name, t):
    """A Java array constant of t's values, row-major, with its shape in a comment."""
    lines, line = [], ""
    for v in t.detach().reshape(-1):
        item = literal(float(v)) + ", "
        if len(line) + len(item) > 104:
            lines.append(line.rstrip())
            line = ""
        line += item
    lines.append(line.rstrip().rstrip(","))
    print("    /** %s */" % list(t.shape))
    print("    static final double[] %s = {\n            %s};" % (name, "\n            ".join(lines)))
