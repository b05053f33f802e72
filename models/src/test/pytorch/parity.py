"""Prints Java assertions for Kiln parity tests: deterministic weights, inputs and output weightings."""
import math
import torch

torch.set_default_dtype(torch.float64)


def pattern(n, seed):
    return torch.tensor([0.5 * math.sin(0.7 * k + 1.3 * seed + 0.1) for k in range(n)])


def tensor(seed, *dims, grad=True):
    n = 1
    for d in dims:
        n *= d
    t = pattern(n, seed).reshape(*dims)
    return t.requires_grad_(grad)


def load(module):
    """Sets every parameter to pattern(seed = index + 1)."""
    keys = []
    with torch.no_grad():
        for i, (name, t) in enumerate(module.named_parameters()):
            t.copy_(pattern(t.numel(), i + 1).reshape(t.shape))
            keys.append((name, i + 1, list(t.shape)))
    return keys


def fmt(values):
    parts = [repr(float(v)) for v in values]
    lines, line = [], ""
    for p in parts:
        if len(line) + len(p) + 2 > 100:
            lines.append(line)
            line = ""
        line += p + ", "
    lines.append(line)
    return "\n                ".join(l.rstrip() for l in lines).rstrip(",")


def emit_load(var, keys):
    args = ",\n                ".join('key("%s", %d%s)' % (n, s, "".join(", %d" % d for d in shape)) for n, s, shape in keys)
    print("        load(%s,\n                %s);" % (var, args))


def backward(outputs, seeds):
    loss = sum((o * pattern(o.numel(), s).reshape(o.shape)).sum() for o, s in zip(outputs, seeds))
    loss.backward()


def emit_values(label, java_expr, t):
    print('        assertValues("%s", %s,\n                %s);' % (label, java_expr, fmt(t.detach().reshape(-1))))


def emit_grads(var, module):
    for name, p in module.named_parameters():
        print('        assertGradient(%s, "%s",\n                %s);' % (var, name, fmt(p.grad.reshape(-1))))


def begin_test(method, title, setup_lines):
    print("    /** " + title + ", PyTorch 1.13. */") if False else None
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    for l in setup_lines:
        print("        " + l)


def end_test():
    print("    }")
    print()
