"""Prints PrunePyTorchParityTest: torch.nn.utils.prune's masks, iterative pruning, gradients, SGD steps, state-dict
keys and removal. Every pruning ranks importances without ties (asserted before it runs): PyTorch's CPU topk chooses
among tied entries unstably, and Kiln's own rule for ties (lowest index first) is specified by PruneTest instead."""
from parity import *
import torch.nn as nn
from torch.nn.utils import prune

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.buffer;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Prune} against PyTorch 1.13's own numbers (printed by {@code models/src/test/pytorch/pruning.py}): the masks of
 * {@code l1_unstructured}, {@code ln_structured} (orders 1, 2 and infinity, along several dims),
 * {@code global_unstructured} and {@code custom_from_mask} on weights of distinct magnitudes (multiples of 1/64), whose
 * importances (magnitudes, channel norms, importance scores) never tie, so that the masks do not depend on how ties are
 * broken (PyTorch's CPU {@code topk} is unstable; {@link PruneTest} specifies Kiln's own rule); fractions rounded half
 * to even, and second prunings among what the first left; then a pruned Linear's output and gradients (with parameters
 * under PyTorch's names loaded from the pattern, see {@link PyTorchParity}), two SGD steps, the state-dict keys, and
 * the weight that removing the pruning leaves.
 */
class PrunePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code module} in {@code dtype} with its parameter {@code name} set to {@code values}, as the script sets it. */
    private static <M extends Module> M with(M module, DType dtype, String name, double... values) {
        module.to(dtype);
        Tensors.set(module.namedParameters().get(name), values);
        return module;
    }
'''


def distinct(n, seed, first=1):
    """Magnitudes first/64, (first + 1)/64, ..., (first + n - 1)/64 in an irregular order, with irregular signs (both
    from pattern): no two entries tie in magnitude, and every value is exact in F32. With first=0.5 they fall between
    those of first=1, so two targets of a global pruning interleave without ties."""
    assert first + n - 1 <= 64
    rank = torch.argsort(torch.argsort(pattern(n, seed)))
    return torch.sign(pattern(n, seed + 50)) * (rank + first) / 64


def untied(scores, what):
    """Asserts that no two of the importances a pruning ranks are equal: then PyTorch's mask is the only right one."""
    s = torch.sort(scores.reshape(-1)).values
    assert (s[1:] - s[:-1] > 1e-9).all(), "%s: tied importances %s" % (what, s.tolist())


def mask_of(m, name):
    return dict(m.named_buffers()).get(name + "_mask", torch.ones_like(getattr(m, name)))


def l1(m, name, amount, importance_scores=None):
    """prune.l1_unstructured, once the magnitudes of the entries left are checked untied."""
    scores = getattr(m, name) if importance_scores is None else importance_scores
    untied(scores.abs()[mask_of(m, name) == 1], "l1_unstructured")
    prune.l1_unstructured(m, name, amount=amount, importance_scores=importance_scores)


def ln(m, name, amount, n, dim, importance_scores=None):
    """prune.ln_structured, once the norms of the channels left are checked untied."""
    scores = getattr(m, name) if importance_scores is None else importance_scores
    others = [d for d in range(scores.dim()) if d != dim % scores.dim()]
    left = (mask_of(m, name) != 0).sum(dim=others) > 0
    untied(torch.norm(scores, p=n, dim=others)[left], "ln_structured")
    prune.ln_structured(m, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


def global_l1(targets, amount, importance_scores=None):
    """prune.global_unstructured with L1Unstructured, once the magnitudes of all entries left are checked untied."""
    scores = importance_scores or {}
    untied(torch.cat([scores.get(t, getattr(*t)).abs()[mask_of(*t) == 1] for t in targets]), "global_unstructured")
    prune.global_unstructured(targets, prune.L1Unstructured, importance_scores=importance_scores, amount=amount)


def java_list(strings):
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


def with_values(var, java_type, java_build, m, name, values):
    t = dict(m.named_parameters())[name]
    with torch.no_grad():
        t.copy_(values.reshape(t.shape))
    print("        %s %s = with(%s, dtype, \"%s\",\n                %s);" % (java_type, var, java_build, name,
                                                                         fmt(t.reshape(-1))))


def mask_case(method, title, modules, steps):
    """modules: [(var, java_type, java_build, torch_module, name, values)]; steps: [(java_statement, torch_fn)];
    prints the mask of every (var, name) after the steps."""
    parameterized(method, title)
    for var, jt, jb, m, name, values in modules:
        with_values(var, jt, jb, m, name, values)
    for java, fn in steps:
        fn()
        print("        %s;" % java)
    for var, jt, jb, m, name, values in modules:
        emit_values("%s.%s_mask" % (var, name), 'buffer(%s, "%s_mask")' % (var, name), dict(m.named_buffers())[name + "_mask"])
    print("    }")


print(HEADER, end="")

lin = nn.Linear(6, 4)
mask_case("l1UnstructuredPrunesTheSmallestMagnitudes",
          "prune.l1_unstructured(Linear(6, 4), 'weight', amount=0.3): 7 of 24 entries",
          [("layer", "Linear", "new Linear(6, 4)", lin, "weight", distinct(24, 1))],
          [('Prune.l1Unstructured(layer, "weight", 0.3)', lambda: l1(lin, "weight", 0.3))])

lin = nn.Linear(6, 4)
mask_case("l1UnstructuredTakesACount", "prune.l1_unstructured(Linear(6, 4), 'weight', amount=5)",
          [("layer", "Linear", "new Linear(6, 4)", lin, "weight", distinct(24, 2))],
          [('Prune.l1Unstructured(layer, "weight", 5)', lambda: l1(lin, "weight", 5))])

lin = nn.Linear(6, 4)
mask_case("aSecondL1PruningPrunesItsFractionOfTheEntriesLeftRoundedHalfToEven",
          "l1_unstructured(amount=0.3) (7 of 24), then l1_unstructured(amount=0.5): round(8.5) = 8 of the 17 left",
          [("layer", "Linear", "new Linear(6, 4)", lin, "weight", distinct(24, 1))],
          [('Prune.l1Unstructured(layer, "weight", 0.3)', lambda: l1(lin, "weight", 0.3)),
           ('Prune.l1Unstructured(layer, "weight", 0.5)', lambda: l1(lin, "weight", 0.5))])

conv = nn.Conv2d(2, 4, 2)
mask_case("lnStructuredOfOrder1PrunesOutputChannels",
          "prune.ln_structured(Conv2d(2, 4, 2), 'weight', amount=2, n=1, dim=0)",
          [("layer", "Conv2d", "new Conv2d(2, 4, 2)", conv, "weight", distinct(32, 4))],
          [('Prune.lnStructured(layer, "weight", 2, 1, 0)', lambda: ln(conv, "weight", 2, 1, 0))])

conv = nn.Conv2d(3, 2, 2)
mask_case("lnStructuredOfOrder2PrunesInputChannels",
          "prune.ln_structured(Conv2d(3, 2, 2), 'weight', amount=0.34, n=2, dim=1): round(1.02) = 1 channel",
          [("layer", "Conv2d", "new Conv2d(3, 2, 2)", conv, "weight", distinct(24, 5))],
          [('Prune.lnStructured(layer, "weight", 0.34, 2, 1)', lambda: ln(conv, "weight", 0.34, 2, 1))])

lin = nn.Linear(5, 3)
mask_case("lnStructuredOfInfiniteOrderAlongTheLastAxis",
          "prune.ln_structured(Linear(5, 3), 'weight', amount=0.4, n=float('inf'), dim=-1): 2 of 5 columns",
          [("layer", "Linear", "new Linear(5, 3)", lin, "weight", distinct(15, 6))],
          [('Prune.lnStructured(layer, "weight", 0.4, Double.POSITIVE_INFINITY, -1)',
            lambda: ln(lin, "weight", 0.4, float("inf"), -1))])

lin = nn.Linear(4, 6)
mask_case("lnStructuredAfterL1RanksTheRowsLeftByTheNormsOfThePrunedWeight",
          "l1_unstructured(amount=0.3), ln_structured(amount=1, n=2, dim=0) twice: the second among the rows left",
          [("layer", "Linear", "new Linear(4, 6)", lin, "weight", distinct(24, 7))],
          [('Prune.l1Unstructured(layer, "weight", 0.3)', lambda: l1(lin, "weight", 0.3)),
           ('Prune.lnStructured(layer, "weight", 1, 2, 0)', lambda: ln(lin, "weight", 1, 2, 0)),
           ('Prune.lnStructured(layer, "weight", 0.5, 2, 0)', lambda: ln(lin, "weight", 0.5, 2, 0))])

a, b = nn.Linear(4, 3), nn.Linear(3, 2)
mask_case("globalUnstructuredRanksTheEntriesOfEveryTargetTogether",
          "prune.global_unstructured([(a, 'weight'), (b, 'weight')], prune.L1Unstructured, amount=0.4), then amount=3",
          [("a", "Linear", "new Linear(4, 3)", a, "weight", distinct(12, 8)), ("b", "Linear", "new Linear(3, 2)", b, "weight",
            distinct(6, 9, first=0.5))],
          [('List<Prune.Target> targets = List.of(new Prune.Target(a, "weight"), new Prune.Target(b, "weight"))',
            lambda: None),
           ('Prune.globalUnstructured(targets, Prune.UnstructuredMethod.L1_UNSTRUCTURED, 0.4)',
            lambda: global_l1([(a, "weight"), (b, "weight")], 0.4)),
           ('Prune.globalUnstructured(targets, Prune.UnstructuredMethod.L1_UNSTRUCTURED, 3)',
            lambda: global_l1([(a, "weight"), (b, "weight")], 3))])

lin = nn.Linear(4, 3)
custom = (pattern(12, 10) > 0).double().reshape(3, 4)
mask_case("customFromMaskThenL1PrunesAmongTheEntriesTheCustomMaskKept",
          "prune.custom_from_mask(Linear(4, 3), 'weight', pattern(12, 10) > 0), then l1_unstructured(amount=3)",
          [("layer", "Linear", "new Linear(4, 3)", lin, "weight", distinct(12, 11))],
          [('Prune.customFromMask(layer, "weight", Tensor.fromArray(new double[] {%s}, 3, 4))'
            % ", ".join("%g" % v for v in custom.reshape(-1).tolist()),
            lambda: prune.custom_from_mask(lin, "weight", custom)),
           ('Prune.l1Unstructured(layer, "weight", 3)', lambda: l1(lin, "weight", 3))])


def java_tensor(t):
    return "Tensor.fromArray(new double[] {\n                %s}, %s)" % (fmt(t.reshape(-1)), ", ".join(map(str, t.shape)))


scores = distinct(24, 14).reshape(4, 6)
lin = nn.Linear(6, 4)
mask_case("l1UnstructuredRanksByImportanceScoresWhereGiven",
          "prune.l1_unstructured(Linear(6, 4), 'weight', amount=6, importance_scores=scores)",
          [("layer", "Linear", "new Linear(6, 4)", lin, "weight", distinct(24, 15))],
          [('Prune.l1Unstructured(layer, "weight", 6, %s)' % java_tensor(scores),
            lambda: l1(lin, "weight", 6, importance_scores=scores))])

scores = distinct(32, 16).reshape(4, 2, 2, 2)
conv = nn.Conv2d(2, 4, 2)
mask_case("lnStructuredRanksByTheNormsOfImportanceScoresWhereGiven",
          "prune.ln_structured(Conv2d(2, 4, 2), 'weight', amount=0.5, n=1, dim=0, importance_scores=scores)",
          [("layer", "Conv2d", "new Conv2d(2, 4, 2)", conv, "weight", distinct(32, 17))],
          [('Prune.lnStructured(layer, "weight", 0.5, 1, 0, %s)' % java_tensor(scores),
            lambda: ln(conv, "weight", 0.5, 1, 0, importance_scores=scores))])

scores = distinct(6, 18, first=0.5).reshape(2, 3)
a, b = nn.Linear(4, 3), nn.Linear(3, 2)
mask_case("globalUnstructuredRanksATargetByItsImportanceScoresWhereGiven",
          "prune.global_unstructured([(a, 'weight'), (b, 'weight')], prune.L1Unstructured,\n"
          "        // importance_scores={(b, 'weight'): scores}, amount=5)",
          [("a", "Linear", "new Linear(4, 3)", a, "weight", distinct(12, 19)), ("b", "Linear", "new Linear(3, 2)", b, "weight",
            distinct(6, 20))],
          [('Prune.Target bWeight = new Prune.Target(b, "weight")', lambda: None),
           ('Prune.globalUnstructured(List.of(new Prune.Target(a, "weight"), bWeight),\n'
            '                Prune.UnstructuredMethod.L1_UNSTRUCTURED, 5, Map.of(bWeight, %s))' % java_tensor(scores),
            lambda: global_l1([(a, "weight"), (b, "weight")], 5, importance_scores={(b, "weight"): scores}))])


def pruned_linear():
    m = nn.Linear(4, 3)
    with torch.no_grad():
        m.weight.copy_(distinct(12, 12).reshape(3, 4))
    l1(m, "weight", 0.5)
    return m


JAVA_PRUNED = ('Linear layer = Prune.l1Unstructured(with(new Linear(4, 3), dtype, "weight",\n                %s),\n'
               '                "weight", 0.5);' % fmt(distinct(12, 12)))

m = pruned_linear()
parameterized("forwardAndBackwardReachOnlyTheKeptEntriesOfWeightOrig",
              "l1_unstructured(Linear(4, 3), 'weight', amount=0.5), parameters then loaded; forward and backward")
print("        " + JAVA_PRUNED)
emit_load("layer", load(m))
print("        Tensor x = tensor(dtype, 100, 2, 4);")
print("        Tensor y = layer.forward(x);")
print("        backward(200, y);")
print()
x = tensor(100, 2, 4)
y = m(x)
backward([y], [200])
emit_values("output", "y", y)
emit_values("weight", "layer.weight()", m.weight)
emit_values("input gradient", "x.grad()", x.grad)
emit_grads("layer", m)
print("    }")

m = pruned_linear()
parameterized("twoSgdStepsWithMomentumTrainWeightOrig", "two steps of SGD(lr=0.1, momentum=0.9) on the pruned Linear")
print("        " + JAVA_PRUNED)
emit_load("layer", load(m))
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
    m.weight = m.weight_orig * m.weight_mask  # what the forward pre-hook does before each call
    backward([m(x)], [200])
    sgd.step()
print("        Map<String, Tensor> state = layer.stateDict();")
for name, t in m.state_dict().items():
    emit_values(name, 'state.get("%s")' % name, t)
print("    }")

m = pruned_linear()
parameterized("removingThePruningLeavesTheMaskedWeightAsAPlainParameter", "prune.remove(m, 'weight')")
print("        " + JAVA_PRUNED)
emit_load("layer", load(m))
prune.remove(m, "weight")
print('        Prune.remove(layer, "weight");')
print("        assertEquals(%s, List.copyOf(layer.stateDict().keySet()));" % java_list(m.state_dict().keys()))
emit_values("weight", "layer.weight()", m.weight)
print("    }")

print()
print("    @Test")
print("    void stateDictKeysArePyTorchs() {")
print("        // pruned Linear, Conv2d with weight and bias pruned, and a Sequential, PyTorch 1.13")
m = prune.l1_unstructured(nn.Linear(4, 3), "weight", amount=0.5)
print('        assertEquals(%s,\n                List.copyOf(Prune.l1Unstructured(new Linear(4, 3), "weight", 0.5).stateDict().keySet()));'
      % java_list(m.state_dict().keys()))
m = prune.random_unstructured(prune.ln_structured(nn.Conv2d(2, 3, 2), "weight", amount=1, n=2, dim=0), "bias", amount=1)
print('        assertEquals(%s,\n                List.copyOf(Prune.randomUnstructured(Prune.lnStructured(new Conv2d(2, 3, 2), "weight", 1, 2, 0),'
      ' "bias", 1)\n                        .stateDict().keySet()));' % java_list(m.state_dict().keys()))
m = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
prune.identity(m[0], "weight")
prune.identity(m[2], "bias")
print("        Sequential model = new Sequential(new Linear(4, 3), new Tanh(), new Linear(3, 2));")
print('        Prune.identity(model.getSubmodule("0"), "weight");')
print('        Prune.identity(model.getSubmodule("2"), "bias");')
print("        assertEquals(%s,\n                List.copyOf(model.stateDict().keySet()));" % java_list(m.state_dict().keys()))
print("        assertEquals(%s,\n                List.copyOf(model.namedParameters().keySet()));" % java_list(dict(m.named_parameters()).keys()))
print("    }")
print("}")
