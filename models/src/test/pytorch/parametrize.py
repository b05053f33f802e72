"""Prints ParametrizePyTorchParityTest: torch.nn.utils.parametrize with a chain of two parametrizations on Linear."""
from parity import *
import torch.nn as nn
import torch.nn.utils.parametrize as P

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.ParametrizationExamples.RowScale;
import dev.kiln.nn.ParametrizationExamples.Symmetric;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Parametrize} against PyTorch 1.13's own numbers (printed by {@code models/src/test/pytorch/parametrize.py}):
 * {@code register_parametrization} of {@code Symmetric} (PyTorch's documented example, with its right inverse) and then
 * {@code RowScale} (a trained scale per row) on a Linear's weight, with the parameters under PyTorch's names loaded
 * from the pattern (see {@link PyTorchParity}): the original the right inverse leaves, outputs, the parametrized weight,
 * the gradients of the input, the original and the chain's own parameter, two SGD steps, the state-dict keys, and the
 * weight that removing the chain leaves, parametrized or not.
 */
class ParametrizePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Linear(3, 3) with weight and bias from the pattern of seeds 1 and 2, its weight then parametrized. */
    private static Linear chained(DType dtype) {
        Linear layer = new Linear(3, 3);
        layer.to(dtype);
        load(layer,
                key("weight", 1, 3, 3),
                key("bias", 2, 3));
        Parametrize.registerParametrization(layer, "weight", new Symmetric());
        Parametrize.registerParametrization(layer, "weight", new RowScale(3).to(dtype));
        return layer;
    }
'''


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).T

    def right_inverse(self, A):
        return A.triu()


class RowScale(nn.Module):
    def __init__(self, rows):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(rows, 1))

    def forward(self, X):
        return X * self.scale


def java_list(strings):
    return "List.of(" + ", ".join('"%s"' % s for s in strings) + ")"


def chained():
    m = nn.Linear(3, 3)
    with torch.no_grad():
        m.weight.copy_(pattern(9, 1).reshape(3, 3))
        m.bias.copy_(pattern(3, 2))
    P.register_parametrization(m, "weight", Symmetric())
    P.register_parametrization(m, "weight", RowScale(3))
    return m


def parameterized(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")


print(HEADER, end="")

m = chained()
parameterized("registeringKeepsTheUpperTriangleAndTheWeightStartsSymmetric",
              "register_parametrization(Linear(3, 3), 'weight', Symmetric()), then RowScale(3) (ones)")
print("        Linear layer = chained(dtype);")
print("        assertEquals(%s,\n                List.copyOf(layer.stateDict().keySet()));" % java_list(m.state_dict().keys()))
emit_values("original", 'layer.stateDict().get("parametrizations.weight.original")', m.parametrizations.weight.original)
emit_values("weight", 'layer.weight()', m.weight)
print("    }")

m = chained()
parameterized("forwardAndBackwardThroughTheChain", "Linear(3, 3) with weight RowScale(Symmetric(original)), forward and backward")
print("        Linear layer = chained(dtype);")
emit_load("layer", load(m))
print("        Tensor x = tensor(dtype, 100, 2, 3);")
print("        Tensor y = layer.forward(x);")
print("        backward(200, y);")
print()
x = tensor(100, 2, 3)
y = m(x)
backward([y], [200])
emit_values("output", "y", y)
emit_values("weight", "layer.weight()", m.weight)
emit_values("input gradient", "x.grad()", x.grad)
emit_grads("layer", m)
print("    }")

m = chained()
parameterized("twoSgdStepsWithMomentumTrainTheOriginalAndTheScale", "two steps of SGD(lr=0.1, momentum=0.9)")
print("        Linear layer = chained(dtype);")
emit_load("layer", load(m))
print("        Tensor x = tensor(dtype, 100, 2, 3).requiresGrad(false);")
print("        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {")
print("            for (int step = 0; step < 2; step++) {")
print("                sgd.zeroGrad();")
print("                backward(200, layer.forward(x));")
print("                sgd.step();")
print("            }")
print("        }")
x = tensor(100, 2, 3, grad=False)
sgd = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
for step in range(2):
    sgd.zero_grad()
    backward([m(x)], [200])
    sgd.step()
print("        Map<String, Tensor> state = layer.stateDict();")
for name, t in m.state_dict().items():
    emit_values(name, 'state.get("%s")' % name, t)
emit_values("weight", "layer.weight()", m.weight)
print("    }")

for leave in (True, False):
    m = chained()
    method = "removingTheChainLeavesTheParametrizedWeight" if leave else "removingTheChainWithoutLeavingItParametrizedLeavesTheOriginal"
    parameterized(method, "remove_parametrizations(m, 'weight', leave_parametrized=%s)" % leave)
    print("        Linear layer = chained(dtype);")
    emit_load("layer", load(m))
    print('        Parametrize.removeParametrizations(layer, "weight", %s);' % ("true" if leave else "false"))
    P.remove_parametrizations(m, "weight", leave_parametrized=leave)
    print("        assertEquals(%s, List.copyOf(layer.stateDict().keySet()));" % java_list(m.state_dict().keys()))
    emit_values("weight", "layer.weight()", m.weight)
    print("    }")
print("}")
