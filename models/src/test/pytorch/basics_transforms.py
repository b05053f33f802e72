"""PyTorch's "Transforms" tutorial (pytorch.org/tutorials/beginner/basics/transforms_tutorial.html) on the project's
Fashion-MNIST copy, torchvision's FashionMNIST, ToTensor and Lambda restated in torch (torchvision is not installed),
printing what examples/Transforms.java prints: the first training image after ToTensor (shape, dtype, range) and its
label after the target transform (one-hot by scatter_). BasicsExamplesTest checks the example against these lines.
Run: /usr/bin/python3 basics_transforms.py [DATA_ROOT] (default ../shared/data)."""
import gzip
import struct
import sys

import numpy as np
import torch

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "i" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


images = idx(f"{root}/fashion-mnist/train-images-idx3-ubyte.gz")
labels = idx(f"{root}/fashion-mnist/train-labels-idx1-ubyte.gz")


def to_tensor(image):
    # ToTensor(): a [H, W] uint8 image as a [1, H, W] float tensor in [0, 1].
    return torch.from_numpy(image.astype(np.float32) / 255.0).unsqueeze(0)


target_transform = lambda y: torch.zeros(10, dtype=torch.float).scatter_(dim=0, index=torch.tensor(y), value=1)

img, label = to_tensor(images[0]), target_transform(int(labels[0]))
print(f"Image: {img.shape} {img.dtype}, values in [{img.min().item():.1f}, {img.max().item():.1f}]")
print(f"Label {int(labels[0])} one-hot: {label}")
# The same target transform on a batch of labels: one scatter_ along dim 1.
batch = torch.from_numpy(labels[:4].astype(np.int64))
print(f"Labels {batch.tolist()} one-hot:\n{torch.zeros(4, 10).scatter_(1, batch.unsqueeze(1), 1)}")
