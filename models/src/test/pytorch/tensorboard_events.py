"""Writes models/src/test/resources/tensorboard/pytorch.tfevents with PyTorch's SummaryWriter: the reference that
TensorBoardPyTorchParityTest decodes and compares, record by record, with the file Kiln's SummaryWriter writes for
the same calls. Run it with a Python that has torch 1.13 and tensorboard (a venv over /usr/bin/python3 with tensorboard installed); the values are exact binary
fractions, so that both sides bucket and sum the same numbers."""
import glob
import os
import shutil
import tempfile

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "tensorboard", "pytorch.tfevents")

# PyTorch 1.13's make_histogram calls np.greater(counts, 0, dtype=np.int32), which NumPy 1.24 refuses (no bool-to-int32
# loop); older NumPy compared and then cast to int32, as this does. Nothing else in the histogram changes.
_numpy_greater = np.greater


def _greater_then_cast(a, b, dtype=None):
    result = _numpy_greater(a, b)
    return result if dtype is None else result.astype(dtype)


np.greater = _greater_then_cast


def spread(n):
    """(37 k mod 101 - 50) / 16 for k < n: values of both signs, zero among them, on a 1/16 grid."""
    return np.array([((37 * k) % 101 - 50) / 16.0 for k in range(n)])


def pattern(channels, height, width):
    """An image in [0, 1]: ((5 c + 3 h + 7 w) mod 17) / 16, each pixel's value times 255 an exact 1/16 multiple."""
    return np.array([[[((5 * c + 3 * h + 7 * w) % 17) / 16.0 for w in range(width)] for h in range(height)]
                     for c in range(channels)], dtype=np.float32)


def main():
    tmp = tempfile.mkdtemp()
    writer = SummaryWriter(tmp)
    for step in range(1, 6):
        writer.add_scalar("loss/train", 2.0 / step, step)
    writer.add_scalar("lr", 0.125, 3)
    writer.add_scalar("accuracy/test", 0.75, 0)
    writer.add_histogram("weights", torch.tensor(spread(200)), 1)
    # Bucket edges themselves, values between 0 and the first edge, and -0.0 (NumPy puts it with 0.0), in F64: a float32
    # tensor would round 1e-12 off its edge.
    edges = [0.0, 1e-12, -1e-12, 1e-13, 3.0, -2.5, 1e-12 * 1.1, -0.0]
    writer.add_histogram("edges", torch.tensor(edges, dtype=torch.float64), 2)
    writer.add_histogram("one_value", torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64), 3)
    writer.add_image("rgb", torch.tensor(pattern(3, 4, 5)), 4)
    writer.add_image("grey", torch.tensor(pattern(1, 3, 2)), 5)
    writer.add_text("note", "Kiln, \u00e9t\u00e9", 6)
    # A zero scalar is still written (simple_value is in a oneof); a histogram's zero sum is left out (a plain double).
    writer.add_scalar("zero", 0.0, 7)
    writer.add_histogram("balanced", torch.tensor([-1.0, 1.0], dtype=torch.float64), 8)
    writer.close()
    files = glob.glob(os.path.join(tmp, "events.out.tfevents.*"))
    assert len(files) == 1, files
    shutil.copyfile(files[0], OUT)
    shutil.rmtree(tmp)
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
