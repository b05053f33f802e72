from parity import *


def header(method, title, java_build, m):
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s layer = (%s) %s.to(DType.F64);" % (type(m).__name__, type(m).__name__, java_build))
    emit_load("layer", load(m))


def buffers(m, when=""):
    emit_values("running_mean" + when, 'buffer(layer, "running_mean")', m.running_mean)
    emit_values("running_var" + when, 'buffer(layer, "running_var")', m.running_var)


# BatchNorm1d: two training steps
m = torch.nn.BatchNorm1d(3)
header("batchNorm1dTwoTrainingStepsMatchPyTorch", "torch.nn.BatchNorm1d(3), two steps in training mode",
       "new BatchNorm1d(3)", m)
x1 = tensor(100, 4, 3)
x2 = tensor(101, 4, 3)
print("        Tensor x1 = tensor(100, 4, 3);")
print("        Tensor y1 = layer.forward(x1);")
y1 = m(x1)
buffers(m, " after one step")
print("        Tensor x2 = tensor(101, 4, 3);")
print("        Tensor y2 = layer.forward(x2);")
print("        backward(200, y1, y2);")
y2 = m(x2)
backward([y1, y2], [200, 201])
print()
emit_values("first output", "y1", y1)
emit_values("second output", "y2", y2)
emit_values("first input gradient", "x1.grad()", x1.grad)
emit_values("second input gradient", "x2.grad()", x2.grad)
emit_grads("layer", m)
buffers(m, " after two steps")
print('        assertEquals(%d, buffer(layer, "num_batches_tracked").toLongArray()[0]);' % m.num_batches_tracked.item())
end_test()

# BatchNorm2d: one training step, then eval
m = torch.nn.BatchNorm2d(2, eps=1e-3, momentum=0.3)
header("batchNorm2dTrainingThenEvalMatchPyTorch",
       "torch.nn.BatchNorm2d(2, eps=1e-3, momentum=0.3), one step in training mode, then one in eval mode",
       "new BatchNorm2d(2, 1e-3, 0.3)", m)
x1 = tensor(100, 2, 2, 2, 3)
x2 = tensor(101, 2, 2, 2, 3)
print("        Tensor x1 = tensor(100, 2, 2, 2, 3);")
print("        Tensor y1 = layer.forward(x1);")
print("        layer.eval();")
print("        Tensor x2 = tensor(101, 2, 2, 2, 3);")
print("        Tensor y2 = layer.forward(x2);")
print("        backward(200, y1, y2);")
y1 = m(x1)
m.eval()
y2 = m(x2)
backward([y1, y2], [200, 201])
print()
emit_values("training output", "y1", y1)
emit_values("eval output", "y2", y2)
emit_values("training input gradient", "x1.grad()", x1.grad)
emit_values("eval input gradient", "x2.grad()", x2.grad)
emit_grads("layer", m)
buffers(m)
print('        assertEquals(%d, buffer(layer, "num_batches_tracked").toLongArray()[0]);' % m.num_batches_tracked.item())
end_test()

m = torch.nn.LayerNorm(4, eps=1e-3)
header("layerNormMatchesPyTorch", "torch.nn.LayerNorm(4, eps=1e-3)", "new LayerNorm(4, 1e-3)", m)
x = tensor(100, 2, 3, 4)
print("        Tensor x = tensor(100, 2, 3, 4);")
print("        Tensor y = layer.forward(x);")
print("        backward(200, y);")
y = m(x)
backward([y], [200])
print()
emit_values("output", "y", y)
emit_values("input gradient", "x.grad()", x.grad)
emit_grads("layer", m)
end_test()
