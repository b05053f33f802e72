"""Writes the references of SummaryWriterPyTorchMoreParityTest with PyTorch 1.13's SummaryWriter, into
models/src/test/resources/tensorboard/:
  pytorch_hparams.tfevents  add_hparams: the event file PyTorch writes into the run's timestamped subdirectory;
  pytorch_pr_graph.tfevents add_pr_curve (F32 and F64 predictions, 127 and 5 thresholds, 200 clamped to 127, F32
                            predictions k / 126 whose bucket depends on the product's precision) and
                            add_onnx_graph of two ONNX files torch.onnx.export wrote (resources/onnx/import_*.onnx);
  pytorch_purge.tfevents    SummaryWriter(purge_step=5) and one scalar;
  pytorch_kiln_graph.tfevents add_onnx_graph of kiln_cnn.onnx, the file Kiln's OnnxExport.export writes for
                            Sequential(Conv2d(1, 4, 3, 1, 1, 1, true), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(),
                            Dropout(0.5), Linear(64, 10)) at [1, 1, 8, 8] (any weights: the graph holds none).
Run it with a Python that has torch 1.13, onnx and tensorboard 2.21 (/opt/tbvenv, a venv over /usr/bin/python3). Each
file is read back once with TensorBoard's EventAccumulator before it is kept, so that a reference TensorBoard refuses
fails here."""
import contextlib
import glob
import io
import os
import shutil
import tempfile

import numpy as np
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "resources")
OUT = os.path.join(RESOURCES, "tensorboard")

HPARAMS = {"model": "mlp", "lr": 0.01, "batch": 64, "epochs": 3, "nesterov": True, "dropout": None, "momentum": 0.0}
METRICS = {"hparam/accuracy": 0.9375, "hparam/loss": 0.25}


def labels(n):
    """(3 k mod 7) < 3 for k < n: a fixed mix of positives and negatives."""
    return np.array([(3 * k) % 7 < 3 for k in range(n)])


def predictions(n):
    """(29 k mod 61) / 60 for k < n: values in [0, 1], both ends among them."""
    return np.array([((29 * k) % 61) / 60.0 for k in range(n)])


def only_file(directory):
    files = glob.glob(os.path.join(directory, "events.out.tfevents.*"))
    assert len(files) == 1, files
    return files[0]


def keep(source, name):
    accumulator = EventAccumulator(source, size_guidance={"tensors": 0})
    accumulator.Reload()
    print(name, accumulator.Tags())
    target = os.path.join(OUT, name)
    shutil.copyfile(source, target)
    print("wrote", os.path.normpath(target), os.path.getsize(target), "bytes")


def hparams(tmp):
    writer = SummaryWriter(tmp)
    writer.add_hparams(HPARAMS, METRICS, run_name="run")
    writer.close()
    keep(only_file(os.path.join(tmp, "run")), "pytorch_hparams.tfevents")


def pr_and_graph(tmp):
    writer = SummaryWriter(tmp)
    writer.add_pr_curve("pr/f32", torch.tensor(labels(50)), torch.tensor(predictions(50), dtype=torch.float32), 1)
    writer.add_pr_curve("pr/f64", torch.tensor(labels(61)), torch.tensor(predictions(61)), 2, num_thresholds=5)
    writer.add_pr_curve("pr/many", torch.tensor(labels(20)), torch.tensor(predictions(20)), 3, num_thresholds=200)
    # k / 126 in F32: for 31 of them the F32 product with 126 rounds up to k where the F64 product stays below it.
    edges = torch.tensor([k / 126 for k in range(127)], dtype=torch.float32)
    writer.add_pr_curve("pr/f32_edges", torch.tensor(labels(127)), edges, 4)
    # add_onnx_graph prints each node's name; the references need none of it.
    with contextlib.redirect_stdout(io.StringIO()):
        for name in ("import_residual.onnx", "import_eval_bn.onnx"):
            writer.add_onnx_graph(os.path.join(RESOURCES, "onnx", name))
    writer.close()
    keep(only_file(tmp), "pytorch_pr_graph.tfevents")


def purge(tmp):
    writer = SummaryWriter(tmp, purge_step=5)
    writer.add_scalar("loss", 0.5, 5)
    writer.close()
    keep(only_file(tmp), "pytorch_purge.tfevents")


def kiln_graph(tmp):
    writer = SummaryWriter(tmp)
    with contextlib.redirect_stdout(io.StringIO()):
        writer.add_onnx_graph(os.path.join(OUT, "kiln_cnn.onnx"))
    writer.close()
    keep(only_file(tmp), "pytorch_kiln_graph.tfevents")


def main():
    for write in (hparams, pr_and_graph, purge, kiln_graph):
        tmp = tempfile.mkdtemp()
        write(tmp)
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
