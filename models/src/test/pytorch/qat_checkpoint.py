"""Writes models/src/test/resources/qat/*.safetensors for QatPyTorchCheckpointTest: state dicts saved by PyTorch 1.13
from an eager-mode QAT model (quantize_qat.py's model, qconfig, parameters and fused Conv2d/Linear + ReLU, with
QuantStub/DeQuantStub, prepare_qat), as they come: fake_quant_enabled and observer_enabled uint8, and before the first
batch the per-channel weight fake quantisations' scale and zero_point of size [1] and their observers' min_val and
max_val empty. Keys are PyTorch's (quant.activation_post_process.*, model.*).

prepared.safetensors: the model straight after prepare_qat. trained.safetensors: after two SGD steps (lr 0.1, cross
entropy), with layer 7's output fake quantisation then disabled and layer 3's weight observer disabled.
reference.safetensors: the batch each checkpoint's model then trains on (batch 13), and what PyTorch's models give
for it in training mode (prepared_output, trained_output), and their qparams after it (*_scale, *_zero_point, the
weight scales of layer 0).

The safetensors format (a little-endian u64 header length, a JSON header, the raw bytes) is written here, as the
safetensors package is not installed beside PyTorch 1.13.
"""
import json
import os
import struct

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
NEXT = (13, 2.5, 0.1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "qat")
DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.int64: "I64", torch.uint8: "U8"}


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


def save(tensors, name):
    header, chunks, offset = {}, [], 0
    for key, t in tensors.items():
        data = t.detach().clone().contiguous().numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def prepared_model():
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=2),
                          nn.Flatten(), nn.Linear(24, 8), nn.ReLU(), nn.Linear(8, 5))
    load(model)
    model = model.float().train()
    torch.set_default_dtype(torch.float32)
    torch.ao.quantization.fuse_modules_qat(model, [["0", "1"], ["5", "6"]], inplace=True)
    wrapped = Stubbed(model)
    wrapped.qconfig = QCONFIG
    return torch.ao.quantization.prepare_qat(wrapped.train())


def after_next_batch(prepared, label, reference):
    """Trains `prepared` on the next batch's forward pass (observers see it) and records its output and qparams."""
    with torch.no_grad():
        reference[label + "_output"] = prepared(batch(*NEXT))
    reference[label + "_input_scale"] = prepared.quant.activation_post_process.scale.clone()
    reference[label + "_input_zero_point"] = prepared.quant.activation_post_process.zero_point.clone()
    for name in ["0", "3", "5", "7"]:
        fq = prepared.model[int(name)].activation_post_process
        reference["%s_%s_scale" % (label, name)] = fq.scale.clone()
        reference["%s_%s_zero_point" % (label, name)] = fq.zero_point.clone()
    reference[label + "_0_weight_scales"] = prepared.model[0].weight_fake_quant.scale.clone()


os.makedirs(OUT, exist_ok=True)
reference = {"input": batch(*NEXT)}

fresh = prepared_model()
save(fresh.state_dict(), "prepared.safetensors")
after_next_batch(fresh, "prepared", reference)

trained = prepared_model()
opt = torch.optim.SGD(trained.parameters(), lr=0.1)
for spec in STEPS:
    opt.zero_grad()
    F.cross_entropy(trained(batch(*spec)), torch.tensor(TARGETS)).backward()
    opt.step()
trained.model[7].activation_post_process.disable_fake_quant()
trained.model[3].weight_fake_quant.disable_observer()
save(trained.state_dict(), "trained.safetensors")
after_next_batch(trained, "trained", reference)

save(reference, "reference.safetensors")
