"""Writes the references of SummaryWriterScalarsImagesParityTest with PyTorch 1.13's SummaryWriter, into
models/src/test/resources/tensorboard/scalars_images/: one log directory's event files, each renamed pytorch.tfevents
in its directory (files.txt lists the directories, "." the log directory itself), for these calls on one writer:
  add_scalar and add_scalars (main tags with and without "/", a tag with "/", a NaN, a series missing at one step),
    each series in its own directory <logdir>/<main_tag with / as _>_<tag>, as PyTorch's all_writers keeps them;
  add_images of [N, C, H, W] (NCHW): RGB and grey, one row and several, a last row left black, F64 values;
  add_pr_curve with weights (F64 and F32 weights, 5 thresholds, and weights whose float32 sum depends on NumPy
    adding them up in blocks of 65536);
  add_hparams with hparam_domain_discrete (string, float, int, bool domains, an int domain holding a bool, an empty
    one) in the run "hp".
tensorboard_read.txt is what tensorboard_read_check.py prints for that log directory: the test holds Kiln's log
directory to the same reading. Run it with /opt/tbvenv/bin/python (torch 1.13, tensorboard 2.21)."""
import os

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

import tensorboard_logdir

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "tensorboard", "scalars_images")


def pattern(n, channels, height, width):
    """((5 c + 3 h + 7 w + 11 k) mod 17) / 16 as [N, C, H, W]: each value times 255 an exact 1/16 multiple."""
    return np.array([[[[((5 * c + 3 * h + 7 * w + 11 * k) % 17) / 16.0 for w in range(width)] for h in range(height)]
                      for c in range(channels)] for k in range(n)], dtype=np.float32)


def fractions(n, channels, height, width):
    """((13 i) mod 256) / 255 over the flat index i, in F64: values whose F32 rounding decides their byte."""
    return np.array([((13 * i) % 256) / 255.0 for i in range(n * channels * height * width)]).reshape(
        n, channels, height, width)


def labels(n):
    """(3 k mod 7) < 3 for k < n."""
    return np.array([(3 * k) % 7 < 3 for k in range(n)])


def predictions(n):
    """(29 k mod 61) / 60 for k < n."""
    return np.array([((29 * k) % 61) / 60.0 for k in range(n)])


def weights(n):
    """(k mod 10 + 1) / 10 for k < n: sums that depend on their order."""
    return np.array([((k % 10) + 1) / 10.0 for k in range(n)])


BLOCK = 65536


def block_weights():
    """2^25 in NumPy's first block of 65536, then 2 and sixteen 2^-30 in the second: added one by one, each 2^-30 is
    lost (H + 2 stays, a float32 tie, which rounds to H); NumPy adds the block's sum 2 + 2^-26 to 2^25 and gets
    above the tie, to 2^25 + 4 in float32."""
    w = np.zeros(BLOCK + 17)
    w[0] = 2.0 ** 25
    w[BLOCK] = 2.0
    w[BLOCK + 1:] = 2.0 ** -30
    return w


def write(logdir):
    writer = SummaryWriter(logdir)
    writer.add_scalar("plain", 1.0, 0)
    writer.add_scalars("loss/run", {"train": 0.5, "test": 0.75}, 1)
    writer.add_scalars("loss/run", {"train": 0.25, "test": 0.5, "val": 1 / 3}, 2)
    writer.add_scalars("loss/run", {"train": 0.125}, 3)
    writer.add_scalars("lr", {"a/b": 0.1, "nan": float("nan")}, 4)
    writer.add_images("rgb", torch.tensor(pattern(3, 3, 4, 5)), 1)
    writer.add_images("grey", torch.tensor(pattern(10, 1, 3, 2)), 2)
    writer.add_images("row", torch.tensor(pattern(8, 3, 2, 2)), 3)
    writer.add_images("f64", torch.tensor(fractions(2, 3, 2, 3)), 4)
    writer.add_images("one", torch.tensor(pattern(1, 1, 2, 3)), 5)
    writer.add_pr_curve("pr/weighted", torch.tensor(labels(50)), torch.tensor(predictions(50), dtype=torch.float32),
                        1, weights=weights(50))
    writer.add_pr_curve("pr/f32_weights", torch.tensor(labels(61)), torch.tensor(predictions(61)), 2,
                        num_thresholds=5, weights=weights(61).astype(np.float32))
    writer.add_pr_curve("pr/blocks", torch.ones(BLOCK + 17, dtype=torch.bool), torch.ones(BLOCK + 17), 3,
                        weights=block_weights())
    hparams = {"model": "mlp", "lr": 0.01, "batch": 64, "nesterov": True, "opt": "sgd", "dropout": None, "seed": 7}
    domains = {"model": ["mlp", "cnn"], "lr": [0.1, 0.01], "batch": [32, 64, True], "nesterov": [True, False],
               "opt": []}
    writer.add_hparams(hparams, {"hparam/accuracy": 0.9375}, hparam_domain_discrete=domains, run_name="hp")
    writer.close()


def main():
    tensorboard_logdir.save(write, OUT)


if __name__ == "__main__":
    main()
