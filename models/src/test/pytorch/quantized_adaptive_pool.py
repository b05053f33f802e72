"""PyTorch 1.13's quantized adaptive average pooling to sizes other than 1 x 1, and to 1 x 1, on a quint8 tensor
(scale 0.05, zero point 3, q[k] = (73 k + 29) mod 256 in NCHW order), in the layout a converted model hands it over:
channels-last, as
quantized conv2d and add_relu write. Each output is zero_point + rint(float32(sum(q - zero_point)) * float32(1 / n)),
ties to even, for a window of n values; on a contiguous (NCHW) tensor 1.13 rounds rint(float32(sum(q)) / n) instead,
ties to even in q itself, which differs where the zero point is odd. QuantizedAdaptivePoolingPyTorchParityTest holds
the channels-last values."""
import numpy as np
import torch
import torch.nn.quantized.functional as qF

SCALE, ZERO_POINT = 0.05, 3


def quint8(shape):
    q = (73 * torch.arange(int(np.prod(shape))) + 29) % 256
    return torch._make_per_tensor_quantized_tensor(q.reshape(shape).to(torch.uint8), SCALE, ZERO_POINT)


def ints(t):
    return ", ".join(str(v) for v in t.int_repr().contiguous().flatten().tolist())


for shape, size in (((2, 3, 6, 6), (3, 3)), ((1, 2, 5, 7), (3, 4)), ((2, 3, 4, 6), (1, 1))):
    x = quint8(shape)
    last = qF.adaptive_avg_pool2d(x.contiguous(memory_format=torch.channels_last), size)
    nchw = qF.adaptive_avg_pool2d(x, size)
    assert last.q_scale() == SCALE and last.q_zero_point() == ZERO_POINT
    print(f"{shape} -> {size} channels-last: {{{ints(last)}}}")
    print(f"{shape} -> {size} contiguous differs at {int((last.int_repr() != nchw.int_repr()).sum())} of {last.numel()}")
