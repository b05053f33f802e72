"""Prints QuantizationAwareTrainingPyTorchParityTest: PyTorch 1.13's eager-mode quantisation-aware training on the
onednn engine with the plain-FakeQuantize form of get_default_qat_qconfig('onednn'):
QConfig(activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
dtype=torch.quint8, qscheme=torch.per_tensor_affine), weight=FakeQuantize.with_args(
observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8,
qscheme=torch.per_channel_symmetric)); Conv2d/Linear + ReLU fused with fuse_modules_qat, QuantStub/DeQuantStub around
the model, prepare_qat, four SGD steps (lr 0.1) with cross entropy on fixed batches, observers disabled, then convert.

The model Sequential(Conv2d(2, 4, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(4, 6, 3, stride=2), Flatten,
Linear(24, 8), ReLU, Linear(8, 5)), parameters parity.py's pattern (seed = index + 1), batches [3, 2, 10, 10] of
parity.py's pattern. It prints the losses of the four steps, the fake quantisations' qparams after them (the input's,
each layer's output, each layer's weight scales), the trained model's outputs on a fifth batch (eval, observers off)
and the converted int8 model's.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
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
STEPS = [(11, 2.0, 0.3), (12, 1.5, -0.2), (13, 2.5, 0.1), (14, 1.0, 0.5)]
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


model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=2),
                      nn.Flatten(), nn.Linear(24, 8), nn.ReLU(), nn.Linear(8, 5))
keys = load(model)
model = model.float().train()
# The observers' running ranges are made in the default dtype: F32, as in any F32 training.
torch.set_default_dtype(torch.float32)
torch.ao.quantization.fuse_modules_qat(model, [["0", "1"], ["5", "6"]], inplace=True)
wrapped = Stubbed(model)
wrapped.qconfig = QCONFIG
prepared = torch.ao.quantization.prepare_qat(wrapped.train())
opt = torch.optim.SGD(prepared.parameters(), lr=0.1)
targets = torch.tensor(TARGETS)
losses = []
for spec in STEPS:
    opt.zero_grad()
    loss = F.cross_entropy(prepared(batch(*spec)), targets)
    loss.backward()
    opt.step()
    losses.append(loss.item())
prepared.apply(torch.ao.quantization.disable_observer)
prepared.eval()
x = batch(*TEST)
with torch.no_grad():
    y_qat = prepared(x)
converted = torch.ao.quantization.convert(prepared)
with torch.no_grad():
    y_int8 = converted(x)



def observe(observer, specs, dims):
    for spec in specs:
        observer(batch_of(dims, *spec))
    return observer


def batch_of(dims, seed, scale, shift):
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    n = 1
    for d in dims:
        n *= d
    x = (scale * pattern(n, seed) + shift).reshape(*dims).float()
    torch.set_default_dtype(dtype)
    return x


ACT_SPECS = [(21, 2.0, 0.5), (22, 3.0, -1.0), (23, 0.5, 0.2)]
W_SPECS = [(31, 1.0, 0.0), (32, 0.4, 0.1), (33, 2.0, -0.3)]
act = observe(MovingAverageMinMaxObserver(dtype=torch.quint8), ACT_SPECS, (2, 3, 5))
act_scale, act_zero = act.calculate_qparams()
wobs = observe(MovingAveragePerChannelMinMaxObserver(dtype=torch.qint8, qscheme=torch.per_channel_symmetric),
               W_SPECS, (4, 2, 3))
w_scales, _ = wobs.calculate_qparams()

LAYERS = ["0", "3", "5", "7"]


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
import dev.kiln.optim.SGD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizationAwareTraining} against PyTorch 1.13's eager-mode quantisation-aware training (onednn engine,
 * FakeQuantize with MovingAverageMinMaxObserver quint8 activations and MovingAveragePerChannelMinMaxObserver
 * per-channel symmetric qint8 weights, Conv2d/Linear + ReLU fused, QuantStub/DeQuantStub), printed by
 * {@code models/src/test/pytorch/quantize_qat.py}: the same losses over four SGD steps and the same fake-quantisation
 * qparams after them to float tolerance (the two train in F32 with sums in different orders), and the trained and the
 * converted models' outputs within one step of the last layer's grid.
 */
class QuantizationAwareTrainingPyTorchParityTest {
    private static final long[] TARGETS = {%s};
    private static final float STEP = %rf;
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

    private static void assertWithinOneStep(String what, float[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toFloatArray(), STEP * 1.0001f, what);
    }

    @Test
    void smallConvNetTrainsAndConvertsAsPyTorch() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).build(), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(4, 6, 3).stride(2).build(), new Flatten(), new Linear(24, 8), new ReLU(),
                new Linear(8, 5));
        load(model,
                %s);
        Module qat = QuantizationAwareTraining.prepareQat(model);
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        double[] losses = new double[4];
        Tensor[] batches = {%s};
        for (int i = 0; i < batches.length; i++) {
            sgd.zeroGrad();
            Tensor loss = new CrossEntropyLoss().compute(qat.forward(batches[i]), targets);
            loss.backward();
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

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(dims).float()}, computed in F64. */
    private static Tensor batchOf(int seed, double scale, double shift, int... dims) {
        return PyTorchParity.values(seed, dims).mul(scale).add(shift).to(DType.F32);
    }

    @Test
    void movingAverageObserversMatchPyTorchExactly() {
        MovingAverageMinMaxObserver activations = new MovingAverageMinMaxObserver();
        for (Tensor x : new Tensor[] {
                %s}) {
            activations.forward(x);
        }
        assertEquals(%rf, activations.minVal());
        assertEquals(%rf, activations.maxVal());
        assertEquals(new Uint8Grid(%rf, %d), activations.calculateQParams());
        MovingAveragePerChannelMinMaxObserver weights = new MovingAveragePerChannelMinMaxObserver(4);
        for (Tensor w : new Tensor[] {
                %s}) {
            weights.forward(w);
        }
        assertArrayEquals(new float[] {
                %s},
                weights.minVals());
        assertArrayEquals(new float[] {
                %s},
                weights.maxVals());
        assertArrayEquals(new float[] {
                %s},
                weights.calculateScales());
    }
}''' % (", ".join(str(t) for t in TARGETS), step, load_keys,
          ", ".join("batch(%d, %r, %r)" % spec for spec in STEPS), fmt(losses), "\n".join(checks),
          "(%d, %r, %r)" % TEST, floats(y_qat.flatten().tolist()), floats(y_int8.flatten().tolist()),
          ",\n                ".join("batchOf(%d, %r, %r, 2, 3, 5)" % spec for spec in ACT_SPECS), act.min_val.item(),
          act.max_val.item(), act_scale.item(), act_zero.item(),
          ",\n                ".join("batchOf(%d, %r, %r, 4, 2, 3)" % spec for spec in W_SPECS), floats(wobs.min_val.tolist()),
          floats(wobs.max_val.tolist()), floats(w_scales.tolist())))
