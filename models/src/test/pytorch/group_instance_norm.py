from parity import *


def layer_test(method, title, java_build, m, dims, scale=1.0):
    """A parameterized F32/F64 test: the layer's output, input gradient and parameter gradients for x * scale."""
    name = java_build.split("(")[0].replace("new ", "")
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s layer = (%s) %s.to(dtype);" % (name, name, java_build))
    keys = load(m)
    if keys:
        emit_load("layer", keys)
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


layer_test("groupNormOfImagesMatchesPyTorch", "torch.nn.GroupNorm(2, 4, eps=1e-3) on [2, 4, 2, 3]",
           "new GroupNorm(2, 4, 1e-3, true)", torch.nn.GroupNorm(2, 4, eps=1e-3), [2, 4, 2, 3])
layer_test("groupNormOfSequencesWithoutAffineMatchesPyTorch",
           "torch.nn.GroupNorm(3, 6, affine=False) on [2, 6, 3] times 3",
           "new GroupNorm(3, 6, 1e-5, false)", torch.nn.GroupNorm(3, 6, affine=False), [2, 6, 3], scale=3.0)
layer_test("groupNormWithOneGroupPerChannelMatchesPyTorch", "torch.nn.GroupNorm(3, 3) on [2, 3, 4]",
           "new GroupNorm(3, 3)", torch.nn.GroupNorm(3, 3), [2, 3, 4])
layer_test("instanceNorm2dWithPyTorchsDefaultsMatchesPyTorch", "torch.nn.InstanceNorm2d(3) on [2, 3, 2, 3] times 3",
           "new InstanceNorm2d(3)", torch.nn.InstanceNorm2d(3), [2, 3, 2, 3], scale=3.0)
layer_test("instanceNorm2dWithAffineMatchesPyTorch", "torch.nn.InstanceNorm2d(2, eps=1e-3, affine=True) on [2, 2, 3, 2]",
           "new InstanceNorm2d(2, 1e-3, true, false)", torch.nn.InstanceNorm2d(2, eps=1e-3, affine=True), [2, 2, 3, 2])
layer_test("instanceNorm1dWithAffineMatchesPyTorch", "torch.nn.InstanceNorm1d(3, affine=True) on [2, 3, 5]",
           "new InstanceNorm1d(3, 1e-5, true, false)", torch.nn.InstanceNorm1d(3, affine=True), [2, 3, 5])
layer_test("instanceNorm1dOfAnUnbatchedInputMatchesPyTorch", "torch.nn.InstanceNorm1d(3) on unbatched [3, 4]",
           "new InstanceNorm1d(3)", torch.nn.InstanceNorm1d(3), [3, 4])
