"""Prints the data of UniquePyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from the
line "Printed by": torch.unique (sorted, with the inverse and the counts) of a float64 tensor [3, 4] holding repeats,
both zeros and infinities, torch.unique_consecutive of one holding NaN too, and both of an int64 one. Run with /usr/bin/python3
(torch 1.13)."""
import torch

from pointwise_math import NAN, INF, array

X = [3.0, -1.0, 3.0, NAN, 0.0, -0.0, 2.5, 2.5, NAN, -INF, 3.0, INF]
# unique without NaN: PyTorch 1.13's CPU unique of a tensor holding NaN returns its values out of order with counts of
# 0 (UniquePyTorchParityTest gives Kiln's answer there).
X_NUMBERS = [3.0, -1.0, 3.0, 0.5, 0.0, -0.0, 2.5, 2.5, -1.0, -INF, 3.0, INF]
I = [5, 5, -2, 7, 7, 7, 5, 0]


def longs(values):
    return "{" + ", ".join("%dL" % v for v in values) + "}"


def show(name, result):
    values, inverse, counts = result
    print("    private static final double[] %s = %s;" % (name, array(values.double().tolist())))
    print("    private static final long[] %s_INVERSE = %s;" % (name, longs(inverse.reshape(-1).tolist())))
    print("    private static final long[] %s_COUNTS = %s;" % (name, longs(counts.tolist())))


if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/unique.py (PyTorch %s).\n" % torch.__version__)
    x = torch.tensor(X, dtype=torch.float64).reshape(3, 4)
    numbers = torch.tensor(X_NUMBERS, dtype=torch.float64).reshape(3, 4)
    print("    private static final double[] X = %s;" % array(X))
    print("    private static final double[] X_NUMBERS = %s;" % array(X_NUMBERS))
    show("UNIQUE", torch.unique(numbers, sorted=True, return_inverse=True, return_counts=True))
    show("UNIQUE_CONSECUTIVE", torch.unique_consecutive(x, return_inverse=True, return_counts=True))
    i = torch.tensor(I)
    print("    private static final long[] I = %s;" % longs(I))
    show("UNIQUE_I64", torch.unique(i, sorted=True, return_inverse=True, return_counts=True))
    show("UNIQUE_CONSECUTIVE_I64", torch.unique_consecutive(i, return_inverse=True, return_counts=True))
