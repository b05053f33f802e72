"""Prints the expected values of QatAvgPoolPyTorchParityTest: PyTorch 1.13's eager-mode quantisation-aware training
(quantize_qat.py's qconfig, engine and stubs, Conv2d + ReLU fused with fuse_modules_qat) of a net with an AvgPool2d
between two convolutions: Sequential(Conv2d(2, 4, 3, padding=1), ReLU, AvgPool2d(3, 2, 1, ceil_mode=True,
count_include_pad=False), Conv2d(4, 6, 3, stride=2), Flatten, Linear(24, 5)), parameters parity.py's pattern, two SGD
steps (lr 0.1, cross entropy) on quantize_qat.py's batches, observers disabled, converted.

prepare_qat puts no fake quantisation on the AvgPool2d or on the second convolution's input: in training that
convolution reads the F32 mean of the first one's fake-quantised output; converted, the pooling is 1.13's quantized
avg_pool2d on the first convolution's grid (its output keeps that scale and zero point) and the second convolution
reads that. Printed: the prepared model's fake quantisations, the losses, the grids, the pooled integers of the test
batch in the converted model, and the trained and converted outputs. Run it with /usr/bin/python3 (PyTorch 1.13).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.quantization import (QConfig, FakeQuantize, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver)
from parity import load, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = QConfig(
    activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                      dtype=torch.quint8, qscheme=torch.per_tensor_affine),
    weight=FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                  dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
TARGETS = [0, 3, 4]
STEPS = [(11, 2.0, 0.3), (12, 1.5, -0.2)]
TEST = (15, 2.0, 0.0)


class Stubbed(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def batch(seed, scale, shift):
    """In F64 then F32, as Kiln's test computes it (parity.py's pattern follows the default dtype)."""
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    x = (scale * pattern(3 * 2 * 10 * 10, seed) + shift).reshape(3, 2, 10, 10).float()
    torch.set_default_dtype(dtype)
    return x


def floats(values):
    return ", ".join(repr(float(v)) for v in values)


model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(),
                      nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), nn.Conv2d(4, 6, 3, stride=2),
                      nn.Flatten(), nn.Linear(24, 5))
keys = load(model)
model = model.float().train()
torch.set_default_dtype(torch.float32)
torch.ao.quantization.fuse_modules_qat(model, [["0", "1"]], inplace=True)
wrapped = Stubbed(model)
wrapped.qconfig = QCONFIG
prepared = torch.ao.quantization.prepare_qat(wrapped.train())
print("parameters:", keys)
print("fake quantisations:", [n for n, m in prepared.named_modules() if isinstance(m, FakeQuantize)])
opt = torch.optim.SGD(prepared.parameters(), lr=0.1)
losses = []
for spec in STEPS:
    opt.zero_grad()
    loss = F.cross_entropy(prepared(batch(*spec)), torch.tensor(TARGETS))
    loss.backward()
    opt.step()
    losses.append(loss.item())
print("losses:", floats(losses))
prepared.apply(torch.ao.quantization.disable_observer)
prepared.eval()
x = batch(*TEST)
with torch.no_grad():
    y_qat = prepared(x)
converted = torch.ao.quantization.convert(prepared)
with torch.no_grad():
    y_int8 = converted(x)
    conv = converted.model[0](converted.quant(x))
    pooled = converted.model[2](conv)
assert pooled.q_scale() == conv.q_scale() and pooled.q_zero_point() == conv.q_zero_point()
for name, fq in [("input", prepared.quant.activation_post_process),
                 ("0", prepared.model[0].activation_post_process),
                 ("3", prepared.model[3].activation_post_process),
                 ("5", prepared.model[5].activation_post_process)]:
    print(f"grid {name}: {fq.scale.item()!r}f {fq.zero_point.item()}")
print(f"pooled {list(pooled.shape)}: {', '.join(str(v) for v in pooled.int_repr().contiguous().flatten().tolist())}")
print("trained outputs:", floats(y_qat.flatten().tolist()))
print("converted outputs:", floats(y_int8.flatten().tolist()))
