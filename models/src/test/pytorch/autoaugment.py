"""Prints the literals of AugmentOpTest and AutoAugmentPoliciesTest: torchvision 0.14's automatic augmentation
operations (autoaugment.py's _apply_op) on float images for fixed magnitudes, AugMix's mix of fixed chains and
weights, the policies' magnitude bins and AutoAugment's sub-policy tables.

torchvision is not needed: its tensor paths (functional_tensor.py) are the torch calls below, written from its
source. Kiln's images are floats in [0, 1], and the ops follow torchvision's float path (_blend clamps to [0, 1],
grey is 0.2989 R + 0.587 G + 0.114 B, saturation leaves a 1-channel image alone), except:
- posterize and equalize, which torchvision runs on uint8 images only, convert the image to uint8 as
  convert_image_dtype does (trunc(x * 255.999), after clamping to [0, 1]), run the uint8 arithmetic and convert back
  (v / 255);
- the policies' Solarize thresholds, given for 0-255 images, are divided by 255.
Geometric ops use fill=None, as the policies do by default: grid_sample with zeros and no fill blending; with a
fill (the policies turn a number into one per channel), _apply_grid_transform's mask: nearest reads the fill where
the sampled mask is below 0.5, bilinear blends img * mask + (1 - mask) * fill.
"""
import math

import torch
import torch.nn.functional as F

HEIGHT, WIDTH = 5, 6


def image(channels=3, height=HEIGHT, width=WIDTH):
    """[C, H, W] F32: element k (row-major) is 0.5 + 0.5 sin(0.7 k + 0.1), as TorchImages.image."""
    n = channels * height * width
    values = [0.5 + 0.5 * math.sin(0.7 * k + 0.1) for k in range(n)]
    return torch.tensor(values, dtype=torch.float64).float().reshape(channels, height, width)


def levels_image(channels, height, width):
    """[C, H, W] F32 of few distinct values, so that equalize's histogram has repeats: 0.1 + 0.8 ((7919 k) % 97) / 96."""
    n = channels * height * width
    values = [0.1 + 0.8 * ((7919 * k) % 97) / 96 for k in range(n)]
    return torch.tensor(values, dtype=torch.float64).float().reshape(channels, height, width)


def java(name, t):
    print("float[] " + name + " = {" + ", ".join(repr(v) + "f" for v in t.float().reshape(-1).tolist()) + "};")


def java_doubles(name, values):
    print("double[] " + name + " = {" + ", ".join(repr(float(v)) for v in values) + "};")


# ---- functional_tensor.py's float paths ----

def blend(img1, img2, ratio):
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, 1.0).to(img1.dtype)


def grayscale(img):
    r, g, b = img.unbind(dim=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)


def adjust_brightness(img, factor):
    return blend(img, torch.zeros_like(img), factor)


def adjust_contrast(img, factor):
    if img.shape[-3] == 3:
        mean = torch.mean(grayscale(img), dim=(-3, -2, -1), keepdim=True)
    else:
        mean = torch.mean(img, dim=(-3, -2, -1), keepdim=True)
    return blend(img, mean, factor)


def adjust_saturation(img, factor):
    if img.shape[-3] == 1:
        return img
    return blend(img, grayscale(img), factor)


def blurred_degenerate_image(img):
    kernel = torch.ones((3, 3), dtype=img.dtype)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    kernel = kernel.expand(img.shape[-3], 1, 3, 3)
    inner = F.conv2d(img[None], kernel, groups=img.shape[-3])[0]
    result = img.clone()
    result[..., 1:-1, 1:-1] = inner
    return result


def adjust_sharpness(img, factor):
    if img.size(-1) <= 2 or img.size(-2) <= 2:
        return img
    return blend(img, blurred_degenerate_image(img), factor)


def to_uint8(img):
    """convert_image_dtype(float -> uint8), after Kiln's clamp to [0, 1]."""
    return img.clamp(0, 1).mul(255 + 1.0 - 1e-3).to(torch.uint8)


def from_uint8(img):
    """convert_image_dtype(uint8 -> float)."""
    return img.to(torch.float32) / 255.0


def posterize(img, bits):
    mask = -int(2 ** (8 - bits))
    return from_uint8(to_uint8(img) & mask)


def solarize(img, threshold):
    assert threshold <= 1.0, "torchvision refuses a threshold above the float bound"
    return torch.where(img >= threshold, 1.0 - img, img)


def autocontrast(img):
    minimum = img.amin(dim=(-2, -1), keepdim=True)
    maximum = img.amax(dim=(-2, -1), keepdim=True)
    scale = 1.0 / (maximum - minimum)
    eq_idxs = torch.isfinite(scale).logical_not()
    minimum[eq_idxs] = 0
    scale[eq_idxs] = 1
    return ((img - minimum) * scale).clamp(0, 1.0).to(img.dtype)


def scale_channel(chan):
    hist = torch.bincount(chan.reshape(-1), minlength=256)
    nonzero_hist = hist[hist != 0]
    step = torch.div(nonzero_hist[:-1].sum(), 255, rounding_mode="floor")
    if step == 0:
        return chan
    lut = torch.div(torch.cumsum(hist, 0) + torch.div(step, 2, rounding_mode="floor"), step, rounding_mode="floor")
    lut = F.pad(lut, [1, 0])[:-1].clamp(0, 255)
    return lut[chan.to(torch.int64)].to(torch.uint8)


def equalize(img):
    q = to_uint8(img)
    return from_uint8(torch.stack([scale_channel(q[c]) for c in range(q.size(0))]))


def inverse_affine_matrix(center, angle, translate, scale, shear):
    """torchvision's _get_inverse_affine_matrix, inverted=True."""
    rot = math.radians(angle)
    sx = math.radians(shear[0])
    sy = math.radians(shear[1])
    cx, cy = center
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


def gen_affine_grid(matrix, height, width):
    """torchvision's _gen_affine_grid, output of the input's size, F32 as for float images."""
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    base = torch.empty(1, height, width, 3)
    base[..., 0].copy_(torch.linspace(-width * 0.5 + 0.5, width * 0.5 - 0.5, steps=width))
    base[..., 1].copy_(torch.linspace(-height * 0.5 + 0.5, height * 0.5 - 0.5, steps=height)[:, None])
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * width, 0.5 * height])
    return base.view(1, height * width, 3).bmm(rescaled).view(1, height, width, 2)


def grid_transform(img, matrix, mode, fill=None):
    """_apply_grid_transform: grid_sample, zeros outside, then fill by the sampled mask of ones unless fill is None."""
    height, width = img.shape[-2:]
    grid = gen_affine_grid(matrix, height, width)
    if fill is None:
        return F.grid_sample(img[None], grid, mode=mode, padding_mode="zeros", align_corners=False)[0]
    with_mask = torch.cat((img, torch.ones_like(img[:1])))[None]
    sampled = F.grid_sample(with_mask, grid, mode=mode, padding_mode="zeros", align_corners=False)[0]
    mask = sampled[-1:].expand_as(img)
    out = sampled[:-1]
    fill_img = torch.tensor(fill, dtype=img.dtype).view(len(fill), 1, 1).expand_as(img)
    if mode == "nearest":
        out = out.clone()
        out[mask < 0.5] = fill_img[mask < 0.5]
        return out
    return out * mask + (1.0 - mask) * fill_img


def affine(img, angle, translate, shear, mode, center=None, fill=None):
    """F.affine (scale 1); center in pixels from the top-left corner, as _apply_op's [0, 0] for the shears."""
    height, width = img.shape[-2:]
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = inverse_affine_matrix(center_f, angle, [1.0 * t for t in translate], 1.0, shear)
    return grid_transform(img, matrix, mode, fill)


def rotate(img, angle, mode, fill=None):
    return grid_transform(img, inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0]), mode, fill)


def apply_op(img, name, magnitude, mode="nearest", fill=None):
    """autoaugment.py's _apply_op on a float image, Solarize's threshold in 0-255 units."""
    if name == "ShearX":
        return affine(img, 0.0, [0, 0], [math.degrees(math.atan(magnitude)), 0.0], mode, center=[0, 0], fill=fill)
    if name == "ShearY":
        return affine(img, 0.0, [0, 0], [0.0, math.degrees(math.atan(magnitude))], mode, center=[0, 0], fill=fill)
    if name == "TranslateX":
        return affine(img, 0.0, [int(magnitude), 0], [0.0, 0.0], mode, fill=fill)
    if name == "TranslateY":
        return affine(img, 0.0, [0, int(magnitude)], [0.0, 0.0], mode, fill=fill)
    if name == "Rotate":
        return rotate(img, magnitude, mode, fill)
    if name == "Brightness":
        return adjust_brightness(img, 1.0 + magnitude)
    if name == "Color":
        return adjust_saturation(img, 1.0 + magnitude)
    if name == "Contrast":
        return adjust_contrast(img, 1.0 + magnitude)
    if name == "Sharpness":
        return adjust_sharpness(img, 1.0 + magnitude)
    if name == "Posterize":
        return posterize(img, int(magnitude))
    if name == "Solarize":
        return solarize(img, magnitude / 255.0)
    if name == "AutoContrast":
        return autocontrast(img)
    if name == "Equalize":
        return equalize(img)
    if name == "Invert":
        return 1.0 - img
    if name == "Identity":
        return img
    raise ValueError(name)


rgb = image(3)
grey = image(1)
print("// _apply_op on the 3 x 5 x 6 image (nearest unless named bilinear)")
java("shearX0Point3", apply_op(rgb, "ShearX", 0.3))
java("shearXMinus0Point2Bilinear", apply_op(rgb, "ShearX", -0.2, "bilinear"))
java("shearY0Point25", apply_op(rgb, "ShearY", 0.25))
java("shearYMinus0Point3Bilinear", apply_op(rgb, "ShearY", -0.3, "bilinear"))
java("translateX2Point7", apply_op(rgb, "TranslateX", 2.7))
java("translateXMinus1Point9", apply_op(rgb, "TranslateX", -1.9))
java("translateY1Point2", apply_op(rgb, "TranslateY", 1.2))
java("translateYMinus2Point5Bilinear", apply_op(rgb, "TranslateY", -2.5, "bilinear"))
java("rotate30", apply_op(rgb, "Rotate", 30.0))
java("rotateMinus17Bilinear", apply_op(rgb, "Rotate", -17.0, "bilinear"))
java("brightness0Point4", apply_op(rgb, "Brightness", 0.4))
java("brightnessMinus0Point6", apply_op(rgb, "Brightness", -0.6))
java("color0Point5", apply_op(rgb, "Color", 0.5))
java("colorMinus0Point7", apply_op(rgb, "Color", -0.7))
java("contrast0Point6", apply_op(rgb, "Contrast", 0.6))
java("contrastMinus0Point5", apply_op(rgb, "Contrast", -0.5))
java("sharpness0Point8", apply_op(rgb, "Sharpness", 0.8))
java("sharpnessMinus0Point6", apply_op(rgb, "Sharpness", -0.6))
java("posterize3", apply_op(rgb, "Posterize", 3))
java("posterize6", apply_op(rgb, "Posterize", 6))
java("posterize8", apply_op(rgb, "Posterize", 8))
java("solarize128", apply_op(rgb, "Solarize", 128.0))
java("solarize200", apply_op(rgb, "Solarize", 200.0))
java("solarizeThreshold0Point6", solarize(rgb, 0.6))
java("autoContrast", apply_op(rgb, "AutoContrast", 0.0))
java("equalizeFewPixels", apply_op(rgb, "Equalize", 0.0))
java("invert", apply_op(rgb, "Invert", 0.0))
print("// on the 1 x 5 x 6 image")
java("greyColor0Point5", apply_op(grey, "Color", 0.5))
java("greyContrast0Point3", apply_op(grey, "Contrast", 0.3))
java("greySharpness0Point5", apply_op(grey, "Sharpness", 0.5))
java("greyAutoContrast", apply_op(grey, "AutoContrast", 0.0))
print("// AutoContrast of a constant 1 x 5 x 6 image of 0.3")
java("constantAutoContrast", autocontrast(torch.full((1, HEIGHT, WIDTH), 0.3)))
print("// Equalize of levels_image(1, 24, 24) and levels_image(3, 12, 30)")
java("equalizeGrey", equalize(levels_image(1, 24, 24)))
java("equalizeRgb", equalize(levels_image(3, 12, 30)))

print("// Geometric ops with a fill: per channel on the 3 x 5 x 6 image, one number on the 1 x 5 x 6 image")
FILL = [0.2, 0.5, 0.9]
java("shearX0Point3Fill", apply_op(rgb, "ShearX", 0.3, fill=FILL))
java("shearYMinus0Point3BilinearFill", apply_op(rgb, "ShearY", -0.3, "bilinear", fill=FILL))
java("translateX2Point7Fill", apply_op(rgb, "TranslateX", 2.7, fill=FILL))
java("rotateMinus17BilinearFill0", apply_op(rgb, "Rotate", -17.0, "bilinear", fill=[0.0] * 3))
java("rotate30Fill", apply_op(rgb, "Rotate", 30.0, fill=FILL))
java("rotateMinus17BilinearFill", apply_op(rgb, "Rotate", -17.0, "bilinear", fill=FILL))
java("greyRotateMinus17BilinearFill", apply_op(grey, "Rotate", -17.0, "bilinear", fill=[0.7]))

print("// AugMix's mix of fixed chains, bilinear: original weight m0, chain weights w * m1")
m = torch.tensor([0.35, 0.65])
w = torch.tensor([0.2, 0.5, 0.3])
combined = w * m[1]
chains = [[("Rotate", 10.0), ("Posterize", 3)], [("Brightness", -0.3)],
          [("ShearX", 0.1), ("Equalize", 0.0), ("TranslateY", -1.0)]]
mix = m[0] * rgb
for i, chain in enumerate(chains):
    aug = rgb
    for name, magnitude in chain:
        aug = apply_op(aug, name, magnitude, "bilinear")
    mix.add_(combined[i] * aug)
java("augMix", mix)


def linspace(end, bins, start=0.0):
    return torch.linspace(start, end, bins).tolist()


def posterize_bins(bins, top, span):
    return (top - (torch.arange(bins) / ((bins - 1) / span)).round().int()).tolist()


print("// Magnitude bins for a 28 x 32 (height x width) image")
java_doubles("autoAugmentShear", linspace(0.3, 10))
java_doubles("autoAugmentTranslateX", linspace(150.0 / 331.0 * 32, 10))
java_doubles("autoAugmentTranslateY", linspace(150.0 / 331.0 * 28, 10))
java_doubles("autoAugmentRotate", linspace(30.0, 10))
java_doubles("autoAugmentEnhance", linspace(0.9, 10))
java_doubles("autoAugmentPosterize", posterize_bins(10, 8, 4))
java_doubles("autoAugmentSolarize", linspace(0.0, 10, 255.0))
java_doubles("randAugmentShear", linspace(0.3, 31))
java_doubles("randAugmentTranslateX", linspace(150.0 / 331.0 * 32, 31))
java_doubles("randAugmentTranslateY", linspace(150.0 / 331.0 * 28, 31))
java_doubles("randAugmentRotate", linspace(30.0, 31))
java_doubles("randAugmentEnhance", linspace(0.9, 31))
java_doubles("randAugmentPosterize", posterize_bins(31, 8, 4))
java_doubles("randAugmentSolarize", linspace(0.0, 31, 255.0))
java_doubles("trivialShear", linspace(0.99, 31))
java_doubles("trivialTranslate", linspace(32.0, 31))
java_doubles("trivialRotate", linspace(135.0, 31))
java_doubles("trivialEnhance", linspace(0.99, 31))
java_doubles("trivialPosterize", posterize_bins(31, 8, 6))
java_doubles("trivialSolarize", linspace(0.0, 31, 255.0))
java_doubles("augMixTranslateX", linspace(32 / 3.0, 10))
java_doubles("augMixTranslateY", linspace(28 / 3.0, 10))
java_doubles("augMixPosterize", posterize_bins(10, 4, 4))

POLICIES = {
    "IMAGENET": [
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)), (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)), (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)), (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)), (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)), (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)), (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)), (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)), (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)), (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)), (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ],
    "CIFAR10": [
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)), (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)), (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)), (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)), (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)), (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)), (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)), (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)), (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)), (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)), (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)), (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)), (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ],
    "SVHN": [
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)), (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)), (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)), (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)), (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)), (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)), (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)), (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)), (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)), (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)), (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)), (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)), (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ],
}


def step(entry):
    name, p, index = entry
    return name + " " + repr(p) + " " + ("-" if index is None else str(index))


print("// AutoAugment's sub-policies: op p magnitude-index (- for none), two per sub-policy")
for policy, table in POLICIES.items():
    print("String " + policy.lower() + "Policy = \"" + "; ".join(step(a) + ", " + step(b) for a, b in table) + "\";")
