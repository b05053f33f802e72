"""Prints the expected values of StaticQuantizationPoolingFirstPyTorchParityTest: PyTorch 1.13's eager-mode static
quantisation (onednn engine, quantize_static.py's qconfig, Conv2d + ReLU fused, QuantStub/DeQuantStub around the model)
of nets whose first module pools before any quantised layer: Sequential(pool, Conv2d(C, 4, 3, padding=1), ReLU,
Flatten, Linear(n, 3)), parameters parity.py's pattern, calibrated on two batches, then run on a third.

The QuantStub's MinMaxObserver sees the raw input, so the input grid is the raw input's range; the pooling then runs on
the QuantStub's quint8 output, which is contiguous (NCHW): 1.13's quantized avg_pool2d and adaptive_avg_pool2d round it
with their kernels for contiguous tensors, rint(float(sum(q - zero_point)) * float(1 / n) + zero_point), except where
the tensor is also channels-last contiguous (one channel), where they take the channels-last kernel,
zero_point + rint(float(sum(q - zero_point)) * float(1 / n)). Both are checked here on random quint8 tensors first.
Printed per net: the input grid, the convolution's and the Linear's output grids, the pooled integers of the third
batch (from the stub's output through the quantized pooling) and the model's outputs.
Run it with /usr/bin/python3 (PyTorch 1.13).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.quantization import QConfig, MinMaxObserver, default_per_channel_weight_observer
from parity import load, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8), weight=default_per_channel_weight_observer)


class Stubbed(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def batch(seed, dims, scale, shift):
    return (scale * pattern(int(np.prod(dims)), seed) + shift).reshape(*dims).float()


def avg_pool_formula(q, zp, k, s, p, ceil, include, channels_last):
    n, c, h, w = q.shape
    shape = F.avg_pool2d(torch.zeros(1, 1, h, w), k, s, p, ceil).shape
    out = np.zeros((n, c, shape[2], shape[3]), dtype=np.int64)
    for oh in range(shape[2]):
        for ow in range(shape[3]):
            h0, w0 = oh * s - p, ow * s - p
            h1, w1 = min(h0 + k, h + p), min(w0 + k, w + p)
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            divisor = size if include else (h1 - h0) * (w1 - w0)
            total = (q[:, :, h0:h1, w0:w1].astype(np.int64) - zp).sum(axis=(2, 3))
            mean = total.astype(np.float32) * np.float32(np.float32(1) / np.float32(divisor))
            rounded = zp + np.rint(mean) if channels_last else np.rint(mean + np.float32(zp))
            out[:, :, oh, ow] = np.clip(rounded, 0, 255)
    return out


def check_contiguous_rounding():
    torch.manual_seed(0)
    for zp in [0, 3, 7, 128, 255]:
        for c in [1, 3]:
            for h, w in [(7, 5), (4, 4), (9, 8)]:
                q = torch.randint(0, 256, (2, c, h, w), dtype=torch.uint8)
                x = torch._make_per_tensor_quantized_tensor(q, 0.05, zp)
                assert x.is_contiguous() and x.is_contiguous(memory_format=torch.channels_last) == (c == 1)
                for case in [(2, 2, 0, False, True), (3, 2, 1, False, False), (3, 2, 1, True, True),
                             (2, 3, 1, True, False)]:
                    pooled = F.avg_pool2d(x, *case).int_repr().numpy()
                    assert (pooled == avg_pool_formula(q.numpy(), zp, *case, c == 1)).all(), (zp, c, h, w, case)
                for size in [(1, 1), (2, 2), (3, 2)]:
                    pooled = F.adaptive_avg_pool2d(x, size).int_repr().numpy()
                    hs, ws = [(i * h) // size[0] for i in range(size[0])], [(j * w) // size[1] for j in range(size[1])]
                    he = [-(-(i + 1) * h // size[0]) for i in range(size[0])]
                    we = [-(-(j + 1) * w // size[1]) for j in range(size[1])]
                    for i in range(size[0]):
                        for j in range(size[1]):
                            n = (he[i] - hs[i]) * (we[j] - ws[j])
                            total = (q.numpy()[:, :, hs[i]:he[i], ws[j]:we[j]].astype(np.int64) - zp).sum(axis=(2, 3))
                            mean = total.astype(np.float32) * np.float32(np.float32(1) / np.float32(n))
                            r = zp + np.rint(mean) if c == 1 else np.rint(mean + np.float32(zp))
                            assert (pooled[:, :, i, j] == np.clip(r, 0, 255)).all(), (zp, c, h, w, size)
    print("// 1.13 pools a contiguous quint8 tensor with the contiguous kernel's rounding, a one-channel one with the"
          " channels-last kernel's")


def ints(values):
    return ", ".join(str(int(v)) for v in values)


def floats(values):
    return ", ".join(repr(float(v)) for v in values)


def emit(name, poolings, channels, size, flat, shift):
    """Sequential(*poolings, Conv2d(channels, 4, 3, padding=1), ReLU, Flatten, Linear(flat, 3)), the first calibration
    batch shifted by shift (chosen so that the input's zero point is odd, where the two roundings differ on ties)."""
    k = len(poolings)
    model = nn.Sequential(*poolings, nn.Conv2d(channels, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(flat, 3))
    load(model)
    model = model.float().eval()
    torch.ao.quantization.fuse_modules(model, [[str(k), str(k + 1)]], inplace=True)
    wrapped = Stubbed(model)
    wrapped.qconfig = QCONFIG
    prepared = torch.ao.quantization.prepare(wrapped)
    dims = (2, channels) + size
    with torch.no_grad():
        prepared(batch(21, dims, 2.0, shift))
        prepared(batch(22, dims, 1.5, -0.2))
    quantised = torch.ao.quantization.convert(prepared)
    x = batch(23, dims, 2.0, 0.1)
    pooled = quantised.quant(x)
    for i in range(k):
        pooled = quantised.model[i](pooled)
    y = quantised(x)
    print(f"{name}: {', '.join(describe(p) for p in poolings)}, input {list(dims)}")
    print(f"  input grid {quantised.quant.scale.item()!r}f {quantised.quant.zero_point.item()}")
    print(f"  conv grid {quantised.model[k].scale!r}f {quantised.model[k].zero_point}")
    print(f"  linear grid {quantised.model[k + 3].scale!r}f {quantised.model[k + 3].zero_point}")
    print(f"  pooled {list(pooled.shape)} {{{ints(pooled.int_repr().flatten().tolist())}}}")
    print(f"  output {{{floats(y.flatten().tolist())}}}")


def describe(m):
    if isinstance(m, nn.AvgPool2d):
        return (f"AvgPool2d({m.kernel_size}, {m.stride}, {m.padding}, ceil_mode={m.ceil_mode},"
                f" count_include_pad={m.count_include_pad})")
    return str(m)


check_contiguous_rounding()
emit("windowsOnThreeChannels", [nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)], 3, (9, 8), 4 * 5 * 5,
     0.0)
emit("adaptiveOnOneChannel", [nn.AdaptiveAvgPool2d((3, 4))], 1, (6, 8), 4 * 3 * 4, 0.0)
emit("adaptiveOnTwoChannels", [nn.AdaptiveAvgPool2d((3, 2))], 2, (6, 8), 4 * 3 * 2, 0.3)
emit("maxThenWindows", [nn.MaxPool2d(2), nn.ReLU(), nn.AvgPool2d(2)], 2, (8, 8), 4 * 2 * 2, 0.3)
