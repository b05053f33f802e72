"""Prints QatBasicBlockPyTorchParityTest and writes models/src/test/resources/qat/resnet_trained.safetensors:
PyTorch 1.13's eager-mode quantisation-aware training of residual blocks as torchvision's quantizable ResNet does it
(quantize_static_resnet.py's QuantizableBasicBlock, written out by hand as torchvision is not installed):
fuse_modules_qat of [conv1, bn1, relu], [conv2, bn2] and [downsample.0, downsample.1] in each block and the stem's
[0, 1, 2], prepare_qat with quantize_qat.py's qconfig (the plain-FakeQuantize form of
get_default_qat_qconfig('onednn')), so that the residual sum runs through FloatFunctional.add_relu and its
activation_post_process, QuantStub/DeQuantStub around the model; five SGD steps (lr 0.1) with cross entropy on fixed
batches, freeze_bn_stats after the third, observers disabled, eval, convert.

The model Sequential(Conv2d(2, 4, 3, padding=1, bias=False), BatchNorm2d(4), ReLU, BasicBlock(4),
BasicBlock(4 -> 8, stride 2), AdaptiveAvgPool2d(1), Flatten, Linear(8, 5)). Parameters parity.py's pattern
(seed = index + 1), then each batch norm's weight plus 1 (in F32) and, for the k-th batch norm in module order, its
running mean 0.3 * pattern(channels, 40 + k) and running variance 1 + 0.5 * pattern(channels, 50 + k) (in F64, then
F32); batches [3, 2, 10, 10] of parity.py's pattern. It prints some gradients of the first step (of a block's conv1,
its norm's weight, the shortcut's convolution and norm, the head), the losses of the five steps, every batch norm's
running statistics, batch count, weight and bias after them, every fake quantisation's qparams (the input's, each
layer's weight scales and output grid, each block's add_relu grid), the trained model's outputs on a sixth batch
(eval, observers off) and the converted int8 model's, and the prepared model's state-dict keys (the QuantStub's
quant.activation_post_process.* as Kiln's 0.input_fake_quant.*). The trained model's state dict, as PyTorch saves it
(keys quant.activation_post_process.*, model.*; uint8 flags, int64 batch counts), goes into resnet_trained.safetensors.
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.intrinsic.qat as nniqat
from torch.ao.quantization import (QConfig, FakeQuantize, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver, fuse_modules_qat)
from parity import fmt, load, pattern
from quantize_static_resnet import QuantizableBasicBlock, Stubbed

TARGETS = [0, 3, 4]
STEPS = [(11, 2.0, 0.3), (12, 1.5, -0.2), (13, 2.5, 0.1), (14, 1.0, 0.5), (16, 2.0, -0.4)]
FROZEN_AFTER = 3
TEST = (15, 1.0, 0.1)
LR = 0.1
GRADIENTS = ["3.conv1.weight", "3.conv1.bn.weight", "4.conv2.bn.bias", "4.downsample.0.weight",
             "4.downsample.0.bn.weight", "7.bias"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "qat")
DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.int64: "I64", torch.uint8: "U8"}
QCONFIG = QConfig(
    activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                      dtype=torch.quint8, qscheme=torch.per_tensor_affine),
    weight=FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                  dtype=torch.qint8, qscheme=torch.per_channel_symmetric))


def f64_then_f32(make):
    """In F64 then F32, as Kiln's test computes it (parity.py's pattern follows the default dtype)."""
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    x = make().float()
    torch.set_default_dtype(dtype)
    return x


def batch(seed, scale, shift):
    return f64_then_f32(lambda: (scale * pattern(3 * 2 * 10 * 10, seed) + shift).reshape(3, 2, 10, 10))


def fuse_qat(block):
    """torchvision's QuantizableBasicBlock.fuse_model(is_qat=True)."""
    fuse_modules_qat(block, [["conv1", "bn1", "relu"], ["conv2", "bn2"]], inplace=True)
    if block.downsample is not None:
        fuse_modules_qat(block.downsample, [["0", "1"]], inplace=True)


def save(tensors, name):
    """The safetensors format (the package is not installed beside PyTorch 1.13), as qat_checkpoint.py writes it."""
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


def kiln(key):
    """A prepared model's state-dict key or module path as Kiln's."""
    if key.startswith("quant.activation_post_process"):
        return "0.input_fake_quant" + key[len("quant.activation_post_process"):]
    return key[len("model."):]


model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                      QuantizableBasicBlock(4, 4, 1), QuantizableBasicBlock(4, 8, 2), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Linear(8, 5))
keys = load(model)
model = model.float().train()
torch.set_default_dtype(torch.float32)
norms = [name for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)]
with torch.no_grad():
    for k, name in enumerate(norms):
        bn = model.get_submodule(name)
        bn.weight.add_(1.0)
        bn.running_mean.copy_(f64_then_f32(lambda: 0.3 * pattern(bn.num_features, 40 + k)))
        bn.running_var.copy_(f64_then_f32(lambda: 1 + 0.5 * pattern(bn.num_features, 50 + k)))
fuse_modules_qat(model, [["0", "1", "2"]], inplace=True)
fuse_qat(model[3])
fuse_qat(model[4])
wrapped = Stubbed(model)
wrapped.qconfig = QCONFIG
prepared = torch.ao.quantization.prepare_qat(wrapped.train())
assert type(prepared.model[3].conv1) is nniqat.ConvBnReLU2d and type(prepared.model[4].downsample[0]) is nniqat.ConvBn2d
pytorch_keys = [kiln(k) for k in prepared.state_dict().keys()]
opt = torch.optim.SGD(prepared.parameters(), lr=LR)
targets = torch.tensor(TARGETS)
losses = []
for i, spec in enumerate(STEPS):
    if i == FROZEN_AFTER:
        prepared.apply(nniqat.freeze_bn_stats)
    opt.zero_grad()
    loss = F.cross_entropy(prepared(batch(*spec)), targets)
    loss.backward()
    if i == 0:
        first_grads = {kiln(name): p.grad.clone() for name, p in prepared.named_parameters()
                       if kiln(name) in GRADIENTS}
    opt.step()
    losses.append(loss.item())
prepared.apply(torch.ao.quantization.disable_observer)
prepared.eval()
x = batch(*TEST)
with torch.no_grad():
    y_qat = prepared(x)
os.makedirs(OUT, exist_ok=True)
save(prepared.state_dict(), "resnet_trained.safetensors")
state = {kiln(k): v.clone() for k, v in prepared.state_dict().items()}
fakes = [(kiln(n), m) for n, m in prepared.named_modules() if isinstance(m, torch.ao.quantization.FakeQuantize)]
step = prepared.model[7].activation_post_process.scale.item()
converted = torch.ao.quantization.convert(prepared)
with torch.no_grad():
    y_int8 = converted(x)


def floats(values):
    return fmt(values).replace(",", "f,") + "f"


checks = []
for path, fq in fakes:
    if fq.qscheme == torch.per_channel_symmetric:
        checks.append("        assertScales(\"%s\",\n                fakeQuant(qat, \"%s\").scales(),\n"
                      "                %s);"
                      % (path, path, floats(fq.scale.tolist())))
    else:
        checks.append("        assertGrid(\"%s\",\n                fakeQuant(qat, \"%s\").grid(), %rf, %d);"
                      % (path, path, fq.scale.item(), fq.zero_point.item()))
for name in norms:
    prefix = {"1": "0"}.get(name, name.replace("bn1", "conv1").replace("bn2", "conv2").replace("downsample.1",
                                                                                             "downsample.0"))
    for key in ["weight", "bias", "running_mean", "running_var"]:
        full = "%s.bn.%s" % (prefix, key)
        checks.append("        assertClose(\"%s\", qat.stateDict().get(\"%s\"),\n                %s);"
                      % (full, full, floats(state[full].tolist())))
    full = "%s.bn.num_batches_tracked" % prefix
    checks.append("        assertEquals(%d, qat.stateDict().get(\"%s\").toLongArray()[0],\n                \"%s\");"
                  % (state[full].item(), full, full))
grad_checks = "\n".join("                assertClose(\"%s gradient\", qat.getParameter(\"%s\").grad(),\n"
                        "                        %s);" % (k, k, floats(first_grads[k].flatten().tolist()).replace(
                            "\n                ", "\n                        ")) for k in GRADIENTS)
load_keys = ",\n                ".join("key(\"%s\", %d, %s)" % (n, seed, ", ".join(str(d) for d in dims))
                                      for n, seed, dims in keys)

print('''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.io.SafeTensors;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QatBasicBlock} against PyTorch 1.13's eager-mode quantisation-aware training of torchvision's quantizable
 * ResNet blocks ({@code fuse_modules_qat} of [conv1, bn1, relu], [conv2, bn2], [downsample.0, downsample.1],
 * {@code prepare_qat} with the qconfig of {@link QuantizationAwareTrainingPyTorchParityTest}, the residual sum through
 * {@code FloatFunctional.add_relu}'s fake quantisation), printed by
 * {@code models/src/test/pytorch/quantize_qat_resnet.py}: a small residual net (a conv-bn-relu stem, a block and a
 * downsampling block, average pooling, a linear head) over five SGD steps, the batch norms' statistics frozen after the
 * third: the same gradients of the first step and losses, batch norm weights and statistics and every fake
 * quantisation's qparams to float tolerance (the two train in F32 with sums in different orders), the trained and the
 * converted models' outputs within one step of the last layer's grid, the converted blocks
 * {@link QuantizedBasicBlock}s; and PyTorch's own checkpoint of the trained model
 * ({@code resources/qat/resnet_trained.safetensors}) loads under PyTorch's state-dict keys and gives the same
 * outputs.
 */
class QatBasicBlockPyTorchParityTest {
    private static final List<String> PYTORCH_KEYS = List.of(
            %s);
    private static final long[] TARGETS = {%s};
    private static final float STEP = %rf;
    private static final int FROZEN_AFTER = %d;
    private static final float[] TRAINED = {
            %s};
    private static final float[] CONVERTED = {
            %s};
    private Scope scope;

    @TempDir
    Path dir;

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

    private static FakeQuantize fakeQuant(Module qat, String path) {
        return (FakeQuantize) qat.getSubmodule(path);
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

    /** The script's model before fusion, its parameters and batch norms set as the script sets them. */
    private static Sequential model() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(), new BatchNorm2d(4),
                new ReLU(), new BasicBlock(4), new BasicBlock(4, 8, 2), new AdaptiveAvgPool2d(1), new Flatten(),
                new Linear(8, 5));
        load(model,
                %s);
        String[] norms = {%s};
        for (int k = 0; k < norms.length; k++) {
            BatchNorm2d norm = (BatchNorm2d) model.getSubmodule(norms[k]);
            try (var g = Autograd.noGrad()) {
                norm.weight().assign(norm.weight().add(1.0));
                norm.runningMean().assign(PyTorchParity.values(40 + k, norm.channels()).mul(0.3).to(DType.F32));
                norm.runningVar().assign(PyTorchParity.values(50 + k, norm.channels()).mul(0.5).add(1.0)
                        .to(DType.F32));
            }
        }
        return model;
    }

    /** The converted model's blocks are the static int8 ones. */
    private static void assertQuantisedBlocks(Module int8) {
        assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("3"));
        assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("4"));
    }

    @Test
    void smallResidualNetTrainsFreezesAndConvertsAsPyTorch() {
        Module qat = QuantizationAwareTraining.prepareQat(model());
        assertInstanceOf(QatBasicBlock.class, qat.getSubmodule("3"));
        assertEquals(new TreeSet<>(PYTORCH_KEYS), new TreeSet<>(qat.stateDict().keySet()), "PyTorch's state-dict keys");
        SGD sgd = new SGD(qat.trainableParameters(), %r);
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
                %s},
                losses, 1e-5, "losses");
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
%s
        Tensor x = batch%s;
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertQuantisedBlocks(int8);
            assertWithinOneStep("trained model's outputs", TRAINED, qat.forward(x));
            assertWithinOneStep("converted model's outputs", CONVERTED, int8.forward(x));
        }
        qat.close();
        sgd.close();
    }

    @Test
    void pyTorchsTrainedCheckpointLoadsAndConvertsAsPyTorchs() throws IOException {
        Path file = dir.resolve("resnet_trained.safetensors");
        try (InputStream in = getClass().getResourceAsStream("/qat/resnet_trained.safetensors")) {
            Files.copy(in, file);
        }
        Module qat = QuantizationAwareTraining.prepareQat(model());
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(file)) {
            Map<String, Tensor> kiln = new LinkedHashMap<>();
            checkpoint.tensors().forEach((key, t) -> kiln.put(key.startsWith("quant.activation_post_process.")
                    ? "0.input_fake_quant." + key.substring("quant.activation_post_process.".length())
                    : key.substring("model.".length()), t));
            qat.loadStateDict(kiln, true);
        }
        qat.eval();
        Tensor x = batch%s;
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertQuantisedBlocks(int8);
            assertWithinOneStep("loaded model's outputs", TRAINED, qat.forward(x));
            assertWithinOneStep("converted model's outputs", CONVERTED, int8.forward(x));
        }
        qat.close();
    }
}''' % (",\n            ".join('"%s"' % k for k in pytorch_keys), ", ".join(str(t) for t in TARGETS), step,
          FROZEN_AFTER, floats(y_qat.flatten().tolist()).replace("\n                ", "\n            "),
          floats(y_int8.flatten().tolist()).replace("\n                ", "\n            "), load_keys,
          ", ".join('"%s"' % n for n in norms), LR, ",\n                ".join("batch(%d, %r, %r)" % s for s in STEPS),
          grad_checks, fmt(losses), "\n".join(checks), "(%d, %r, %r)" % TEST, "(%d, %r, %r)" % TEST))
