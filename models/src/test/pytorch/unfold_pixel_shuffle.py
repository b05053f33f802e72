"""Prints UnfoldPixelShufflePyTorchParityTest: Unfold, Fold, PixelShuffle and PixelUnshuffle."""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Unfold}, {@link Fold}, {@link PixelShuffle} and {@link PixelUnshuffle} against PyTorch's own numbers (printed
 * by {@code models/src/test/pytorch/unfold_pixel_shuffle.py}): rectangular kernels with dilation, padding and stride
 * that differ between height and width, blocks that overlap (fold sums them), and shuffles with and without leading
 * axes; outputs and the input gradients of a weighted sum of the outputs (see {@link PyTorchParity}).
 */
class UnfoldPixelShufflePyTorchParityTest {
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


def java_ints(values):
    return "new int[] {%s}" % ", ".join(map(str, values))


def layer(method, title, java_build, m, dims):
    """m(x): the output and the input gradient, in F32 and F64."""
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        Tensor x = tensor(dtype, 100, %s);" % ", ".join(map(str, dims)))
    print("        Tensor y = %s.forward(x);" % java_build)
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


def unfold(method, dims, kernel, dilation, padding, stride):
    title = "torch.nn.Unfold(%s, dilation=%s, padding=%s, stride=%s)(x) on %s" % (kernel, dilation, padding, stride, dims)
    build = "new Unfold(%s, %s, %s, %s)" % tuple(java_ints(v) for v in (kernel, dilation, padding, stride))
    layer(method, title, build, torch.nn.Unfold(kernel, dilation, padding, stride), dims)


def fold(method, dims, size, kernel, dilation, padding, stride):
    title = "torch.nn.Fold(%s, %s, dilation=%s, padding=%s, stride=%s)(x) on %s" % (
        size, kernel, dilation, padding, stride, dims)
    build = "new Fold(%s, %s, %s, %s, %s)" % tuple(java_ints(v) for v in (size, kernel, dilation, padding, stride))
    layer(method, title, build, torch.nn.Fold(size, kernel, dilation, padding, stride), dims)


print(HEADER, end="")
unfold("unfoldWithARectangularKernelAndDilationPaddingAndStridePerAxis", [2, 2, 4, 5],
       (2, 3), (2, 1), (1, 2), (2, 3))
unfold("unfoldWithOverlappingSquareBlocks", [1, 2, 3, 3], (2, 2), (1, 1), (0, 0), (1, 1))
fold("foldWithARectangularKernelAndDilationPaddingAndStridePerAxis", [2, 6, 8],
     (5, 6), (3, 2), (1, 2), (2, 1), (2, 3))
fold("foldSumsOverlappingBlocks", [1, 8, 6], (3, 4), (2, 2), (1, 1), (0, 0), (1, 1))
layer("pixelShuffleByTwo", "torch.nn.PixelShuffle(2)(x) on [2, 8, 2, 3]", "new PixelShuffle(2)",
      torch.nn.PixelShuffle(2), [2, 8, 2, 3])
layer("pixelShuffleByThreeOfAnUnbatchedInput", "torch.nn.PixelShuffle(3)(x) on [9, 1, 2]", "new PixelShuffle(3)",
      torch.nn.PixelShuffle(3), [9, 1, 2])
layer("pixelUnshuffleByTwo", "torch.nn.PixelUnshuffle(2)(x) on [1, 2, 4, 6]", "new PixelUnshuffle(2)",
      torch.nn.PixelUnshuffle(2), [1, 2, 4, 6])
layer("pixelUnshuffleByTwoWithTwoLeadingAxes", "torch.nn.PixelUnshuffle(2)(x) on [2, 3, 1, 2, 4]",
      "new PixelUnshuffle(2)", torch.nn.PixelUnshuffle(2), [2, 3, 1, 2, 4])
print("}")
