"""Prints BCEWithLogitsWeightPyTorchParityTest: BCEWithLogitsLoss's per-element `weight`, broadcast to the input
(over the last axis, per sample, and of the input's own shape), alone and with pos_weight, in each reduction; the loss
and its inputs' gradients of a weighted sum of the loss, in F64 (run with /usr/bin/python3, which has torch 1.13, and
redirect into the test's file).
"""
import torch.nn as nn
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BCEWithLogitsLoss}'s per-element weight against PyTorch 1.13 (numbers printed by
 * {@code models/src/test/pytorch/bce_weight.py}): a weight over the last axis, one per sample and one of the input's
 * shape, alone and beside pos_weight, in each reduction; the loss, its shape, and the gradients of the logits and (where
 * it requires one) the target, of a weighted sum of the loss (see {@link PyTorchParity}).
 */
class BCEWithLogitsWeightPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Positive values {@code pattern + 1}, shaped {@code dims}. */
    private static Tensor positive(DType dtype, int seed, int... dims) {
        return values(seed, dims).add(1).to(dtype);
    }

    /** Values in [0, 1]: {@code pattern + 0.5}, shaped {@code dims}. */
    private static Tensor unitInterval(DType dtype, int seed, int... dims) {
        return values(seed, dims).add(0.5).to(dtype);
    }
'''


def dims(shape):
    return "".join(", %d" % d for d in shape)


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Input:
    """A tensor both sides build alike: its Python value and the Java expression that makes it."""

    def __init__(self, value, java, grad=False):
        self.value, self.java, self.grad = value, java, grad


def leaf(seed, *shape):
    return Input(tensor(seed, *shape), "tensor(dtype, %d%s)" % (seed, dims(shape)), grad=True)


def positive(seed, *shape):
    return Input(pattern(count(shape), seed).reshape(shape) + 1, "positive(dtype, %d%s)" % (seed, dims(shape)))


def unit_interval(seed, *shape, grad=False):
    value = (pattern(count(shape), seed).reshape(shape) + 0.5).requires_grad_(grad)
    java = "unitInterval(dtype, %d%s)" % (seed, dims(shape))
    return Input(value, java + (".requiresGrad(true)" if grad else ""), grad=grad)


def case(method, comment, inputs, java_loss, torch_loss):
    """One test: inputs (a dict of name to Input, in order), the Java loss expression over their names, and the same
    loss in torch over their values."""
    out = torch_loss(**{name: i.value for name, i in inputs.items()})
    backward([out], [200])
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // %s, PyTorch 1.13" % comment)
    for name, i in inputs.items():
        print("        Tensor %s = %s;" % (name, i.java))
    print("        Tensor loss = %s;" % java_loss)
    print("        backward(200, loss);")
    print()
    print("        assertArrayEquals(new int[] {%s}, loss.shape().dims());" % ", ".join(map(str, out.shape)))
    emit_values("loss", "loss", out)
    for name, i in inputs.items():
        if i.grad:
            emit_values("gradient of %s" % name, "%s.grad()" % name, i.value.grad)
    print("    }")


REDUCTIONS = [("Mean", "mean", "MEAN"), ("Sum", "sum", "SUM"), ("None", "none", "NONE")]

print(HEADER, end="")

# ---- weight [3] over the last axis of [2, 2, 3], each reduction ----
for title, r, java_r in REDUCTIONS:
    case("weightOverTheLastAxis" + title,
         "torch.nn.BCEWithLogitsLoss(weight=w, reduction='%s')(x, y) on [2, 2, 3], w = pattern(3, 104) + 1" % r,
         {"x": leaf(100, 2, 2, 3), "y": unit_interval(103, 2, 2, 3), "w": positive(104, 3)},
         "new BCEWithLogitsLoss(w, null, Reduction.%s).compute(x, y)" % java_r,
         lambda x, y, w: nn.BCEWithLogitsLoss(weight=w, reduction=r)(x, y))

# ---- one weight per sample, [2, 1, 1] over [2, 2, 3], and the target's gradient ----
case("weightPerSampleWithTheTargetsGradient",
     "torch.nn.BCEWithLogitsLoss(weight=w)(x, y) on [2, 2, 3], w = pattern(2, 105) + 1 as [2, 1, 1]",
     {"x": leaf(100, 2, 2, 3), "y": unit_interval(103, 2, 2, 3, grad=True), "w": positive(105, 2, 1, 1)},
     "new BCEWithLogitsLoss(w, null, Reduction.MEAN).compute(x, y)",
     lambda x, y, w: nn.BCEWithLogitsLoss(weight=w)(x, y))

# ---- weight of the input's shape beside pos_weight [3] ----
for title, r, java_r in [("Mean", "mean", "MEAN"), ("None", "none", "NONE")]:
    case("weightOfTheInputsShapeWithPosWeight" + title,
         "torch.nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction='%s')(x, y) on [2, 2, 3], "
         "w = pattern(12, 106) + 1 as [2, 2, 3], pw = pattern(3, 101) + 1" % r,
         {"x": leaf(100, 2, 2, 3), "y": unit_interval(103, 2, 2, 3, grad=True), "w": positive(106, 2, 2, 3),
          "pw": positive(101, 3)},
         "new BCEWithLogitsLoss(w, pw, Reduction.%s).compute(x, y)" % java_r,
         lambda x, y, w, pw: nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction=r)(x, y))
print("}")
