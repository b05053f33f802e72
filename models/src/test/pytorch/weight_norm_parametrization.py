"""Prints WeightNormParametrizationPyTorchParityTest: PyTorch 2.1's parametrizations.weight_norm, on 1.13.

PyTorch 1.13 has no parametrizations.weight_norm, but its register_parametrization takes a parametrization whose
right_inverse returns a sequence (original0, original1). PyTorch 2.1's documentation defines the one weight_norm
registers: g and v in, torch._weight_norm(v, g, dim) out; the right inverse splits a weight into its norm over every
axis but dim (torch.norm_except_dim) and itself. WeightNormOf below is that definition.
"""
from parity import *
import torch.nn as nn
import torch.nn.utils.parametrize as P


class WeightNormOf(nn.Module):
    """Weight norm as a parametrization of two originals: g (the norms) and v (the direction)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, g, v):
        return torch._weight_norm(v, g, self.dim)

    def right_inverse(self, weight):
        return torch.norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    P.register_parametrization(module, name, WeightNormOf(dim), unsafe=True)
    return module


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
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WeightNormParametrization} against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/weight_norm_parametrization.py}: PyTorch 2.1's weight-norm parametrization registered by
 * PyTorch 1.13's {@code register_parametrization}), in F64: a Linear over dim 0, a Conv1d over dim 1 and a Linear with
 * one norm of the whole weight (dim None). For each: the state-dict keys and the originals g and v that registration
 * leaves; then, with the parameters loaded from the pattern (see {@link PyTorchParity}), the output, the weight and the
 * gradients of the input, g, v and the bias; two SGD steps with momentum; and the weight that removing it leaves.
 */
class WeightNormParametrizationPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code layer} in F64 with its weight and bias from the pattern of seeds 1 and 2, then weight-normalised. */
    private static <M extends Module> M normalised(M layer, int[] weightDims, int outputs, int dim) {
        layer.to(DType.F64);
        load(layer, key("weight", 1, weightDims), key("bias", 2, outputs));
        return WeightNormParametrization.apply(layer, "weight", dim);
    }
'''

# (method prefix, Python constructor, Java constructor, input dims, PyTorch dim, Java dim)
CASES = [
    ("linearOverOutputs", lambda: nn.Linear(3, 4), "new Linear(3, 4)", (2, 3), 0, "0"),
    ("conv1dOverInputChannels", lambda: nn.Conv1d(2, 3, 3), "new Conv1d(2, 3, 3)", (2, 2, 5), 1, "1"),
    ("linearOverTheWholeWeight", lambda: nn.Linear(4, 3), "new Linear(4, 3)", (2, 4), None, "WeightNorm.WHOLE_TENSOR"),
]


def java_list(strings):
    return "List.of(" + ", ".join('"%s"' % s for s in strings) + ")"


def made(make, dim):
    m = make()
    with torch.no_grad():
        m.weight.copy_(pattern(m.weight.numel(), 1).reshape(m.weight.shape))
        m.bias.copy_(pattern(m.bias.numel(), 2))
    return weight_norm(m, "weight", dim)


def java_made(jctor, m, jdim):
    shape = m.parametrizations.weight.original1.shape
    return "normalised(%s, new int[] {%s}, %d, %s)" % (jctor, ", ".join(str(d) for d in shape), m.bias.numel(), jdim)


def begin(method, title, then):
    print()
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 2.1's on 1.13")
    if then:
        print("        // " + then)


print(HEADER, end="")
for prefix, make, jctor, in_dims, dim, jdim in CASES:
    title = "weight_norm(%s, 'weight', dim=%s)" % (jctor[4:], dim)
    dims = ", ".join(str(d) for d in in_dims)

    m = made(make, dim)
    begin(prefix + "RegistrationStartsFromTheWeightsNormAndTheWeight", title, None)
    print("        Module layer = %s;" % java_made(jctor, m, jdim))
    print("        assertEquals(%s,\n                List.copyOf(layer.stateDict().keySet()));"
          % java_list(m.state_dict().keys()))
    for name in ("original0", "original1"):
        emit_values(name, 'layer.stateDict().get("parametrizations.weight.%s")' % name,
                    getattr(m.parametrizations.weight, name))
    emit_values("weight", 'layer.param("weight")', m.weight)
    print("    }")

    m = made(make, dim)
    keys = load(m)
    begin(prefix + "ForwardAndBackward", title, "the parameters loaded from the pattern, then forward and backward")
    print("        Module layer = %s;" % java_made(jctor, m, jdim))
    emit_load("layer", keys)
    print("        Tensor x = tensor(DType.F64, 100, %s);" % dims)
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    print()
    x = tensor(100, *in_dims)
    y = m(x)
    backward([y], [200])
    emit_values("output", "y", y)
    emit_values("weight", 'layer.param("weight")', m.weight)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    print("    }")

    m = made(make, dim)
    keys = load(m)
    begin(prefix + "TwoSgdSteps", title, "the parameters loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)")
    print("        Module layer = %s;" % java_made(jctor, m, jdim))
    emit_load("layer", keys)
    print("        Tensor x = tensor(DType.F64, 100, %s).requiresGrad(false);" % dims)
    print("        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {")
    print("            for (int step = 0; step < 2; step++) {")
    print("                sgd.zeroGrad();")
    print("                backward(200, layer.forward(x));")
    print("                sgd.step();")
    print("            }")
    print("        }")
    x = tensor(100, *in_dims, grad=False)
    sgd = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    for step in range(2):
        sgd.zero_grad()
        backward([m(x)], [200])
        sgd.step()
    for name, t in m.state_dict().items():
        emit_values(name, 'layer.stateDict().get("%s")' % name, t)
    emit_values("weight", 'layer.param("weight")', m.weight)
    print("    }")

    m = made(make, dim)
    keys = load(m)
    begin(prefix + "RemovingItLeavesTheWeight", title, "the parameters loaded, then remove_parametrizations(m, 'weight')")
    print("        Module layer = %s;" % java_made(jctor, m, jdim))
    emit_load("layer", keys)
    print('        Parametrize.removeParametrizations(layer, "weight");')
    P.remove_parametrizations(m, "weight")
    print("        assertEquals(%s, List.copyOf(layer.stateDict().keySet()));" % java_list(m.state_dict().keys()))
    emit_values("weight", 'layer.param("weight")', m.weight)
    print("    }")
print("}")
