"""Writes the 3-D fixtures of models' ONNX import tests into models/src/test/resources/onnx/ (volume_*.onnx) with
torch.onnx.export (PyTorch 1.13, opset 17, constant folding, a dynamic batch axis, pattern weights rounded to float32):
a 3-D convolution net (Conv3d strided, grouped and dilated, InstanceNorm3d, MaxPool3d and AvgPool3d in ceil mode,
ConvTranspose3d with output_padding, AdaptiveAvgPool3d(1)), the 3-D pools and a grouped, dilated ConvTranspose3d
side by side, and MaxPool1d/2d/3d with return_indices (torch writes MaxPool's Indices output, less a 1x1 MaxPool's
to make them per channel). OnnxImportOrtAgreementTest holds Kiln's import of each to ONNX Runtime 1.23's outputs;
OnnxImportVolumesGradCheckTest checks the conv net's input and parameter gradients against finite differences.
torch 1.13 does not export MaxUnpool (OnnxImportUnpoolingOrtTest builds those graphs in Java). Run it with
/usr/bin/python3; it prints nothing."""
import os

import torch
import torch.nn as nn

import parity

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "onnx")


class ConvNet3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv3d(2, 4, 3, stride=(1, 2, 1), padding=1)
        self.norm = nn.InstanceNorm3d(4, affine=True)
        self.conv2 = nn.Conv3d(4, 4, 3, padding=2, dilation=2, groups=2)
        self.pool1 = nn.MaxPool3d(2, ceil_mode=True)
        self.up = nn.ConvTranspose3d(4, 3, (2, 3, 2), stride=2, padding=(0, 1, 0), output_padding=(1, 0, 0))
        self.pool2 = nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.head = nn.Linear(3, 5)

    def forward(self, x):
        x = torch.relu(self.norm(self.conv1(x)))
        x = self.pool1(torch.relu(self.conv2(x)))
        x = self.pool2(torch.tanh(self.up(x)))
        return self.head(nn.functional.adaptive_avg_pool3d(x, 1).flatten(1))


class Pools3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm3d(4)
        self.max = nn.MaxPool3d((3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1))
        self.avg = nn.AvgPool3d((2, 3, 3), stride=(1, 2, 2), padding=(1, 1, 0), count_include_pad=True)
        self.up = nn.ConvTranspose3d(4, 6, 3, stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2)

    def forward(self, x):
        x = self.norm(x)
        return self.max(x), self.avg(x), nn.functional.adaptive_max_pool3d(x, 1), self.up(x)


class PoolIndices(nn.Module):
    def forward(self, x):
        y3, i3 = nn.functional.max_pool3d(x, 2, stride=(2, 1, 2), padding=(1, 0, 0), return_indices=True)
        flat = x.flatten(2, 3)
        y2, i2 = nn.functional.max_pool2d(flat, 3, stride=2, padding=1, dilation=(2, 1), return_indices=True)
        line = x.flatten(2)
        y1, i1 = nn.functional.max_pool1d(line, 4, stride=3, ceil_mode=True, return_indices=True)
        return y3, i3.float(), y2, i2.float(), y1, i1.float()


def patterned(model):
    """Every parameter and buffer set to parity.pattern (the running variances to 1 + its absolute values)."""
    for k, (name, t) in enumerate(list(model.named_parameters()) + list(model.named_buffers())):
        if t.dtype != torch.float32:
            continue
        values = parity.pattern(t.numel(), 20 + k).float().reshape(t.shape)
        t.data.copy_(1 + values.abs() if name.endswith("running_var") else values)
    return model.eval()


def export(name, model, dims):
    path = os.path.join(OUT, "volume_" + name + ".onnx")
    x = torch.zeros(*dims, dtype=torch.float32)
    model = patterned(model.float())
    outputs = model(x)
    count = len(outputs) if isinstance(outputs, tuple) else 1
    names = ["y%d" % k for k in range(count)]
    torch.onnx.export(model, x, path, opset_version=17, input_names=["x"], output_names=names,
                      dynamic_axes={n: {0: "batch"} for n in ["x"] + names})


def main():
    torch.manual_seed(0)
    export("conv3d_net", ConvNet3d(), (2, 2, 6, 8, 7))
    export("pools3d", Pools3d(), (2, 4, 5, 7, 6))
    export("pool_indices", PoolIndices(), (2, 3, 4, 5, 6))


if __name__ == "__main__":
    main()
