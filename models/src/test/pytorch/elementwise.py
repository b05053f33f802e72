from parity import *
import torch.nn.functional as Fn


def simple(method, title, java_build, fn, dims, scale=3.0):
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
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


simple("geluIsTheExactOne", "torch.nn.GELU()(3 * x)", "new GELU().forward(x.mul(3))", torch.nn.GELU(), [2, 5])
simple("geluWithTheTanhApproximation", "torch.nn.GELU(approximate='tanh')(8 * x)",
       'new GELU("tanh").forward(x.mul(8))', torch.nn.GELU(approximate='tanh'), [2, 5], scale=8.0)
simple("siluIsXTimesSigmoidOfX", "torch.nn.SiLU()(8 * x)", "new SiLU().forward(x.mul(8))", torch.nn.SiLU(), [2, 5], scale=8.0)
simple("eluWithDefaultAlpha", "torch.nn.ELU()(3 * x)", "new ELU().forward(x.mul(3))", torch.nn.ELU(), [2, 5])
simple("eluWithAlpha", "torch.nn.ELU(alpha=0.7)(3 * x)", "new ELU(0.7).forward(x.mul(3))", torch.nn.ELU(alpha=0.7), [2, 5])
simple("leakyReluWithDefaultSlope", "torch.nn.LeakyReLU()(3 * x)", "new LeakyReLU().forward(x.mul(3))",
       torch.nn.LeakyReLU(), [2, 5])
simple("leakyReluWithSlope", "torch.nn.LeakyReLU(0.2)(3 * x)", "new LeakyReLU(0.2).forward(x.mul(3))",
       torch.nn.LeakyReLU(0.2), [2, 5])
simple("softmaxOverTheFirstAxis", "torch.nn.Softmax(dim=0)(3 * x)", "new Softmax(0).forward(x.mul(3))",
       torch.nn.Softmax(dim=0), [2, 3, 2])
simple("softmaxOverTheMiddleAxis", "torch.nn.Softmax(dim=1)(3 * x)", "new Softmax(1).forward(x.mul(3))",
       torch.nn.Softmax(dim=1), [2, 3, 2])
simple("softmaxOverTheLastAxisByDefault", "torch.nn.Softmax(dim=-1)(3 * x)", "new Softmax().forward(x.mul(3))",
       torch.nn.Softmax(dim=-1), [2, 3, 2])
simple("logSoftmaxOverTheMiddleAxis", "torch.nn.LogSoftmax(dim=1)(3 * x)", "F.logSoftmax(x.mul(3), 1)",
       torch.nn.LogSoftmax(dim=1), [2, 3, 2])
simple("avgPoolWithPaddingCountsThePadding",
       "torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True)(3 * x)",
       "new AvgPool2d(3, 2, 1).forward(x.mul(3))",
       torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True), [1, 2, 5, 4])
simple("avgPoolOverlapping", "torch.nn.AvgPool2d(2, stride=1)(3 * x)", "new AvgPool2d(2, 1).forward(x.mul(3))",
       torch.nn.AvgPool2d(2, stride=1), [1, 1, 3, 4])
simple("maxPoolWithPaddingNeverPicksThePadding", "torch.nn.MaxPool2d(3, stride=2, padding=1)(-3 * x)",
       "new MaxPool2d(3, 2, 1).forward(x.mul(-3))",
       torch.nn.MaxPool2d(3, stride=2, padding=1), [1, 2, 5, 4], scale=-3.0)
simple("maxPoolWithEvenKernelAndPadding", "torch.nn.MaxPool2d(2, stride=2, padding=1)(3 * x)",
       "new MaxPool2d(2, 2, 1).forward(x.mul(3))",
       torch.nn.MaxPool2d(2, stride=2, padding=1), [1, 1, 3, 4])
simple("maxPoolCeilModeKeepsTheWindowsHangingOverTheEdge",
       "torch.nn.MaxPool2d(2, stride=2, ceil_mode=True)(3 * x)",
       "new MaxPool2d(2, 2, 0, true).forward(x.mul(3))",
       torch.nn.MaxPool2d(2, stride=2, ceil_mode=True), [1, 2, 5, 5])
simple("maxPoolCeilModeWithPadding",
       "torch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)(-3 * x)",
       "new MaxPool2d(3, 2, 1, true).forward(x.mul(-3))",
       torch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [1, 2, 6, 5], scale=-3.0)
simple("maxPoolCeilModeDropsAWindowThatWouldStartInThePadding",
       "torch.nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True)(3 * x)",
       "new MaxPool2d(2, 2, 1, true).forward(x.mul(3))",
       torch.nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True), [1, 1, 5, 7])
simple("avgPoolCeilModeDividesTheLastWindowsByWhatTheyCover",
       "torch.nn.AvgPool2d(2, stride=2, ceil_mode=True)(3 * x)",
       "new AvgPool2d(2, 2, 0, true, true).forward(x.mul(3))",
       torch.nn.AvgPool2d(2, stride=2, ceil_mode=True), [1, 2, 5, 5])
simple("avgPoolCeilModeCountsThePaddingButNotTheOverhang",
       "torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)(3 * x)",
       "new AvgPool2d(3, 2, 1, true, true).forward(x.mul(3))",
       torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), [1, 2, 6, 5])
simple("avgPoolWithoutCountingThePadding",
       "torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)(3 * x)",
       "new AvgPool2d(3, 2, 1, false, false).forward(x.mul(3))",
       torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [1, 2, 5, 4])
simple("avgPoolCeilModeWithoutCountingThePadding",
       "torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)(3 * x)",
       "new AvgPool2d(3, 2, 1, true, false).forward(x.mul(3))",
       torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [1, 1, 6, 8])
simple("avgPoolCeilModeDropsAWindowThatWouldStartInThePadding",
       "torch.nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False)(3 * x)",
       "new AvgPool2d(2, 2, 1, true, false).forward(x.mul(3))",
       torch.nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [1, 1, 5, 7])

# Embedding with a padding row
m = torch.nn.Embedding(5, 3, padding_idx=1)
print("    @Test")
print("    void embeddingPaddingRowGetsNoGradient() {")
print("        // torch.nn.Embedding(5, 3, padding_idx=1), PyTorch 1.13")
print("        Embedding layer = (Embedding) new Embedding(5, 3, 1).to(DType.F64);")
emit_load("layer", load(m))
idx = torch.tensor([[0, 1, 2], [1, 4, 0]])
print("        Tensor y = layer.forward(Tensor.fromArray(new long[] {0, 1, 2, 1, 4, 0}, 2, 3));")
print("        backward(200, y);")
y = m(idx)
backward([y], [200])
print()
emit_values("output", "y", y)
emit_grads("layer", m)
end_test()
m = torch.nn.Embedding(5, 3, padding_idx=-2)
print("    @Test")
print("    void embeddingNegativePaddingIndexCountsFromTheEnd() {")
print("        // torch.nn.Embedding(5, 3, padding_idx=-2), PyTorch 1.13")
print("        Embedding layer = (Embedding) new Embedding(5, 3, -2).to(DType.F64);")
emit_load("layer", load(m))
print("        Tensor y = layer.forward(Tensor.fromArray(new long[] {0, 3, 2, 3, 4, 0}, 2, 3));")
print("        backward(200, y);")
y = m(torch.tensor([[0, 3, 2], [3, 4, 0]]))
backward([y], [200])
print()
emit_values("output", "y", y)
emit_grads("layer", m)
end_test()
