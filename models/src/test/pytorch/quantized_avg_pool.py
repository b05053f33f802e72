"""PyTorch 1.13's quantized avg_pool2d on the channels-last quint8 tensors its quantized conv2d writes: the output
stays on the input's grid, each value zero_point + rint(float32(sum(q - zero_point)) * float32(1 / divisor)), ties to
even, the sum over the window's input elements (padding counts as the zero point: it adds nothing) and the divisor
the window's size with its padding (count_include_pad=True) or without it; in ceil mode a window never reaches past
the padded input. Checked here against the output of a quantized conv2d for each case; then printed for
QuantizedAvgPoolingPyTorchParityTest on a quint8 tensor of scale 0.05, zero point 3, q[k] = (73 k + 29) mod 256 in
NCHW order, made channels-last as a conv's output is."""
import numpy as np
import torch
import torch.nn.functional as F
import torch.nn.quantized.functional as qF

CASES = [  # kernel, stride, padding, ceil_mode, count_include_pad
    (2, 2, 0, False, True),
    (3, 2, 1, False, True),
    (3, 2, 1, False, False),
    (3, 2, 1, True, True),
    (2, 3, 1, True, False),
]


def formula(q, zp, k, s, p, ceil, include):
    n, c, h, w = q.shape
    out_h = [F.avg_pool2d(torch.zeros(1, 1, h, w), k, s, p, ceil).shape[2]][0]
    out_w = [F.avg_pool2d(torch.zeros(1, 1, h, w), k, s, p, ceil).shape[3]][0]
    out = np.zeros((n, c, out_h, out_w), dtype=np.int64)
    for oh in range(out_h):
        for ow in range(out_w):
            h0, w0 = oh * s - p, ow * s - p
            h1, w1 = min(h0 + k, h + p), min(w0 + k, w + p)
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            divisor = size if include else (h1 - h0) * (w1 - w0)
            total = (q[:, :, h0:h1, w0:w1].astype(np.int64) - zp).sum(axis=(2, 3))
            mean = total.astype(np.float32) * np.float32(np.float32(1) / np.float32(divisor))
            out[:, :, oh, ow] = np.clip(zp + np.rint(mean).astype(np.int64), 0, 255)
    return out


torch.manual_seed(0)
x = torch.quantize_per_tensor(torch.randn(2, 3, 9, 8), 0.03, 128, torch.quint8)
weight = torch.quantize_per_channel(torch.randn(8, 3, 3, 3), torch.rand(8) * 0.01 + 0.005,
                                    torch.zeros(8, dtype=torch.long), 0, torch.qint8)
conv = qF.conv2d(x, weight, torch.randn(8), padding=1, scale=0.07, zero_point=37)
assert conv.is_contiguous(memory_format=torch.channels_last)
for k, s, p, ceil, include in CASES:
    pooled = F.avg_pool2d(conv, k, s, p, ceil, include)
    assert pooled.q_scale() == conv.q_scale() and pooled.q_zero_point() == conv.q_zero_point()
    expected = formula(conv.int_repr().numpy(), 37, k, s, p, ceil, include)
    assert (pooled.int_repr().numpy() == expected).all(), (k, s, p, ceil, include)
print("the formula gives 1.13's values on a quantized conv's output in every case")

SHAPE = (1, 2, 7, 6)
q = (73 * torch.arange(int(np.prod(SHAPE))) + 29) % 256
pattern = torch._make_per_tensor_quantized_tensor(q.reshape(SHAPE).to(torch.uint8), 0.05, 3)
last = pattern.contiguous(memory_format=torch.channels_last)
for k, s, p, ceil, include in CASES:
    pooled = F.avg_pool2d(last, k, s, p, ceil, include)
    assert (pooled.int_repr().numpy() == formula(q.reshape(SHAPE).numpy(), 3, k, s, p, ceil, include)).all()
    values = ", ".join(str(v) for v in pooled.int_repr().contiguous().flatten().tolist())
    print(f"kernel {k}, stride {s}, padding {p}, ceil_mode {ceil}, count_include_pad {include}: "
          f"{list(pooled.shape)} {{{values}}}")
