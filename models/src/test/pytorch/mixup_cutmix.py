"""Prints the whole of MixingValues.java (models, dev.kiln.data, for MixUpTest and CutMixTest): torchvision v2's MixUp
and CutMix on a fixed batch for fixed draws.

torchvision is not needed: its batch transforms (v0.16, transforms/v2/_augment.py) are these torch calls, restated
here. Labels become one-hot float rows; the batch is paired with itself rolled by one along axis 0. MixUp blends
images and targets: rolled * (1 - lam) + batch * lam. CutMix draws a centre (r_x, r_y) uniformly, takes a box of
half-sides int(r W) and int(r H) with r = 0.5 sqrt(1 - lam), clamped to the image, pastes the rolled batch's box
into every image and mixes the targets with lam adjusted to the box's true area, 1 - box area / (W H).

The batch: 4 images [2, 5, 6], element k (row-major over the whole batch) 0.5 + 0.5 sin(0.7 k + 0.1), labels
[3, 0, 0, 1] of 5 classes: example 2's rolled partner, example 1, has its label, so its target row sums two weights
in one class.
"""
import math

import torch
import torch.nn.functional as F

BATCH, CHANNELS, HEIGHT, WIDTH, CLASSES = 4, 2, 5, 6, 5
LABELS = [3, 0, 0, 1]


def batch():
    n = BATCH * CHANNELS * HEIGHT * WIDTH
    values = [0.5 + 0.5 * math.sin(0.7 * k + 0.1) for k in range(n)]
    return torch.tensor(values, dtype=torch.float64).float().reshape(BATCH, CHANNELS, HEIGHT, WIDTH)


def one_hot_mix(labels, lam):
    """torchvision's _mixup_label."""
    label = F.one_hot(labels, num_classes=CLASSES).float()
    return label.roll(1, 0).mul_(1.0 - lam).add_(label.mul(lam))


def mixup(images, labels, lam):
    return images.roll(1, 0).mul_(1.0 - lam).add_(images.mul(lam)), one_hot_mix(labels, lam)


def cutmix_box(lam, r_x, r_y, height, width):
    """torchvision's Cutmix._get_params after its draws of lam, r_x and r_y."""
    r_x = torch.tensor([r_x])
    r_y = torch.tensor([r_y])
    r = 0.5 * math.sqrt(1.0 - lam)
    r_w_half = int(r * width)
    r_h_half = int(r * height)
    x1 = int(torch.clamp(r_x - r_w_half, min=0))
    y1 = int(torch.clamp(r_y - r_h_half, min=0))
    x2 = int(torch.clamp(r_x + r_w_half, max=width))
    y2 = int(torch.clamp(r_y + r_h_half, max=height))
    return (x1, y1, x2, y2), float(1.0 - (x2 - x1) * (y2 - y1) / (width * height))


def cutmix(images, labels, box, lam_adjusted):
    x1, y1, x2, y2 = box
    rolled = images.roll(1, 0)
    output = images.clone()
    output[..., y1:y2, x1:x2] = rolled[..., y1:y2, x1:x2]
    return output, one_hot_mix(labels, lam_adjusted)


def floats(values):
    return "{" + ", ".join(repr(v) + "f" for v in values) + "}"


def java(name, t):
    print("    static final float[] " + name + " = " + floats(t.reshape(-1).tolist()) + ";")


def main():
    images = batch()
    labels = torch.tensor(LABELS)
    print("package dev.kiln.data;")
    print()
    print("/** Printed by models/src/test/pytorch/mixup_cutmix.py: torchvision v2's MixUp and CutMix, see there. */")
    print("final class MixingValues {")
    print("    private MixingValues() {")
    print("    }")
    print()
    print("    /** MixUp of the batch at lam = 1 / pi, 0.5 and 21 / 23: images [4, 2, 5, 6] and targets [4, 5]. */")
    for name, lam in (("LAM_0318", 1 / math.pi), ("LAM_HALF", 0.5), ("LAM_0913", 21 / 23)):
        mixed, targets = mixup(images, labels, lam)
        java("MIXED_" + name, mixed)
        java("TARGETS_" + name, targets)
    print()
    print("    /** CutMix's box: {lam, r_x, r_y, height, width, x1, y1, x2, y2, lam_adjusted}. */")
    print("    static final double[][] BOXES = {")
    cases = [(0.3, 2, 1, 5, 6), (0.0, 0, 0, 5, 6), (0.0, 5, 4, 5, 6), (0.999, 3, 2, 5, 6), (1.0, 3, 2, 5, 6),
             (0.5, 31, 0, 32, 32), (0.12345, 13, 20, 28, 28), (0.8, 0, 27, 28, 28), (0.05, 100, 50, 224, 224)]
    for lam, r_x, r_y, height, width in cases:
        box, adjusted = cutmix_box(lam, r_x, r_y, height, width)
        row = (lam, r_x, r_y, height, width) + box + (adjusted,)
        print("        {%r, %d, %d, %d, %d, %d, %d, %d, %d, %r}," % row)
    print("    };")
    print()
    print("    /** CutMix of the batch with the box of the first case, and its targets. */")
    box, adjusted = cutmix_box(0.3, 2, 1, HEIGHT, WIDTH)
    pasted, targets = cutmix(images, labels, box, adjusted)
    java("PASTED", pasted)
    java("PASTED_TARGETS", targets)
    print("}")


if __name__ == "__main__":
    main()
