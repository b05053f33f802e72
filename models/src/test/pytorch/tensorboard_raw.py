"""Writes the references of SummaryWriterRawBoxesParityTest with PyTorch 1.13's SummaryWriter, into
models/src/test/resources/tensorboard/raw/: the event file of one writer, renamed pytorch.tfevents, for these calls:
  add_histogram_raw of given statistics and buckets, one with a NumPy array of counts, one at a given walltime;
  add_pr_curve_raw of given counts, precision and recall, with the default num_thresholds (127, whatever the arrays'
    length) and with num_thresholds=5, and one at a given walltime;
  add_image_with_boxes without labels (PyTorch draws labels in Pillow's own bitmap font, which Kiln has not): F32 CHW
    with boxes on whole pixels, fractional and negative coordinates (truncated towards zero), boxes past the edges, a
    box of one pixel and one of zero width; a grey HW-less CHW image of one channel; an F64 HWC image; uint8 CHW; an
    RGBA image; and one at a given walltime.
files.txt lists the event file directories ("." the log directory itself); tensorboard_read.txt is what
tensorboard_read_check.py prints for the log directory. Run it with /opt/tbvenv/bin/python (torch 1.13,
tensorboard 2.21)."""
import os

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

import tensorboard_logdir

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "tensorboard", "raw")
WALLTIME = 1234567.25


def pattern(*shape):
    """((5 i) mod 17) / 16 over the flat index i, F32."""
    size = int(np.prod(shape))
    return np.array([((5 * i) % 17) / 16.0 for i in range(size)], dtype=np.float32).reshape(shape)


def bytes_pattern(*shape):
    """(7 i + 3) mod 256 over the flat index i, as uint8."""
    size = int(np.prod(shape))
    return np.array([(7 * i + 3) % 256 for i in range(size)], dtype=np.uint8).reshape(shape)


BOXES = [[1, 1, 6, 4], [2.7, 3.2, 9.9, 8.5], [-2.5, -1.5, 4.25, 2.75], [8, 5, 20, 30], [5, 5, 5, 5], [3, 2, 3, 7]]


def write(logdir):
    writer = SummaryWriter(logdir)
    writer.add_histogram_raw("raw/histogram", min=-1.5, max=2.25, num=7, sum=3.0, sum_squares=11.5,
                             bucket_limits=[-1.0, 0.0, 1.0, 2.5], bucket_counts=[1, 2, 0, 4], global_step=1)
    writer.add_histogram_raw("raw/histogram_np", 0.0, 0.0, 3, 0.0, 0.0, np.array([0.0, 1e-12]),
                             np.array([0, 3], dtype=np.int64), global_step=2)
    tp = [10.0, 8.0, 5.0, 2.0, 0.0]
    fp = [10.0, 4.0, 2.0, 1.0, 0.0]
    tn = [0.0, 6.0, 8.0, 9.0, 10.0]
    fn = [0.0, 2.0, 5.0, 8.0, 10.0]
    precision = [0.5, 2 / 3, 5 / 7, 2 / 3, 0.0]
    recall = [1.0, 0.8, 0.5, 0.2, 0.0]
    writer.add_pr_curve_raw("raw/pr_default", tp, fp, tn, fn, precision, recall, global_step=3)
    writer.add_pr_curve_raw("raw/pr_5", np.array(tp), np.array(fp), np.array(tn), np.array(fn), np.array(precision),
                            np.array(recall), global_step=4, num_thresholds=5)
    boxes = torch.tensor(BOXES, dtype=torch.float32)
    writer.add_image_with_boxes("boxes/chw", torch.tensor(pattern(3, 12, 14)), boxes, 5)
    writer.add_image_with_boxes("boxes/grey", torch.tensor(pattern(1, 9, 10)), boxes[:2], 6)
    writer.add_image_with_boxes("boxes/hwc", torch.tensor(pattern(10, 11, 3)).double(), boxes[1:3].double(), 7,
                                dataformats="HWC")
    writer.add_image_with_boxes("boxes/uint8", torch.tensor(bytes_pattern(3, 8, 9)), boxes[:1], 8)
    writer.add_image_with_boxes("boxes/rgba", torch.tensor(pattern(4, 7, 8)), boxes[4:], 9)
    writer.add_histogram_raw("walltime/histogram", 1.0, 1.0, 1, 1.0, 1.0, [0.5, 1.5], [0, 1], global_step=10,
                             walltime=WALLTIME)
    writer.add_pr_curve_raw("walltime/pr", tp[:2], fp[:2], tn[:2], fn[:2], precision[:2], recall[:2], global_step=11,
                            num_thresholds=2, walltime=WALLTIME + 1)
    writer.add_image_with_boxes("walltime/boxes", torch.tensor(pattern(3, 6, 6)), boxes[:1], 12,
                                walltime=WALLTIME + 2)
    writer.close()


def main():
    tensorboard_logdir.save(write, OUT)


if __name__ == "__main__":
    main()
