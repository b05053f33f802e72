"""Prints QatConvBn2dPyTorchParityTest: PyTorch 1.13's eager-mode quantisation-aware training with batch norm folded
into the convolution (torch.ao.nn.intrinsic.qat.ConvBnReLU2d and ConvBn2d, from fuse_modules_qat + prepare_qat), the
qconfig of quantize_qat.py (the plain-FakeQuantize form of get_default_qat_qconfig('onednn')), QuantStub/DeQuantStub
around the model, five SGD steps (lr 0.1) with cross entropy on fixed batches, the batch norms' statistics frozen
(freeze_bn_stats) after the third, observers disabled, then convert.

The model Sequential(Conv2d(2, 4, 3, padding=1, bias=False), BatchNorm2d(4), ReLU, MaxPool2d(2),
Conv2d(4, 6, 3, stride=2), BatchNorm2d(6), Flatten, Linear(24, 5)), fused as [0, 1, 2] and [4, 5]. Parameters
parity.py's pattern (seed = index + 1), then each batch norm's weight plus 1 (in F32) and its running mean
0.2 * pattern(channels, 41) and running variance 1 + 0.5 * pattern(channels, 42) (in F64, then F32); batches
[3, 2, 10, 10] of parity.py's pattern. It prints the gradients of the first step, the losses of the five steps, the batch norms' running statistics,
batch counts, weights and biases after them, the fake quantisations' qparams (the input's, each layer's output, each
layer's weight scales), the trained model's outputs on a sixth batch (eval, observers off) and the converted int8
model's.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.intrinsic.qat as nniqat
from torch.ao.quantization import (QConfig, FakeQuantize, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver)
from parity import fmt, load, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = QConfig(
    activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                      dtype=torch.quint8, qscheme=torch.per_tensor_affine),
    weight=FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                  dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
TARGETS = [0, 3, 4]
STEPS = [(11, 2.0, 0.3), (12, 1.5, -0.2), (13, 2.5, 0.1), (14, 1.0, 0.5), (16, 2.0, -0.4)]
FROZEN_AFTER = 3
TEST = (15, 1.0, 0.1)
NORMS = {"0": 1, "4": 5}
LAYERS = ["0", "4", "7"]


class Stubbed(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def f64_then_f32(make):
    """In F64 then F32, as Kiln's test computes it (parity.py's pattern follows the default dtype)."""
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    x = make().float()
    torch.set_default_dtype(dtype)
    return x


def batch(seed, scale, shift):
    return f64_then_f32(lambda: (scale * pattern(3 * 2 * 10 * 10, seed) + shift).reshape(3, 2, 10, 10))


model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(4, 6, 3, stride=2), nn.BatchNorm2d(6), nn.Flatten(), nn.Linear(24, 5))
keys = load(model)
model = model.float().train()
torch.set_default_dtype(torch.float32)
with torch.no_grad():
    for index in NORMS.values():
        bn = model[index]
        bn.weight.add_(1.0)
        bn.running_mean.copy_(f64_then_f32(lambda: 0.2 * pattern(bn.num_features, 41)))
        bn.running_var.copy_(f64_then_f32(lambda: 1 + 0.5 * pattern(bn.num_features, 42)))
torch.ao.quantization.fuse_modules_qat(model, [["0", "1", "2"], ["4", "5"]], inplace=True)
wrapped = Stubbed(model)
wrapped.qconfig = QCONFIG
prepared = torch.ao.quantization.prepare_qat(wrapped.train())
assert type(prepared.model[0]) is nniqat.ConvBnReLU2d and type(prepared.model[4]) is nniqat.ConvBn2d
opt = torch.optim.SGD(prepared.parameters(), lr=0.1)
targets = torch.tensor(TARGETS)
losses = []
for i, spec in enumerate(STEPS):
    if i == FROZEN_AFTER:
        prepared.apply(nniqat.freeze_bn_stats)
    opt.zero_grad()
    loss = F.cross_entropy(prepared(batch(*spec)), targets)
    loss.backward()
    if i == 0:
        first_grads = {"%s.%s" % (name, key): p.grad.clone() for name in NORMS
                       for key, p in prepared.model[int(name)].named_parameters()}
    opt.step()
    losses.append(loss.item())
prepared.apply(torch.ao.quantization.disable_observer)
prepared.eval()
x = batch(*TEST)
with torch.no_grad():
    y_qat = prepared(x)
state = {k: v.clone() for k, v in prepared.model.state_dict().items()}
# Kiln's first layer holds the QuantStub's fake quantisation as input_fake_quant.
pytorch_keys = ["0.input_fake_quant." + k[len("quant.activation_post_process."):]
                if k.startswith("quant.activation_post_process.") else k[len("model."):]
                for k in prepared.state_dict().keys()]
converted = torch.ao.quantization.convert(prepared)
with torch.no_grad():
    y_int8 = converted(x)


def grid(fq):
    return "%rf, %d" % (fq.scale.item(), fq.zero_point.item())


def floats(values):
    return fmt(values).replace(",", "f,") + "f"


checks = ["        assertGrid(\"input\", layer(qat, \"0\").inputFakeQuant().grid(), %s);"
          % grid(prepared.quant.activation_post_process)]
for name in LAYERS:
    m = prepared.model[int(name)]
    checks.append("        assertGrid(\"layer %s\", layer(qat, \"%s\").outputFakeQuant().grid(), %s);"
                  % (name, name, grid(m.activation_post_process)))
    checks.append("        assertScales(\"layer %s weight\", layer(qat, \"%s\").weightFakeQuant().scales(),\n"
                  "                %s);" % (name, name, floats(m.weight_fake_quant.scale.tolist())))
for name in NORMS:
    for key in ["weight", "bias", "running_mean", "running_var"]:
        full = "%s.bn.%s" % (name, key)
        checks.append("        assertClose(\"%s\", qat.stateDict().get(\"%s\"),\n                %s);"
                      % (full, full, floats(state[full].tolist())))
    full = "%s.bn.num_batches_tracked" % name
    checks.append("        assertEquals(%d, qat.stateDict().get(\"%s\").toLongArray()[0], \"%s\");"
                  % (state[full].item(), full, full))
grad_checks = "\n".join("                assertClose(\"%s gradient\", qat.getParameter(\"%s\").grad(),\n"
                        "                        %s);" % (k, k, floats(g.flatten().tolist()).replace(
                            "\n                ", "\n                        ")) for k, g in first_grads.items())
load_keys = ",\n                ".join("key(\"%s\", %d, %s)" % (n, seed, ", ".join(str(d) for d in dims))
                                      for n, seed, dims in keys)
step = prepared.model[7].activation_post_process.scale.item()

print('''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.io.SafeTensors;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QatConvBn2d} against PyTorch 1.13's eager-mode quantisation-aware training with batch norm folded into the
 * convolution ({@code ConvBnReLU2d} and {@code ConvBn2d} from {@code fuse_modules_qat} and {@code prepare_qat}, the
 * qconfig of {@link QuantizationAwareTrainingPyTorchParityTest}), printed by
 * {@code models/src/test/pytorch/quantize_qat_convbn.py}: the same gradients of the first step and losses over five
 * SGD steps (the batch norms' statistics frozen after the third), the same running statistics, batch norm weights and
 * fake-quantisation qparams after them to float tolerance (the two train in F32 with sums in different orders), and
 * the trained and the converted models' outputs within one step of the last layer's grid; and a checkpoint of the QAT
 * model under PyTorch's state-dict keys (its QuantStub's {@code quant.activation_post_process.*} being Kiln's
 * {@code 0.input_fake_quant.*}), saved and loaded through safetensors, that resumes the fake quantisations where
 * they were.
 */
class QatConvBn2dPyTorchParityTest {
    private static final List<String> PYTORCH_KEYS = List.of(
            %s);
    private static final long[] TARGETS = {%s};
    private static final float STEP = %rf;
    private static final int FROZEN_AFTER = %d;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(3, 2, 10, 10).float()}, computed in F64. */
    private static Tensor batch(int seed, double scale, double shift) {
        return PyTorchParity.values(seed, 3, 2, 10, 10).mul(scale).add(shift).to(DType.F32);
    }

    private static QatLayer layer(Module qat, String path) {
        return (QatLayer) qat.getSubmodule(path);
    }

    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), 2e-6f * scale, what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    private static void assertScales(String what, float[] actual, float... expected) {
        assertArrayEquals(expected, actual, 2e-6f * expected[0], what + " scales");
    }

    private static void assertClose(String what, Tensor actual, float... expected) {
        assertArrayEquals(expected, actual.toFloatArray(), 1e-5f, what);
    }

    private static void assertWithinOneStep(String what, float[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toFloatArray(), STEP * 1.0001f, what);
    }

    /** Each batch norm's weight plus 1 and running statistics from the pattern, as the script sets them. */
    private static void setNorm(BatchNorm2d norm) {
        int channels = norm.channels();
        try (var g = Autograd.noGrad()) {
            norm.weight().assign(norm.weight().add(1.0));
            norm.runningMean().assign(PyTorchParity.values(41, channels).mul(0.2).to(DType.F32));
            norm.runningVar().assign(PyTorchParity.values(42, channels).mul(0.5).add(1.0).to(DType.F32));
        }
    }

    /** The script's model before fusion, its parameters and batch norms set as the script sets them. */
    private static Sequential model() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(), new BatchNorm2d(4),
                new ReLU(), new MaxPool2d(2), Conv2d.builder(4, 6, 3).stride(2).build(), new BatchNorm2d(6),
                new Flatten(), new Linear(24, 5));
        load(model,
                %s);
        setNorm((BatchNorm2d) model.get(1));
        setNorm((BatchNorm2d) model.get(5));
        return model;
    }

    @Test
    void convBatchNormNetTrainsFreezesAndConvertsAsPyTorch() {
        Module qat = QuantizationAwareTraining.prepareQat(model());
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        Tensor[] batches = {
                %s};
        double[] losses = new double[batches.length];
        for (int i = 0; i < batches.length; i++) {
            if (i == FROZEN_AFTER) {
                QuantizationAwareTraining.freezeBatchNormStats(qat);
            }
            sgd.zeroGrad();
            Tensor loss = new CrossEntropyLoss().compute(qat.forward(batches[i]), targets);
            loss.backward();
            if (i == 0) {
%s
            }
            sgd.step();
            losses[i] = loss.item();
        }
        assertArrayEquals(new double[] {
                %s}, losses, 1e-5, "losses");
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
%s
        Tensor x = batch%s;
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertWithinOneStep("trained model's outputs", new float[] {
                %s}, qat.forward(x));
            assertWithinOneStep("converted model's outputs", new float[] {
                %s}, int8.forward(x));
        }
        qat.close();
        sgd.close();
    }

    @Test
    void checkpointResumesTheFakeQuantisationsUnderPyTorchsNames(@TempDir Path dir) throws IOException {
        Module qat = QuantizationAwareTraining.prepareQat(model());
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        for (Tensor x : new Tensor[] {batch(11, 2.0, 0.3), batch(12, 1.5, -0.2)}) {
            sgd.zeroGrad();
            new CrossEntropyLoss().compute(qat.forward(x), targets).backward();
            sgd.step();
        }
        layer(qat, "7").outputFakeQuant().disableFakeQuant();
        Map<String, Tensor> state = qat.stateDict();
        assertEquals(new TreeSet<>(PYTORCH_KEYS), new TreeSet<>(state.keySet()), "PyTorch's state-dict keys");
        Path file = dir.resolve("qat.safetensors");
        SafeTensors.write(file, state);
        Module resumed = QuantizationAwareTraining.prepareQat(new Sequential(new Conv2d(2, 4, 3, 1, 1, 1, false),
                new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Conv2d(4, 6, 3, 2, 0, 1, true),
                new BatchNorm2d(6), new Flatten(), new Linear(24, 5)));
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(file)) {
            resumed.loadStateDict(checkpoint.tensors(), true);
        }
        assertEquals(false, layer(resumed, "7").outputFakeQuant().fakeQuantEnabled());
        for (String path : new String[] {"0", "4", "7"}) {
            assertEquals(layer(qat, path).outputFakeQuant().grid(), layer(resumed, path).outputFakeQuant().grid(),
                    path);
            assertArrayEquals(layer(qat, path).weightFakeQuant().scales(), layer(resumed, path).weightFakeQuant()
                    .scales(), path);
        }
        // A third training batch moves the resumed averages exactly as the trained ones: the observers go on.
        Tensor next = batch(13, 2.5, 0.1);
        assertArrayEquals(qat.forward(next).toFloatArray(), resumed.forward(next).toFloatArray());
        MovingAverageMinMaxObserver trained = (MovingAverageMinMaxObserver) layer(qat, "4").outputFakeQuant()
                .observer();
        MovingAverageMinMaxObserver again = (MovingAverageMinMaxObserver) layer(resumed, "4").outputFakeQuant()
                .observer();
        assertEquals(trained.minVal(), again.minVal());
        assertEquals(trained.maxVal(), again.maxVal());
        resumed.close();
        qat.close();
        sgd.close();
    }
}''' % (",\n            ".join('"%s"' % k for k in pytorch_keys), ", ".join(str(t) for t in TARGETS), step, FROZEN_AFTER, load_keys,
          ",\n                ".join("batch(%d, %r, %r)" % spec for spec in STEPS), grad_checks, fmt(losses), "\n".join(checks),
          "(%d, %r, %r)" % TEST, floats(y_qat.flatten().tolist()), floats(y_int8.flatten().tolist())))
