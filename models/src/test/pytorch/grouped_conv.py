"""Prints GroupedConvPyTorchParityTest: Conv2d and Conv1d with groups, grouped and depthwise."""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Conv2d} and {@link Conv1d} with groups against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/grouped_conv.py}): grouped convolutions (several channels a group, which run group by
 * group) and depthwise ones (groups == inChannels, which the CPU backend runs on its own kernel), with a channel
 * multiplier, stride, padding, dilation, and with and without bias: outputs and the gradients of the input and of
 * every parameter for a weighted sum of the outputs (see {@link PyTorchParity}).
 */
class GroupedConvPyTorchParityTest {
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


def with_parameters(method, title, java_type, java_build, m, dims):
    """m(x) with every parameter loaded from pattern(): output, input and parameter gradients."""
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, java_build))
    emit_load("layer", load(m))
    print("        Tensor x = tensor(dtype, 100, %s);" % ", ".join(map(str, dims)))
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    print("    }")


print(HEADER, end="")
with_parameters("conv2dInTwoGroups", "torch.nn.Conv2d(4, 6, 3, padding=1, groups=2)(x)",
                "Conv2d", "Conv2d.builder(4, 6, 3).padding(1).groups(2).build()",
                torch.nn.Conv2d(4, 6, 3, padding=1, groups=2), [2, 4, 5, 5])
with_parameters("conv2dInTwoGroupsWithStrideTwoWithoutBias",
                "torch.nn.Conv2d(6, 4, 3, stride=2, groups=2, bias=False)(x)",
                "Conv2d", "Conv2d.builder(6, 4, 3).stride(2).groups(2).bias(false).build()",
                torch.nn.Conv2d(6, 4, 3, stride=2, groups=2, bias=False), [1, 6, 7, 7])
with_parameters("depthwiseConv2dWithMultiplierTwoStrideTwoPaddingAndDilation",
                "torch.nn.Conv2d(3, 6, 3, stride=2, padding=2, dilation=2, groups=3)(x)",
                "Conv2d", "Conv2d.builder(3, 6, 3).stride(2).padding(2).dilation(2).groups(3).build()",
                torch.nn.Conv2d(3, 6, 3, stride=2, padding=2, dilation=2, groups=3), [2, 3, 7, 8])
with_parameters("depthwiseConv2dWithARectangularKernelWithoutBias",
                "torch.nn.Conv2d(4, 4, (3, 2), stride=(1, 2), padding=(1, 0), groups=4, bias=False)(x)",
                "Conv2d", "Conv2d.builder(4, 4, 3, 2).stride(1, 2).padding(1, 0).groups(4).bias(false).build()",
                torch.nn.Conv2d(4, 4, (3, 2), stride=(1, 2), padding=(1, 0), groups=4, bias=False), [2, 4, 5, 6])
with_parameters("conv1dInTwoGroups", "torch.nn.Conv1d(4, 6, 3, padding=1, groups=2)(x)",
                "Conv1d", "Conv1d.builder(4, 6, 3).padding(1).groups(2).build()",
                torch.nn.Conv1d(4, 6, 3, padding=1, groups=2), [2, 4, 7])
with_parameters("depthwiseConv1dWithMultiplierTwoStrideTwoPaddingAndDilation",
                "torch.nn.Conv1d(3, 6, 3, stride=2, padding=1, dilation=2, groups=3)(x)",
                "Conv1d", "new Conv1d(3, 6, 3, 2, 1, 2, 3, true)",
                torch.nn.Conv1d(3, 6, 3, stride=2, padding=1, dilation=2, groups=3), [2, 3, 9])
print("}")
