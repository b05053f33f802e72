"""Prints torchvision's RandomAffine, RandomVerticalFlip, GaussianBlur, Normalize, RandomGrayscale and RandomInvert
outputs for fixed parameters, as Java float arrays (the 2 x 5 x 6 image of augmentation.py, and 1 and 3 channels).

torchvision is not needed: its tensor paths are these torch calls.

F.affine(img, angle, translate, scale, shear) takes torchvision's _get_inverse_affine_matrix (reproduced below from
torchvision 0.14's functional.py, centre (0, 0) = the image's centre, angle clockwise, shear in degrees) and warps
with _gen_affine_grid (pixel offsets from the centre through the matrix, divided by half the size) and
F.grid_sample(align_corners=False, zeros), blending in the fill through a sampled channel of ones. The script
builds that grid and checks it against F.affine_grid with the matrix in normalised coordinates, and checks the F32
warp that torchvision runs on float images against the F64 warp it prints.

GaussianBlur's kernel is _get_gaussian_kernel1d (exp(-x^2 / (2 sigma^2)) at x = -(k - 1) / 2 ... (k - 1) / 2,
normalised) for the width and the height, their outer product, convolved per channel after F.pad reflect by half
the kernel. Normalize is (x - mean) / std per channel; rgb_to_grayscale is 0.2989 R + 0.587 G + 0.114 B copied to
every channel; invert is 1 - x; vflip is flip(-2).
"""
import math

import torch
import torch.nn.functional as F

HEIGHT, WIDTH = 5, 6


def image(channels=2):
    """[C, H, W] F32: element k (row-major) is 0.5 + 0.5 sin(0.7 k + 0.1), as augmentation.py's."""
    n = channels * HEIGHT * WIDTH
    values = [0.5 + 0.5 * math.sin(0.7 * k + 0.1) for k in range(n)]
    return torch.tensor(values, dtype=torch.float64).float().reshape(channels, HEIGHT, WIDTH)


def java(name, t):
    print("float[] " + name + " = {" + ", ".join(repr(v) + "f" for v in t.float().reshape(-1).tolist()) + "};")


def inverse_affine_matrix(angle, translate, scale, shear):
    """torchvision's _get_inverse_affine_matrix with centre (0, 0), inverted=True."""
    rot = math.radians(angle)
    sx = math.radians(shear[0])
    sy = math.radians(shear[1])
    cx, cy = 0.0, 0.0
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    matrix = [d, -b, 0.0, -c, a, 0.0]
    matrix = [x / scale for x in matrix]
    matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
    matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
    matrix[2] += cx
    matrix[5] += cy
    return matrix


def torchvision_grid(matrix, dtype):
    """torchvision's _gen_affine_grid for an output of the input's size."""
    theta = torch.tensor(matrix, dtype=dtype).reshape(1, 2, 3)
    base = torch.empty(1, HEIGHT, WIDTH, 3, dtype=dtype)
    base[..., 0].copy_(torch.linspace(-WIDTH * 0.5 + 0.5, WIDTH * 0.5 - 0.5, steps=WIDTH, dtype=dtype))
    base[..., 1].copy_(torch.linspace(-HEIGHT * 0.5 + 0.5, HEIGHT * 0.5 - 0.5, steps=HEIGHT, dtype=dtype)[:, None])
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * WIDTH, 0.5 * HEIGHT], dtype=dtype)
    return base.view(1, HEIGHT * WIDTH, 3).bmm(rescaled).view(1, HEIGHT, WIDTH, 2)


def affine_grid(matrix, dtype):
    """The same grid from F.affine_grid: the matrix in coordinates normalised by half the width and height."""
    m = matrix
    theta = torch.tensor([[m[0], m[1] * HEIGHT / WIDTH, m[2] * 2 / WIDTH],
                          [m[3] * WIDTH / HEIGHT, m[4], m[5] * 2 / HEIGHT]], dtype=dtype)
    return F.affine_grid(theta[None], [1, 1, HEIGHT, WIDTH], align_corners=False)


def warp(img, matrix, mode, fill):
    """torchvision's F_t.affine: grid_sample at the grid, fill blended in through a sampled channel of ones."""
    grid = torchvision_grid(matrix, img.dtype)
    assert (grid - affine_grid(matrix, img.dtype)).abs().max() < 1e-6, "affine_grid and torchvision's grid differ"
    if mode == "nearest":
        # Unnormalised source positions: none may sit near a rounding tie, where F32 and F64 could round apart.
        px = ((grid[..., 0] + 1) * WIDTH - 1) / 2
        py = ((grid[..., 1] + 1) * HEIGHT - 1) / 2
        for p in (px, py):
            assert ((p - p.floor() - 0.5).abs() > 1e-4).all(), "a source position is a rounding tie"
    channels = img.shape[0]
    with_ones = torch.cat([img, torch.ones(1, HEIGHT, WIDTH, dtype=img.dtype)])[None]
    sampled = F.grid_sample(with_ones, grid, mode=mode, padding_mode="zeros", align_corners=False)[0]
    out, mask = sampled[:-1], sampled[-1:].expand(channels, HEIGHT, WIDTH)
    if mode == "nearest":
        return torch.where(mask < 0.5, torch.full_like(out, fill), out)
    return out * mask + (1 - mask) * fill


def affine(img, angle, translate, scale, shear, mode, fill):
    """F.affine on the image in F64 (what Kiln computes), checked against torchvision's F32 path."""
    matrix = inverse_affine_matrix(angle, translate, scale, shear)
    wide = warp(img.double(), matrix, mode, fill)
    narrow = warp(img, matrix, mode, fill)
    assert (wide - narrow.double()).abs().max() < 2e-6, "the F32 and F64 warps differ"
    return wide


def gaussian_kernel1d(size, sigma):
    half = (size - 1) * 0.5
    x = torch.linspace(-half, half, steps=size)
    pdf = torch.exp(-0.5 * (x / sigma).pow(2))
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma):
    """F.gaussian_blur(img, kernel_size=(kx, ky), sigma=[sigma, sigma]) as torchvision's tensor path."""
    kx, ky = kernel_size
    kernel = torch.mm(gaussian_kernel1d(ky, sigma)[:, None], gaussian_kernel1d(kx, sigma)[None, :]).to(img.dtype)
    channels = img.shape[0]
    kernel = kernel.expand(channels, 1, ky, kx)
    padded = F.pad(img[None], [kx // 2, kx // 2, ky // 2, ky // 2], mode="reflect")
    return F.conv2d(padded, kernel, groups=channels)[0]


def normalize(img, mean, std):
    mean = torch.as_tensor(mean, dtype=img.dtype)[:, None, None]
    std = torch.as_tensor(std, dtype=img.dtype)[:, None, None]
    return img.clone().sub_(mean).div_(std)


def grayscale(img):
    r, g, b = img.unbind(dim=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3).expand(img.shape)


img = image()
print("// RandomAffine: angle (clockwise), translate, scale, shear (x, y), interpolation, fill")
java("affine30Nearest", affine(img, 30, (0, 0), 1.0, (0, 0), "nearest", 0.0))
java("affineMinus20Translate1Minus2Scale1Point2Nearest",
     affine(img, -20, (1, -2), 1.2, (0, 0), "nearest", 0.0))
java("affine15Translate2Scale0Point8ShearX25Bilinear",
     affine(img, 15, (2, 0), 0.8, (25, 0), "bilinear", 0.0))
java("affineMinus40TranslateMinus1Scale1Point1Shear10Minus15Bilinear",
     affine(img, -40, (-1, 1), 1.1, (10, -15), "bilinear", 0.0))
java("affine10ShearMinus20Y30BilinearFillHalf",
     affine(img, 10, (0, 1), 0.9, (-20, 30), "bilinear", 0.5))
java("affine10ShearMinus20Y30NearestFillHalf",
     affine(img, 10, (0, 1), 0.9, (-20, 30), "nearest", 0.5))
print("// RandomVerticalFlip")
java("verticalFlip", img.flip(-2))
print("// GaussianBlur: kernel (width, height), sigma")
java("blur3Sigma1", gaussian_blur(img, (3, 3), 1.0))
java("blur5x3SigmaPoint7", gaussian_blur(img, (5, 3), 0.7))
java("blur1x5Sigma2", gaussian_blur(img, (1, 5), 2.0))
print("// Normalize, RandomGrayscale, RandomInvert on 3 channels")
rgb = image(3)
java("normalizeRgb", normalize(rgb, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]))
java("grayscaleRgb", grayscale(rgb))
java("invertRgb", 1.0 - rgb)
