"""Prints the expected values of QatPoolingFirstPyTorchParityTest: PyTorch 1.13's eager-mode quantisation-aware
training (quantize_qat_avgpool.py's qconfig, engine and stubs) of Sequential(AvgPool2d(2), Conv2d(2, 4, 3, padding=1),
ReLU, Flatten, Linear(64, 3)), Conv2d + ReLU fused with fuse_modules_qat, parameters parity.py's pattern, one forward
pass in training mode on the test batch, observers disabled, converted.

prepare_qat fake-quantises the model input at the QuantStub, before the pooling, and not the convolution's input: the
stub's observer sees the raw input, the convolution trains on the F32 mean of grid values; converted, the pooling is
1.13's quantized avg_pool2d of the stub's contiguous output on its grid (quantize_static_pool_first.py's rounding).
Printed: the fake quantisations, the input grid, the QAT model's outputs in evaluation, the pooled integers and the
converted outputs. Run it with /usr/bin/python3 (PyTorch 1.13).
"""
import torch
import torch.nn as nn
from torch.ao.quantization import (QConfig, FakeQuantize, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver)
from parity import load, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = QConfig(
    activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                      dtype=torch.quint8, qscheme=torch.per_tensor_affine),
    weight=FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                  dtype=torch.qint8, qscheme=torch.per_channel_symmetric))


class Stubbed(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def batch(seed, scale, shift):
    """In F64 then F32, as Kiln's test computes it."""
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    x = (scale * pattern(2 * 2 * 8 * 8, seed) + shift).reshape(2, 2, 8, 8).float()
    torch.set_default_dtype(dtype)
    return x


def floats(values):
    return ", ".join(repr(float(v)) for v in values)


model = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))
keys = load(model)
model = model.float().train()
torch.set_default_dtype(torch.float32)
torch.ao.quantization.fuse_modules_qat(model, [["1", "2"]], inplace=True)
wrapped = Stubbed(model)
wrapped.qconfig = QCONFIG
prepared = torch.ao.quantization.prepare_qat(wrapped.train())
print("parameters:", keys)
print("fake quantisations:", [n for n, m in prepared.named_modules() if isinstance(m, FakeQuantize)])
x = batch(23, 2.0, 0.1)
with torch.no_grad():
    prepared(x)
prepared.apply(torch.ao.quantization.disable_observer)
prepared.eval()
with torch.no_grad():
    y_qat = prepared(x)
converted = torch.ao.quantization.convert(prepared)
with torch.no_grad():
    y_int8 = converted(x)
    pooled = converted.model[0](converted.quant(x))
fq = prepared.quant.activation_post_process
print(f"input grid: {fq.scale.item()!r}f {fq.zero_point.item()}")
print(f"pooled {list(pooled.shape)}: {', '.join(str(v) for v in pooled.int_repr().flatten().tolist())}")
print("trained outputs:", floats(y_qat.flatten().tolist()))
print("converted outputs:", floats(y_int8.flatten().tolist()))
