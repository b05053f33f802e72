"""Prints OrthogonalPyTorchParityTest: torch.nn.utils.parametrizations.orthogonal on Linear and Conv1d weights."""
from parity import *
import torch.nn as nn
from torch.nn.utils.parametrizations import orthogonal

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
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

/**
 * {@link Orthogonal} against PyTorch 1.13's own numbers (printed by {@code models/src/test/pytorch/orthogonal.py}), in
 * F64: {@code orthogonal(module, "weight", map, use_trivialization=...)} on square, tall and wide Linear weights and
 * batches of matrices (Conv1d weights), each map with and without trivialization. For each: the state-dict keys, the
 * original and the base that registration leaves and the weight it starts with; then, with the original loaded from
 * the pattern (see {@link PyTorchParity}; householder keeps the one registration leaves, as it reads the diagonal's
 * integer part) and base from PyTorch's (its random completion of a non-square weight), the output, the weight and
 * the gradients of the input, the original and the bias; and two SGD steps with momentum, after which the weight is
 * still orthogonal to 1e-12.
 */
class OrthogonalPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * {@code layer} in F64 with its weight the cube of the pattern of seed 1 (the pattern's own matrices have rank 2 at
     * most) and its bias the pattern of seed 2, then made orthogonal.
     */
    private static <M extends Module> M orthogonal(M layer, int[] weightDims, int outputs, String map,
            boolean trivialization) {
        layer.to(DType.F64);
        layer.loadStateDict(Map.of("weight", values(1, weightDims).pow(3), "bias", values(2, outputs)), true);
        return Orthogonal.apply(layer, "weight", map, trivialization);
    }

    /** Sets base, PyTorch's after registration. */
    private static void loadBase(Module layer, double[] values, int... dims) {
        layer.loadStateDict(Map.of("parametrizations.weight.0.base", Tensor.fromArray(values, dims)), false);
    }
'''


def java_list(strings):
    return "List.of(" + ", ".join('"%s"' % s for s in strings) + ")"


def java_dims(shape):
    return "new int[] {" + ", ".join(str(d) for d in shape) + "}"


def java_doubles(t):
    return "new double[] {\n                " + fmt(t.detach().reshape(-1)) + "}"


# (method prefix, Python constructor, Java constructor, input dims, map, use_trivialization)
CASES = [
    ("squareMatrixExp", lambda: nn.Linear(3, 3), "new Linear(3, 3)", (2, 3), "matrix_exp", True),
    ("squareCayley", lambda: nn.Linear(3, 3), "new Linear(3, 3)", (2, 3), "cayley", True),
    ("squareHouseholder", lambda: nn.Linear(3, 3), "new Linear(3, 3)", (2, 3), "householder", True),
    ("tallDefaultMap", lambda: nn.Linear(2, 4), "new Linear(2, 4)", (2, 2), None, True),
    ("tallMatrixExp", lambda: nn.Linear(2, 4), "new Linear(2, 4)", (2, 2), "matrix_exp", True),
    ("wideMatrixExp", lambda: nn.Linear(4, 2), "new Linear(4, 2)", (2, 4), "matrix_exp", True),
    ("wideCayley", lambda: nn.Linear(4, 2), "new Linear(4, 2)", (2, 4), "cayley", True),
    ("batchOfWideCayley", lambda: nn.Conv1d(2, 3, 3), "new Conv1d(2, 3, 3)", (2, 2, 5), "cayley", True),
    ("batchOfTallHouseholder", lambda: nn.Conv1d(4, 2, 3), "new Conv1d(4, 2, 3)", (1, 4, 5), "householder", True),
    ("squareMatrixExpWithoutTrivialization", lambda: nn.Linear(3, 3), "new Linear(3, 3)", (2, 3), "matrix_exp", False),
    ("wideCayleyWithoutTrivialization", lambda: nn.Linear(4, 2), "new Linear(4, 2)", (2, 4), "cayley", False),
    ("squareHouseholderWithoutTrivialization", lambda: nn.Linear(3, 3), "new Linear(3, 3)", (2, 3), "householder",
     False),
    ("tallHouseholderWithoutTrivialization", lambda: nn.Linear(2, 4), "new Linear(2, 4)", (2, 2), "householder", False),
    ("wideHouseholderWithoutTrivialization", lambda: nn.Linear(4, 2), "new Linear(4, 2)", (2, 4), "householder", False),
    ("batchOfTallHouseholderWithoutTrivialization", lambda: nn.Conv1d(4, 2, 3), "new Conv1d(4, 2, 3)", (1, 4, 5),
     "householder", False),
]


def made(make, mp, triv):
    torch.manual_seed(0)
    m = make()
    with torch.no_grad():
        m.weight.copy_(pattern(m.weight.numel(), 1).reshape(m.weight.shape) ** 3)
        m.bias.copy_(pattern(m.bias.numel(), 2))
    orthogonal(m, "weight", mp, use_trivialization=triv)
    return m


def java_made(jctor, m, mp, triv):
    shape = m.parametrizations.weight.original.shape
    return "orthogonal(%s, %s, %d, %s, %s)" % (jctor, java_dims(shape), m.bias.numel(),
                                                "null" if mp is None else '"%s"' % mp, "true" if triv else "false")


def begin(method, title, then):
    print()
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    if then:
        print("        // " + then)


def set_base(m):
    if hasattr(m.parametrizations.weight[0], "base"):
        base = m.parametrizations.weight[0].base
        print("        loadBase(layer, %s, %s);" % (java_doubles(base), ", ".join(str(d) for d in base.shape)))


def householder(m):
    return m.parametrizations.weight[0].orthogonal_map.name == "householder"


def forward_title(m):
    if householder(m):
        return "forward and backward from the original registration leaves"
    return "the original loaded from the pattern, then forward and backward"


def sgd_title(m):
    if householder(m):
        return "two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves"
    return "the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)"


def load_original(m):
    """Loads the pattern into the original, except for householder, which truncates the diagonal to integers."""
    if not householder(m):
        emit_load("layer", load(m))


print(HEADER, end="")
for prefix, make, jctor, in_dims, mp, triv in CASES:
    title = "orthogonal(%s, 'weight', %s, use_trivialization=%s)" % (jctor[4:], repr(mp), triv)

    m = made(make, mp, triv)
    begin(prefix + "RegistrationStartsFromTheWeightOrthogonalised", title, None)
    print("        Module layer = %s;" % java_made(jctor, m, mp, triv))
    print("        assertEquals(%s,\n                List.copyOf(layer.stateDict().keySet()));"
          % java_list(m.state_dict().keys()))
    emit_values("original", 'layer.stateDict().get("parametrizations.weight.original")',
                m.parametrizations.weight.original)
    weight = m.weight
    n, k = weight.shape[-2], weight.shape[-1]
    if triv and n == k:
        emit_values("base", 'layer.stateDict().get("parametrizations.weight.0.base")',
                    m.parametrizations.weight[0].base)
    emit_values("weight", "layer.param(\"weight\")", weight)
    print("    }")

    m = made(make, mp, triv)
    begin(prefix + "ForwardAndBackward", title, forward_title(m))
    print("        Module layer = %s;" % java_made(jctor, m, mp, triv))
    load_original(m)
    set_base(m)
    dims = ", ".join(str(d) for d in in_dims)
    print("        Tensor x = tensor(DType.F64, 100, %s);" % dims)
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    print()
    x = tensor(100, *in_dims)
    y = m(x)
    backward([y], [200])
    emit_values("output", "y", y)
    emit_values("weight", "layer.param(\"weight\")", m.weight)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    print("    }")

    m = made(make, mp, triv)
    begin(prefix + "TwoSgdStepsKeepTheWeightOrthogonal", title, sgd_title(m))
    print("        Module layer = %s;" % java_made(jctor, m, mp, triv))
    load_original(m)
    set_base(m)
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
    emit_values("original", 'layer.stateDict().get("parametrizations.weight.original")',
                m.parametrizations.weight.original)
    emit_values("bias", 'layer.stateDict().get("bias")', m.bias)
    emit_values("weight", "layer.param(\"weight\")", m.weight)
    print("        OrthogonalTest.assertOrthogonal(layer.param(\"weight\"), 1e-12);")
    print("    }")
print("}")
