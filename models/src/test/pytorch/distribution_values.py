# What distributions.py, distributions_more.py and distributions_continuous.py share: printing a tensor as a Java
# double[] field, and a result with its inputs' gradients for the upstream gradient 1, 2, 3, ... in its shape.
import torch


def literal(v):
    if v != v:
        return "NAN"
    if v == float("inf"):
        return "INF"
    if v == float("-inf"):
        return "-INF"
    return repr(float(v))


def field(name, t):
    values = [literal(v) for v in t.detach().reshape(-1).tolist()]
    lines, line = [], ""
    for v in values:
        if len(line) + len(v) + 2 > 104:
            lines.append(line.rstrip())
            line = ""
        line += v + ", "
    lines.append(line.rstrip().rstrip(","))
    print("    static final double[] %s = {\n            %s};" % (name, "\n            ".join(lines)))


def show(name, fn, **inputs):
    """fn(**leaves) and the gradient of each input named in inputs, for the upstream gradient 1, 2, 3, ..."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves)
    field(name, out)
    if out.requires_grad:
        out.backward(torch.arange(1.0, out.numel() + 1).reshape(out.shape))
    for k, v in leaves.items():
        field(name + "_D_" + k.upper(), v.grad if v.grad is not None else torch.zeros_like(v))
