"""Exports tiny_cnn.onnx (models/src/test/resources/onnx/) with torch.onnx.export at opset 17 and a dynamic batch axis,
weights from parity.py's pattern, and prints the facts OnnxProtoPyTorchFileTest checks: the nodes, the initializers'
names and shapes, the first values of each, and the output for the pattern input of batch 2."""
import os
import torch
import parity

torch.set_default_dtype(torch.float32)
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.BatchNorm2d(2), torch.nn.LeakyReLU(0.125), torch.nn.Flatten(),
    torch.nn.Linear(2 * 4 * 4, 3), torch.nn.Softmax(dim=1))
parity.load(model)
with torch.no_grad():
    model[1].running_mean.copy_(torch.tensor([0.1, -0.2]))
    model[1].running_var.copy_(torch.tensor([1.5, 0.5]))
model.eval()
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "resources", "onnx", "tiny_cnn.onnx")
# Evaluation-mode export folds the BatchNorm2d into the Conv.
torch.onnx.export(model, torch.zeros(1, 1, 4, 4), out, opset_version=17, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                  training=torch.onnx.TrainingMode.EVAL)
import onnx
import onnx.numpy_helper
m = onnx.load(out)
print("ir_version", m.ir_version, "opset", [(o.domain, o.version) for o in m.opset_import], m.producer_name,
      m.producer_version)
for n in m.graph.node:
    print("node", n.op_type, list(n.input), list(n.output),
          [(a.name, onnx.helper.get_attribute_value(a)) for a in n.attribute])
for t in m.graph.initializer:
    a = onnx.numpy_helper.to_array(t)
    print("init", t.name, t.data_type, list(t.dims), a.reshape(-1)[:3].tolist())
for v in list(m.graph.input) + list(m.graph.output):
    print("io", v.name, v.type.tensor_type.elem_type,
          [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
x = parity.pattern(2 * 16, 7).float().reshape(2, 1, 4, 4)
print("output", model(x).detach().reshape(-1).tolist())
