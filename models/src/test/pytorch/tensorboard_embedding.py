"""Writes the references of SummaryWriterEmbeddingParityTest with PyTorch 1.13's SummaryWriter.add_embedding, into
models/src/test/resources/tensorboard/embedding/: the files add_embedding leaves in the log directory (the event file
that SummaryWriter opens is left out), for three calls on one writer:
  add_embedding(mat(5, 3), metadata=labels, label_img=grey(5, 3, 4), global_step=0, tag="default")
      F32 values whose repr shows F32 rounding, 1e-05, 1e+16 and -0.0; 5 grey 3 x 4 images with values k / 255 in
      F32 (whose F64 product with 255 lies just below k for some k), below 0 and above 1: a 3 x 2 grid padded to a
      12 x 12 square;
  add_embedding(mat(4, 2) in F64, metadata=rows, metadata_header=["label", "name"], label_img=rgb(4, 2, 3),
      global_step=7, tag="emb/x"): a header row, RGB images, the tag's "/" encoded as %2f in the directory;
  add_embedding(mat(2, 2), global_step=12345678, tag="q'1\\\\"): no metadata or images, a step wider than 5 digits,
      a tag whose quote and backslash the text format escapes (and whose backslash the directory encodes as %5c; no
      double quote, which Windows refuses in a file name).
projector_config.pbtxt then holds the three entries, as the last call rewrote it.
Run it with /opt/tbvenv/bin/python (torch 1.13 and tensorboard 2.21); the projector plugin there reads the directory
back before it is kept."""
import glob
import os
import shutil
import tempfile

import tensorboard_projector_check
import torch
from torch.utils.tensorboard import SummaryWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "tensorboard", "embedding")


def mat53():
    """5 x 3 F32 values: F32 roundings of decimals, a tiny and a huge one, -0.0 and integers."""
    v = [0.1, -2.5, 1e-05, 3.0, 1e16, -0.0, 1 / 3, 7.0, -123.456, 0.5, 2 ** -20, 65504.0, -1.0, 0.2, 1e-40]
    return torch.tensor(v, dtype=torch.float32).reshape(5, 3)


def grey(n, h, w):
    """n grey images whose pixel i (over all images) is ((37 i) mod 300 - 20) / 255 in F32: below 0, k / 255, above 1."""
    v = [((37 * i) % 300 - 20) / 255 for i in range(n * h * w)]
    return torch.tensor(v, dtype=torch.float32).reshape(n, 1, h, w)


def rgb(n, h, w):
    """n RGB images, value i (over all) ((53 i) mod 256) / 255 in F32."""
    v = [((53 * i) % 256) / 255 for i in range(n * 3 * h * w)]
    return torch.tensor(v, dtype=torch.float32).reshape(n, 3, h, w)


def write(logdir):
    writer = SummaryWriter(logdir)
    writer.add_embedding(mat53(), metadata=["zero", "one", "two", "dí a", 4], label_img=grey(5, 3, 4), global_step=0)
    rows = [[1, "one"], [0, "zero"], [1, "uno"], [2, "two"]]
    mat42 = torch.tensor([[0.1, -1e-7], [2.0, 1e22], [-0.25, 3.141592653589793], [5e-324, 1.5]], dtype=torch.float64)
    writer.add_embedding(mat42, metadata=rows, metadata_header=["label", "name"], label_img=rgb(4, 2, 3),
                         global_step=7, tag="emb/x")
    writer.add_embedding(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), global_step=12345678, tag="q'1\\")
    writer.close()


def main():
    tmp = tempfile.mkdtemp()
    write(tmp)
    print("\n".join(tensorboard_projector_check.embeddings(tmp)))
    for event_file in glob.glob(os.path.join(tmp, "events.out.tfevents.*")):
        os.remove(event_file)
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(tmp, OUT)
    shutil.rmtree(tmp)
    for path in sorted(glob.glob(os.path.join(OUT, "**", "*"), recursive=True)):
        if os.path.isfile(path):
            print("wrote", os.path.relpath(path, OUT), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
