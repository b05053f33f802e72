"""PyTorch 1.13's quantized adaptive_avg_pool2d on an unbatched [channels, height, width] quint8 tensor: such a tensor
is never channels-last, so 1.13 pools it with its contiguous kernel, rint(float32(sum(q - zero_point)) *
float32(1 / n) + zero_point) over each adaptive window of n values, ties to even in q itself, not zero_point +
rint(...) as on the channels-last tensors of quantized_adaptive_pool.py. Checked here on random tensors; then printed
for QuantizedAdaptivePoolingPyTorchParityTest on the [2, 7, 6] quint8 tensor of scale 0.05, zero point 3,
q[k] = (73 k + 29) mod 256, with the channels-last rounding's values beside them (they differ on ties)."""
import numpy as np
import torch
import torch.nn.functional as F


def window(i, size, out):
    return (i * size) // out, -(-(i + 1) * size // out)


def formula(q, zp, out_h, out_w, zero_point_before_rounding):
    c, h, w = q.shape
    out = np.zeros((c, out_h, out_w), dtype=np.int64)
    for i in range(out_h):
        h0, h1 = window(i, h, out_h)
        for j in range(out_w):
            w0, w1 = window(j, w, out_w)
            n = (h1 - h0) * (w1 - w0)
            total = (q[:, h0:h1, w0:w1].astype(np.int64) - zp).sum(axis=(1, 2))
            mean = total.astype(np.float32) * np.float32(np.float32(1) / np.float32(n))
            if zero_point_before_rounding:
                rounded = np.rint(mean + np.float32(zp)).astype(np.int64)
            else:
                rounded = zp + np.rint(mean).astype(np.int64)
            out[:, i, j] = np.clip(rounded, 0, 255)
    return out


torch.manual_seed(0)
for zp in [0, 3, 5, 128, 255]:
    for h, w in [(7, 5), (4, 4), (9, 8), (1, 3)]:
        q = torch.randint(0, 256, (4, h, w), dtype=torch.uint8)
        x = torch._make_per_tensor_quantized_tensor(q, 0.05, zp)
        for size in [(1, 1), (2, 2), (3, 2), (h, w), (2, 3)]:
            pooled = F.adaptive_avg_pool2d(x, size)
            assert pooled.q_scale() == 0.05 and pooled.q_zero_point() == zp
            assert (pooled.int_repr().numpy() == formula(q.numpy(), zp, *size, True)).all(), (zp, h, w, size)
print("the formula gives 1.13's values on unbatched quint8 tensors in every case")

SHAPE = (2, 7, 6)
q = (73 * torch.arange(int(np.prod(SHAPE))) + 29) % 256
pattern = torch._make_per_tensor_quantized_tensor(q.reshape(SHAPE).to(torch.uint8), 0.05, 3)
for size in [(1, 1), (3, 4), (2, 2)]:
    pooled = F.adaptive_avg_pool2d(pattern, size)
    last = formula(q.reshape(SHAPE).numpy(), 3, *size, False).flatten().tolist()
    print(f"output size {size}: {list(pooled.shape)} {{{', '.join(str(v) for v in pooled.int_repr().flatten().tolist())}}}"
          f" (channels-last rounding: {last})")
