"""ImageChannelAxisTest's rule, restated from torchvision 0.14's functional_tensor.py in torch (torchvision is not
installed): get_dimensions reads the channels on axis -3 ([H, W] is one channel), _assert_channels refuses counts other
than 1 or 3 (adjust_brightness, adjust_contrast, rgb_to_grayscale), and the dimensions before axis -3 are a batch:
adjust_contrast takes each image's own mean (dims -3, -2, -1), rgb_to_grayscale each image's luma, brightness is
elementwise, all with the transform's one factor. Prints the channel counts of [3, 1, 5, 6], [1, 3, 5, 6] and [5, 6],
and whether the batched adjustments equal the per-image ones.

    cd models/src/test/pytorch && /usr/bin/python3 image_channel_axis.py
"""
import torch


def get_channels(img):  # torchvision's get_dimensions(img)[0] for a tensor
    return 1 if img.ndim == 2 else img.shape[-3]


def assert_channels(img, permitted):
    c = get_channels(img)
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


def blend(img1, img2, ratio):
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, 1)


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    assert_channels(img, [1, 3])
    if get_channels(img) == 3:
        r, g, b = img.unbind(dim=-3)
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    return l_img.expand(img.shape) if num_output_channels == 3 else l_img


def adjust_contrast(img, factor):
    assert_channels(img, [3, 1])
    grey = rgb_to_grayscale(img) if get_channels(img) == 3 else img
    return blend(img, torch.mean(grey, dim=(-3, -2, -1), keepdim=True), factor)


def adjust_brightness(img, factor):
    assert_channels(img, [1, 3])
    return blend(img, torch.zeros_like(img), factor)


torch.manual_seed(0)
for shape in ([3, 1, 5, 6], [1, 3, 5, 6], [5, 6]):
    print(shape, "channels", get_channels(torch.zeros(shape)))
for images, channels in ((3, 1), (2, 3)):
    batch = torch.rand(images, channels, 5, 6)
    for name, op in (("contrast", lambda x: adjust_contrast(x, 1.3)),
                     ("brightness", lambda x: adjust_brightness(x, 0.8)),
                     ("grayscale", lambda x: rgb_to_grayscale(x, get_channels(x)))):
        alike = torch.equal(op(batch), torch.stack([op(image) for image in batch]))
        print("[%d, %d, 5, 6] %s batched equals per image: %s" % (images, channels, name, alike))
try:
    adjust_brightness(torch.zeros(2, 5, 6), 0.5)
except TypeError as e:
    print("[2, 5, 6] brightness:", e)
