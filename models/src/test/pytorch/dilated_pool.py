"""Prints DilatedMaxPoolPyTorchParityTest: MaxPool1d/MaxPool2d and F.max_pool2d with dilation (stride, padding,
ceil mode, overlapping windows, tied maxima), their indices, and MaxUnpool1d/MaxUnpool2d of those indices."""
from parity import *
import textwrap
import torch.nn.functional as Fn

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.pattern;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dilated {@link MaxPool2d}, {@link MaxPool1d} and {@link F#maxPool2dWithIndices(Tensor, int[], int[], int[], int[],
 * boolean)} against PyTorch's own numbers (printed by {@code models/src/test/pytorch/dilated_pool.py}): outputs,
 * indices, and the input gradient for a weighted sum of the outputs (see {@link PyTorchParity}), with stride, padding,
 * ceil mode, overlapping windows and inputs of tied maxima (the first in row-major order wins); and {@link MaxUnpool2d}
 * / {@link MaxUnpool1d} of those indices with the window's span as their kernel, as PyTorch asks, where overlapping
 * windows repeat indices (PyTorch's CPU keeps the last value); and with the pooling's own kernel, where the output size
 * tells how wide a dilated pooling's windows were.
 */
class DilatedMaxPoolPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code round(3 * pattern(seed))}: values in {-2, ..., 2}, so that many windows hold tied maxima. */
    private static Tensor ties(DType dtype, int seed, int... dims) {
        int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        double[] v = pattern(n, seed);
        for (int i = 0; i < n; i++) {
            v[i] = Math.rint(3 * v[i]);
        }
        return Tensor.fromArray(v, dims).to(dtype).requiresGrad(true);
    }

    private static void assertIndices(long[] expected, Tensor indices) {
        assertArrayEquals(expected, indices.toLongArray(), "indices " + indices.shape());
    }
'''


def java_longs(values):
    lines, line = [], ""
    for v in values:
        if len(line) + len(str(int(v))) + 2 > 100:
            lines.append(line.rstrip())
            line = ""
        line += str(int(v)) + ", "
    lines.append(line.rstrip().rstrip(","))
    return "new long[] {\n                " + "\n                ".join(lines) + "}"


def dims_text(dims):
    return ", ".join(map(str, dims))


def start(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 108, break_on_hyphens=False):
        print("        // " + line)


def repeats(indices):
    """How many indices repeat one already seen in their plane (the axes after batch and channels)."""
    planes = indices.reshape(indices.shape[0] * indices.shape[1], -1)
    return sum(len(p) - len(set(p.tolist())) for p in planes)


def input_of(dims, ties):
    maker = "ties" if ties else "tensor"
    print("        Tensor x = %s(dtype, 100, %s);" % (maker, dims_text(dims)))
    if ties:
        return torch.round(3 * tensor(100, *dims, grad=False)).requires_grad_(True)
    return tensor(100, *dims)


def pooled(method, title, java_pool, pool, dims, ties=False):
    """pool(x) without indices: the output and the input gradient for a weighted sum of it."""
    start(method, title)
    x = input_of(dims, ties)
    print("        Tensor y = %s;" % java_pool)
    print("        backward(200, y);")
    y = pool(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


def with_indices(method, title, java_pool, pool, dims, ties=False, unpool=None):
    """pool(x) with indices: the output, the indices and the input gradient for a weighted sum of the output; with
    `unpool` (java expression of z and the indices, function of z and the indices), also the unpooling of another
    tensor z by those indices and the gradients of x and z for a weighted sum of the pooled and unpooled outputs."""
    start(method, title)
    x = input_of(dims, ties)
    print("        F.MaxPoolOutput pooled = %s;" % java_pool)
    out, idx = pool(x)
    outputs, seeds, java_outputs = [out], [200], "pooled.output()"
    if unpool is not None:
        print("        Tensor z = tensor(dtype, 300, %s);" % dims_text(list(out.shape)))
        z = tensor(300, *out.shape)
        print("        Tensor y = %s;" % unpool[0])
        y = unpool[1](z, idx)
        outputs, seeds, java_outputs = [y, out], [200, 201], "y, pooled.output()"
    print("        backward(200, %s);" % java_outputs)
    backward(outputs, seeds)
    print("        // %d of the %d indices repeat one before them in their plane" % (repeats(idx), idx.numel()))
    print()
    emit_values("pooled", "pooled.output()", out)
    print("        assertIndices(%s,\n                pooled.indices());" % java_longs(idx.reshape(-1)))
    if unpool is not None:
        emit_values("unpooled", "y", y)
        emit_values("unpooled input gradient", "z.grad()", z.grad)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


print(HEADER, end="")

print()
print("    // ---- MaxPool2d and F.max_pool2d ----")
pooled("overlappingDilatedWindowsTakeTheMaximaTheirTapsReach",
       "torch.nn.MaxPool2d(3, stride=1, dilation=2)(x)",
       "new MaxPool2d(3, 1, 0, 2, false).forward(x)",
       torch.nn.MaxPool2d(3, stride=1, dilation=2), [2, 2, 7, 8])
pooled("dilationThreeWithStridePaddingAndCeilMode",
       "torch.nn.MaxPool2d(3, stride=2, padding=1, dilation=3, ceil_mode=True)(x)",
       "new MaxPool2d(3, 2, 1, 3, true).forward(x)",
       torch.nn.MaxPool2d(3, stride=2, padding=1, dilation=3, ceil_mode=True), [1, 3, 9, 10])
with_indices("dilatedIndicesNameTheFirstMaximumOfEachWindow",
             "torch.nn.MaxPool2d(2, stride=1, padding=1, dilation=2, return_indices=True) of round(3 x)",
             "new MaxPool2d(2, 1, 1, 2, false).forwardWithIndices(x)",
             torch.nn.MaxPool2d(2, stride=1, padding=1, dilation=2, return_indices=True), [2, 2, 5, 6], ties=True)
with_indices("dilatedIndicesInCeilModeWithWindowsHangingOver",
             "torch.nn.MaxPool2d(2, stride=3, padding=1, dilation=3, ceil_mode=True, return_indices=True) of "
             "round(3 x)",
             "new MaxPool2d(2, 3, 1, 3, true).forwardWithIndices(x)",
             torch.nn.MaxPool2d(2, stride=3, padding=1, dilation=3, ceil_mode=True, return_indices=True),
             [1, 2, 9, 8], ties=True)
with_indices("rectangularDilationPerAxisOfTheFunctionalPooling",
             "F.max_pool2d(round(3 x), (2, 3), stride=(1, 2), padding=(1, 1), dilation=(3, 2), return_indices=True)",
             "F.maxPool2dWithIndices(x, new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1},\n"
             "                new int[] {3, 2}, false)",
             lambda x: Fn.max_pool2d(x, (2, 3), (1, 2), (1, 1), (3, 2), return_indices=True), [2, 2, 6, 9], ties=True)
with_indices("unpoolingADilatedPoolingWithItsSpanKeepsTheLastOfRepeatedIndices",
             "torch.nn.MaxPool2d(3, stride=2, padding=1, dilation=2, return_indices=True) of round(3 x), then "
             "torch.nn.MaxUnpool2d(5, 2, 1) of z to output_size (9, 8)",
             "new MaxPool2d(3, 2, 1, 2, false).forwardWithIndices(x)",
             torch.nn.MaxPool2d(3, stride=2, padding=1, dilation=2, return_indices=True), [2, 2, 9, 8], ties=True,
             unpool=("new MaxUnpool2d(5, 2, 1).forward(z, pooled.indices(), new int[] {9, 8})",
                     lambda z, i: Fn.max_unpool2d(z, i, 5, 2, 1, output_size=[9, 8])))
with_indices("unpoolingWithThePoolingsOwnKernelFindsTheRepeatsOfItsWiderWindows",
             "torch.nn.MaxPool2d(2, stride=2, dilation=2, return_indices=True) of round(3 x), then "
             "torch.nn.MaxUnpool2d(2, 2) of z to output_size (7, 9)",
             "new MaxPool2d(2, 2, 0, 2, false).forwardWithIndices(x)",
             torch.nn.MaxPool2d(2, stride=2, dilation=2, return_indices=True), [2, 2, 7, 9], ties=True,
             unpool=("new MaxUnpool2d(2, 2).forward(z, pooled.indices(), new int[] {7, 9})",
                     lambda z, i: Fn.max_unpool2d(z, i, 2, 2, output_size=[7, 9])))

print()
print("    // ---- MaxPool1d ----")
pooled("maxPool1dWithDilationTwoAndOverlappingWindows",
       "torch.nn.MaxPool1d(3, stride=1, dilation=2)(x)",
       "new MaxPool1d(3, 1, 0, 2, false).forward(x)",
       torch.nn.MaxPool1d(3, stride=1, dilation=2), [2, 3, 10])
with_indices("maxPool1dDilationThreeInCeilModeIndices",
             "torch.nn.MaxPool1d(2, stride=2, padding=1, dilation=3, ceil_mode=True, return_indices=True) of "
             "round(3 x)",
             "new MaxPool1d(2, 2, 1, 3, true).forwardWithIndices(x)",
             torch.nn.MaxPool1d(2, stride=2, padding=1, dilation=3, ceil_mode=True, return_indices=True),
             [2, 2, 11], ties=True)
with_indices("maxPool1dDilatedThenUnpooledWithItsSpanToTheInputLength",
             "torch.nn.MaxPool1d(3, stride=2, padding=1, dilation=2, return_indices=True) of round(3 x), then "
             "torch.nn.MaxUnpool1d(5, 2, 1) of z to output_size [12]",
             "new MaxPool1d(3, 2, 1, 2, false).forwardWithIndices(x)",
             torch.nn.MaxPool1d(3, stride=2, padding=1, dilation=2, return_indices=True), [2, 3, 12], ties=True,
             unpool=("new MaxUnpool1d(5, 2, 1).forward(z, pooled.indices(), 12)",
                     lambda z, i: Fn.max_unpool1d(z, i, 5, 2, 1, output_size=[12])))
with_indices("maxPool1dDilatedThenUnpooledWithItsOwnKernel",
             "torch.nn.MaxPool1d(2, stride=2, dilation=2, return_indices=True) of round(3 x), then "
             "torch.nn.MaxUnpool1d(2, 2) of z to output_size [11]",
             "new MaxPool1d(2, 2, 0, 2, false).forwardWithIndices(x)",
             torch.nn.MaxPool1d(2, stride=2, dilation=2, return_indices=True), [2, 3, 11], ties=True,
             unpool=("new MaxUnpool1d(2, 2).forward(z, pooled.indices(), 11)",
                     lambda z, i: Fn.max_unpool1d(z, i, 2, 2, output_size=[11])))
print("}")
