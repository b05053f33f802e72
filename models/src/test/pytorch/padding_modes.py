"""Prints PaddingPyTorchParityTest: F.pad's reflect, replicate and circular modes, the padding layers, and Conv2d and
Conv1d with padding_mode."""
import torch.nn.functional as F
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#pad(Tensor, int[], PaddingMode)}, the padding layers and {@link Conv2d} and {@link Conv1d} with a padding
 * mode against PyTorch's own numbers (printed by {@code models/src/test/pytorch/padding_modes.py}): reflect, replicate
 * and circular padding of one, two and three axes, batched and unbatched, with amounts that differ per side and
 * negative ones that crop; outputs and the gradients of the input (and of every parameter) for a weighted sum of the
 * outputs (see {@link PyTorchParity}). PyTorch 1.13 pads only batched inputs circularly (2.x, whose
 * {@code CircularPad1d} and {@code CircularPad2d} are these layers, pads unbatched ones too): the unbatched circular
 * numbers are its batched ones of the input as a batch of one.
 */
class PaddingPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }
'''

MODES = {"reflect": "REFLECT", "replicate": "REPLICATE", "circular": "CIRCULAR"}


def ints(values):
    return ", ".join(map(str, values))


def begin(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")


def check(java_forward, m, dims):
    """Input pattern(100), y = java_forward, weights pattern(200): output, its shape and the input gradient."""
    print("        Tensor x = tensor(dtype, 100, %s);" % ints(dims))
    print("        Tensor y = %s;" % java_forward)
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x)
    backward([y], [200])
    print()
    print("        assertArrayEquals(new int[] {%s}, y.shape().dims());" % ints(y.shape))
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    return y


def pad(method, mode, dims, pads):
    unbatched = mode == "circular" and len(dims) == len(pads) // 2 + 1
    if unbatched:
        title = "F.pad(x.unsqueeze(0), (%s), mode='circular').squeeze(0) on %s" % (ints(pads), dims)
        m = lambda x: F.pad(x.unsqueeze(0), pads, mode=mode).squeeze(0)
    else:
        title = "F.pad(x, (%s), mode='%s') on %s" % (ints(pads), mode, dims)
        m = lambda x: F.pad(x, pads, mode=mode)
    begin(method, title)
    check("F.pad(x, new int[] {%s}, PaddingMode.%s)" % (ints(pads), MODES[mode]), m, dims)
    print("    }")


def layer(method, title, java_build, m, dims):
    begin(method, title + " on %s" % dims)
    check("%s.forward(x)" % java_build, m, dims)
    print("    }")


def conv(method, title, java_type, java_build, m, dims):
    begin(method, title + " on %s" % dims)
    line = "        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, java_build)
    if len(line) > 120:
        line = "        %s layer = (%s) %s\n                .to(dtype);" % (java_type, java_type, java_build)
    print(line)
    emit_load("layer", load(m))
    check("layer.forward(x)", m, dims)
    emit_grads("layer", m)
    print("    }")


print(HEADER, end="")
pad("reflectPadsTheLastAxisOfABatch", "reflect", [2, 3, 5], [3, 1])
pad("reflectPadsTheLastAxisOfAnUnbatchedInputAndCrops", "reflect", [3, 5], [-1, 4])
pad("reflectPadsTheLastTwoAxesOfABatch", "reflect", [2, 2, 4, 5], [1, 2, 3, 0])
pad("reflectPadsTheLastTwoAxesOfAnUnbatchedInputAndCrops", "reflect", [2, 4, 5], [2, -1, -2, 3])
pad("reflectPadsTheLastThreeAxesOfABatch", "reflect", [1, 2, 3, 3, 4], [1, 3, 2, 0, 1, 2])
pad("replicatePadsTheLastAxisOfABatchBeyondItsSize", "replicate", [2, 3, 4], [6, 1])
pad("replicatePadsTheLastAxisOfAnUnbatchedInputAndCrops", "replicate", [3, 4], [2, -3])
pad("replicatePadsTheLastTwoAxesOfABatchAndCrops", "replicate", [1, 2, 3, 4], [2, -1, 1, 3])
pad("replicatePadsTheLastTwoAxesOfAnUnbatchedInput", "replicate", [2, 3, 4], [1, 2, 2, 1])
pad("replicatePadsTheLastThreeAxesOfABatch", "replicate", [1, 2, 2, 3, 4], [2, 1, 0, 2, 1, 1])
pad("circularPadsTheLastAxisOfABatchByItsWholeSize", "circular", [2, 3, 4], [4, 2])
pad("circularPadsTheLastAxisOfAnUnbatchedInput", "circular", [3, 4], [1, 3])
pad("circularWrapsWhatCroppingLeavesOfTheLastAxis", "circular", [2, 2, 5], [-1, 3])
pad("circularPadsTheLastTwoAxesOfABatchAndCrops", "circular", [2, 2, 3, 4], [1, 2, 2, -1])
pad("circularPadsTheLastTwoAxesOfAnUnbatchedInput", "circular", [2, 3, 4], [2, 1, 1, 3])
pad("circularPadsTheLastThreeAxesOfABatch", "circular", [1, 2, 2, 3, 4], [1, 2, 2, 0, 1, 1])

layer("reflectionPad1d", "torch.nn.ReflectionPad1d(2)(x)", "new ReflectionPad1d(2)",
      torch.nn.ReflectionPad1d(2), [2, 3, 5])
layer("reflectionPad2d", "torch.nn.ReflectionPad2d((1, 0, 2, 1))(x)", "new ReflectionPad2d(new int[] {1, 0, 2, 1})",
      torch.nn.ReflectionPad2d((1, 0, 2, 1)), [1, 2, 4, 3])
layer("replicationPad1dOfAnUnbatchedInput", "torch.nn.ReplicationPad1d((3, 1))(x)",
      "new ReplicationPad1d(new int[] {3, 1})", torch.nn.ReplicationPad1d((3, 1)), [2, 4])
layer("replicationPad2d", "torch.nn.ReplicationPad2d(2)(x)", "new ReplicationPad2d(2)",
      torch.nn.ReplicationPad2d(2), [1, 2, 3, 3])
layer("zeroPad2d", "torch.nn.ZeroPad2d((1, 2, 0, -1))(x)", "new ZeroPad2d(new int[] {1, 2, 0, -1})",
      torch.nn.ZeroPad2d((1, 2, 0, -1)), [2, 1, 3, 4])
layer("constantPad1d", "torch.nn.ConstantPad1d(2, 3.5)(x)", "new ConstantPad1d(2, 3.5)",
      torch.nn.ConstantPad1d(2, 3.5), [2, 3, 4])
layer("constantPad2d", "torch.nn.ConstantPad2d((1, 0, 0, 2), -1.5)(x)",
      "new ConstantPad2d(new int[] {1, 0, 0, 2}, -1.5)", torch.nn.ConstantPad2d((1, 0, 0, 2), -1.5), [1, 2, 3, 3])
layer("circularPad1d", "PyTorch 2's CircularPad1d(2)(x): F.pad(x, (2, 2), mode='circular')",
      "new CircularPad1d(2)", lambda x: F.pad(x, (2, 2), mode="circular"), [2, 3, 4])
layer("circularPad2d", "PyTorch 2's CircularPad2d((1, 0, 2, 1))(x): F.pad(x, (1, 0, 2, 1), mode='circular')",
      "new CircularPad2d(new int[] {1, 0, 2, 1})", lambda x: F.pad(x, (1, 0, 2, 1), mode="circular"), [1, 2, 3, 4])

conv("conv2dWithReflectPadding", "torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode='reflect')(x)", "Conv2d",
     "Conv2d.builder(2, 3, 3).padding(1).paddingMode(PaddingMode.REFLECT).build()",
     torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [2, 2, 4, 5])
conv("conv2dWithCircularPaddingPerAxisAndStride",
     "nn.Conv2d(2, 2, (3, 2), stride=2, padding=(2, 1), padding_mode='circular')(x)", "Conv2d",
     "Conv2d.builder(2, 2, 3, 2).stride(2).padding(2, 1).paddingMode(PaddingMode.CIRCULAR).build()",
     torch.nn.Conv2d(2, 2, (3, 2), stride=2, padding=(2, 1), padding_mode="circular"), [1, 2, 4, 5])
conv("conv2dWithReplicatePaddingFusedWithReLU",
     "nn.Sequential(nn.Conv2d(2, 3, 3, padding=2, bias=False, padding_mode='replicate'), nn.ReLU())(x)",
     "Sequential",
     "new Sequential(\n                Conv2d.builder(2, 3, 3).padding(2).bias(false).paddingMode(PaddingMode.REPLICATE).build(),"
     "\n                new ReLU())",
     torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=2, bias=False, padding_mode="replicate"), torch.nn.ReLU()),
     [2, 2, 3, 4])
conv("conv1dWithReflectPadding", "torch.nn.Conv1d(2, 3, 3, padding=2, padding_mode='reflect')(x)", "Conv1d",
     "Conv1d.builder(2, 3, 3).padding(2).paddingMode(PaddingMode.REFLECT).build()",
     torch.nn.Conv1d(2, 3, 3, padding=2, padding_mode="reflect"), [2, 2, 5])
conv("conv1dWithCircularPaddingAndDilation",
     "torch.nn.Conv1d(2, 2, 3, dilation=2, padding=2, padding_mode='circular')(x)", "Conv1d",
     "Conv1d.builder(2, 2, 3).dilation(2).padding(2).paddingMode(PaddingMode.CIRCULAR).build()",
     torch.nn.Conv1d(2, 2, 3, dilation=2, padding=2, padding_mode="circular"), [2, 2, 6])
print("}")
