"""Prints AdaptiveLogSoftmaxWithLossPyTorchParityTest: torch.nn.AdaptiveLogSoftmaxWithLoss with its parameters loaded
from the pattern (two clusters with div_value 2 and a head bias; the defaults with one cluster on an unbatched
example): forward's output and loss with the gradients of the input and of every parameter, log_prob with its
gradients, and predict, in float64:

    /usr/bin/python3 adaptive_softmax.py > ../java/dev/kiln/nn/AdaptiveLogSoftmaxWithLossPyTorchParityTest.java
"""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertGradient;
import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AdaptiveLogSoftmaxWithLoss} against PyTorch 1.13's own numbers in F64 to 1e-12 (printed by
 * {@code models/src/test/pytorch/adaptive_softmax.py}), its parameters loaded by PyTorch's names: forward's output and
 * loss with the gradients of the input and of every parameter for a weighted sum of both (see {@link PyTorchParity}),
 * with targets in the shortlist and in each cluster, and for one unbatched example; {@code logProb} with its gradients;
 * and {@code predict}, whose rows mix head and tail classes.
 */
class AdaptiveLogSoftmaxWithLossPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor targets(long... classes) {
        return Tensor.fromArray(classes, classes.length);
    }
'''


def start(method, title):
    print()
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")


def make(java, module):
    print("        AdaptiveLogSoftmaxWithLoss asm = (AdaptiveLogSoftmaxWithLoss) %s.to(DType.F64);" % java)
    emit_load("asm", load(module))


def grads(module, inputs):
    for java, t in inputs:
        emit_values("gradient of " + java, java + ".grad()", t.grad)
    emit_grads("asm", module)


print(HEADER, end="")

TWO = ("new AdaptiveLogSoftmaxWithLoss(6, 10, new int[] {3, 6}, 2.0, true)",
       lambda: torch.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0, head_bias=True))
classes = [0, 4, 9, 2, 6, 5, 7]

start("targetsInTheShortlistAndBothClustersMatchPyTorch",
      "torch.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0, head_bias=True)(3 x, %s)" % classes)
m = TWO[1]()
make(TWO[0], m)
x = tensor(100, 7, 6)
print("        Tensor x = tensor(DType.F64, 100, 7, 6);")
print("        AdaptiveSoftmaxOutput out = asm.forward(x.mul(3.0), targets(%s));" % ", ".join(map(str, classes)))
print("        backward(200, out.output(), out.loss());")
out = m(3 * x, torch.tensor(classes))
backward([out.output, out.loss], [200, 201])
print()
emit_values("output", "out.output()", out.output)
emit_values("loss", "out.loss()", out.loss)
grads(m, [("x", x)])
print("    }")

start("oneUnbatchedExampleWithTheDefaultsMatchesPyTorch",
      "torch.nn.AdaptiveLogSoftmaxWithLoss(8, 6, [2])(3 x, 4) of x [8]")
m = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 6, [2])
make("new AdaptiveLogSoftmaxWithLoss(8, 6, new int[] {2})", m)
x = tensor(100, 8)
print("        Tensor x = tensor(DType.F64, 100, 8);")
print("        AdaptiveSoftmaxOutput out = asm.forward(x.mul(3.0), Tensor.fromArray(new long[] {4}).reshape());")
print("        backward(200, out.output(), out.loss());")
out = m(3 * x, torch.tensor(4))
backward([out.output, out.loss], [200, 201])
print()
print("        assertArrayEquals(new int[0], out.output().shape().dims());")
emit_values("output", "out.output()", out.output)
emit_values("loss", "out.loss()", out.loss)
grads(m, [("x", x)])
print("    }")

start("logProbOfEveryClassMatchesPyTorch",
      "torch.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0, head_bias=True).log_prob(3 x)")
m = TWO[1]()
make(TWO[0], m)
x = tensor(101, 4, 6)
print("        Tensor x = tensor(DType.F64, 101, 4, 6);")
print("        Tensor y = asm.logProb(x.mul(3.0));")
print("        backward(200, y);")
y = m.log_prob(3 * x)
backward([y], [200])
print()
emit_values("log-probabilities", "y", y)
grads(m, [("x", x)])
print("    }")

start("predictMatchesPyTorchWhereTheHeadPicksAClusterForSomeRows",
      "torch.nn.AdaptiveLogSoftmaxWithLoss(5, 10, [3, 6], div_value=2.0, head_bias=True).predict(4 x)")
m = torch.nn.AdaptiveLogSoftmaxWithLoss(5, 10, [3, 6], div_value=2.0, head_bias=True)
make("new AdaptiveLogSoftmaxWithLoss(5, 10, new int[] {3, 6}, 2.0, true)", m)
x = tensor(102, 12, 5, grad=False) * 4
print("        Tensor x = tensor(DType.F64, 102, 12, 5).detach().mul(4.0);")
with torch.no_grad():
    p = m.predict(x)
    head = m.head(x).argmax(1)
assert (head >= 3).any() and (head < 3).any(), head
assert torch.equal(p, m.log_prob(x).argmax(1))
print("        // the head picks %s" % head.tolist())
print("        assertArrayEquals(new long[] {%s}, asm.predict(x).toLongArray());" % ", ".join(map(str, p.tolist())))
print("    }")
print("}")
