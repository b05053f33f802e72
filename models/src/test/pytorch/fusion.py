"""Prints FusionPyTorchParityTest: torch.nn.utils.fusion's fuse_conv_bn_eval (transpose=True for the transposed
convolutions) and fuse_linear_bn_eval in F64.

Each case builds Sequential(layer, batch norm), fills its parameters from parity.py's pattern (seed = index + 1),
sets the running mean to pattern(channels, 10) and the running variance to 1 + pattern(channels, 11), and prints the
fused layer's weight and bias.
"""
import torch
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval
from parity import emit_load, emit_values, load, pattern

CASES = [
    ("conv2dWithBias", "new Conv2d(3, 4, 3, 2, 1, 1, true)", "new BatchNorm2d(4, 1e-3, 0.1)", "fuseConvBatchNorm", 4,
     torch.nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.BatchNorm2d(4, eps=1e-3), fuse_conv_bn_eval),
    ("groupedConv1dWithoutBias", "new Conv1d(4, 6, 3, 1, 0, 1, 2, false)", "new BatchNorm1d(6)", "fuseConvBatchNorm",
     6, torch.nn.Conv1d(4, 6, 3, groups=2, bias=False), torch.nn.BatchNorm1d(6), fuse_conv_bn_eval),
    ("conv3d", "new Conv3d(2, 3, 2)", "new BatchNorm3d(3)", "fuseConvBatchNorm", 3,
     torch.nn.Conv3d(2, 3, 2), torch.nn.BatchNorm3d(3), fuse_conv_bn_eval),
    ("linear", "new Linear(5, 3)", "new BatchNorm1d(3, 1e-2, 0.1)", "fuseLinearBatchNorm", 3,
     torch.nn.Linear(5, 3), torch.nn.BatchNorm1d(3, eps=1e-2), fuse_linear_bn_eval),
    ("convTranspose1dWithBias", "new ConvTranspose1d(3, 4, 3, 2, 1, 1, 1, true)", "new BatchNorm1d(4, 1e-3, 0.1)",
     "fuseConvBatchNorm", 4, torch.nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1),
     torch.nn.BatchNorm1d(4, eps=1e-3), lambda c, b: fuse_conv_bn_eval(c, b, transpose=True)),
    ("convTranspose2dWithoutBias", "new ConvTranspose2d(2, 3, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0},"
     " new int[] {0, 0}, new int[] {1, 1}, false)", "new BatchNorm2d(3)", "fuseConvBatchNorm", 3,
     torch.nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), bias=False), torch.nn.BatchNorm2d(3),
     lambda c, b: fuse_conv_bn_eval(c, b, transpose=True)),
]

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.buffer;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Fusion}'s folded weights and biases against PyTorch 1.13's {@code fuse_conv_bn_eval} and
 * {@code fuse_linear_bn_eval} (printed by {@code models/src/test/pytorch/fusion.py}): each pair is a
 * {@code Sequential(layer, batchNorm)} filled as {@link PyTorchParity} says, with running mean
 * {@code pattern(channels, 10)} and running variance {@code 1 + pattern(channels, 11)}.
 */
class FusionPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Sets the batch norm's running statistics as fusion.py does and puts the pair in evaluation mode. */
    private static void statistics(Sequential pair, int channels, DType dtype) {
        buffer(pair, "1.running_mean").assign(values(10, channels).to(dtype));
        buffer(pair, "1.running_var").assign(values(11, channels).add(1).to(dtype));
        pair.eval();
    }'''

print(HEADER)
for name, layer, bn_java, method, channels, mod, bn, fuse in CASES:
    pair = torch.nn.Sequential(mod, bn)
    keys = load(pair)
    with torch.no_grad():
        bn.running_mean.copy_(pattern(channels, 10))
        bn.running_var.copy_(1 + pattern(channels, 11))
    pair.eval()
    fused = fuse(mod, bn)
    cls = layer.split()[1].split("(")[0]
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % name)
    print("        Sequential pair = new Sequential(%s, %s);" % (layer, bn_java))
    print("        pair.to(dtype);")
    emit_load("pair", keys)
    print("        statistics(pair, %d, dtype);" % channels)
    print("        %s fused = Fusion.%s((%s) pair.get(0), (BatchNorm) pair.get(1));" % (cls, method, cls))
    emit_values("fused weight", "fused.weight()", fused.weight)
    emit_values("fused bias", "fused.bias()", fused.bias)
    print("    }")
print("}")
