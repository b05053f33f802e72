"""Prints the literals of AugmentOpTest.nearestShearsRoundTiesAsTorchsF32Grid: torchvision 0.14's ShearX and ShearY
(_apply_op: F.affine about the top-left corner, nearest, fill=None) on a 1 x 10 x 12 float image at AutoAugment's
bins 2 and 6 (torch.linspace(0, 0.3, 10): 0.0666667 and 0.2 in F32), where whole rows of output pixels sit on a
rounding tie (x + m (y + 1/2) half-way between two pixels): which pixel grid_sample picks is decided by torch's F32
grid arithmetic, not by the exact position.

torchvision's tensor path restated in torch: _get_inverse_affine_matrix in F64, theta in F32, _gen_affine_grid's
base grid times theta^T / [w / 2, h / 2] (bmm), grid_sample(mode="nearest", padding_mode="zeros",
align_corners=False).
"""
import math

import torch
import torch.nn.functional as F

HEIGHT, WIDTH = 10, 12


def image(channels, height, width):
    """[C, H, W] F32: element k (row-major) is 0.5 + 0.5 sin(0.7 k + 0.1), as TorchImages.image."""
    n = channels * height * width
    values = [0.5 + 0.5 * math.sin(0.7 * k + 0.1) for k in range(n)]
    return torch.tensor(values, dtype=torch.float64).float().reshape(channels, height, width)


def inverse_affine_matrix(center, shear):
    """torchvision's _get_inverse_affine_matrix(center, angle=0, translate=[0, 0], scale=1, shear), inverted."""
    sx = math.radians(shear[0])
    sy = math.radians(shear[1])
    cx, cy = center
    a = math.cos(-sy) / math.cos(sy)
    b = -math.cos(-sy) * math.tan(sx) / math.cos(sy)
    c = math.sin(-sy) / math.cos(sy)
    d = -math.sin(-sy) * math.tan(sx) / math.cos(sy) + 1.0
    matrix = [d, -b, 0.0, -c, a, 0.0]
    matrix[2] += matrix[0] * -cx + matrix[1] * -cy + cx
    matrix[5] += matrix[3] * -cx + matrix[4] * -cy + cy
    return matrix


def shear(img, magnitude, axis):
    """_apply_op's ShearX (axis 0) or ShearY (axis 1): F.affine with center=[0, 0], nearest, fill=None."""
    height, width = img.shape[-2:]
    angles = [0.0, 0.0]
    angles[axis] = math.degrees(math.atan(magnitude))
    matrix = inverse_affine_matrix([-0.5 * width, -0.5 * height], angles)
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    base = torch.empty(1, height, width, 3)
    base[..., 0].copy_(torch.linspace(-width * 0.5 + 0.5, width * 0.5 - 0.5, steps=width))
    base[..., 1].copy_(torch.linspace(-height * 0.5 + 0.5, height * 0.5 - 0.5, steps=height)[:, None])
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * width, 0.5 * height])
    grid = base.view(1, height * width, 3).bmm(rescaled).view(1, height, width, 2)
    return F.grid_sample(img[None], grid, mode="nearest", padding_mode="zeros", align_corners=False)[0]


def java(name, t):
    print("float[] " + name + " = {" + ", ".join(repr(v) + "f" for v in t.float().reshape(-1).tolist()) + "};")


bins = torch.linspace(0.0, 0.3, 10).tolist()
img = image(1, HEIGHT, WIDTH)
print("// nearest shears of the 1 x 10 x 12 image at AutoAugment's bins 6 and 2")
java("shearXBin6", shear(img, bins[6], 0))
java("shearYMinusBin6", shear(img, -bins[6], 1))
java("shearXMinusBin2", shear(img, -bins[2], 0))
java("shearYBin2", shear(img, bins[2], 1))
