"""Writes the references of SummaryWriterMediaParityTest with PyTorch 1.13's SummaryWriter, into
models/src/test/resources/tensorboard/media/: the event file of one writer, renamed pytorch.tfevents, for these calls:
  add_audio of [L] F32 values in [-1, 1] at 8000 Hz and of [1, L] F64 values past [-1, 1] (clipped) at 44100 Hz, and
    of k / 32767, whose samples depend on the product's precision (F32 and F64);
  add_custom_scalars of a layout of two categories (a multiline chart, two margin charts), then
    add_custom_scalars_multilinechart with the default category and title and add_custom_scalars_marginchart;
  add_image with dataformats CHW, HWC (1, 3 and 4 channels), HW, WHC and NCHW, and uint8 CHW (values 0..255);
  add_images with dataformats NHWC and HWCN, and uint8 NCHW;
  add_image of the uint8 pixels that SummaryWriterMediaParityTest draws into a java.awt.image.BufferedImage for
    Kiln's addFigure (PyTorch's add_figure renders a matplotlib figure to such RGB bytes and calls add_image);
  add_mesh of vertices, colors and faces with a config_dict, and of vertices alone;
  add_scalar, add_scalars, add_histogram, add_image, add_images, add_text, add_pr_curve, add_audio and add_mesh with
    walltime (add_scalars' series in their own directories).
video_frames.txt holds the frames PyTorch 1.13's add_video hands moviepy (not installed here, so no GIF of PyTorch's):
_prepare_video's [T, H, W, C] bytes of uint8 [3, 2, 3, 2, 3] and F32 grey [5, 3, 1, 2, 2] videos, a line "tag T H W C"
then a line of the bytes; SummaryWriterVideoTest decodes Kiln's GIF against them.
files.txt lists the event file directories ("." the log directory itself); tensorboard_read.txt is what
tensorboard_read_check.py prints for the log directory. Run it with /opt/tbvenv/bin/python (torch 1.13,
tensorboard 2.21)."""
import os

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

import tensorboard_logdir

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "tensorboard", "media")

# As in tensorboard_events.py: PyTorch 1.13's make_histogram calls np.greater(counts, 0, dtype=np.int32), which NumPy
# 1.24 refuses; older NumPy compared and then cast to int32, as this does.
_numpy_greater = np.greater


def _greater_then_cast(a, b, dtype=None):
    result = _numpy_greater(a, b)
    return result if dtype is None else result.astype(dtype)


np.greater = _greater_then_cast


def wave(n):
    """((37 k mod 41) - 20) / 20 for k < n, in [-1, 1]."""
    return np.array([((37 * k) % 41 - 20) / 20.0 for k in range(n)])


def pattern(*shape):
    """((5 i) mod 17) / 16 over the flat index i: each value times 255 an exact multiple of 1/16."""
    size = int(np.prod(shape))
    return np.array([((5 * i) % 17) / 16.0 for i in range(size)], dtype=np.float32).reshape(shape)


def bytes_pattern(*shape):
    """(7 i + 3) mod 256 over the flat index i, as uint8."""
    size = int(np.prod(shape))
    return np.array([(7 * i + 3) % 256 for i in range(size)], dtype=np.uint8).reshape(shape)


def figure_pixels(height, width):
    """The figure's RGB pixels [3, H, W] as uint8: red 40 x + 3, green 50 y + 7, blue 13 (x + y) mod 256."""
    return np.array([[[(40 * x + 3) % 256 if c == 0 else (50 * y + 7) % 256 if c == 1 else (13 * (x + y)) % 256
                       for x in range(width)] for y in range(height)] for c in range(3)], dtype=np.uint8)


WALLTIME = 1234567.25
MESH_CONFIG = {"camera": {"cls": "PerspectiveCamera", "fov": 75},
               "lights": [{"cls": "AmbientLight", "color": "#ffffff", "intensity": 0.75},
                          {"cls": "DirectionalLight", "color": "#ffffff", "intensity": 0.5,
                           "position": [0, -1, 2]}],
               "material": {"cls": "MeshStandardMaterial", "roughness": 1, "metalness": 0, "flag": True,
                            "none": None, "name": "caf\u00e9 \"q\""}}
VERTICES = [[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]]
COLORS = [[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]]
FACES = [[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]]


def write(logdir):
    writer = SummaryWriter(logdir)
    writer.add_audio("audio/wave", torch.tensor(wave(50), dtype=torch.float32), 1, sample_rate=8000)
    writer.add_audio("audio/clipped", torch.tensor(wave(30) * 1.5).reshape(1, 30), 2)
    writer.add_audio("audio/steps32", torch.tensor(np.arange(10) / 32767.0, dtype=torch.float32), 3, sample_rate=16000)
    writer.add_audio("audio/steps64", torch.tensor(-np.arange(10) / 32767.0), 4, sample_rate=16000)
    writer.add_custom_scalars({"Taiwan": {"twse": ["Multiline", ["twse/0050", "twse/2330"]]},
                               "USA": {"dow": ["Margin", ["dow/aaa", "dow/bbb", "dow/ccc"]],
                                       "nasdaq": ["Margin", ["nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc"]]}})
    writer.add_custom_scalars_multilinechart(["loss/train", "loss/test"])
    writer.add_custom_scalars_marginchart(["acc", "acc/low", "acc/high"], category="bands", title="accuracy")
    writer.add_image("format/chw", torch.tensor(pattern(3, 4, 5)), 1, dataformats="CHW")
    writer.add_image("format/hwc", torch.tensor(pattern(4, 5, 3)), 2, dataformats="HWC")
    writer.add_image("format/hwc1", torch.tensor(pattern(3, 2, 1)), 3, dataformats="HWC")
    writer.add_image("format/hwc4", torch.tensor(pattern(2, 3, 4)), 4, dataformats="HWC")
    writer.add_image("format/hw", torch.tensor(pattern(3, 4)).double(), 5, dataformats="HW")
    writer.add_image("format/whc", torch.tensor(pattern(5, 4, 3)), 6, dataformats="WHC")
    writer.add_image("format/nchw", torch.tensor(pattern(3, 1, 2, 2)), 7, dataformats="NCHW")
    writer.add_image("uint8/chw", torch.tensor(bytes_pattern(3, 4, 6)), 8)
    writer.add_images("format/nhwc", torch.tensor(pattern(10, 2, 3, 3)), 1, dataformats="NHWC")
    writer.add_images("format/hwcn", torch.tensor(pattern(2, 2, 1, 3)), 2, dataformats="HWCN")
    writer.add_images("uint8/nchw", torch.tensor(bytes_pattern(2, 3, 2, 2)), 3)
    writer.add_image("figure", torch.tensor(figure_pixels(5, 7)), 9)
    writer.add_mesh("mesh", torch.tensor(VERTICES, dtype=torch.float32), colors=torch.tensor(COLORS, dtype=torch.uint8),
                    faces=torch.tensor(FACES, dtype=torch.int32), config_dict=MESH_CONFIG, global_step=3)
    writer.add_mesh("mesh/points", torch.tensor(VERTICES, dtype=torch.float32) * 0.5, global_step=4)
    writer.add_scalar("walltime/scalar", 0.5, 3, walltime=WALLTIME)
    writer.add_scalars("walltime/scalars", {"a": 0.25, "b": 0.75}, 4, walltime=WALLTIME + 1)
    writer.add_histogram("walltime/histogram", np.array([0.5, 1.5, 2.5, 2.5]), 5, walltime=WALLTIME + 2)
    writer.add_image("walltime/image", torch.tensor(pattern(1, 2, 2)), 6, walltime=WALLTIME + 3)
    writer.add_images("walltime/images", torch.tensor(pattern(2, 3, 2, 2)), 7, walltime=WALLTIME + 4)
    writer.add_text("walltime/text", "at a given time", 8, walltime=WALLTIME + 5)
    writer.add_pr_curve("walltime/pr", torch.tensor([True, False, True]), torch.tensor([0.25, 0.5, 0.75]), 9,
                        num_thresholds=5, walltime=WALLTIME + 6)
    writer.add_audio("walltime/audio", torch.tensor(wave(4), dtype=torch.float32), 10, sample_rate=100,
                     walltime=WALLTIME + 7)
    writer.add_mesh("walltime/mesh", torch.tensor(VERTICES, dtype=torch.float32), global_step=11,
                    walltime=WALLTIME + 8)
    writer.close()


def video_frames():
    """PyTorch's frames of each video, as add_video makes them before moviepy encodes them."""
    from torch.utils.tensorboard._utils import _prepare_video
    from torch.utils.tensorboard.summary import _calc_scale_factor
    lines = []
    for tag, video in (("video/rgb", bytes_pattern(3, 2, 3, 2, 3)), ("video/grey", pattern(5, 3, 1, 2, 2))):
        frames = _prepare_video(video)
        frames = (frames.astype(np.float32) * _calc_scale_factor(frames)).astype(np.uint8)
        lines.append("%s %d %d %d %d" % ((tag,) + frames.shape))
        lines.append(" ".join(str(b) for b in frames.reshape(-1).tolist()))
    return "".join(line + "\n" for line in lines)


def main():
    tensorboard_logdir.save(write, OUT)
    with open(os.path.join(OUT, "video_frames.txt"), "w") as f:
        f.write(video_frames())


if __name__ == "__main__":
    main()
