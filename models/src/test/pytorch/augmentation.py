"""Prints torchvision's image augmentations' outputs for fixed parameters, as Java float arrays.

torchvision is not needed: its tensor paths are these torch calls. RandomCrop pads (F.pad, constant fill) and
slices; RandomResizedCrop slices and resizes with F.interpolate (bilinear, align_corners=False, no antialias);
RandomRotation samples the image at the inversely rotated output pixel centres with F.grid_sample
(align_corners=False, zero padding) and blends in the fill through a sampled channel of ones; ColorJitter's
brightness and contrast blend the image with black or with the mean of its grey image and clamp to [0, 1].

The rotation's grid is built twice: with F.affine_grid and a theta in normalised coordinates, and the way
torchvision's _gen_affine_grid builds it (pixel offsets from the centre ((w - 1) / 2, (h - 1) / 2) through the
inverse matrix, divided by half the size); the script checks that the two agree.
"""
import math

import torch
import torch.nn.functional as F

CHANNELS, HEIGHT, WIDTH = 2, 5, 6


def image(channels=CHANNELS):
    """[C, H, W] F32: element k (row-major) is 0.5 + 0.5 sin(0.7 k + 0.1)."""
    n = channels * HEIGHT * WIDTH
    values = [0.5 + 0.5 * math.sin(0.7 * k + 0.1) for k in range(n)]
    return torch.tensor(values, dtype=torch.float64).float().reshape(channels, HEIGHT, WIDTH)


def java(name, t):
    print("float[] " + name + " = {" + ", ".join(repr(v) + "f" for v in t.reshape(-1).tolist()) + "};")


def random_crop(img, padding, fill, top, left):
    padded = F.pad(img, (padding, padding, padding, padding), mode="constant", value=fill)
    return padded[:, top:top + HEIGHT, left:left + WIDTH]


def resized_crop(img, top, left, height, width):
    crop = img[:, top:top + height, left:left + width]
    return F.interpolate(crop[None], size=(HEIGHT, WIDTH), mode="bilinear", align_corners=False)[0]


def rotation_grid(degrees):
    """Normalised source position of every output pixel: counter-clockwise for positive degrees, y down."""
    a = math.radians(degrees)
    cos, sin = math.cos(a), math.sin(a)
    # Source offset from the centre, in pixels: (cos x - sin y, sin x + cos y) of the output offset (x, y).
    # In coordinates normalised by half the width and half the height that is this theta.
    theta = torch.tensor([[cos, -sin * HEIGHT / WIDTH, 0.0], [sin * WIDTH / HEIGHT, cos, 0.0]], dtype=torch.float32)
    grid = F.affine_grid(theta[None], [1, CHANNELS, HEIGHT, WIDTH], align_corners=False)
    return grid, (cos, sin)


def torchvision_grid(cos, sin):
    xs = torch.linspace(-WIDTH * 0.5 + 0.5, WIDTH * 0.5 - 0.5, WIDTH)
    ys = torch.linspace(-HEIGHT * 0.5 + 0.5, HEIGHT * 0.5 - 0.5, HEIGHT)
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    gx = (cos * x - sin * y) / (0.5 * WIDTH)
    gy = (sin * x + cos * y) / (0.5 * HEIGHT)
    return torch.stack([gx, gy], dim=-1)[None]


def rotate(img, degrees, mode, fill):
    grid, (cos, sin) = rotation_grid(degrees)
    assert (grid - torchvision_grid(cos, sin)).abs().max() < 1e-6, "affine_grid and torchvision's grid differ"
    if mode == "nearest":
        # Unnormalised source positions: none may sit on a rounding tie, where F32 and F64 could round apart.
        px = ((grid[..., 0] + 1) * WIDTH - 1) / 2
        py = ((grid[..., 1] + 1) * HEIGHT - 1) / 2
        for p in (px, py):
            assert ((p - p.floor() - 0.5).abs() > 1e-4).all(), "a source position is a rounding tie"
    with_ones = torch.cat([img, torch.ones(1, HEIGHT, WIDTH)])[None]
    sampled = F.grid_sample(with_ones, grid, mode=mode, padding_mode="zeros", align_corners=False)[0]
    out, mask = sampled[:-1], sampled[-1:].expand(CHANNELS, HEIGHT, WIDTH)
    if mode == "nearest":
        return torch.where(mask < 0.5, torch.full_like(out, fill), out)
    return out * mask + (1 - mask) * fill


def blend(img, other, factor):
    return (factor * img + (1.0 - factor) * other).clamp(0, 1)


def brightness(img, factor):
    return blend(img, torch.zeros_like(img), factor)


def contrast(img, factor):
    if img.shape[0] == 3:
        r, g, b = img
        grey = (0.2989 * r + 0.587 * g + 0.114 * b)[None]
    else:
        grey = img
    return blend(img, grey.mean(dim=(-3, -2, -1), keepdim=True), factor)


img = image()
print("// RandomCrop: padding, fill, top, left")
java("cropPadding2Fill0Top0Left4", random_crop(img, 2, 0.0, 0, 4))
java("cropPadding2Fill0Top3Left1", random_crop(img, 2, 0.0, 3, 1))
java("cropPadding3FillQuarterTop5Left0", random_crop(img, 3, 0.25, 5, 0))
print("// RandomResizedCrop: top, left, height, width, resized to 5 x 6")
java("resizedCropTop1Left2Height3Width4", resized_crop(img, 1, 2, 3, 4))
java("resizedCropTop2Left0Height2Width5", resized_crop(img, 2, 0, 2, 5))
java("resizedCropTop0Left3Height5Width3", resized_crop(img, 0, 3, 5, 3))
print("// RandomRotation: degrees, interpolation, fill")
java("rotate30Nearest", rotate(img, 30, "nearest", 0.0))
java("rotateMinus75Nearest", rotate(img, -75, "nearest", 0.0))
java("rotate30Bilinear", rotate(img, 30, "bilinear", 0.0))
java("rotateMinus75Bilinear", rotate(img, -75, "bilinear", 0.0))
java("rotate30NearestFillHalf", rotate(img, 30, "nearest", 0.5))
java("rotate30BilinearFillHalf", rotate(img, 30, "bilinear", 0.5))
print("// ColorJitter: brightness and contrast factors, 1- and 3-channel images")
grey, rgb = image(1), image(3)
java("brightness1Point6Grey", brightness(grey, 1.6))
java("brightnessPoint3Grey", brightness(grey, 0.3))
java("contrast1Point8Grey", contrast(grey, 1.8))
java("contrastPoint4Rgb", contrast(rgb, 0.4))
java("contrast1Point8Rgb", contrast(rgb, 1.8))
java("brightness1Point4ThenContrastPoint6Rgb", contrast(brightness(rgb, 1.4), 0.6))
java("contrastPoint6ThenBrightness1Point4Rgb", brightness(contrast(rgb, 0.6), 1.4))
