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
           "new InstanceNorm2d(2, 1e-3, 0.1, true, false)", torch.nn.InstanceNorm2d(2, eps=1e-3, affine=True), [2, 2, 3, 2])
layer_test("instanceNorm1dWithAffineMatchesPyTorch", "torch.nn.InstanceNorm1d(3, affine=True) on [2, 3, 5]",
           "new InstanceNorm1d(3, 1e-5, 0.1, true, false)", torch.nn.InstanceNorm1d(3, affine=True), [2, 3, 5])
layer_test("instanceNorm1dOfAnUnbatchedInputMatchesPyTorch", "torch.nn.InstanceNorm1d(3) on unbatched [3, 4]",
           "new InstanceNorm1d(3)", torch.nn.InstanceNorm1d(3), [3, 4])


def begin_tracking(method, title, java_build, m):
    name = java_build.split("(")[0].replace("new ", "")
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    first, rest = title.split("; ")
    print("        // " + first + ",")
    print("        //     " + rest + ", PyTorch 1.13")
    print("        %s layer = (%s) %s.to(dtype);" % (name, name, java_build))
    keys = load(m)
    if keys:
        emit_load("layer", keys)


def emit_buffers(m, when=""):
    emit_values("running_mean" + when, 'buffer(layer, "running_mean")', m.running_mean)
    emit_values("running_var" + when, 'buffer(layer, "running_var")', m.running_var)


def step(var, seed, dims):
    print("        Tensor %s = tensor(dtype, %d, %s);" % (var, seed, ", ".join(map(str, dims))))
    print("        Tensor %s = layer.forward(%s);" % (var.replace("x", "y"), var))
    return tensor(seed, *dims)


m = torch.nn.InstanceNorm1d(3, momentum=0.3, affine=True, track_running_stats=True)
begin_tracking("instanceNorm1dTrackingRunningStatsTwoTrainingStepsThenEvalMatchPyTorch",
               "torch.nn.InstanceNorm1d(3, momentum=0.3, affine=True, track_running_stats=True); two steps in "
               "training mode, then one in eval mode",
               "new InstanceNorm1d(3, 1e-5, 0.3, true, true)", m)
x1 = step("x1", 100, [2, 3, 4])
y1 = m(x1)
emit_buffers(m, " after one step")
x2 = step("x2", 101, [2, 3, 4])
y2 = m(x2)
print("        layer.eval();")
m.eval()
x3 = step("x3", 102, [2, 3, 4])
y3 = m(x3)
print("        backward(200, y1, y2, y3);")
backward([y1, y2, y3], [200, 201, 202])
print()
emit_values("first output", "y1", y1)
emit_values("second output", "y2", y2)
emit_values("eval output", "y3", y3)
emit_values("first input gradient", "x1.grad()", x1.grad)
emit_values("second input gradient", "x2.grad()", x2.grad)
emit_values("eval input gradient", "x3.grad()", x3.grad)
emit_grads("layer", m)
emit_buffers(m, " after two steps")
print('        assertEquals(%d, buffer(layer, "num_batches_tracked").toLongArray()[0]);' % m.num_batches_tracked.item())
end_test()

m = torch.nn.InstanceNorm2d(2, eps=1e-3, track_running_stats=True)
begin_tracking("instanceNorm2dTrackingRunningStatsTrainingThenEvalOfAnUnbatchedInputMatchPyTorch",
               "torch.nn.InstanceNorm2d(2, eps=1e-3, track_running_stats=True); one step in training mode, then "
               "one in eval mode on an unbatched input",
               "new InstanceNorm2d(2, 1e-3, 0.1, false, true)", m)
x1 = step("x1", 100, [3, 2, 2, 3])
y1 = m(x1)
print("        layer.eval();")
m.eval()
x2 = step("x2", 101, [2, 3, 1])
y2 = m(x2)
print("        backward(200, y1, y2);")
backward([y1, y2], [200, 201])
print()
emit_values("training output", "y1", y1)
emit_values("eval output", "y2", y2)
emit_values("training input gradient", "x1.grad()", x1.grad)
emit_values("eval input gradient", "x2.grad()", x2.grad)
emit_buffers(m)
print('        assertEquals(%d, buffer(layer, "num_batches_tracked").toLongArray()[0]);' % m.num_batches_tracked.item())
end_test()
