"""Writes models/src/test/resources/onnx/torch_qdq_net.onnx, a statically quantised PyTorch 1.13 model (eager mode,
fbgemm's per-channel qconfig: QuantStub, Conv2d fused with ReLU, Linear, DeQuantStub) exported by torch.onnx.export at
opset 13 in QDQ form (QuantizeLinear, Cast, DequantizeLinear, a bias dequantised from INT32 with a computed zero point),
and prints OnnxImportQdqFixtures.java: the quantised model's output on 3 * parity.pattern(n, 7) (float32) and its
last layer's output scale. Run it with /usr/bin/python3 and redirect its output into that file."""
import io
import os

import torch
import torch.nn as nn

import parity

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "onnx", "torch_qdq_net.onnx")
SHAPE = (2, 1, 8, 8)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.quantization.QuantStub()
        self.conv = nn.Conv2d(1, 3, 3)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(3 * 6 * 6, 4)
        self.dequant = torch.quantization.DeQuantStub()

    def forward(self, x):
        x = self.relu(self.conv(self.quant(x)))
        return self.dequant(self.fc(x.flatten(1)))


def main():
    torch.set_default_dtype(torch.float32)  # parity sets float64; the histogram observer needs float32
    torch.manual_seed(0)
    model = Net().eval()
    model.qconfig = torch.quantization.get_default_qconfig("fbgemm")
    torch.quantization.fuse_modules(model, [["conv", "relu"]], inplace=True)
    prepared = torch.quantization.prepare(model)
    for seed in (1, 2, 3):
        prepared(3 * parity.pattern(2 * 64, seed).float().reshape(SHAPE))
    quantised = torch.quantization.convert(prepared)
    x = 3 * parity.pattern(2 * 64, 7).float().reshape(SHAPE)
    y = quantised(x)
    buffer = io.BytesIO()
    torch.onnx.export(quantised, x, buffer, opset_version=13, input_names=["input"], output_names=["output"])
    with open(OUT, "wb") as f:
        f.write(buffer.getvalue())
    floats = [repr(float(v)) + "f" for v in y.flatten()]
    values = ",\n            ".join(", ".join(floats[k:k + 4]) for k in range(0, len(floats), 4))
    print(f"""package dev.kiln.onnx.importer;

/** Printed by models/src/test/pytorch/onnx_qdq_fixture.py (PyTorch 1.13): resources/onnx/torch_qdq_net.onnx's
 * statically quantised model's output on 3 * parity.pattern(128, 7) (float32) of shape {list(SHAPE)}, and the output
 * scale of its last layer. */
final class OnnxImportQdqFixtures {{
    static final int[] INPUT_SHAPE = {{{", ".join(map(str, SHAPE))}}};
    static final float OUTPUT_SCALE = {float(quantised.fc.scale)!r}f;
    static final float[] OUTPUT = {{
            {values}}};

    private OnnxImportQdqFixtures() {{
    }}
}}""")


if __name__ == "__main__":
    main()
