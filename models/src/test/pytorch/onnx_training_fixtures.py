"""Exports the fixtures of models' OnnxTrainingModeTest into models/src/test/resources/onnx/ (import_train_bn.onnx and
import_eval_bn.onnx) and prints OnnxTrainingFixtures.java: what PyTorch 1.13 computes in training mode for each
(float32).

train_bn: Conv -> BatchNorm -> ReLU -> Dropout(p=0) -> Linear exported with training=TrainingMode.TRAINING at opset 14
(BatchNormalization with training_mode 1, Dropout with its ratio and training_mode inputs). eval_bn: Conv -> ReLU ->
BatchNorm -> Linear exported in evaluation mode at opset 13 with constant folding (a BatchNorm right after a Conv is
folded into it by the export, and Dropout left out, so the BatchNorm follows the ReLU here).

For each, on parity.pattern(64, 7) as [4, 1, 4, 4]: the evaluation-mode output, the training-mode output, the gradient of
sum(output * pattern(seed 11)) in the input, the running mean and variance after that forward pass, and the
evaluation-mode output after one SGD step (lr 0.1) on that loss."""
import os
import sys
import torch
import torch.nn as nn
import onnx
from onnx import numpy_helper
import parity

torch.set_default_dtype(torch.float32)
torch.manual_seed(0)


class TrainBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.drop = nn.Dropout(0.0)
        self.fc = nn.Linear(48, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.drop(torch.relu(self.bn(self.conv(x)))), 1))


class EvalBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(48, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.bn(torch.relu(self.conv(x))), 1))


def prepared(cls):
    model = cls()
    parity.load(model)
    with torch.no_grad():
        model.bn.running_mean.copy_(parity.pattern(3, 20).float())
        model.bn.running_var.copy_(1 + parity.pattern(3, 30).float().abs())
    return model


def export(model, path, training):
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model.train(training)
    if training:
        torch.onnx.export(model, torch.zeros(4, 1, 4, 4), path, opset_version=14, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.TRAINING, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    else:
        torch.onnx.export(model, torch.zeros(4, 1, 4, 4), path, opset_version=13, do_constant_folding=True,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    # Tracing in training mode runs the BatchNorm once, and the file holds the running statistics it updated: the
    # numbers below start from what the file holds.
    for t in onnx.load(path).graph.initializer:
        state[t.name] = torch.from_numpy(numpy_helper.to_array(t).copy())
    model.load_state_dict(state)


def literal(name, values):
    return "    static final double[] %s = {\n            %s};" % (name, parity.fmt(values.detach().reshape(-1))
                                                                .replace("\n    ", "\n"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    print("package dev.kiln.onnx.importer;")
    print()
    print("/** Printed by models/src/test/pytorch/onnx_training_fixtures.py (PyTorch 1.13, float32): each fixture in")
    print(" * training mode on parity.pattern(64, 7) as [4, 1, 4, 4]. */")
    print("final class OnnxTrainingFixtures {")
    print("    private OnnxTrainingFixtures() {")
    print("    }")
    for name, cls, training in [("train_bn", TrainBn, True), ("eval_bn", EvalBn, False)]:
        model = prepared(cls)
        path = os.path.join(here, "..", "resources", "onnx", "import_%s.onnx" % name)
        export(model, path, training)
        x = parity.pattern(64, 7).float().reshape(4, 1, 4, 4).requires_grad_(True)
        upper = name.upper()
        print()
        model.eval()
        print(literal(upper + "_EVAL_OUTPUT", model(x)))
        model.train()
        out = model(x)
        (out * parity.pattern(out.numel(), 11).float().reshape(out.shape)).sum().backward()
        print(literal(upper + "_OUTPUT", out))
        print(literal(upper + "_INPUT_GRADIENT", x.grad))
        print(literal(upper + "_RUNNING_MEAN", model.bn.running_mean))
        print(literal(upper + "_RUNNING_VAR", model.bn.running_var))
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        model.eval()
        print(literal(upper + "_EVAL_OUTPUT_AFTER_STEP", model(x)))
        m = onnx.load(path)
        onnx.checker.check_model(m)
        print(name, os.path.getsize(path), [(n.op_type, [(a.name, onnx.helper.get_attribute_value(a))
                                             for a in n.attribute if a.name != "value"]) for n in m.graph.node],
              file=sys.stderr)
    print("}")


main()
