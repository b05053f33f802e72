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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BCEWithLogitsLoss}'s per-element weight against PyTorch 1.13 (numbers printed by
 * {@code models/src/test/pytorch/bce_weight.py}): a weight over the last axis, one per sample and one of the input's
 * shape, alone and beside pos_weight, in each reduction; the loss, its shape, and the gradients of the logits and
 * (where it requires one) the target, of a weighted sum of the loss (see {@link PyTorchParity}), in F32 and F64.
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

    /** Positive values {@code pattern(seed) + 1}, shaped {@code dims}: a weight or a pos_weight. */
    record Positive(int seed, int... dims) {
        Tensor of(DType dtype) {
            return values(seed, dims).add(1).to(dtype);
        }
    }

    /**
     * The loss with {@code weight} and {@code posWeight} (null: none) in {@code reduction}, on logits x =
     * {@code pattern(100)} and targets y = {@code pattern(103) + 0.5}, both [2, 2, 3], and what PyTorch gave: the
     * loss's shape and values and the gradients of x and of y (null: y requires none).
     */
    record Case(String name, Positive weight, Positive posWeight, Reduction reduction, int[] lossShape,
                double[] loss, double[] gradientOfX, double[] gradientOfY) {
        @Override
        public String toString() {
            return name;
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void lossAndGradientsAreAsInPyTorch(Case c, DType dtype) {
        Tensor x = tensor(dtype, 100, 2, 2, 3);
        Tensor y = values(103, 2, 2, 3).add(0.5).to(dtype).requiresGrad(c.gradientOfY() != null);
        Tensor pw = c.posWeight() == null ? null : c.posWeight().of(dtype);
        Tensor loss = new BCEWithLogitsLoss(c.weight().of(dtype), pw, c.reduction()).compute(x, y);
        backward(200, loss);

        assertArrayEquals(c.lossShape(), loss.shape().dims());
        assertValues("loss", loss, c.loss());
        assertValues("gradient of x", x.grad(), c.gradientOfX());
        if (c.gradientOfY() != null) {
            assertValues("gradient of y", y.grad(), c.gradientOfY());
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of('''

FOOTER = '''        ).flatMap(c -> Stream.of(Arguments.of(c, DType.F32), Arguments.of(c, DType.F64)));
    }
}'''

CASE_INDENT = 16
WIDTH = 120


def dims(shape):
    return "".join(", %d" % d for d in shape)


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def positive(seed, *shape):
    """pattern(seed) + 1 shaped shape, and the Java expression that makes it."""
    return pattern(count(shape), seed).reshape(shape) + 1, "new Positive(%d%s)" % (seed, dims(shape))


def doubles(t):
    """A Java double[] of t's values, wrapped within WIDTH columns, its continuation lines 8 deeper than a case."""
    line = " " * (CASE_INDENT + 8) + "new double[] {"
    lines = []
    for v in t.detach().reshape(-1):
        part = repr(float(v)) + ", "
        if len(line) + len(part) > WIDTH + 1:
            lines.append(line.rstrip())
            line = " " * (CASE_INDENT + 16)
        line += part
    lines.append(line[:-2] + "}")
    return "\n".join(lines)


cases = []


def case(name, comment, weight, pos_weight, reduction, target_grad):
    """One case: weight and pos_weight (None: none) as positive() gives them, the reduction, and whether the target
    requires a gradient."""
    x = tensor(100, 2, 2, 3)
    y = (pattern(12, 103).reshape(2, 2, 3) + 0.5).requires_grad_(target_grad)
    out = nn.BCEWithLogitsLoss(weight=weight[0], pos_weight=None if pos_weight is None else pos_weight[0],
                               reduction=reduction)(x, y)
    backward([out], [200])
    indent = " " * CASE_INDENT
    head = "%snew Case(\"%s\",\n%s        %s, %s, Reduction.%s, new int[] {%s}," % (
        indent, name, indent, weight[1], "null" if pos_weight is None else pos_weight[1], reduction.upper(),
        ", ".join(map(str, out.shape)))
    grads = [doubles(x.grad), doubles(y.grad) if target_grad else " " * (CASE_INDENT + 8) + "null"]
    cases.append("%s// %s, PyTorch 1.13\n%s\n%s,\n%s,\n%s)" % (
        indent, comment, head, doubles(out), grads[0], grads[1]))


# ---- weight [3] over the last axis of [2, 2, 3], each reduction ----
for r in ["mean", "sum", "none"]:
    case("weight over the last axis, " + r,
         "torch.nn.BCEWithLogitsLoss(weight=w, reduction='%s')(x, y), w = pattern(3, 104) + 1" % r,
         positive(104, 3), None, r, False)

# ---- one weight per sample, [2, 1, 1] over [2, 2, 3], and the target's gradient ----
case("weight per sample, with the target's gradient",
     "torch.nn.BCEWithLogitsLoss(weight=w)(x, y), w = pattern(2, 105) + 1 as [2, 1, 1]",
     positive(105, 2, 1, 1), None, "mean", True)

# ---- weight of the input's shape beside pos_weight [3] ----
for r in ["mean", "none"]:
    case("weight of the input's shape with pos_weight, " + r,
         "torch.nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction='%s')(x, y),\n%s// w = pattern(12, 106) + 1 "
         "as [2, 2, 3], pw = pattern(3, 101) + 1" % (r, " " * CASE_INDENT),
         positive(106, 2, 2, 3), positive(101, 3), r, True)

print(HEADER)
print(",\n".join(cases))
print(FOOTER)
