"""Prints the data of HistogramPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from
the line "Printed by": torch.bincount of int64 values with and without float32 and float64 weights and a minlength,
and torch.histc of float32 and float64 values with a given range (values outside it, infinities, the ends, a value
just below a bin's edge), of the data's own range and of one repeated value. Run with /usr/bin/python3 (torch 1.13)."""
import torch

from pointwise_math import NAN, INF, array

COUNTED = [1, 3, 3, 0, 7, 3, 1]
WEIGHTS = [0.5, 1.0, 2.25, 3.0, 4.0, -1.5, 0.125]
# No NaN: PyTorch 1.13 counts a NaN in the first bin, Kiln leaves it out (HistogramPyTorchParityTest says so).
HISTC_X = [0.1, 0.2, 0.3, 1.0, -1.0, 0.7, 0.69999, 0.0, 0.35, 2.0, 0.5714286, INF, -INF]
DATA_X = [2.5, -1.0, 0.75, 3.0, 3.0, -0.5, 1.25]


def field(name, values):
    print("    private static final double[] %s = %s;" % (name, array(values)))


if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/histogram.py (PyTorch %s).\n" % torch.__version__)
    c = torch.tensor(COUNTED)
    field("BINCOUNT", torch.bincount(c).double().tolist())
    field("BINCOUNT_MINLENGTH_10", torch.bincount(c, minlength=10).double().tolist())
    for dtype, label in ((torch.float64, "F64"), (torch.float32, "F32")):
        field("BINCOUNT_WEIGHTED_" + label, torch.bincount(c, torch.tensor(WEIGHTS, dtype=dtype)).double().tolist())
        field("HISTC_7_0_1_" + label, torch.histc(torch.tensor(HISTC_X, dtype=dtype), 7, 0, 1).double().tolist())
        field("HISTC_4_DATA_" + label, torch.histc(torch.tensor(DATA_X, dtype=dtype), 4).double().tolist())
        field("HISTC_3_ONE_POINT_" + label, torch.histc(torch.tensor([2.0, 2.0], dtype=dtype), 3).double().tolist())
