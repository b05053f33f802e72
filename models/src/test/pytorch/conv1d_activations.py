"""Conv1d, MaxPool1d, AvgPool1d and the activations of Conv1dPoolingActivationPyTorchParityTest."""
from parity import *
import torch.nn.functional as Fn

# Large inputs of both signs, and the kinks of the piecewise activations (-3, -1, 0, 1, 3, 6, 20).
EXTREMES = [-100.0, -30.0, -20.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 20.0, 20.5, 30.0, 100.0]


def parameterized(method, title):
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")


def simple(method, title, java_build, fn, dims, scale):
    """fn(scale * x) for x = tensor(100, *dims): output and input gradient."""
    parameterized(method, title)
    print("        Tensor x = tensor(dtype, 100, %s);" % ", ".join(map(str, dims)))
    print("        Tensor y = %s;" % java_build)
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = fn(x * scale)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    end_test()


def extremes(method, title, java_module, fn):
    """fn at EXTREMES: output and input gradient."""
    parameterized(method, title + " at large inputs and at its kinks")
    print("        Tensor x = extremes(dtype);")
    print("        Tensor y = %s.forward(x);" % java_module)
    print("        backward(200, y);")
    x = torch.tensor(EXTREMES, requires_grad=True)
    y = fn(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    end_test()


def with_parameters(method, title, java_type, java_build, m, dims, scale=1.0):
    """m(scale * x) with every parameter loaded from pattern(): output, input and parameter gradients."""
    parameterized(method, title)
    print("        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, java_build))
    emit_load("layer", load(m))
    print("        Tensor x = tensor(dtype, 100, %s);" % ", ".join(map(str, dims)))
    print("        Tensor y = layer.forward(%s);" % ("x" if scale == 1.0 else "x.mul(%r)" % scale))
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x * scale)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    end_test()


print("    // ---- Conv1d ----")
print()
with_parameters("conv1dWithStridePaddingAndDilation",
                "torch.nn.Conv1d(3, 4, 3, stride=3, padding=1, dilation=2)(x)",
                "Conv1d", "new Conv1d(3, 4, 3, 3, 1, 2, true)",
                torch.nn.Conv1d(3, 4, 3, stride=3, padding=1, dilation=2), [2, 3, 10])
with_parameters("conv1dWithoutBias", "torch.nn.Conv1d(2, 3, 4, bias=False)(x)",
                "Conv1d", "Conv1d.builder(2, 3, 4).bias(false).build()",
                torch.nn.Conv1d(2, 3, 4, bias=False), [2, 2, 7])
with_parameters("conv1dSamePaddingKeepsTheLength", "torch.nn.Conv1d(2, 2, 5, padding='same')(x)",
                "Conv1d", 'Conv1d.builder(2, 2, 5).padding("same").build()',
                torch.nn.Conv1d(2, 2, 5, padding='same'), [1, 2, 6])

print("    // ---- MaxPool1d and AvgPool1d ----")
print()
simple("maxPool1dHalvesWithItsDefaultStride", "torch.nn.MaxPool1d(2)(3 * x)",
       "new MaxPool1d(2).forward(x.mul(3))", torch.nn.MaxPool1d(2), [2, 2, 7], 3.0)
simple("maxPool1dWithStrideAndPaddingNeverPicksThePadding", "torch.nn.MaxPool1d(3, stride=2, padding=1)(-3 * x)",
       "new MaxPool1d(3, 2, 1).forward(x.mul(-3))", torch.nn.MaxPool1d(3, stride=2, padding=1), [2, 3, 9], -3.0)
simple("maxPool1dCeilModeKeepsTheWindowHangingOverTheEnd", "torch.nn.MaxPool1d(2, stride=2, ceil_mode=True)(3 * x)",
       "new MaxPool1d(2, 2, 0, true).forward(x.mul(3))", torch.nn.MaxPool1d(2, stride=2, ceil_mode=True), [1, 2, 7], 3.0)
simple("avgPool1dAveragesNonOverlappingWindows", "torch.nn.AvgPool1d(4)(3 * x)",
       "new AvgPool1d(4).forward(x.mul(3))", torch.nn.AvgPool1d(4), [2, 2, 9], 3.0)
simple("avgPool1dWithPaddingCountsThePadding", "torch.nn.AvgPool1d(3, stride=2, padding=1)(3 * x)",
       "new AvgPool1d(3, 2, 1).forward(x.mul(3))", torch.nn.AvgPool1d(3, stride=2, padding=1), [2, 2, 9], 3.0)
simple("avgPool1dCeilModeWithoutCountingThePadding",
       "torch.nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)(3 * x)",
       "new AvgPool1d(3, 2, 1, true, false).forward(x.mul(3))",
       torch.nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [1, 2, 10], 3.0)

print("    // ---- Activations ----")
print()
with_parameters("preluSharesOneSlope", "torch.nn.PReLU()(3 * x)", "PReLU", "new PReLU()", torch.nn.PReLU(), [2, 5], 3.0)
with_parameters("preluHasOneSlopePerChannel", "torch.nn.PReLU(3)(3 * x)", "PReLU", "new PReLU(3)", torch.nn.PReLU(3),
                [2, 3, 4], 3.0)
extremes("preluWithItsDefaultSlope", "torch.nn.PReLU()", "new PReLU().to(dtype)", torch.nn.PReLU())
simple("softplusWithItsDefaults", "torch.nn.Softplus()(8 * x)", "new Softplus().forward(x.mul(8))",
       torch.nn.Softplus(), [2, 5], 8.0)
simple("softplusWithBetaAndThreshold", "torch.nn.Softplus(beta=2, threshold=5)(8 * x)",
       "new Softplus(2, 5).forward(x.mul(8))", torch.nn.Softplus(beta=2, threshold=5), [2, 5], 8.0)
extremes("softplusIsLinearAboveTheThresholdAndExpFarBelowZero", "torch.nn.Softplus()", "new Softplus()",
         torch.nn.Softplus())
simple("mish", "torch.nn.Mish()(8 * x)", "new Mish().forward(x.mul(8))", torch.nn.Mish(), [2, 5], 8.0)
extremes("mishIsStable", "torch.nn.Mish()", "new Mish()", torch.nn.Mish())
simple("hardswish", "torch.nn.Hardswish()(8 * x)", "new Hardswish().forward(x.mul(8))", torch.nn.Hardswish(),
       [2, 5], 8.0)
extremes("hardswishKinks", "torch.nn.Hardswish()", "new Hardswish()", torch.nn.Hardswish())
# PyTorch 1.13's float64 hardsigmoid backward multiplies by 1/6 rounded to float32; relu6(x + 3) / 6, its
# definition, gives the same values and exact gradients.
simple("hardsigmoid", "torch.nn.functional.relu6(8 * x + 3) / 6", "new Hardsigmoid().forward(x.mul(8))",
       lambda v: Fn.relu6(v + 3) / 6, [2, 5], 8.0)
extremes("hardsigmoidKinks", "torch.nn.functional.relu6(x + 3) / 6", "new Hardsigmoid()",
         lambda v: Fn.relu6(v + 3) / 6)
simple("selu", "torch.nn.SELU()(3 * x)", "new SELU().forward(x.mul(3))", torch.nn.SELU(), [2, 5], 3.0)
extremes("seluIsStable", "torch.nn.SELU()", "new SELU()", torch.nn.SELU())
simple("celuWithItsDefaultAlpha", "torch.nn.CELU()(3 * x)", "new CELU().forward(x.mul(3))", torch.nn.CELU(),
       [2, 5], 3.0)
simple("celuWithAlpha", "torch.nn.CELU(alpha=0.5)(3 * x)", "new CELU(0.5).forward(x.mul(3))",
       torch.nn.CELU(alpha=0.5), [2, 5], 3.0)
extremes("celuIsStable", "torch.nn.CELU(alpha=0.5)", "new CELU(0.5)", torch.nn.CELU(alpha=0.5))
simple("softsign", "torch.nn.Softsign()(8 * x)", "new Softsign().forward(x.mul(8))", torch.nn.Softsign(),
       [2, 5], 8.0)
extremes("softsignIsStable", "torch.nn.Softsign()", "new Softsign()", torch.nn.Softsign())
simple("hardtanhWithItsDefaults", "torch.nn.Hardtanh()(3 * x)", "new Hardtanh().forward(x.mul(3))",
       torch.nn.Hardtanh(), [2, 5], 3.0)
simple("hardtanhWithBounds", "torch.nn.Hardtanh(-2, 0.5)(3 * x)", "new Hardtanh(-2, 0.5).forward(x.mul(3))",
       torch.nn.Hardtanh(-2, 0.5), [2, 5], 3.0)
extremes("hardtanhKinks", "torch.nn.Hardtanh()", "new Hardtanh()", torch.nn.Hardtanh())
simple("relu6", "torch.nn.ReLU6()(16 * x)", "new ReLU6().forward(x.mul(16))", torch.nn.ReLU6(), [2, 5], 16.0)
extremes("relu6Kinks", "torch.nn.ReLU6()", "new ReLU6()", torch.nn.ReLU6())
simple("logSoftmaxOverTheLastAxisByDefault", "torch.nn.LogSoftmax(dim=-1)(3 * x)",
       "new LogSoftmax().forward(x.mul(3))", torch.nn.LogSoftmax(dim=-1), [2, 3, 2], 3.0)
simple("logSoftmaxOverTheFirstAxis", "torch.nn.LogSoftmax(dim=0)(3 * x)", "new LogSoftmax(0).forward(x.mul(3))",
       torch.nn.LogSoftmax(dim=0), [2, 3, 2], 3.0)
simple("identity", "torch.nn.Identity()(3 * x)", "new Identity().forward(x.mul(3))", torch.nn.Identity(), [2, 3],
       3.0)
