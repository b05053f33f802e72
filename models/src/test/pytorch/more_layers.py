"""Prints the whole of MoreLayersPyTorchParityTest: GLU to Threshold, RReLU in evaluation, ChannelShuffle,
LocalResponseNorm, CosineSimilarity, PairwiseDistance and Bilinear against PyTorch 1.13 (Debian's /usr/bin/python3):

    /usr/bin/python3 more_layers.py > ../java/dev/kiln/nn/MoreLayersPyTorchParityTest.java
"""
from parity import *

# Large inputs of both signs, and the ties of the shrinks (|x| = 0.5, Softshrink's and Hardshrink's default lambda)
# and of Threshold(0.25, -7) (x = 0.25); all exact in float32.
EDGES = [-100.0, -30.0, -20.0, -1.25, -0.5, -0.25, 0.0, 0.25, 0.5, 1.25, 20.0, 30.0, 100.0]

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
 * {@link GLU}, {@link LogSigmoid}, {@link Softmin}, {@link Softshrink}, {@link Hardshrink}, {@link Tanhshrink},
 * {@link Threshold}, {@link RReLU} in evaluation mode, {@link ChannelShuffle}, {@link LocalResponseNorm},
 * {@link CosineSimilarity}, {@link PairwiseDistance} and {@link Bilinear} against PyTorch's own numbers (printed, the
 * whole file, by {@code models/src/test/pytorch/more_layers.py}): outputs and the gradients of every input and
 * parameter for a weighted sum of the outputs (see {@link PyTorchParity}); each activation also at large inputs of
 * both signs and at the ties of its thresholds.
 */
class MoreLayersPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** The script's EDGES: large inputs of both signs and the ties of the shrinks and of Threshold(0.25, -7). */
    private static Tensor edges(DType dtype) {
        double[] values = {%s};
        return Tensor.fromArray(values, values.length).to(dtype).requiresGrad(true);
    }''' % ", ".join("%g" % v for v in EDGES)


def parameterized(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")


def dims_text(dims):
    return ", ".join(map(str, dims))


def scaled(var, scale):
    return var if scale == 1.0 else "%s.mul(%r)" % (var, scale)


def simple(method, title, java_module, fn, dims, scale):
    """fn(scale * x) for x = tensor(100, *dims): output and input gradient."""
    parameterized(method, title)
    print("        Tensor x = tensor(dtype, 100, %s);" % dims_text(dims))
    print("        Tensor y = %s.forward(%s);" % (java_module, scaled("x", scale)))
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = fn(x * scale)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


def edges(method, title, java_module, fn):
    """fn at EDGES: output and input gradient."""
    parameterized(method, title + " at large inputs and at its ties")
    print("        Tensor x = edges(dtype);")
    print("        Tensor y = %s.forward(x);" % java_module)
    print("        backward(200, y);")
    x = torch.tensor(EDGES, requires_grad=True)
    y = fn(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


def two_inputs(method, title, java_module, fn, dims1, dims2, scale1=1.0, scale2=1.0):
    """fn(scale1 * x1, scale2 * x2) for x1 = tensor(100, *dims1), x2 = tensor(101, *dims2): output, both gradients."""
    parameterized(method, title)
    print("        Tensor x1 = tensor(dtype, 100, %s);" % dims_text(dims1))
    print("        Tensor x2 = tensor(dtype, 101, %s);" % dims_text(dims2))
    print("        Tensor y = %s.forward(%s, %s);" % (java_module, scaled("x1", scale1), scaled("x2", scale2)))
    print("        backward(200, y);")
    x1 = tensor(100, *dims1)
    x2 = tensor(101, *dims2)
    y = fn(x1 * scale1, x2 * scale2)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("gradient of input1", "x1.grad()", x1.grad)
    emit_values("gradient of input2", "x2.grad()", x2.grad)
    print("    }")


def bilinear(method, title, java_build, m, dims1, dims2):
    """m(x1, x2) with every parameter loaded from pattern(): output, input and parameter gradients."""
    parameterized(method, title)
    print("        Bilinear layer = (Bilinear) %s.to(dtype);" % java_build)
    emit_load("layer", load(m))
    print("        Tensor x1 = tensor(dtype, 100, %s);" % dims_text(dims1))
    print("        Tensor x2 = tensor(dtype, 101, %s);" % dims_text(dims2))
    print("        Tensor y = layer.forward(x1, x2);")
    print("        backward(200, y);")
    x1 = tensor(100, *dims1)
    x2 = tensor(101, *dims2)
    y = m(x1, x2)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("gradient of input1", "x1.grad()", x1.grad)
    emit_values("gradient of input2", "x2.grad()", x2.grad)
    emit_grads("layer", m)
    print("    }")


def shuffled(groups):
    """ChannelShuffle as a view, transpose and reshape: PyTorch 1.13's own has no derivative."""
    def fn(v):
        expected = torch.nn.ChannelShuffle(groups)(v.detach())
        out = v.reshape(v.shape[0], groups, v.shape[1] // groups, -1).transpose(1, 2).reshape(v.shape)
        assert torch.equal(out.detach(), expected)
        return out
    return fn


print(HEADER)
print()
print("    // ---- Activations ----")
simple("gluOverTheLastAxisByDefault", "torch.nn.GLU()(3 * x)", "new GLU()", torch.nn.GLU(), [2, 6], 3.0)
simple("gluOverTheFirstAxis", "torch.nn.GLU(dim=0)(3 * x)", "new GLU(0)", torch.nn.GLU(dim=0), [4, 3], 3.0)
simple("logSigmoid", "torch.nn.LogSigmoid()(8 * x)", "new LogSigmoid()", torch.nn.LogSigmoid(), [2, 5], 8.0)
edges("logSigmoidIsStable", "torch.nn.LogSigmoid()", "new LogSigmoid()", torch.nn.LogSigmoid())
simple("softminOverAxisOne", "torch.nn.Softmin(dim=1)(3 * x)", "new Softmin(1)", torch.nn.Softmin(dim=1),
       [2, 3, 2], 3.0)
simple("softminOverTheLastAxisByDefault", "torch.nn.Softmin(dim=-1)(3 * x)", "new Softmin()",
       torch.nn.Softmin(dim=-1), [2, 3, 2], 3.0)
simple("softshrinkWithItsDefaultLambda", "torch.nn.Softshrink()(3 * x)", "new Softshrink()", torch.nn.Softshrink(),
       [2, 5], 3.0)
simple("softshrinkWithLambda", "torch.nn.Softshrink(1.2)(3 * x)", "new Softshrink(1.2)", torch.nn.Softshrink(1.2),
       [2, 5], 3.0)
edges("softshrinkTies", "torch.nn.Softshrink()", "new Softshrink()", torch.nn.Softshrink())
simple("hardshrinkWithItsDefaultLambda", "torch.nn.Hardshrink()(3 * x)", "new Hardshrink()", torch.nn.Hardshrink(),
       [2, 5], 3.0)
simple("hardshrinkWithLambda", "torch.nn.Hardshrink(1.2)(3 * x)", "new Hardshrink(1.2)", torch.nn.Hardshrink(1.2),
       [2, 5], 3.0)
edges("hardshrinkTies", "torch.nn.Hardshrink()", "new Hardshrink()", torch.nn.Hardshrink())
simple("tanhshrink", "torch.nn.Tanhshrink()(3 * x)", "new Tanhshrink()", torch.nn.Tanhshrink(), [2, 5], 3.0)
edges("tanhshrinkIsStable", "torch.nn.Tanhshrink()", "new Tanhshrink()", torch.nn.Tanhshrink())
simple("threshold", "torch.nn.Threshold(0.1, 20)(3 * x)", "new Threshold(0.1, 20)", torch.nn.Threshold(0.1, 20),
       [2, 5], 3.0)
edges("thresholdTie", "torch.nn.Threshold(0.25, -7)", "new Threshold(0.25, -7)", torch.nn.Threshold(0.25, -7))
simple("rreluInEvaluationWithItsDefaults", "torch.nn.RReLU().eval()(3 * x)", "new RReLU().eval()",
       torch.nn.RReLU().eval(), [2, 5], 3.0)
simple("rreluInEvaluationWithBounds", "torch.nn.RReLU(0.1, 0.3).eval()(3 * x)", "new RReLU(0.1, 0.3).eval()",
       torch.nn.RReLU(0.1, 0.3).eval(), [2, 5], 3.0)
edges("rreluInEvaluationAtZero", "torch.nn.RReLU().eval()", "new RReLU().eval()", torch.nn.RReLU().eval())

print()
print("    // ---- ChannelShuffle and LocalResponseNorm ----")
simple("channelShuffle", "torch.nn.ChannelShuffle(3)(x), its gradient through the same view and transpose",
       "new ChannelShuffle(3)", shuffled(3), [2, 6, 2], 1.0)
simple("channelShuffleOfImages", "torch.nn.ChannelShuffle(2)(x), its gradient through the same view and transpose",
       "new ChannelShuffle(2)", shuffled(2), [1, 4, 2, 3], 1.0)
simple("localResponseNormOfImages", "torch.nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0)(3 * x)",
       "new LocalResponseNorm(3, 0.5, 0.75, 1.0)", torch.nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0),
       [2, 5, 2, 3], 3.0)
simple("localResponseNormWithItsDefaultsOfSequences", "torch.nn.LocalResponseNorm(2)(30 * x)",
       "new LocalResponseNorm(2)", torch.nn.LocalResponseNorm(2), [2, 4, 3], 30.0)
simple("localResponseNormWiderThanTheChannels", "torch.nn.LocalResponseNorm(4, alpha=2.0, beta=0.5, k=0.5)(x)",
       "new LocalResponseNorm(4, 2.0, 0.5, 0.5)", torch.nn.LocalResponseNorm(4, alpha=2.0, beta=0.5, k=0.5),
       [1, 3, 2, 2, 2], 1.0)

print()
print("    // ---- CosineSimilarity and PairwiseDistance ----")
two_inputs("cosineSimilarityWithItsDefaults", "torch.nn.CosineSimilarity()(x1, x2)", "new CosineSimilarity()",
           torch.nn.CosineSimilarity(), [3, 4], [3, 4])
two_inputs("cosineSimilarityOverTheFirstAxis", "torch.nn.CosineSimilarity(dim=0)(x1, x2)",
           "new CosineSimilarity(0, 1e-8)", torch.nn.CosineSimilarity(dim=0), [4, 3], [4, 3])
two_inputs("cosineSimilarityBroadcasts", "torch.nn.CosineSimilarity(dim=-1)(x1, x2) of [2, 3, 4] and [3, 4]",
           "new CosineSimilarity(-1, 1e-8)", torch.nn.CosineSimilarity(dim=-1), [2, 3, 4], [3, 4])
two_inputs("cosineSimilarityClampsNormsBelowEps",
           "torch.nn.CosineSimilarity(dim=1, eps=0.5)(0.4 * x1, x2), some rows of x1 shorter than eps",
           "new CosineSimilarity(1, 0.5)", torch.nn.CosineSimilarity(dim=1, eps=0.5), [4, 3], [4, 3], 0.4)
two_inputs("pairwiseDistanceWithItsDefaults", "torch.nn.PairwiseDistance()(x1, x2)", "new PairwiseDistance()",
           torch.nn.PairwiseDistance(), [3, 4], [3, 4])
two_inputs("pairwiseDistanceL1KeepingTheAxis", "torch.nn.PairwiseDistance(p=1, keepdim=True)(x1, x2)",
           "new PairwiseDistance(1, 1e-6, true)", torch.nn.PairwiseDistance(p=1, keepdim=True), [3, 4], [3, 4])
two_inputs("pairwiseDistanceL3", "torch.nn.PairwiseDistance(p=3)(x1, x2)", "new PairwiseDistance(3, 1e-6, false)",
           torch.nn.PairwiseDistance(p=3), [3, 4], [3, 4])
two_inputs("pairwiseDistanceOfOrderOneHalfWithoutEps", "torch.nn.PairwiseDistance(p=0.5, eps=0)(x1, x2)",
           "new PairwiseDistance(0.5, 0, false)", torch.nn.PairwiseDistance(p=0.5, eps=0), [3, 4], [3, 4])
two_inputs("pairwiseDistanceInfinity", "torch.nn.PairwiseDistance(p=inf)(x1, x2)",
           "new PairwiseDistance(Double.POSITIVE_INFINITY, 1e-6, false)",
           torch.nn.PairwiseDistance(p=float("inf")), [3, 4], [3, 4])
two_inputs("pairwiseDistanceBroadcasts", "torch.nn.PairwiseDistance()(x1, x2) of [2, 3, 4] and [4]",
           "new PairwiseDistance()", torch.nn.PairwiseDistance(), [2, 3, 4], [4])
two_inputs("pairwiseDistanceOfVectorsIsAScalar", "torch.nn.PairwiseDistance()(x1, x2) of [5] and [5]",
           "new PairwiseDistance()", torch.nn.PairwiseDistance(), [5], [5])

print()
print("    // ---- Bilinear ----")
bilinear("bilinear", "torch.nn.Bilinear(3, 4, 2)(x1, x2)", "new Bilinear(3, 4, 2)", torch.nn.Bilinear(3, 4, 2),
         [5, 3], [5, 4])
bilinear("bilinearWithoutBiasKeepsTheLeadingAxes", "torch.nn.Bilinear(2, 3, 4, bias=False)(x1, x2)",
         "new Bilinear(2, 3, 4, false)", torch.nn.Bilinear(2, 3, 4, bias=False), [2, 3, 2], [2, 3, 3])
bilinear("bilinearOfOnePair", "torch.nn.Bilinear(3, 2, 2)(x1, x2) of [3] and [2]", "new Bilinear(3, 2, 2)",
         torch.nn.Bilinear(3, 2, 2), [3], [2])

print("}")
