"""PyTorch 1.13's quantized avg_pool2d on an unbatched [channels, height, width] quint8 tensor: it accepts 3-D input
and, as such a tensor is never channels-last, pools it with its contiguous kernel, which adds the zero point before
rounding: each value rint(float32(sum(q - zero_point)) * float32(1 / divisor) + zero_point), ties to even in q
itself, not zero_point + rint(...) as on the channels-last tensors of quantized_avg_pool.py. Checked here on random
tensors for many windows; then printed for QuantizedAvgPoolingPyTorchParityTest on the [2, 7, 6] quint8 tensor of
scale 0.05, zero point 3, q[k] = (73 k + 29) mod 256, with the values the channels-last rounding would give beside
them (they differ on ties)."""
import numpy as np
import torch
import torch.nn.functional as F


def formula(q, zp, k, s, p, ceil, include, zero_point_before_rounding):
    c, h, w = q.shape
    shape = F.avg_pool2d(torch.zeros(1, h, w), k, s, p, ceil).shape
    out = np.zeros((c, shape[1], shape[2]), dtype=np.int64)
    for oh in range(shape[1]):
        for ow in range(shape[2]):
            h0, w0 = oh * s - p, ow * s - p
            h1, w1 = min(h0 + k, h + p), min(w0 + k, w + p)
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            divisor = size if include else (h1 - h0) * (w1 - w0)
            total = (q[:, h0:h1, w0:w1].astype(np.int64) - zp).sum(axis=(1, 2))
            mean = total.astype(np.float32) * np.float32(np.float32(1) / np.float32(divisor))
            if zero_point_before_rounding:
                rounded = np.rint(mean + np.float32(zp)).astype(np.int64)
            else:
                rounded = zp + np.rint(mean).astype(np.int64)
            out[:, oh, ow] = np.clip(rounded, 0, 255)
    return out


CASES = [(2, 2, 0, False, True), (3, 2, 1, True, True), (3, 2, 1, False, False)]

torch.manual_seed(0)
for zp in [0, 3, 128, 255]:
    q = torch.randint(0, 256, (5, 9, 8), dtype=torch.uint8)
    x = torch._make_per_tensor_quantized_tensor(q, 0.05, zp)
    for k in [1, 2, 3, 4, 5]:
        for s in [1, 2, 3]:
            for p in range(k // 2 + 1):
                for ceil in [False, True]:
                    for include in [False, True]:
                        pooled = F.avg_pool2d(x, k, s, p, ceil, include)
                        assert pooled.q_scale() == 0.05 and pooled.q_zero_point() == zp
                        expected = formula(q.numpy(), zp, k, s, p, ceil, include, True)
                        assert (pooled.int_repr().numpy() == expected).all(), (zp, k, s, p, ceil, include)
print("the formula gives 1.13's values on unbatched quint8 tensors in every case")

SHAPE = (2, 7, 6)
q = (73 * torch.arange(int(np.prod(SHAPE))) + 29) % 256
pattern = torch._make_per_tensor_quantized_tensor(q.reshape(SHAPE).to(torch.uint8), 0.05, 3)
for k, s, p, ceil, include in CASES:
    pooled = F.avg_pool2d(pattern, k, s, p, ceil, include)
    last = formula(q.reshape(SHAPE).numpy(), 3, k, s, p, ceil, include, False).flatten().tolist()
    print(f"kernel {k}, stride {s}, padding {p}, ceil_mode {ceil}, count_include_pad {include}: "
          f"{list(pooled.shape)} {{{', '.join(str(v) for v in pooled.int_repr().flatten().tolist())}}}"
          f" (channels-last rounding: {last})")
