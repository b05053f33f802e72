# Sparse embedding gradients (PyTorch 1.13): nn.Embedding(sparse=True) and nn.EmbeddingBag(sparse=True) stepped by
# SparseAdam, SGD (plain, with momentum, Nesterov momentum, dampening) and Adagrad, and the same optimizers across a
# step without a backward pass after zero_grad() (set_to_none=False, 1.13's default), whose sparse gradient has no
# entries but still counts a step and still moves momentum; and SparseAdam and Adagrad with the group's lr, betas, eps
# and lr_decay set anew before each step. Prints the Java class SparseEmbeddingReferences (models module,
# dev.kiln.optim): for each case, in float64 and float32, the weight after each step.
# Run: /usr/bin/python3 sparse_embedding_optim.py > ../java/dev/kiln/optim/SparseEmbeddingReferences.java
import math
import torch

ROWS, DIM = 7, 3
# Three steps of indices: repeats within a step, the padding row 2, rows that come and go between steps.
LOOKUPS = [[[1, 2, 1], [4, 1, 6]], [[0, 4, 4], [2, 2, 5]], [[6, 1, 3], [1, 0, 1]]]


def start(dtype):
    return torch.tensor([[math.sin(1.0 + r * DIM + c) for c in range(DIM)] for r in range(ROWS)], dtype=dtype)


def target(shape, dtype):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([math.cos(0.5 * k) for k in range(n)], dtype=dtype).reshape(shape)


def started(layer, dtype):
    layer = layer.to(dtype)
    with torch.no_grad():
        layer.weight.copy_(start(dtype))
    return layer


def embedding(dtype):
    return started(torch.nn.Embedding(ROWS, DIM, padding_idx=2, sparse=True), dtype)


def bag(dtype, mode):
    return started(torch.nn.EmbeddingBag(ROWS, DIM, mode=mode, padding_idx=2, sparse=True), dtype)


def trajectory(layer, make_opt, dtype):
    opt = make_opt([layer.weight])
    out = []
    for lookup in LOOKUPS:
        opt.zero_grad()
        y = layer(torch.tensor(lookup))
        ((y - target(y.shape, dtype)) ** 2).sum().backward()
        assert layer.weight.grad.is_sparse
        opt.step()
        out.append(layer.weight.detach().reshape(-1).tolist())
    return out


CASES = [
    ("EMBEDDING_SPARSE_ADAM", lambda d: embedding(d), lambda p: torch.optim.SparseAdam(p, lr=0.1)),
    ("EMBEDDING_SGD", lambda d: embedding(d), lambda p: torch.optim.SGD(p, lr=0.1)),
    ("EMBEDDING_SGD_MOMENTUM", lambda d: embedding(d), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("EMBEDDING_ADAGRAD", lambda d: embedding(d),
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("BAG_SUM_SPARSE_ADAM", lambda d: bag(d, "sum"), lambda p: torch.optim.SparseAdam(p, lr=0.1)),
    ("BAG_MEAN_SGD", lambda d: bag(d, "mean"), lambda p: torch.optim.SGD(p, lr=0.1)),
    ("BAG_MEAN_ADAGRAD", lambda d: bag(d, "mean"), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    ("EMBEDDING_SGD_NESTEROV", lambda d: embedding(d),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("EMBEDDING_SGD_DAMPENING", lambda d: embedding(d),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3)),
]


def trajectory_empty_middle(layer, make_opt, dtype):
    """zero_grad() with 1.13's default set_to_none=False before each step; no backward pass before the second."""
    opt = make_opt([layer.weight])
    out = []
    for i, lookup in enumerate(LOOKUPS):
        opt.zero_grad()
        if i == 1:
            assert layer.weight.grad.is_sparse and layer.weight.grad._nnz() == 0
        else:
            y = layer(torch.tensor(lookup))
            ((y - target(y.shape, dtype)) ** 2).sum().backward()
        opt.step()
        out.append(layer.weight.detach().reshape(-1).tolist())
    return out


EMPTY_MIDDLE_CASES = [
    ("EMPTY_MIDDLE_SPARSE_ADAM", lambda p: torch.optim.SparseAdam(p, lr=0.1)),
    ("EMPTY_MIDDLE_SGD_MOMENTUM", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("EMPTY_MIDDLE_ADAGRAD", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01)),
]


def trajectory_changed(layer, make_opt, changes, dtype):
    """Before each step the group's hyperparameters are set anew (opt.param_groups[0]), as between steps by hand."""
    opt = make_opt([layer.weight])
    out = []
    for lookup, change in zip(LOOKUPS, changes):
        opt.param_groups[0].update(change)
        opt.zero_grad()
        y = layer(torch.tensor(lookup))
        ((y - target(y.shape, dtype)) ** 2).sum().backward()
        opt.step()
        out.append(layer.weight.detach().reshape(-1).tolist())
    return out


# SparseEmbeddingPyTorchTest sets the same values before each step.
CHANGED_CASES = [
    ("CHANGED_SPARSE_ADAM", lambda p: torch.optim.SparseAdam(p, lr=0.1),
     [dict(lr=0.1), dict(lr=0.03, betas=(0.8, 0.99), eps=1e-3), dict(lr=0.2, betas=(0.5, 0.9), eps=0.1)]),
    ("CHANGED_ADAGRAD", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01),
     [dict(lr=0.1), dict(lr=0.03, lr_decay=0.1, eps=1e-3), dict(lr=0.2, lr_decay=0.0, eps=0.1)]),
]


def java(values):
    return "{" + ", ".join(repr(float(v)) for v in values) + "}"


print("package dev.kiln.optim;")
print()
print("/** Printed by models/src/test/pytorch/sparse_embedding_optim.py (PyTorch " + torch.__version__ + "); do not edit. */")
print("final class SparseEmbeddingReferences {")
print("    private SparseEmbeddingReferences() {")
print("    }")
print()
print("    static final int ROWS = %d;" % ROWS)
print("    static final int DIM = %d;" % DIM)
print("    static final int PADDING_IDX = 2;")
print("    static final long[][][] LOOKUPS = {" + ", ".join(
    "{" + ", ".join("{" + ", ".join(str(i) for i in row) + "}" for row in step) + "}" for step in LOOKUPS) + "};")
print("    static final double[] START = " + java(start(torch.float64).reshape(-1).tolist()) + ";")
for name, make_layer, make_opt in CASES:
    for dtype, suffix in [(torch.float64, "F64"), (torch.float32, "F32")]:
        steps = trajectory(make_layer(dtype), make_opt, dtype)
        print("    static final double[][] %s_%s = {" % (name, suffix))
        for s in steps:
            print("        " + java(s) + ",")
        print("    };")
for name, make_opt in EMPTY_MIDDLE_CASES:
    for dtype, suffix in [(torch.float64, "F64"), (torch.float32, "F32")]:
        steps = trajectory_empty_middle(embedding(dtype), make_opt, dtype)
        print("    static final double[][] %s_%s = {" % (name, suffix))
        for s in steps:
            print("        " + java(s) + ",")
        print("    };")
for name, make_opt, changes in CHANGED_CASES:
    for dtype, suffix in [(torch.float64, "F64"), (torch.float32, "F32")]:
        steps = trajectory_changed(embedding(dtype), make_opt, changes, dtype)
        print("    static final double[][] %s_%s = {" % (name, suffix))
        for s in steps:
            print("        " + java(s) + ",")
        print("    };")
print("}")
