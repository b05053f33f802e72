"""Prints StaticQuantizationPyTorchParityTest: PyTorch 1.13's eager-mode post-training static quantisation on the
onednn engine, qconfig QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8),
weight=default_per_channel_weight_observer), Conv2d/Linear + ReLU fused with fuse_modules, QuantStub/DeQuantStub
around the model, calibrated on three batches, then run on a fourth.

Three models, parameters parity.py's pattern (seed = index + 1): a small conv net Sequential(Conv2d(2, 4, 3, padding=1),
ReLU, MaxPool2d(2), Conv2d(4, 6, 3, stride=2), Flatten, Linear(24, 5)) on [3, 2, 10, 10], and the zoo's LeNet (W2)
with its parameters scaled by 1/8 (exactly, in both) on [2, 1, 28, 28], and a conv net with batch norms (running statistics from the pattern
too) fused as [["0", "1", "2"], ["3", "4"]]: Sequential(Conv2d(2, 4, 3, padding=1, bias=False), BatchNorm2d(4), ReLU,
Conv2d(4, 6, 3, stride=2), BatchNorm2d(6), Flatten, Linear(96, 5)) on [3, 2, 10, 10]. It prints every layer's output scale and zero point and the input's
(QuantStub's), the int8 weights (the small net's in full, LeNet's as sums), and the dequantised outputs with the last
layer's scale: Kiln must match the qparams exactly and the outputs to within one output step (at most one in ten a step
off: a requantisation within an F32 rounding of a tie may round the other way).
"""
import torch
import torch.nn as nn
from torch.ao.quantization import QConfig, MinMaxObserver, default_per_channel_weight_observer
from parity import fmt, load, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8), weight=default_per_channel_weight_observer)


class Stubbed(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def batch(seed, dims, scale, shift):
    n = 1
    for d in dims:
        n *= d
    return (scale * pattern(n, seed) + shift).reshape(*dims).float()


def quantise(model, fuse, calibration):
    model = model.float().eval()
    torch.ao.quantization.fuse_modules(model, fuse, inplace=True)
    wrapped = Stubbed(model)
    wrapped.qconfig = QCONFIG
    prepared = torch.ao.quantization.prepare(wrapped)
    with torch.no_grad():
        for x in calibration:
            prepared(x)
    return torch.ao.quantization.convert(prepared)


def java_batch(seed, dims, scale, shift):
    return "batch(%d, %r, %r, %s)" % (seed, scale, shift, ", ".join(str(d) for d in dims))


def emit_model(name, build, keys, layers, specs, ints_in_full):
    calibration = [batch(*s) for s in specs[:-1]]
    x = batch(*specs[-1])
    q = quantise(*build(), calibration)
    with torch.no_grad():
        y = q(x)
    print("\n    @Test\n    void %sMatchesPyTorch() {" % name)
    print("        Sequential model = %s;" % build_java[name])
    print("        load(model,\n                %s);" % ",\n                ".join(
        'key("%s", %d%s)' % (n, s, "".join(", %d" % d for d in shape)) for n, s, shape in keys))
    if name == "lenet":
        print("        scaleParameters(model, 0.125);")
    if name == "convBatchNormNet":
        print("        setRunningStatistics(model, 1, 4);\n        setRunningStatistics(model, 4, 6);")
    print("        Module quantised = quantise(model,\n                %s);" % ",\n                ".join(
        java_batch(*s) for s in specs[:-1]))
    print("        try {")
    print("            assertGrid(\"input\", firstInputGrid(quantised), %rf, %d);" % (float(q.quant.scale),
                                                                                    int(q.quant.zero_point)))
    for index in layers:
        layer = q.model[int(index)]
        w = layer.weight()
        ints = w.int_repr().reshape(-1).tolist()
        scales = w.q_per_channel_scales().tolist()
        print("            assertGrid(\"layer %s\", outputGrid(quantised, %s), %rf, %d);" % (
            index, index, float(layer.scale), int(layer.zero_point)))
        print("            assertScales(\"layer %s scales\", weights(quantised, %s).scales(),\n                    %s);"
              % (index, index, fmt(scales).replace("\n        ", "\n            ")))
        if ints_in_full:
            lines = [", ".join(str(v) for v in ints[k:k + 20]) for k in range(0, len(ints), 20)]
            print("            assertInts(\"layer %s int8 values\", weights(quantised, %s).values(),\n                    %s);"
                  % (index, index, ",\n                    ".join(lines)))
        else:
            moments = (sum(ints), sum(v * v for v in ints), sum(k % 97 * v for k, v in enumerate(ints)))
            print("            assertIntMoments(\"layer %s int8 values\", weights(quantised, %s).values(),\n                    %dL, %dL, %dL);"
                  % ((index, index) + moments))
    last = q.model[int(layers[-1])]
    print("            assertWithinOneStep(quantised, %s, %rf,\n                    %s);" % (
        java_batch(*specs[-1]), float(last.scale), fmt(y.reshape(-1)).replace("\n        ", "\n            ")))
    print("        } finally {\n            quantised.close();\n        }\n    }")


def small():
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=2),
                          nn.Flatten(), nn.Linear(24, 5))
    return model, [["0", "1"]]


def conv_bn():
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Conv2d(4, 6, 3, stride=2), nn.BatchNorm2d(6), nn.Flatten(), nn.Linear(96, 5))
    return model, [["0", "1", "2"], ["3", "4"]]


def with_running_stats(build):
    """Running statistics 0.3 * pattern(c, 40 + index) and 1 + 0.5 * pattern(c, 50 + index) in each batch norm."""
    def make():
        model, fuse = build()
        for index, m in enumerate(model):
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.3 * pattern(m.num_features, 40 + index))
                m.running_var.copy_(1 + 0.5 * pattern(m.num_features, 50 + index))
        return model, fuse
    return make


def lenet():
    model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5), nn.ReLU(),
                          nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    return model, [["0", "1"], ["3", "4"], ["7", "8"]]


def loaded(build, factor):
    def make():
        model, fuse = build()
        keys.clear()
        keys.extend(load(model))
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(factor)
        return model, fuse
    keys = []
    return make, keys


build_java = {
    "smallConvNet": "new Sequential(Conv2d.builder(2, 4, 3).padding(1).build(), new ReLU(),\n"
                    "                new MaxPool2d(2), Conv2d.builder(4, 6, 3).stride(2).build(), new Flatten(), new Linear(24, 5))",
    "lenet": "Zoo.lenet(10)",
    "convBatchNormNet": "new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(),\n"
                        "                new BatchNorm2d(4), new ReLU(), Conv2d.builder(4, 6, 3).stride(2).build(),"
                        " new BatchNorm2d(6),\n                new Flatten(), new Linear(96, 5))",
}

print('''package dev.kiln.nn;

import static dev.kiln.nn.Int8WeightsAssertions.assertInts;
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
import dev.kiln.zoo.Zoo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticQuantization} against PyTorch 1.13's eager-mode static quantisation (onednn engine, MinMaxObserver
 * quint8 activations, per-channel symmetric qint8 weights, Conv2d/Linear + ReLU fused, QuantStub/DeQuantStub), printed
 * by {@code models/src/test/pytorch/quantize_static.py}: the same grids and int8 weights exactly, and outputs within
 * one step of the last layer's grid.
 */
class StaticQuantizationPyTorchParityTest {
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

    private static void scaleParameters(Module model, double factor) {
        try (var g = Autograd.noGrad()) {
            for (Tensor p : model.parameters()) {
                p.assign(p.mul(factor));
            }
        }
    }

    /** parity.py's running statistics of the batch norm at {@code index}: see quantize_static.py. */
    private static void setRunningStatistics(Sequential model, int index, int channels) {
        BatchNorm2d norm = (BatchNorm2d) model.get(index);
        norm.runningMean().assign(PyTorchParity.values(40 + index, channels).mul(0.3).to(DType.F32));
        norm.runningVar().assign(PyTorchParity.values(50 + index, channels).mul(0.5).add(1.0).to(DType.F32));
    }

    private static Module quantise(Module model, Tensor... calibration) {
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

    private static Uint8Grid firstInputGrid(Module quantised) {
        Module first = ((Sequential) quantised).get(0);
        return first instanceof QuantizedConv2d c ? c.inputGrid() : ((QuantizedLinear) first).inputGrid();
    }

    private static Uint8Grid outputGrid(Module quantised, int index) {
        Module layer = ((Sequential) quantised).get(index);
        return layer instanceof QuantizedConv2d c ? c.outputGrid() : ((QuantizedLinear) layer).outputGrid();
    }

    private static StaticInt8ConvWeights weights(Module quantised, int index) {
        Module layer = ((Sequential) quantised).get(index);
        return layer instanceof QuantizedConv2d c ? c.packedWeight() : ((QuantizedLinear) layer).packedWeight();
    }

    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    /** The sum of the values, of their squares and of each times its index modulo 97. */
    private static void assertIntMoments(String what, Tensor values, long sum, long squares, long weighted) {
        float[] v = values.toFloatArray();
        long s = 0;
        long s2 = 0;
        long w = 0;
        for (int k = 0; k < v.length; k++) {
            long q = (long) v[k];
            s += q;
            s2 += q * q;
            w += (k % 97) * q;
        }
        assertEquals(sum, s, what + ": sum");
        assertEquals(squares, s2, what + ": sum of squares");
        assertEquals(weighted, w, what + ": weighted sum");
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

make, keys = loaded(small, 1.0)
make()
emit_model("smallConvNet", make, keys, ["0", "3", "5"],
           [(11, [3, 2, 10, 10], 2.0, 0.3), (12, [3, 2, 10, 10], 1.5, -0.2), (13, [3, 2, 10, 10], 2.5, 0.1),
            (14, [3, 2, 10, 10], 2.0, 0.2)], True)
make, keys = loaded(lenet, 0.125)
make()
emit_model("lenet", make, keys, ["0", "3", "7", "9"],
           [(21, [2, 1, 28, 28], 1.0, 0.5), (22, [2, 1, 28, 28], 1.2, 0.4), (23, [2, 1, 28, 28], 0.8, 0.5),
            (24, [2, 1, 28, 28], 1.0, 0.45)], False)
make, keys = loaded(with_running_stats(conv_bn), 1.0)
make()
emit_model("convBatchNormNet", make, keys, ["0", "3", "6"],
           [(31, [3, 2, 10, 10], 2.0, 0.3), (32, [3, 2, 10, 10], 1.5, -0.2), (33, [3, 2, 10, 10], 2.5, 0.1),
            (34, [3, 2, 10, 10], 2.0, 0.2)], True)
print("}")
