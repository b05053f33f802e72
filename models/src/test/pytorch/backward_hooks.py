"""Prints BackwardHooksPyTorchParityTest: torch.nn.Module.register_full_backward_hook on a Linear, a Conv2d, a hook on
inner modules of a Sequential, the two-input Bilinear, GRUCell (input, state) and EmbeddingBag (indices, offsets), a
Linear whose input needs no gradient, and a hook under create_graph, in float64: the gradients each hook is given,
the gradients after its replacements, and the order of the hooks of nested modules. PyTorch 1.13 has no
register_full_backward_pre_hook (2.0 has): a hook on the module's returned output, which runs when the output's
gradient is known and before the module's backward as a pre-hook does, stands in for one.

    /usr/bin/python3 backward_hooks.py > ../java/dev/kiln/nn/BackwardHooksPyTorchParityTest.java
"""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertGradient;
import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#registerFullBackwardHook} and {@link Module#registerFullBackwardPreHook} against PyTorch 1.13's own
 * numbers in F64 to 1e-12 (printed by {@code models/src/test/pytorch/backward_hooks.py}): the input and output
 * gradients each hook is given, the gradients after a hook replaced them, and the order in which the hooks of nested
 * modules run, for a weighted sum of the output (see {@link PyTorchParity}). PyTorch 1.13 has no backward pre-hook; a
 * hook on the module's output gradient, which runs at the same point, gave the numbers for one.
 */
class BackwardHooksPyTorchParityTest {
    private Scope scope;
    private final List<Tensor[]> gradInputs = new ArrayList<>();
    private final List<Tensor[]> gradOutputs = new ArrayList<>();

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A hook that notes what it is given and keeps the gradients. */
    private Module.BackwardHook recording() {
        return (module, gradInput, gradOutput) -> {
            gradInputs.add(gradInput);
            gradOutputs.add(gradOutput);
            return null;
        };
    }
'''

seen = []


def recording(replace=None):
    def hook(module, gi, go):
        seen.append((gi, go))
        return None if replace is None else replace(gi, go)
    return hook


def begin(method, title):
    print()
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")


def end():
    print("    }")


def linear_case():
    seen.clear()
    begin("aLinearsHookSeesTheGradientsOfItsInputAndOutputAndItsReplacementReachesTheInput",
          "torch.nn.Linear(3, 2) with a full backward hook returning (2 grad_input[0],)")
    print("        Linear layer = (Linear) new Linear(3, 2).to(DType.F64);")
    m = torch.nn.Linear(3, 2)
    emit_load("layer", load(m))
    print("        layer.registerFullBackwardHook(recording());")
    print("        layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(2.0)});")
    m.register_full_backward_hook(recording())
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
    print("        Tensor x = tensor(DType.F64, 100, 2, 3);")
    print("        backward(200, layer.call(x));")
    x = tensor(100, 2, 3)
    backward([m(x)], [200])
    gi, go = seen[0]
    print()
    emit_values("gradInput[0]", "gradInputs.get(0)[0]", gi[0])
    emit_values("gradOutput[0]", "gradOutputs.get(0)[0]", go[0])
    emit_values("gradient of x, replaced", "x.grad()", x.grad)
    emit_grads("layer", m)
    end()


def conv_case():
    seen.clear()
    begin("aConv2dsPreHookReplacesTheOutputGradientThatItsBackwardAndFullHookSee",
          "torch.nn.Conv2d(2, 3, 3, padding=1), the output's gradient tripled before the module's backward")
    print("        Conv2d layer = (Conv2d) Conv2d.builder(2, 3, 3).padding(1).build().to(DType.F64);")
    m = torch.nn.Conv2d(2, 3, 3, padding=1)
    emit_load("layer", load(m))
    print("        layer.registerFullBackwardPreHook((module, gradOutput) -> new Tensor[] {gradOutput[0].mul(3.0)});")
    print("        layer.registerFullBackwardHook(recording());")
    m.register_full_backward_hook(recording())
    print("        Tensor x = tensor(DType.F64, 100, 1, 2, 4, 4);")
    print("        backward(200, layer.call(x));")
    x = tensor(100, 1, 2, 4, 4)
    y = m(x)
    y.register_hook(lambda g: g * 3)
    backward([y], [200])
    gi, go = seen[0]
    print()
    emit_values("gradInput[0]", "gradInputs.get(0)[0]", gi[0])
    emit_values("gradOutput[0], tripled", "gradOutputs.get(0)[0]", go[0])
    emit_values("gradient of x", "x.grad()", x.grad)
    emit_grads("layer", m)
    end()


def sequential_case():
    seen.clear()
    begin("hooksOnInnerModulesOfASequentialSeeTheirOwnGradientsAndAReplacementReachesEverythingBefore",
          "torch.nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)), hooks on [0] and on [1] returning"
          " (0.5 grad_input[0] + grad_output[0],)")
    print("        Sequential model = (Sequential) new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).to(DType.F64);")
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    emit_load("model", load(m))
    print("        model.get(0).registerFullBackwardHook(recording());")
    print("        model.get(1).registerFullBackwardHook(recording());")
    print("        model.get(1).registerFullBackwardHook((module, gradInput, gradOutput) ->")
    print("                new Tensor[] {gradInput[0].mul(0.5).add(gradOutput[0])});")
    m[0].register_full_backward_hook(recording())
    m[1].register_full_backward_hook(recording())
    m[1].register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0.5 + go[0],))
    print("        Tensor x = tensor(DType.F64, 100, 2, 3);")
    print("        backward(200, model.call(x));")
    x = tensor(100, 2, 3)
    backward([m(x)], [200])
    relu_gi, relu_go = seen[0]
    lin_gi, lin_go = seen[1]
    print()
    print("        assertEquals(2, gradInputs.size(), \"the ReLU's hook, then the first Linear's\");")
    emit_values("ReLU's gradInput[0]", "gradInputs.get(0)[0]", relu_gi[0])
    emit_values("ReLU's gradOutput[0]", "gradOutputs.get(0)[0]", relu_go[0])
    emit_values("first Linear's gradInput[0]", "gradInputs.get(1)[0]", lin_gi[0])
    emit_values("first Linear's gradOutput[0], the ReLU's replacement", "gradOutputs.get(1)[0]", lin_go[0])
    emit_values("gradient of x", "x.grad()", x.grad)
    emit_grads("model", m)
    end()


def bilinear_case():
    seen.clear()
    begin("aTwoInputModulesHookSeesBothInputGradientsAndANullReplacementLeavesAnInputWithout",
          "torch.nn.Bilinear(3, 2, 4)(x1, x2) with a full backward hook returning (2 grad_input[0], None)")
    print("        Bilinear layer = (Bilinear) new Bilinear(3, 2, 4).to(DType.F64);")
    m = torch.nn.Bilinear(3, 2, 4)
    emit_load("layer", load(m))
    print("        layer.registerFullBackwardHook(recording());")
    print("        layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(2.0), null});")
    m.register_full_backward_hook(recording())
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2, None))
    print("        Tensor x1 = tensor(DType.F64, 100, 2, 3);")
    print("        Tensor x2 = tensor(DType.F64, 101, 2, 2);")
    print("        backward(200, layer.call(x1, x2));")
    x1 = tensor(100, 2, 3)
    x2 = tensor(101, 2, 2)
    backward([m(x1, x2)], [200])
    gi, go = seen[0]
    assert x2.grad is None
    print()
    emit_values("gradInput[0]", "gradInputs.get(0)[0]", gi[0])
    emit_values("gradInput[1]", "gradInputs.get(0)[1]", gi[1])
    emit_values("gradOutput[0]", "gradOutputs.get(0)[0]", go[0])
    emit_values("gradient of x1, doubled", "x1.grad()", x1.grad)
    print('        assertNull(x2.grad(), "the hook handed x2 no gradient");')
    emit_grads("layer", m)
    end()


def gru_cell_case():
    seen.clear()
    begin("aGruCellsHookSeesTheGradientsOfItsInputAndStateAndItsReplacementReachesTheState",
          "torch.nn.GRUCell(3, 4)(x, h) with a full backward hook returning (grad_input[0], 2 grad_input[1])")
    print("        GRUCell cell = (GRUCell) new GRUCell(3, 4).to(DType.F64);")
    m = torch.nn.GRUCell(3, 4)
    emit_load("cell", load(m))
    print("        cell.registerFullBackwardHook(recording());")
    print("        cell.registerFullBackwardHook((module, gradInput, gradOutput) ->")
    print("                new Tensor[] {gradInput[0], gradInput[1].mul(2.0)});")
    m.register_full_backward_hook(recording())
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[1] * 2))
    print("        Tensor x = tensor(DType.F64, 100, 2, 3);")
    print("        Tensor h = tensor(DType.F64, 101, 2, 4);")
    print("        backward(200, cell.call(x, h));")
    x = tensor(100, 2, 3)
    h = tensor(101, 2, 4)
    backward([m(x, h)], [200])
    gi, go = seen[0]
    print()
    emit_values("gradInput[0]", "gradInputs.get(0)[0]", gi[0])
    emit_values("gradInput[1]", "gradInputs.get(0)[1]", gi[1])
    emit_values("gradOutput[0]", "gradOutputs.get(0)[0]", go[0])
    emit_values("gradient of x", "x.grad()", x.grad)
    emit_values("gradient of h, doubled", "h.grad()", h.grad)
    emit_grads("cell", m)
    end()


def embedding_bag_case():
    seen.clear()
    begin("anEmbeddingBagsHookGetsNullsForItsIndicesAndOffsetsAndTheOutputGradient",
          "torch.nn.EmbeddingBag(6, 3)(indices, offsets) with a full backward hook")
    print("        EmbeddingBag bags = (EmbeddingBag) new EmbeddingBag(6, 3).to(DType.F64);")
    m = torch.nn.EmbeddingBag(6, 3)
    emit_load("bags", load(m))
    print("        bags.registerFullBackwardHook(recording());")
    m.register_full_backward_hook(recording())
    indices = [1, 4, 4, 0, 5, 2, 3]
    offsets = [0, 2, 5]
    print("        Tensor indices = Tensor.fromArray(new long[] {%s}, %d);" % (", ".join(map(str, indices)), len(indices)))
    print("        Tensor offsets = Tensor.fromArray(new long[] {%s}, %d);" % (", ".join(map(str, offsets)), len(offsets)))
    print("        backward(200, bags.call(indices, offsets));")
    backward([m(torch.tensor(indices), torch.tensor(offsets))], [200])
    gi, go = seen[0]
    assert gi == (None, None)
    print()
    print('        assertNull(gradInputs.get(0)[0], "gradInput[0], of the indices");')
    print('        assertNull(gradInputs.get(0)[1], "gradInput[1], of the offsets");')
    emit_values("gradOutput[0]", "gradOutputs.get(0)[0]", go[0])
    emit_grads("bags", m)
    end()


def no_input_gradient_case():
    seen.clear()
    begin("aHookOnAModuleWhoseInputNeedsNoGradientGetsANullInputGradientAndTheOutputGradient",
          "torch.nn.Linear(3, 2) on an input without requires_grad, with a full backward hook")
    print("        Linear layer = (Linear) new Linear(3, 2).to(DType.F64);")
    m = torch.nn.Linear(3, 2)
    emit_load("layer", load(m))
    print("        layer.registerFullBackwardHook(recording());")
    m.register_full_backward_hook(recording())
    print("        Tensor x = tensor(DType.F64, 100, 2, 3).detach();")
    print("        backward(200, layer.call(x));")
    x = tensor(100, 2, 3, grad=False)
    backward([m(x)], [200])
    gi, go = seen[0]
    assert gi == (None,)
    print()
    print('        assertNull(gradInputs.get(0)[0], "gradInput[0]");')
    emit_values("gradOutput[0]", "gradOutputs.get(0)[0]", go[0])
    emit_grads("layer", m)
    end()


def create_graph_case():
    seen.clear()
    begin("aReplacedGradientIsDifferentiatedAgainUnderCreateGraphAndTheHookRunsInBothPasses",
          "torch.nn.Linear(3, 2), hook returning (grad_input[0] ** 2,), g = autograd.grad((tanh(y) p200).sum(), x,"
          " create_graph=True), then (g p300).sum().backward()")
    print("        Linear layer = (Linear) new Linear(3, 2).to(DType.F64);")
    m = torch.nn.Linear(3, 2)
    emit_load("layer", load(m))
    print("        layer.registerFullBackwardHook(recording());")
    print("        layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(gradInput[0])});")
    m.register_full_backward_hook(recording())
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * gi[0],))
    print("        Tensor x = tensor(DType.F64, 100, 2, 3);")
    print("        Tensor loss = layer.call(x).tanh().mul(values(200, 2, 2)).sum();")
    print("        Tensor g = Autograd.grad(loss, List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);")
    print("        g.mul(values(300, 2, 3)).sum().backward();")
    x = tensor(100, 2, 3)
    loss = (torch.tanh(m(x)) * pattern(4, 200).reshape(2, 2)).sum()
    g, = torch.autograd.grad(loss, x, create_graph=True)
    (g * pattern(6, 300).reshape(2, 3)).sum().backward()
    print()
    print('        assertEquals(%d, gradInputs.size(), "the hook runs in the second pass too");' % len(seen))
    for i, (gi, go) in enumerate(seen):
        emit_values("gradInput[0] of pass %d" % (i + 1), "gradInputs.get(%d)[0]" % i, gi[0])
        emit_values("gradOutput[0] of pass %d" % (i + 1), "gradOutputs.get(%d)[0]" % i, go[0])
    emit_values("first derivative, replaced", "g", g)
    emit_values("gradient of x", "x.grad()", x.grad)
    emit_grads("layer", m)
    end()


def order_case():
    order = []
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    names = ["(root)", "0", "1", "2"]
    for name, mod in zip(names, [m, m[0], m[1], m[2]]):
        mod.register_full_backward_hook(lambda mod, gi, go, name=name: order.append(name))
    m(tensor(100, 2, 3)).sum().backward()
    begin("theHooksOfNestedModulesRunInPyTorchsOrder",
          "hooks on a Sequential(Linear(3, 4), ReLU(), Linear(4, 2)) and on each of its modules")
    print("        Sequential model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));")
    print("        List<String> order = new ArrayList<>();")
    print("        model.registerFullBackwardHook((module, gradInput, gradOutput) -> {")
    print("            order.add(\"(root)\");")
    print("            return null;")
    print("        });")
    print("        for (int i = 0; i < 3; i++) {")
    print("            String name = Integer.toString(i);")
    print("            model.get(i).registerFullBackwardHook((module, gradInput, gradOutput) -> {")
    print("                order.add(name);")
    print("                return null;")
    print("            });")
    print("        }")
    print("        model.to(DType.F64).call(tensor(DType.F64, 100, 2, 3)).sum().backward();")
    print("        assertEquals(List.of(%s), order);" % ", ".join('"%s"' % n for n in order))
    end()


print(HEADER, end="")
linear_case()
conv_case()
sequential_case()
bilinear_case()
gru_cell_case()
embedding_bag_case()
no_input_gradient_case()
create_graph_case()
order_case()
print("}")
