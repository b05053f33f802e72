"""Prints ConvTransposeOutputPaddingPyTorchParityTest: ConvTranspose1d/2d/3d with an output padding at or above the
stride, which PyTorch 1.13 takes below the dilation, where it is at most the padding (the output cropped) and where it
exceeds it (rows no input reaches, the bias alone); run with /usr/bin/python3 and redirect into the test's file."""
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
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ConvTranspose1d}, {@link ConvTranspose2d} and {@link ConvTranspose3d} with an output padding at or above the
 * stride on some axis, which PyTorch takes where it is below the dilation, against PyTorch 1.13 (numbers printed by
 * {@code models/src/test/pytorch/conv_transpose_output_padding.py}): an output padding up to the padding (the output
 * of a smaller padding, cropped) and beyond it (rows no input reaches, which hold the bias); the output's shape, the
 * output and the gradients of the input and of every parameter for a weighted sum of it (see {@link PyTorchParity}).
 */
class ConvTransposeOutputPaddingPyTorchParityTest {
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


def layer_test(method, title, java_type, java_build, m, dims):
    """m(x), every parameter loaded from pattern(): output shape, output, input and parameter gradients."""
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
    print("        assertArrayEquals(new int[] {%s}, y.shape().dims());" % ", ".join(map(str, y.shape)))
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    print("    }")


print(HEADER, end="")
layer_test("convTranspose2dWithOutputPaddingAtTheStrideWithinThePadding",
           "torch.nn.ConvTranspose2d(2, 3, 3, stride=1, padding=2, output_padding=1, dilation=2)(x) on [2, 2, 4, 5]",
           "ConvTranspose2d", "ConvTranspose2d.builder(2, 3, 3).padding(2).outputPadding(1).dilation(2).build()",
           torch.nn.ConvTranspose2d(2, 3, 3, stride=1, padding=2, output_padding=1, dilation=2), [2, 2, 4, 5])
layer_test("convTranspose2dWithOutputPaddingBeyondTheStrideAndThePaddingOnOneAxis",
           "torch.nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding=(0, 1), output_padding=(1, 2), "
           "dilation=(1, 3))(x) on [1, 2, 3, 4]",
           "ConvTranspose2d", "new ConvTranspose2d(2, 3, new int[] {3, 2}, new int[] {2, 1}, new int[] {0, 1}, "
           "new int[] {1, 2}, new int[] {1, 3}, true)",
           torch.nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding=(0, 1), output_padding=(1, 2),
                                    dilation=(1, 3)), [1, 2, 3, 4])
layer_test("convTranspose1dWithOutputPaddingAtTheStrideBeyondThePadding",
           "torch.nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1, output_padding=2, dilation=3)(x) on [2, 2, 5]",
           "ConvTranspose1d",
           "ConvTranspose1d.builder(2, 3, 3).stride(2).padding(1).outputPadding(2).dilation(3).build()",
           torch.nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1, output_padding=2, dilation=3), [2, 2, 5])
layer_test("convTranspose3dWithOutputPaddingAtTheStrideOnTwoAxes",
           "torch.nn.ConvTranspose3d(2, 2, 2, stride=(1, 2, 1), padding=(1, 0, 0), output_padding=(1, 1, 2), "
           "dilation=(2, 3, 3))(x) on [1, 2, 3, 3, 3]",
           "ConvTranspose3d", "ConvTranspose3d.builder(2, 2, 2).stride(1, 2, 1).padding(1, 0, 0).outputPadding(1, 1, 2)"
           ".dilation(2, 3, 3).build()",
           torch.nn.ConvTranspose3d(2, 2, 2, stride=(1, 2, 1), padding=(1, 0, 0), output_padding=(1, 1, 2),
                                    dilation=(2, 3, 3)), [1, 2, 3, 3, 3])
print("}")
