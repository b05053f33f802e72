"""Prints FractionalMaxPoolPyTorchParityTest: FractionalMaxPool2d and FractionalMaxPool3d (output size or ratio,
rectangular kernels, batched and unbatched, inputs of tied maxima) with given _random_samples (0.5 + pattern), their
outputs, indices and input gradients in float64, the indices of the same pooling in float32 (PyTorch places the
windows in the input's precision), and a gradient penalty through the pooling (double backward):

    /usr/bin/python3 fractional_pool.py > ../java/dev/kiln/nn/FractionalMaxPoolPyTorchParityTest.java
"""
from parity import *
import textwrap

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.pattern;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FractionalMaxPool2d} and {@link FractionalMaxPool3d} with given samples ({@code 0.5 + pattern}) against
 * PyTorch 1.13's own numbers in F64 to 1e-12 (printed by {@code models/src/test/pytorch/fractional_pool.py}): outputs,
 * indices and the input gradient for a weighted sum of the outputs (see {@link PyTorchParity}), with output sizes and
 * ratios, rectangular kernels, unbatched inputs and inputs of tied maxima (the first in row-major order wins); the
 * indices of the same poolings in F32, whose windows PyTorch places in float arithmetic; and the input gradient of a
 * gradient penalty, which differentiates the pooling twice.
 */
class FractionalMaxPoolPyTorchParityTest {
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
    private static Tensor ties(int seed, int... dims) {
        int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        double[] v = pattern(n, seed);
        for (int i = 0; i < n; i++) {
            v[i] = Math.rint(3 * v[i]);
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    /** PyTorch's {@code _random_samples} of these tests: {@code 0.5 + pattern(seed)}, in (0, 1). */
    private static Tensor samples(int seed, int... dims) {
        return values(seed, dims).add(0.5);
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
    print("    @Test")
    print("    void %s() {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 108, break_on_hyphens=False):
        print("        // " + line)


def make_input(dims, tied):
    if tied:
        print("        Tensor x = ties(100, %s);" % dims_text(dims))
        return torch.round(3 * tensor(100, *dims, grad=False)).requires_grad_(True)
    print("        Tensor x = tensor(DType.F64, 100, %s);" % dims_text(dims))
    return tensor(100, *dims)


def pooled(method, title, java_layer, module, dims, sample_dims, tied=False):
    """The output, indices and input gradient of module(x) with samples 0.5 + pattern(300), in float64, and the
    indices of the same pooling in float32."""
    start(method, title)
    x = make_input(dims, tied)
    u = pattern(math.prod(sample_dims), 300).reshape(*sample_dims) + 0.5
    print("        Tensor u = samples(300, %s);" % dims_text(sample_dims))
    print("        %s pool = %s;" % (java_layer.split(".")[0], java_layer))
    print("        F.MaxPoolOutput pooled = pool.forwardWithIndices(x, u);")
    print("        backward(200, pooled.output());")
    module._random_samples = u
    out, idx = module(x)
    backward([out], [200])
    module._random_samples = u.float()
    idx32 = module(x.detach().float())[1]
    print("        F.MaxPoolOutput single = pool.forwardWithIndices(x.detach().to(DType.F32), u.to(DType.F32));")
    print()
    emit_values("pooled", "pooled.output()", out)
    print("        assertIndices(%s,\n                pooled.indices());" % java_longs(idx.reshape(-1)))
    emit_values("input gradient", "x.grad()", x.grad)
    print("        // float32: the windows from float arithmetic, %s" %
          ("the same as float64's" if torch.equal(idx, idx32) else "unlike float64's"))
    print("        assertIndices(%s,\n                single.indices());" % java_longs(idx32.reshape(-1)))
    print("    }")


print(HEADER, end="")
import math

pooled("rectangularKernelToAnOutputSizeMatchesPyTorch",
       "torch.nn.FractionalMaxPool2d((2, 3), output_size=(4, 3), return_indices=True, _random_samples=u)(x)",
       "FractionalMaxPool2d.withOutputSize(new int[] {2, 3}, new int[] {4, 3})",
       torch.nn.FractionalMaxPool2d((2, 3), output_size=(4, 3), return_indices=True), [2, 3, 7, 9], [2, 3, 2])
pooled("tiedMaximaGoToTheFirstInRowMajorOrderWithAnOutputRatio",
       "torch.nn.FractionalMaxPool2d(2, output_ratio=0.6, return_indices=True, _random_samples=u)(round(3 x)), "
       "unbatched",
       "FractionalMaxPool2d.withOutputRatio(2, 0.6)",
       torch.nn.FractionalMaxPool2d(2, output_ratio=0.6, return_indices=True), [3, 8, 7], [1, 3, 2], tied=True)
pooled("overlappingWindowsOfAKernelOfThreeSumTheirGradients",
       "torch.nn.FractionalMaxPool2d(3, output_size=(5, 6), return_indices=True, _random_samples=u)(x)",
       "FractionalMaxPool2d.withOutputSize(new int[] {3, 3}, new int[] {5, 6})",
       torch.nn.FractionalMaxPool2d(3, output_size=(5, 6), return_indices=True), [1, 2, 8, 9], [1, 2, 2])
pooled("volumesPoolWithTheirThreeSamplesInDepthHeightWidthOrder",
       "torch.nn.FractionalMaxPool3d((2, 1, 3), output_size=(3, 4, 2), return_indices=True, _random_samples=u)(x)",
       "FractionalMaxPool3d.withOutputSize(new int[] {2, 1, 3}, new int[] {3, 4, 2})",
       torch.nn.FractionalMaxPool3d((2, 1, 3), output_size=(3, 4, 2), return_indices=True), [2, 2, 5, 6, 7],
       [2, 2, 3])
pooled("unbatchedVolumesOfTiedMaximaWithAnOutputRatio",
       "torch.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.7, 0.6), return_indices=True, _random_samples=u)"
       "(round(3 x)), unbatched",
       "FractionalMaxPool3d.withOutputRatio(new int[] {2, 2, 2}, new double[] {0.5, 0.7, 0.6})",
       torch.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.7, 0.6), return_indices=True), [2, 6, 7, 8], [1, 2, 3],
       tied=True)

# ---- float32 arithmetic: samples where float and double place a window differently
start("f32InputPlacesItsWindowsInFloatArithmeticAsPyTorchDoes",
      "torch.nn.FractionalMaxPool2d(2, output_size=(6, 4), return_indices=True, _random_samples=u)(x) with "
      "u = (0.8f, 0.8333333f) (width, height) in float32, and in float64 with the same two numbers")
x = tensor(100, 1, 1, 8, 7)
u = torch.tensor([[[0.8, 0.8333333]]], dtype=torch.float32)
print("        Tensor x = tensor(DType.F64, 100, 1, 1, 8, 7);")
print("        Tensor u = Tensor.fromArray(new float[] {0.8f, 0.8333333f}, 1, 1, 2);")
print("        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(new int[] {2, 2}, new int[] {6, 4});")
print("        Tensor single = pool.forwardWithIndices(x.detach().to(DType.F32), u).indices();")
print("        Tensor twice = pool.forwardWithIndices(x, u.to(DType.F64)).indices();")
print()
pool = torch.nn.FractionalMaxPool2d(2, output_size=(6, 4), return_indices=True, _random_samples=u)
idx32 = pool(x.detach().float())[1]
pool._random_samples = u.double()
idx64 = pool(x)[1]
assert not torch.equal(idx32, idx64)
print("        assertIndices(%s,\n                single);" % java_longs(idx32.reshape(-1)))
print("        assertIndices(%s,\n                twice);" % java_longs(idx64.reshape(-1)))
print("    }")

# ---- double backward
start("aGradientPenaltyDifferentiatesThePoolingTwice",
      "g = torch.autograd.grad((w1 y^2).sum(), x, create_graph=True) for y = FractionalMaxPool2d(2, output_size=3, "
      "_random_samples=u)(x); (w2 g^2).sum().backward()")
x = tensor(100, 2, 2, 6, 5)
u = pattern(8, 300).reshape(2, 2, 2) + 0.5
print("        Tensor x = tensor(DType.F64, 100, 2, 2, 6, 5);")
print("        Tensor y = FractionalMaxPool2d.withOutputSize(2, 3).forward(x, samples(300, 2, 2, 2));")
print("        Tensor w1 = values(201, 2, 2, 3, 3);")
print("        Tensor g = Autograd.grad(y.square().mul(w1).sum(), List.of(x), GradOptions.DEFAULT.withCreateGraph())")
print("                .get(0);")
print("        g.square().mul(values(202, 2, 2, 6, 5)).sum().backward();")
y = torch.nn.FractionalMaxPool2d(2, output_size=3, _random_samples=u)(x)
g = torch.autograd.grad((y * y * pattern(36, 201).reshape(2, 2, 3, 3)).sum(), x, create_graph=True)[0]
(g * g * pattern(120, 202).reshape(2, 2, 6, 5)).sum().backward()
print()
emit_values("first gradient", "g", g)
emit_values("input gradient", "x.grad()", x.grad)
print("    }")
print("}")
