"""Exports the fixtures of models' OnnxImport tests into models/src/test/resources/onnx/ (import_*.onnx) with
torch.onnx.export at opset 17, constant folding and a dynamic batch axis, weights from parity.py's pattern, and prints
OnnxImportFixtures.java: for each model PyTorch's output on the pattern input of batch 2 and the gradient of
sum(output * pattern(seed 11)) with respect to that input (float32)."""
import math
import os
import torch
import torch.nn as nn
import torch.nn.functional as F
import parity

torch.set_default_dtype(torch.float32)
torch.manual_seed(0)


class Mlp(nn.Module):
    """MNIST-sized: 4x4 average pooling to 7x7, then two linear layers; its input gradient is constant on each 4x4
    block, so the test compares every input element against the 49 block values."""
    def __init__(self):
        super().__init__()
        self.pool = nn.AvgPool2d(4)
        self.fc1 = nn.Linear(49, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        return F.log_softmax(self.fc2(torch.relu(self.fc1(torch.flatten(self.pool(x), 1)))), dim=1)


class Cnn(nn.Module):
    """Conv + BatchNorm (folded by the export), MaxPool, a BatchNorm that stays, ceil-mode average pooling, a
    view(batch, -1) that the export computes from Shape, and a softmax."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(3)
        self.bn2 = nn.BatchNorm2d(3)
        self.conv2 = nn.Conv2d(3, 4, 3, padding=1, stride=1)
        self.fc = nn.Linear(4 * 3 * 3, 5)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = torch.sigmoid(self.conv2(self.bn2(x)))
        x = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        return torch.softmax(self.fc(x.view(x.size(0), -1)), dim=1)


class Residual(nn.Module):
    """A ResNet basic block with a strided 1x1 downsample, global average pooling and a linear head."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4)
        self.down = nn.Sequential(nn.Conv2d(2, 4, 1, stride=2, bias=False), nn.BatchNorm2d(4))
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        y = torch.relu(y + self.down(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class Depthwise(nn.Module):
    """A depthwise conv, Hardswish, a pointwise conv, a grouped dilated strided conv, Hardsigmoid, ReLU6."""
    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.pw = nn.Conv2d(4, 6, 1)
        self.grouped = nn.Conv2d(6, 6, 3, padding=2, dilation=2, stride=2, groups=2)
        self.fc = nn.Linear(6 * 3 * 3, 4)

    def forward(self, x):
        x = self.pw(F.hardswish(self.dw(x)))
        x = F.relu6(F.hardsigmoid(x) * 7 - 1)
        x = self.grouped(x)
        return self.fc(x.flatten(1))


class Attention(nn.Module):
    """LayerNorm, a qkv projection cut by slicing, two heads reshaped from the dynamic batch, scaled scores, softmax,
    GELU and a residual sum, the mean over the sequence and one token picked by Gather."""
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(8)
        self.qkv = nn.Linear(8, 24)
        self.out = nn.Linear(8, 8)

    def forward(self, x):
        b, n = x.shape[0], x.shape[1]
        qkv = self.qkv(self.norm(x))
        heads = [qkv[:, :, 8 * i:8 * (i + 1)].reshape(b, n, 2, 4).transpose(1, 2) for i in range(3)]
        q, k, v = heads
        scores = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(4.0), dim=-1)
        y = (scores @ v).transpose(1, 2).reshape(b, n, 8)
        y = x + F.gelu(self.out(y))
        return torch.cat([y.mean(dim=1), y[:, 0]], dim=1)


class Extras(nn.Module):
    """The other ops: ConvTranspose, constant Pad, max pooling in ceil mode, ReduceMean with Sub/Pow/Sqrt/Div,
    ELU, SELU, LeakyReLU, Tanh, Erf, Neg, Unsqueeze/Squeeze, Concat and Transpose."""
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = F.pad(self.up(x), (1, 0, 0, 1), value=0.5)
        x = F.max_pool2d(x, 3, stride=2, ceil_mode=True)
        x = x - x.mean(dim=(2, 3), keepdim=True)
        x = x / torch.sqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-3)
        parts = [F.elu(x[:, 0:1], 0.5), F.selu(x[:, 1:2]), F.leaky_relu(torch.tanh(x[:, 2:3]), 0.2),
                 -torch.erf(x[:, 0:1])]
        x = torch.cat(parts, dim=1).unsqueeze(1).squeeze(1).transpose(2, 3)
        return self.fc(x.flatten(1))


class Sequence(nn.Module):
    """1-D: Conv1d, a BatchNorm1d that stays, ConvTranspose1d, LayerNorm over two axes, a softmax over channels,
    Clip with both bounds and with one, max pooling of a sequence and a Linear on a 3-D input (MatMul and Add)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm1d(4)
        self.up = nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1)
        self.norm = nn.LayerNorm([2, 19])
        self.fc = nn.Linear(9, 3)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        x = self.up(self.bn(torch.relu(self.conv(x))))
        x = torch.softmax(self.norm(x), dim=1) + F.hardtanh(x, -0.5, 0.5) + torch.clamp(x, min=0.1)
        return self.fc(self.drop(F.max_pool1d(x, 2)))


class More(nn.Module):
    """Ops of common exports beyond the others: PReLU, chunk (Split), InstanceNorm2d, maximum and minimum (Max,
    Min), Exp, Abs, Softplus, Log, adaptive max pooling to 1 (GlobalMaxPool), sums (ReduceSum), amax (ReduceMax)
    and expand (Expand)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 6, 3, padding=1)
        self.prelu = nn.PReLU(6)
        self.norm = nn.InstanceNorm2d(3, affine=True)
        self.fc = nn.Linear(3 * 5 * 5, 3)

    def forward(self, x):
        a, b = self.prelu(self.conv(x)).chunk(2, dim=1)
        y = torch.maximum(self.norm(a), torch.minimum(b, torch.full((1,), 0.25)))
        y = torch.exp(-y.abs()) + F.softplus(y) + torch.log(y.abs() + 1)
        z = F.adaptive_max_pool2d(y, 1).expand(-1, -1, 5, 5) + y.sum(dim=(2, 3), keepdim=True) / 25
        return self.fc((z + y.amax(dim=1, keepdim=True)).flatten(1))


class Resize(nn.Module):
    """torch.split (Split, two and three outputs) and interpolate: nearest by a factor, bilinear by a factor and to a
    size with aligned corners, bicubic by a factor (Resize)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.fc = nn.Linear(3 * 2 * 2, 3)

    def forward(self, x):
        a, b = torch.split(x, [1, 3], dim=1)
        u = F.interpolate(b, scale_factor=2, mode="nearest")
        v = F.interpolate(self.conv(a), scale_factor=2, mode="bilinear", align_corners=False)
        w = F.interpolate(x, size=(8, 8), mode="bilinear", align_corners=True)
        c = F.interpolate(a, scale_factor=2, mode="bicubic", align_corners=False)
        p, q, r = torch.split(torch.cat([u, v, w, c], dim=1), [3, 3, 4], dim=1)
        return self.fc(F.avg_pool2d(p * torch.sigmoid(q) + r[:, :3], 4).flatten(1))


class Lstm(nn.Module):
    """Two bidirectional batch-first nn.LSTM layers (Transpose around each LSTM node), reading all three outputs: the
    last step's output (Y), the top layer's final hidden states (Y_h) and the first layer's final cell states (Y_c)."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return torch.cat([out[:, -1], h[-1], c[0]], dim=1)


class Gru(nn.Module):
    """A time-major bidirectional nn.GRU (linear_before_reset=1) from an initial state made of the input, reading Y and
    Y_h."""
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 4, bidirectional=True)

    def forward(self, x):
        h0 = torch.cat([x[:, 0], x[:, 1, :1]], dim=1)
        out, h = self.gru(x.transpose(0, 1), torch.stack([h0, -h0]))
        return torch.cat([out.mean(dim=0), h.transpose(0, 1).flatten(1)], dim=1)


class Rnn(nn.Module):
    """Two batch-first nn.RNN layers with ReLU, then a bidirectional one with tanh, reading Y and Y_h."""
    def __init__(self):
        super().__init__()
        self.relu = nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True)
        self.tanh = nn.RNN(4, 3, bidirectional=True, batch_first=True)

    def forward(self, x):
        y, _ = self.relu(x)
        z, h = self.tanh(y)
        return torch.cat([z.flatten(1), h[1]], dim=1)


def bn_stats(model):
    """Running statistics that are not the defaults, so that folded and kept BatchNorms both matter."""
    with torch.no_grad():
        for i, m in enumerate(model.modules()):
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                c = m.num_features
                m.running_mean.copy_(parity.pattern(c, 20 + i).float())
                m.running_var.copy_(1 + parity.pattern(c, 30 + i).float().abs())


FIXTURES = [("mlp", Mlp, (1, 28, 28)), ("cnn", Cnn, (1, 8, 8)), ("residual", Residual, (2, 6, 6)),
            ("depthwise", Depthwise, (4, 6, 6)), ("attention", Attention, (4, 8)), ("extras", Extras, (2, 4, 4)),
            ("sequence", Sequence, (3, 10)), ("more", More, (4, 5, 5)),
            ("resize", Resize, (4, 4, 4)), ("lstm", Lstm, (5, 3)), ("gru", Gru, (5, 3)), ("rnn", Rnn, (5, 3))]


# Fixtures also exported at opset 11, whose Softmax flattens to 2-D and whose Squeeze and Unsqueeze take attributes.
OPSET_11 = ["cnn", "depthwise", "attention", "extras", "more", "resize"]


def export(model, name, sample, opset, path):
    torch.onnx.export(model, torch.zeros(1, *sample), path, opset_version=opset, do_constant_folding=True,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    print("package dev.kiln.onnx.importer;")
    print()
    print("/** Printed by models/src/test/pytorch/onnx_import_fixtures.py (PyTorch 1.13, float32): for each fixture the")
    print(" * output on parity.pattern(n, 7) of batch 2 and the gradient of sum(output * pattern(seed 11)) in the input. */")
    print("final class OnnxImportFixtures {")
    print("    private OnnxImportFixtures() {")
    print("    }")
    for name, cls, sample in FIXTURES:
        model = cls()
        parity.load(model)
        bn_stats(model)
        model.eval()
        path = os.path.join(here, "..", "resources", "onnx", "import_%s.onnx" % name)
        export(model, name, sample, 17, path)
        if name in OPSET_11:
            export(model, name, sample, 11, path.replace(".onnx", "_opset11.onnx"))
        n = 2
        for d in sample:
            n *= d
        x = parity.pattern(n, 7).float().reshape(2, *sample).requires_grad_(True)
        out = model(x)
        (out * parity.pattern(out.numel(), 11).float().reshape(out.shape)).sum().backward()
        grad = x.grad
        if name == "mlp":
            grad = grad[:, :, ::4, ::4]
        upper = name.upper()
        print()
        print("    static final int[] %s_OUTPUT_SHAPE = {%s};" % (upper, ", ".join(str(d) for d in out.shape)))
        print("    static final double[] %s_OUTPUT = {\n            %s};" % (upper, parity.fmt(out.detach().reshape(-1)).replace("\n    ", "\n")))
        print("    static final double[] %s_INPUT_GRADIENT = {\n            %s};" % (upper, parity.fmt(grad.reshape(-1)).replace("\n    ", "\n")))
    print("}")
    import onnx
    import sys
    for name in [f[0] for f in FIXTURES] + [n + "_opset11" for n in OPSET_11]:
        path = os.path.join(here, "..", "resources", "onnx", "import_%s.onnx" % name)
        m = onnx.load(path)
        onnx.checker.check_model(m)
        print(name, os.path.getsize(path), sorted({n.op_type for n in m.graph.node}), file=sys.stderr)


main()
