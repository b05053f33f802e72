"""Prints VolumetricPyTorchParityTest: the 3-D layers (Conv3d, ConvTranspose3d, pools, norms, upsampling, padding)."""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.buffer;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.pattern;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The layers of volumes [batch, channels, depth, height, width] against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/volumetric.py}): {@link Conv3d} with stride, padding, dilation, groups, a padding
 * mode and an unbatched input; {@link ConvTranspose3d}; {@link MaxPool3d} (with dilation too), {@link AvgPool3d},
 * {@link AdaptiveMaxPool3d} and {@link AdaptiveAvgPool3d}, the max poolings on inputs with many tied maxima (whose
 * gradient PyTorch sends to the first of them); {@link BatchNorm3d} and {@link InstanceNorm3d} in training and
 * evaluation with running statistics; {@link Upsample} nearest and trilinear (align_corners both ways); and the
 * padding layers. Outputs and the gradients of the input and of every parameter for a weighted sum of the outputs (see
 * {@link PyTorchParity}).
 */
class VolumetricPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code floor(4 pattern) / 4}, volumetric.py's {@code ties()}: values in {-0.5, -0.25, 0, 0.25}, many tied. */
    private static Tensor ties(DType dtype, int seed, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] v = pattern(n, seed);
        for (int i = 0; i < n; i++) {
            v[i] = Math.floor(4 * v[i]) / 4;
        }
        return Tensor.fromArray(v, dims).to(dtype).requiresGrad(true);
    }
'''


def ties(seed, *dims):
    n = 1
    for d in dims:
        n *= d
    return (torch.floor(4 * pattern(n, seed)) / 4).reshape(*dims).requires_grad_(True)


def layer_test(method, title, java_type, java_build, m, dims, tied=False):
    """m(x), every parameter loaded from pattern(): output, input and parameter gradients, in F32 and F64."""
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, java_build))
    keys = load(m)
    if keys:
        emit_load("layer", keys)
    print("        Tensor x = %s(dtype, 100, %s);" % ("ties" if tied else "tensor", ", ".join(map(str, dims))))
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    x = ties(100, *dims) if tied else tensor(100, *dims)
    y = m(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    print("    }")


def buffers(m, when=""):
    emit_values("running_mean" + when, 'buffer(layer, "running_mean")', m.running_mean)
    emit_values("running_var" + when, 'buffer(layer, "running_var")', m.running_var)


def training_then_eval(method, title, java_type, java_build, m, dims):
    """One training step, then one in eval mode: outputs, gradients, running statistics."""
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", one step in training mode, then one in eval mode, PyTorch 1.13")
    print("        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, java_build))
    keys = load(m)
    if keys:
        emit_load("layer", keys)
    shape = ", ".join(map(str, dims))
    print("        Tensor x1 = tensor(dtype, 100, %s);" % shape)
    print("        Tensor y1 = layer.forward(x1);")
    print("        layer.eval();")
    print("        Tensor x2 = tensor(dtype, 101, %s);" % shape)
    print("        Tensor y2 = layer.forward(x2);")
    print("        backward(200, y1, y2);")
    x1 = tensor(100, *dims)
    x2 = tensor(101, *dims)
    y1 = m(x1)
    m.eval()
    y2 = m(x2)
    backward([y1, y2], [200, 201])
    print()
    emit_values("training output", "y1", y1)
    emit_values("eval output", "y2", y2)
    emit_values("training input gradient", "x1.grad()", x1.grad)
    emit_values("eval input gradient", "x2.grad()", x2.grad)
    emit_grads("layer", m)
    buffers(m)
    print('        assertEquals(%d, buffer(layer, "num_batches_tracked").toLongArray()[0]);'
          % m.num_batches_tracked.item())
    print("    }")


print(HEADER, end="")

# Conv3d
layer_test("conv3dWithPaddingOne", "torch.nn.Conv3d(2, 3, 3, padding=1)(x) on [2, 2, 4, 5, 5]",
           "Conv3d", "Conv3d.builder(2, 3, 3).padding(1).build()",
           torch.nn.Conv3d(2, 3, 3, padding=1), [2, 2, 4, 5, 5])
layer_test("conv3dWithPerAxisStridePaddingDilationInTwoGroupsWithoutBias",
           "torch.nn.Conv3d(4, 4, (3, 2, 3), stride=(2, 1, 2), padding=(2, 0, 1), dilation=(2, 2, 1), groups=2, "
           "bias=False)(x) on [2, 4, 5, 6, 5]",
           "Conv3d", "Conv3d.builder(4, 4, 3, 2, 3).stride(2, 1, 2).padding(2, 0, 1).dilation(2, 2, 1).groups(2)"
           ".bias(false).build()",
           torch.nn.Conv3d(4, 4, (3, 2, 3), stride=(2, 1, 2), padding=(2, 0, 1), dilation=(2, 2, 1), groups=2,
                           bias=False), [2, 4, 5, 6, 5])
layer_test("conv3dWithReplicatePadding",
           "torch.nn.Conv3d(2, 2, (2, 3, 3), padding=(1, 1, 2), padding_mode='replicate')(x) on [1, 2, 3, 4, 4]",
           "Conv3d", "Conv3d.builder(2, 2, 2, 3, 3).padding(1, 1, 2).paddingMode(PaddingMode.REPLICATE).build()",
           torch.nn.Conv3d(2, 2, (2, 3, 3), padding=(1, 1, 2), padding_mode='replicate'), [1, 2, 3, 4, 4])
layer_test("conv3dOfAnUnbatchedInputWithStrideTwo",
           "torch.nn.Conv3d(2, 3, 2, stride=2)(x) on unbatched [2, 5, 4, 5]",
           "Conv3d", "Conv3d.builder(2, 3, 2).stride(2).build()",
           torch.nn.Conv3d(2, 3, 2, stride=2), [2, 5, 4, 5])

# ConvTranspose3d
layer_test("convTranspose3dWithStrideTwoPaddingOneOutputPaddingOne",
           "torch.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1, output_padding=1)(x) on [1, 2, 3, 3, 3]",
           "ConvTranspose3d", "ConvTranspose3d.builder(2, 3, 3).stride(2).padding(1).outputPadding(1).build()",
           torch.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1, output_padding=1), [1, 2, 3, 3, 3])
layer_test("convTranspose3dWithPerAxisSettingsWithoutBias",
           "torch.nn.ConvTranspose3d(3, 2, (2, 3, 2), stride=(3, 1, 2), padding=(1, 1, 0), output_padding=(2, 0, 1), "
           "dilation=(2, 1, 2), bias=False)(x) on [2, 3, 2, 3, 3]",
           "ConvTranspose3d", "ConvTranspose3d.builder(3, 2, 2, 3, 2).stride(3, 1, 2).padding(1, 1, 0)"
           ".outputPadding(2, 0, 1).dilation(2, 1, 2).bias(false).build()",
           torch.nn.ConvTranspose3d(3, 2, (2, 3, 2), stride=(3, 1, 2), padding=(1, 1, 0), output_padding=(2, 0, 1),
                                    dilation=(2, 1, 2), bias=False), [2, 3, 2, 3, 3])
layer_test("convTranspose3dOfAnUnbatchedInputWithPaddingBeyondTheOutputPadding",
           "torch.nn.ConvTranspose3d(2, 2, 3, stride=2, padding=2)(x) on unbatched [2, 4, 3, 3]",
           "ConvTranspose3d", "ConvTranspose3d.builder(2, 2, 3).stride(2).padding(2).build()",
           torch.nn.ConvTranspose3d(2, 2, 3, stride=2, padding=2), [2, 4, 3, 3])

# Pooling
layer_test("maxPool3dWithOverlappingPaddedWindowsOfTiedValues",
           "torch.nn.MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0))(x) on [2, 2, 4, 5, 6] of ties",
           "MaxPool3d", "new MaxPool3d(new int[] {2, 3, 2}, new int[] {1, 2, 2}, new int[] {1, 1, 0}, false)",
           torch.nn.MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0)), [2, 2, 4, 5, 6], tied=True)
layer_test("maxPool3dInCeilModeOfAnUnbatchedInputOfTiedValues",
           "torch.nn.MaxPool3d(2, ceil_mode=True)(x) on unbatched [2, 5, 5, 3] of ties",
           "MaxPool3d", "new MaxPool3d(new int[] {2}, null, new int[] {0}, true)",
           torch.nn.MaxPool3d(2, ceil_mode=True), [2, 5, 5, 3], tied=True)
layer_test("maxPool3dWithPerAxisDilationStrideAndPaddingOfTiedValues",
           "torch.nn.MaxPool3d((2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 0), dilation=(2, 1, 3))(x) on "
           "[2, 2, 5, 6, 7] of ties",
           "MaxPool3d", "new MaxPool3d(new int[] {2, 3, 2}, new int[] {1, 2, 1}, new int[] {1, 1, 0}, "
           "new int[] {2, 1, 3}, false)",
           torch.nn.MaxPool3d((2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 0), dilation=(2, 1, 3)), [2, 2, 5, 6, 7],
           tied=True)
layer_test("maxPool3dDilatedInCeilModeOfAnUnbatchedInputOfTiedValues",
           "torch.nn.MaxPool3d(3, stride=2, padding=1, dilation=2, ceil_mode=True)(x) on unbatched [2, 6, 8, 8] of "
           "ties",
           "MaxPool3d", "new MaxPool3d(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, true)",
           torch.nn.MaxPool3d(3, stride=2, padding=1, dilation=2, ceil_mode=True), [2, 6, 8, 8], tied=True)
layer_test("maxPool3dOfSlicesDilatedAlongTheHeight",
           "torch.nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), dilation=(1, 2, 1))(x) on [1, 2, 3, 7, 6]",
           "MaxPool3d", "new MaxPool3d(new int[] {1, 3, 3}, new int[] {1, 2, 2}, new int[] {0}, new int[] {1, 2, 1}, "
           "false)",
           torch.nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), dilation=(1, 2, 1)), [1, 2, 3, 7, 6])
layer_test("avgPool3dInCeilModeWithoutCountingPadding",
           "torch.nn.AvgPool3d((3, 2, 2), stride=(2, 1, 2), padding=(1, 1, 1), ceil_mode=True, "
           "count_include_pad=False)(x) on [2, 2, 5, 4, 5]",
           "AvgPool3d", "new AvgPool3d(new int[] {3, 2, 2}, new int[] {2, 1, 2}, new int[] {1, 1, 1}, true, false)",
           torch.nn.AvgPool3d((3, 2, 2), stride=(2, 1, 2), padding=(1, 1, 1), ceil_mode=True, count_include_pad=False),
           [2, 2, 5, 4, 5])
layer_test("avgPool3dInCeilModeCountingPadding",
           "torch.nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True)(x) on [1, 2, 6, 5, 6]",
           "AvgPool3d", "new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, true)",
           torch.nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True), [1, 2, 6, 5, 6])
layer_test("adaptiveAvgPool3dToUnevenWindows", "torch.nn.AdaptiveAvgPool3d((2, 3, 2))(x) on [2, 2, 5, 7, 3]",
           "AdaptiveAvgPool3d", "new AdaptiveAvgPool3d(2, 3, 2)",
           torch.nn.AdaptiveAvgPool3d((2, 3, 2)), [2, 2, 5, 7, 3])
layer_test("adaptiveAvgPool3dToEvenWindowsOfAnUnbatchedInput",
           "torch.nn.AdaptiveAvgPool3d(2)(x) on unbatched [2, 4, 4, 6]",
           "AdaptiveAvgPool3d", "new AdaptiveAvgPool3d(2)",
           torch.nn.AdaptiveAvgPool3d(2), [2, 4, 4, 6])
layer_test("adaptiveMaxPool3dToUnevenWindowsOfTiedValues",
           "torch.nn.AdaptiveMaxPool3d((3, 2, 3))(x) on [2, 2, 5, 5, 7] of ties",
           "AdaptiveMaxPool3d", "new AdaptiveMaxPool3d(3, 2, 3)",
           torch.nn.AdaptiveMaxPool3d((3, 2, 3)), [2, 2, 5, 5, 7], tied=True)
layer_test("adaptiveMaxPool3dToEvenWindowsOfTiedValues",
           "torch.nn.AdaptiveMaxPool3d((2, 2, 3))(x) on [1, 2, 4, 6, 6] of ties",
           "AdaptiveMaxPool3d", "new AdaptiveMaxPool3d(2, 2, 3)",
           torch.nn.AdaptiveMaxPool3d((2, 2, 3)), [1, 2, 4, 6, 6], tied=True)

# Normalisation
training_then_eval("batchNorm3dTrainingThenEval", "torch.nn.BatchNorm3d(3, eps=1e-3, momentum=0.3) on [2, 3, 2, 3, 4]",
                   "BatchNorm3d", "new BatchNorm3d(3, 1e-3, 0.3)",
                   torch.nn.BatchNorm3d(3, eps=1e-3, momentum=0.3), [2, 3, 2, 3, 4])
training_then_eval("instanceNorm3dWithAffineTrackingRunningStatsTrainingThenEval",
                   "torch.nn.InstanceNorm3d(2, momentum=0.2, affine=True, track_running_stats=True) on [2, 2, 3, 2, 4]",
                   "InstanceNorm3d", "new InstanceNorm3d(2, 1e-5, 0.2, true, true)",
                   torch.nn.InstanceNorm3d(2, momentum=0.2, affine=True, track_running_stats=True), [2, 2, 3, 2, 4])
layer_test("instanceNorm3dWithPyTorchsDefaultsOfAnUnbatchedInput",
           "torch.nn.InstanceNorm3d(3)(x) on unbatched [3, 2, 3, 2]",
           "InstanceNorm3d", "new InstanceNorm3d(3)", torch.nn.InstanceNorm3d(3), [3, 2, 3, 2])

# Upsampling
layer_test("upsampleNearestByTwoOfAVolume", "torch.nn.Upsample(scale_factor=2)(x) on [1, 2, 2, 3, 2]",
           "Upsample", "new Upsample(2)", torch.nn.Upsample(scale_factor=2), [1, 2, 2, 3, 2])
layer_test("upsampleNearestToASizeOfAVolume", "torch.nn.Upsample(size=(3, 5, 2))(x) on [2, 1, 2, 3, 4]",
           "Upsample", 'Upsample.toSize(3, 5, 2, "nearest", false)', torch.nn.Upsample(size=(3, 5, 2)),
           [2, 1, 2, 3, 4])
layer_test("upsampleTrilinearByTwo", "torch.nn.Upsample(scale_factor=2, mode='trilinear')(x) on [1, 2, 2, 3, 2]",
           "Upsample", 'new Upsample(2, "trilinear")', torch.nn.Upsample(scale_factor=2, mode='trilinear'),
           [1, 2, 2, 3, 2])
layer_test("upsampleTrilinearByThreeAligningCorners",
           "torch.nn.Upsample(scale_factor=3, mode='trilinear', align_corners=True)(x) on [1, 1, 2, 2, 3]",
           "Upsample", 'new Upsample(3, "trilinear", true)',
           torch.nn.Upsample(scale_factor=3, mode='trilinear', align_corners=True), [1, 1, 2, 2, 3])
layer_test("upsampleTrilinearToASizeUpAndDown",
           "torch.nn.Upsample(size=(5, 2, 3), mode='trilinear')(x) on [2, 1, 3, 4, 2]",
           "Upsample", 'Upsample.toSize(5, 2, 3, "trilinear", false)',
           torch.nn.Upsample(size=(5, 2, 3), mode='trilinear'), [2, 1, 3, 4, 2])
layer_test("upsampleTrilinearToASizeAligningCorners",
           "torch.nn.Upsample(size=(4, 3, 5), mode='trilinear', align_corners=True)(x) on [1, 2, 3, 2, 3]",
           "Upsample", 'Upsample.toSize(4, 3, 5, "trilinear", true)',
           torch.nn.Upsample(size=(4, 3, 5), mode='trilinear', align_corners=True), [1, 2, 3, 2, 3])

# Padding
layer_test("reflectionPad3d", "torch.nn.ReflectionPad3d((1, 2, 0, 1, 2, 1))(x) on [1, 2, 3, 3, 4]",
           "ReflectionPad3d", "new ReflectionPad3d(new int[] {1, 2, 0, 1, 2, 1})",
           torch.nn.ReflectionPad3d((1, 2, 0, 1, 2, 1)), [1, 2, 3, 3, 4])
layer_test("replicationPad3dOfAnUnbatchedInput", "torch.nn.ReplicationPad3d(2)(x) on unbatched [2, 2, 3, 2]",
           "ReplicationPad3d", "new ReplicationPad3d(2)", torch.nn.ReplicationPad3d(2), [2, 2, 3, 2])
layer_test("constantPad3dThatCrops", "torch.nn.ConstantPad3d((1, 0, 2, -1, 0, 1), 0.5)(x) on [1, 2, 2, 3, 3]",
           "ConstantPad3d", "new ConstantPad3d(new int[] {1, 0, 2, -1, 0, 1}, 0.5)",
           torch.nn.ConstantPad3d((1, 0, 2, -1, 0, 1), 0.5), [1, 2, 2, 3, 3])
print("}")
