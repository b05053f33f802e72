"""Prints WeightSpectralNormPyTorchParityTest: weight norm and spectral norm on Linear, Conv2d and ConvTranspose2d."""
from parity import *
import torch.nn.functional as F
from torch.nn.utils import weight_norm, remove_weight_norm
from torch.nn.utils.parametrizations import spectral_norm
from torch.nn.utils.parametrize import remove_parametrizations

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.buffer;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link WeightNorm} and {@link SpectralNorm} against PyTorch 1.13's own numbers (printed by
 * {@code models/src/test/pytorch/weight_spectral_norm.py}): {@code torch.nn.utils.weight_norm} and
 * {@code torch.nn.utils.parametrizations.spectral_norm} on Linear, Conv2d and ConvTranspose2d with the parameters
 * under PyTorch's names loaded from the pattern (see {@link PyTorchParity}), and spectral norm's u and v set to the
 * normalised pattern on both sides (their initial draws are random): outputs, the computed weight, the gradients of
 * the input and of every parameter, u and v after a training-mode and an evaluation-mode pass, two SGD steps, the
 * state-dict keys, and the weight that removing each leaves.
 */
class WeightSpectralNormPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Sets buffer {@code name} (u or v) to the pattern of {@code seed} divided by its 2-norm, as the script does. */
    private static void setUnit(Module module, String name, int seed) {
        Tensor b = buffer(module, name);
        Tensor v = values(seed, (int) b.size());
        b.assign(v.div(v.norm(2)).to(b.dtype()));
    }
'''


def unit(n, seed):
    return F.normalize(pattern(n, seed), dim=0)


def set_unit(m, name, seed):
    b = dict(m.named_buffers())[name]
    with torch.no_grad():
        b.copy_(unit(b.numel(), seed))
    print('        setUnit(%s, "%s", %d);' % ("layer", name, seed))


def java_list(strings):
    """List.of(...) of the strings, wrapped as fmt() wraps numbers."""
    parts = ['"%s"' % s for s in strings]
    lines, line = [], ""
    for p in parts:
        if len(line) + len(p) + 2 > 100:
            lines.append(line)
            line = ""
        line += p + ", "
    lines.append(line)
    return "List.of(" + "\n                ".join(l.rstrip() for l in lines).rstrip(",") + ")"


def parameterized(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")


def forward_backward(m, dims, weight_name="weight", buffers=()):
    """Runs m on the pattern input, prints the forward and backward checks."""
    print("        Tensor x = tensor(dtype, 100, %s);" % ", ".join(map(str, dims)))
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    for b in buffers:
        emit_values(b + " after the pass", 'buffer(layer, "%s")' % b, dict(m.named_buffers())[b])
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    with torch.no_grad():
        was = m.training
        m.eval()
        emit_values("computed weight (read in evaluation mode)", "evaluated(layer)", getattr(m, weight_name))
        m.train(was)
    print("    }")


def weight_norm_case(method, title, java_build, m, dims, dim=0, java_dim=None):
    """java_dim None: Kiln's default, dim 0 as PyTorch's."""
    parameterized(method, title)
    weight_norm(m, dim=dim)
    java_args = java_build if java_dim is None else '%s, "weight", %s' % (java_build, java_dim)
    print("        Module layer = WeightNorm.apply(%s).to(dtype);" % java_args)
    emit_load("layer", load(m))
    forward_backward(m, dims)


def spectral_case(method, title, java_apply, m, dims, train, spectral_args={}):
    parameterized(method, title)
    spectral_norm(m, **spectral_args)
    print("        Module layer = %s.to(dtype);" % java_apply)
    emit_load("layer", load(m))
    set_unit(m, "parametrizations.weight.0._u", 50)
    set_unit(m, "parametrizations.weight.0._v", 51)
    if not train:
        m.eval()
        print("        layer.eval();")
    forward_backward(m, dims, buffers=["parametrizations.weight.0._u", "parametrizations.weight.0._v"])


print(HEADER, end="")
print('''
    /** The module's weight as it reads it in evaluation mode (no power iteration), without gradients. */
    private static Tensor evaluated(Module layer) {
        boolean training = layer.isTraining();
        layer.eval();
        Tensor w = layer.param("weight").detach();
        layer.train(training);
        return w;
    }''')

weight_norm_case("weightNormLinear", "weight_norm(torch.nn.Linear(4, 3))(x)", "new Linear(4, 3)",
                 torch.nn.Linear(4, 3), [2, 4])
weight_norm_case("weightNormLinearOverInputs", "weight_norm(torch.nn.Linear(4, 3), dim=1)(x)", "new Linear(4, 3)",
                 torch.nn.Linear(4, 3), [2, 4], dim=1, java_dim="1")
weight_norm_case("weightNormLinearOverTheWholeTensor", "weight_norm(torch.nn.Linear(4, 3), dim=None)(x)",
                 "new Linear(4, 3)", torch.nn.Linear(4, 3), [2, 4], dim=None, java_dim="WeightNorm.WHOLE_TENSOR")
weight_norm_case("weightNormConv2d", "weight_norm(torch.nn.Conv2d(2, 3, 3, padding=1))(x)",
                 "Conv2d.builder(2, 3, 3).padding(1).build()", torch.nn.Conv2d(2, 3, 3, padding=1), [2, 2, 4, 4])
spectral_case("spectralNormLinearInTrainingMode", "spectral_norm(torch.nn.Linear(4, 3))(x) in training mode",
              "SpectralNorm.apply(new Linear(4, 3))", torch.nn.Linear(4, 3), [2, 4], True)
spectral_case("spectralNormLinearInEvaluationMode", "spectral_norm(torch.nn.Linear(4, 3)).eval()(x)",
              "SpectralNorm.apply(new Linear(4, 3))", torch.nn.Linear(4, 3), [2, 4], False)
spectral_case("spectralNormConv2dWithTwoPowerIterations",
              "spectral_norm(torch.nn.Conv2d(2, 3, 3, padding=1), n_power_iterations=2)(x) in training mode",
              "SpectralNorm.apply(Conv2d.builder(2, 3, 3).padding(1).build(), \"weight\", 2, 1e-12)",
              torch.nn.Conv2d(2, 3, 3, padding=1), [2, 2, 4, 4], True, {"n_power_iterations": 2})
spectral_case("spectralNormConvTranspose2dOverItsOutputAxis",
              "spectral_norm(torch.nn.ConvTranspose2d(2, 3, 3))(x) in training mode (dim 1 by default)",
              "SpectralNorm.apply(new ConvTranspose2d(2, 3, 3))", torch.nn.ConvTranspose2d(2, 3, 3), [1, 2, 3, 3], True)


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(weight_norm(torch.nn.Linear(4, 5)), torch.nn.Tanh(),
                               spectral_norm(torch.nn.Linear(5, 3)), torch.nn.Tanh())


JAVA_MODEL = ("new Sequential(WeightNorm.apply(new Linear(4, 5)), new Tanh(),\n"
              "                SpectralNorm.apply(new Linear(5, 3)), new Tanh())")

# Two SGD steps with momentum through the fused Linear + Tanh of a Sequential.
m = model()
parameterized("twoSgdStepsWithMomentum", "two steps of SGD(lr=0.1, momentum=0.9) in training mode on\n"
              "        // Sequential(weight_norm(Linear(4, 5)), Tanh(), spectral_norm(Linear(5, 3)), Tanh())")
print("        Module layer = %s.to(dtype);" % JAVA_MODEL)
emit_load("layer", load(m))
set_unit(m, "2.parametrizations.weight.0._u", 50)
set_unit(m, "2.parametrizations.weight.0._v", 51)
print("        Tensor x = tensor(dtype, 100, 2, 4).requiresGrad(false);")
print("        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {")
print("            for (int step = 0; step < 2; step++) {")
print("                sgd.zeroGrad();")
print("                backward(200, layer.forward(x));")
print("                sgd.step();")
print("            }")
print("        }")
x = tensor(100, 2, 4, grad=False)
sgd = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
for step in range(2):
    sgd.zero_grad()
    backward([m(x)], [200])
    sgd.step()
print("        Map<String, Tensor> state = layer.stateDict();")
for name, t in m.state_dict().items():
    emit_values(name, 'state.get("%s")' % name, t)
print("    }")

# State-dict keys, in order.
print()
print("    @Test")
print("    void stateDictKeysArePyTorchs() {")
print("        // Sequential(weight_norm(Linear(4, 5)), Tanh(), spectral_norm(Linear(5, 3)), Tanh()).state_dict().keys(),")
print("        // weight_norm(Conv2d(2, 3, 3)) and spectral_norm(Conv2d(2, 3, 3)), PyTorch 1.13")
print("        assertEquals(%s,\n                List.copyOf(%s.stateDict().keySet()));" % (java_list(model().state_dict().keys()), JAVA_MODEL))
print("        assertEquals(%s,\n                List.copyOf(WeightNorm.apply(new Conv2d(2, 3, 3)).stateDict().keySet()));"
      % java_list(weight_norm(torch.nn.Conv2d(2, 3, 3)).state_dict().keys()))
print("        assertEquals(%s,\n                List.copyOf(SpectralNorm.apply(new Conv2d(2, 3, 3)).stateDict().keySet()));"
      % java_list(spectral_norm(torch.nn.Conv2d(2, 3, 3)).state_dict().keys()))
print("        assertEquals(%s,\n                List.copyOf(SpectralNorm.apply(new Conv2d(2, 3, 3)).namedParameters().keySet()));"
      % java_list(dict(spectral_norm(torch.nn.Conv2d(2, 3, 3)).named_parameters()).keys()))
print("    }")

# remove() leaves the computed weight as a plain parameter.
parameterized("removingWeightNormLeavesTheComputedWeight", "remove_weight_norm(weight_norm(torch.nn.Linear(4, 3)))")
m = weight_norm(torch.nn.Linear(4, 3))
print("        Module layer = WeightNorm.apply(new Linear(4, 3)).to(dtype);")
emit_load("layer", load(m))
print("        WeightNorm.remove(layer);")
remove_weight_norm(m)
print("        assertEquals(%s, List.copyOf(layer.stateDict().keySet()));" % java_list(m.state_dict().keys()))
emit_values("weight", 'layer.stateDict().get("weight")', m.weight)
print("    }")

parameterized("removingSpectralNormInEvaluationModeLeavesTheComputedWeight",
              "remove_parametrizations(spectral_norm(torch.nn.Linear(4, 3)).eval(), \"weight\")")
layer = spectral_norm(torch.nn.Linear(4, 3))
m = layer
print("        Module layer = SpectralNorm.apply(new Linear(4, 3)).to(dtype);")
emit_load("layer", load(m))
set_unit(m, "parametrizations.weight.0._u", 50)
set_unit(m, "parametrizations.weight.0._v", 51)
m.eval()
remove_parametrizations(m, "weight")
print("        SpectralNorm.remove(layer.eval());")
print("        assertEquals(%s, List.copyOf(layer.stateDict().keySet()));" % java_list(m.state_dict().keys()))
emit_values("weight", 'layer.stateDict().get("weight")', m.weight)
print("    }")
print("}")
