"""Prints StaticQuantizationResNetPyTorchParityTest: PyTorch 1.13's eager-mode post-training static quantisation of
residual networks as torchvision's quantizable ResNet does it (torchvision is not installed, so its
QuantizableBasicBlock and QuantizableResNet are written out here): fuse_modules [conv1, bn1, relu], [conv2, bn2] and
[downsample.0, downsample.1] in each block, [conv1, bn1, relu] in the stem, the residual sum through
FloatFunctional.add_relu (its own MinMaxObserver), quantized adaptive average pooling (which keeps its input's grid),
QuantStub/DeQuantStub, the onednn engine and quantize_static.py's qconfig, calibrated on three batches, then run on a
fourth.

Two models, parameters from parity.py's pattern (seed = index + 1) and batch norm running statistics
0.3 * pattern(c, 40 + k) and 1 + 0.5 * pattern(c, 50 + k) for the k-th batch norm in state-dict order:
a small residual net Sequential(Conv2d(2, 4, 3, padding=1, bias=False), BatchNorm2d(4), ReLU, BasicBlock(4),
BasicBlock(4 -> 8, stride 2), AdaptiveAvgPool2d(1), Flatten, Linear(8, 5)) on [3, 2, 10, 10] (its pooling averages 25
values, so no mean lies half-way between two grid values), and torchvision's ResNet-18 layout (Kiln's
dev.kiln.zoo.ResNet.resnet18(3, 10)) on [2, 3, 32, 32], each convolution weight [out, in, kh, kw] laid out as
pattern.reshape(kh, kw, in, out).permute(3, 2, 0, 1) (the pattern's period of nearly 9 elements would otherwise give
every 3x3 filter nearly the same weights) and scaled by the power of two 2^-round(log2(sqrt(fan_in) / 16)), so that
activations keep their size through 18 layers (where they grow, a one-step difference grows with them). It prints every grid (the
input's, each convolution's and linear layer's output, each block's add_relu) and, for the small net, the per-channel
weight scales, and the dequantised outputs: Kiln must match the zero points and per-channel scales exactly, the grids'
scales to a relative 1e-5 (calibration runs the F32 model, whose convolutions PyTorch sums in another order than Kiln,
so an observed extreme may differ in its last bits, more so deeper in the net: 16 ulps at ResNet-18's fc) and the outputs within one step of the last layer's grid.

QuantizableResNet and quantise() are also what bench scripts import to time PyTorch's int8 ResNet-18.
"""
import math
import torch
import torch.nn as nn
from torch.ao.quantization import QConfig, MinMaxObserver, default_per_channel_weight_observer, fuse_modules
from parity import fmt, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8), weight=default_per_channel_weight_observer)


class QuantizableBasicBlock(nn.Module):
    """torchvision's QuantizableBasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)) via add_relu."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.add_relu = torch.nn.quantized.FloatFunctional()

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.add_relu.add_relu(out, identity)

    def fuse_model(self):
        fuse_modules(self, [["conv1", "bn1", "relu"], ["conv2", "bn2"]], inplace=True)
        if self.downsample is not None:
            fuse_modules(self.downsample, [["0", "1"]], inplace=True)


class QuantizableResNet(nn.Module):
    """torchvision's QuantizableResNet with BasicBlocks (resnet18: [2, 2, 2, 2]), names as Kiln's zoo ResNet."""

    def __init__(self, blocks, in_channels, classes):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        channels = 64
        for stage, count in enumerate(blocks):
            width = 64 << stage
            layer = []
            for b in range(count):
                layer.append(QuantizableBasicBlock(channels, width, 2 if stage > 0 and b == 0 else 1))
                channels = width
            setattr(self, "layer%d" % (stage + 1), nn.Sequential(*layer))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, classes)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(self.quant(x)))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.dequant(self.fc(torch.flatten(self.avgpool(x), 1)))

    def fuse_model(self):
        fuse_modules(self, [["conv1", "bn1", "relu"]], inplace=True)
        for m in self.modules():
            if isinstance(m, QuantizableBasicBlock):
                m.fuse_model()


class Stubbed(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


class SmallResNet(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         QuantizableBasicBlock(4, 4, 1), QuantizableBasicBlock(4, 8, 2), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(8, 5))

    def fuse_model(self):
        fuse_modules(self, [["0", "1", "2"]], inplace=True)
        self[3].fuse_model()
        self[4].fuse_model()


def quantise(model, calibration):
    """model (in eval mode, with fuse_model) fused, prepared, calibrated and converted."""
    model.fuse_model()
    model.qconfig = QCONFIG
    prepared = torch.ao.quantization.prepare(model)
    with torch.no_grad():
        for x in calibration:
            prepared(x)
    return torch.ao.quantization.convert(prepared)


def batch(seed, dims, scale, shift):
    return (scale * pattern(math.prod(dims), seed) + shift).reshape(*dims).float()


def java_batch(seed, dims, scale, shift):
    return "batch(%d, %r, %r, %s)" % (seed, scale, shift, ", ".join(str(d) for d in dims))


def load(model, scale_convs):
    """Parameters from the pattern, batch norm statistics too; conv weights scaled where scale_convs. Returns the
    Java lines that do the same."""
    lines = []
    with torch.no_grad():
        for i, (name, t) in enumerate(model.named_parameters()):
            t.copy_(pattern(t.numel(), i + 1).reshape(t.shape))
            lines.append('key("%s", %d%s)' % (name, i + 1, "".join(", %d" % d for d in t.shape)))
        norms = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)]
        stats = []
        for k, (name, m) in enumerate(norms):
            m.running_mean.copy_(0.3 * pattern(m.num_features, 40 + k))
            m.running_var.copy_(1 + 0.5 * pattern(m.num_features, 50 + k))
            stats.append('"%s"' % name)
        scaled = []
        if scale_convs:
            for name, m in model.named_modules():
                if isinstance(m, nn.Conv2d):
                    out, cin, kh, kw = m.weight.shape
                    m.weight.copy_(m.weight.reshape(kh, kw, cin, out).permute(3, 2, 0, 1).clone())
                    factor = 2.0 ** -round(math.log2(math.sqrt(m.weight[0].numel()) / 16))
                    m.weight.mul_(factor)
                    scaled.append('"%s.weight", %r' % (name, factor))
    return lines, stats, scaled


def grids(q, prefix):
    """Kiln path -> (scale, zero point) of every quantised layer and add_relu, in module order."""
    out = {}
    for name, m in q.named_modules():
        if not name.startswith(prefix) or not hasattr(m, "scale") or isinstance(m, torch.nn.quantized.Quantize):
            continue
        path = name[len(prefix):]
        if path.endswith(".add_relu"):
            path = path[:-len(".add_relu")]
        out[path] = (float(m.scale), int(m.zero_point))
    return out


def emit(name, java_model, model, prefix, specs, scale_convs, last, with_scales):
    lines, stats, scaled = load(model, scale_convs)
    model.float().eval()
    calibration = [batch(*s) for s in specs[:-1]]
    x = batch(*specs[-1])
    stubbed = Stubbed(model) if prefix else model
    if prefix:
        stubbed.fuse_model = model.fuse_model
    # Observers and qparams in float32, as PyTorch's defaults make them (parity.py turns the default to float64).
    torch.set_default_dtype(torch.float32)
    q = quantise(stubbed, calibration)
    with torch.no_grad():
        y = q(x)
    torch.set_default_dtype(torch.float64)
    print("\n    @Test\n    void %sMatchesPyTorch() {" % name)
    print("        Module model = %s;" % java_model)
    print("        load(model,\n                %s);" % ",\n                ".join(lines))
    print("        setRunningStatistics(model, %s);" % ", ".join(stats))
    for s in scaled:
        print("        shuffleAndScaleConvWeight(model, %s);" % s)
    print("        Module quantised = quantise(model,\n                %s);" % ",\n                ".join(
        java_batch(*s) for s in specs[:-1]))
    print("        try {")
    print('            assertGrid("input", inputGrid(quantised), %rf, %d);' % (float(q.quant.scale),
                                                                             int(q.quant.zero_point)))
    for path, (scale, zp) in grids(q, prefix).items():
        print('            assertGrid("%s", outputGrid(quantised, "%s"), %rf, %d);' % (path, path, scale, zp))
    if with_scales:
        for n, m in q.named_modules():
            if isinstance(m, (torch.nn.quantized.Conv2d, torch.nn.quantized.Linear)):
                path = n[len(prefix):]
                print('            assertScales("%s scales", weights(quantised, "%s").scales(),\n                    %s);'
                      % (path, path, fmt(m.weight().q_per_channel_scales().tolist()).replace(
                          "\n        ", "\n            ")))
    step = float(dict(q.named_modules())[prefix + last].scale)
    print("            assertWithinOneStep(quantised, %s, %rf,\n                    %s);" % (
        java_batch(*specs[-1]), step, fmt(y.reshape(-1)).replace("\n        ", "\n            ")))
    print("        } finally {\n            quantised.close();\n        }\n    }")


if __name__ == "__main__":
    print('''package dev.kiln.nn;

import static dev.kiln.nn.Int8WeightsAssertions.assertScales;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.zoo.ResNet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticQuantization} of residual networks against PyTorch 1.13's eager-mode recipe for torchvision's
 * quantizable ResNet (conv + bn + relu fused in each block, the residual sum through {@code FloatFunctional.add_relu}
 * on its own grid, quantized average pooling keeping its input's grid; onednn engine), printed by
 * {@code models/src/test/pytorch/quantize_static_resnet.py}: the same zero points and weight scales exactly, grid
 * scales to a relative 1e-5, and outputs within one step of the last layer's grid.
 */
class StaticQuantizationResNetPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(dims).float()}. */
    private static Tensor batch(int seed, double scale, double shift, int... dims) {
        return PyTorchParity.values(seed, dims).mul(scale).add(shift).to(DType.F32);
    }

    /** The k-th named batch norm's running statistics 0.3 * pattern(c, 40 + k) and 1 + 0.5 * pattern(c, 50 + k). */
    private static void setRunningStatistics(Module model, String... norms) {
        for (int k = 0; k < norms.length; k++) {
            BatchNorm2d norm = (BatchNorm2d) model.getSubmodule(norms[k]);
            norm.runningMean().assign(PyTorchParity.values(40 + k, norm.channels()).mul(0.3).to(DType.F32));
            norm.runningVar().assign(PyTorchParity.values(50 + k, norm.channels()).mul(0.5).add(1.0).to(DType.F32));
        }
    }

    /**
     * The convolution weight {@code name} [out, in, kh, kw], loaded from the pattern, laid out again as
     * {@code reshape(kh, kw, in, out).permute(3, 2, 0, 1)} and times {@code factor}, a power of two (exact in both).
     */
    private static void shuffleAndScaleConvWeight(Module model, String name, double factor) {
        try (var g = Autograd.noGrad()) {
            Tensor p = model.getParameter(name);
            p.assign(p.reshape(p.dim(2), p.dim(3), p.dim(1), p.dim(0)).permute(3, 2, 0, 1).mul(factor));
        }
    }

    private static Module quantise(Module model, Tensor... calibration) {
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            for (Tensor x : calibration) {
                prepared.forward(x);
            }
        }
        Module quantised = StaticQuantization.convert(prepared);
        prepared.close();
        return quantised;
    }

    /** The grid of the first quantised layer's input: the one the model input is quantised onto. */
    private static Uint8Grid inputGrid(Module quantised) {
        return quantised.modules().stream().filter(m -> m instanceof QuantizedLayer).map(m -> (QuantizedLayer) m)
                .findFirst().orElseThrow().inputGrid();
    }

    /** The output grid of the quantised layer or block at {@code path}. */
    private static Uint8Grid outputGrid(Module quantised, String path) {
        Module m = quantised.getSubmodule(path);
        return m instanceof QuantizedBasicBlock block ? block.outputGrid() : ((QuantizedLayer) m).outputGrid();
    }

    private static StaticInt8ConvWeights weights(Module quantised, String path) {
        return ((QuantizedLayer) quantised.getSubmodule(path)).packedWeight();
    }

    /**
     * The scale to a relative 1e-5: calibration runs the F32 model, whose convolutions sum in another order in Kiln
     * than in PyTorch, so an observed extreme, and with it the scale, may differ in its last bits.
     */
    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), 1e-5 * scale, what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    /** Every output element within one step of the last grid of PyTorch's, and at most one in ten a step off. */
    private static void assertWithinOneStep(Module quantised, Tensor x, float step, double... expected) {
        float[] actual;
        try (var g = Autograd.noGrad()) {
            actual = quantised.forward(x).toFloatArray();
        }
        assertEquals(expected.length, actual.length);
        int off = 0;
        for (int k = 0; k < actual.length; k++) {
            double steps = Math.abs(actual[k] - expected[k]) / step;
            assertTrue(steps <= 1.0001, "element " + k + ": " + actual[k] + " vs PyTorch's " + expected[k]
                    + ", step " + step);
            off += steps > 0.5 ? 1 : 0;
        }
        assertTrue(off * 10 <= actual.length, off + " of " + actual.length + " elements are a step off PyTorch's");
    }''')
    torch.set_default_dtype(torch.float64)
    emit("smallResidualNet",
         "new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(),\n"
         "                new BatchNorm2d(4), new ReLU(), new BasicBlock(4), new BasicBlock(4, 8, 2),\n"
         "                new GlobalAvgPool2d(), new Flatten(), new Linear(8, 5))",
         SmallResNet(), "model.",
         [(11, [3, 2, 10, 10], 2.0, 0.3), (12, [3, 2, 10, 10], 1.5, -0.2), (13, [3, 2, 10, 10], 2.5, 0.1),
          (14, [3, 2, 10, 10], 2.0, 0.2)], False, "7", True)
    emit("resnet18",
         "ResNet.resnet18(3, 10)",
         QuantizableResNet([2, 2, 2, 2], 3, 10), "",
         [(21, [2, 3, 32, 32], 1.0, 0.5), (22, [2, 3, 32, 32], 1.2, 0.4), (23, [2, 3, 32, 32], 0.8, 0.5),
          (24, [2, 3, 32, 32], 1.0, 0.45)], True, "fc", False)
    print("}")
