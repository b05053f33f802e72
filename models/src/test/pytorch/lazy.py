"""Prints LazyModulePyTorchParityTest: torch.nn.LazyLinear and torch.nn.LazyConv2d after a first (dry-run) forward
pass has inferred their input size, their parameters then loaded from the pattern: the inferred parameter names and
shapes, outputs, and the gradients of the input and of every parameter, in float64:

    /usr/bin/python3 lazy.py > ../java/dev/kiln/nn/LazyModulePyTorchParityTest.java
"""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertGradient;
import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LazyLinear} and {@link LazyConv2d} against PyTorch 1.13's own numbers in F64 to 1e-12 (printed by
 * {@code models/src/test/pytorch/lazy.py}): a first forward pass infers the input size, after which the parameters
 * have PyTorch's names and shapes (which loading them checks) and give its outputs and the gradients of the input and
 * of every parameter for a weighted sum of the output (see {@link PyTorchParity}).
 */
class LazyModulePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }
'''


def case(method, title, java_layer, module, dims):
    print()
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s layer = %s;" % (java_layer.split("(")[0].replace("new ", ""), java_layer))
    print("        Tensor x = tensor(DType.F64, 100, %s);" % ", ".join(map(str, dims)))
    print("        layer.forward(x.detach());")
    x = tensor(100, *dims)
    module(x.detach())
    emit_load("layer", load(module))
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    y = module(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("gradient of x", "x.grad()", x.grad)
    for name, p in module.named_parameters():
        print('        assertGradient(layer, "%s",\n                %s);' % (name, fmt(p.grad.reshape(-1))))
    print("    }")


print(HEADER, end="")
case("lazyLinearInfersItsInputFeaturesAndMatchesPyTorch", "torch.nn.LazyLinear(4)(x) of x [3, 5]",
     "new LazyLinear(4)", torch.nn.LazyLinear(4), [3, 5])
case("lazyLinearWithoutBiasKeepsLeadingAxes", "torch.nn.LazyLinear(3, bias=False)(x) of x [2, 3, 4]",
     "new LazyLinear(3, false)", torch.nn.LazyLinear(3, bias=False), [2, 3, 4])
case("lazyConv2dInfersItsInputChannelsAndMatchesPyTorch",
     "torch.nn.LazyConv2d(6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)(x) of x [2, 4, 7, 8]",
     "new LazyConv2d(6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2, true)",
     torch.nn.LazyConv2d(6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2), [2, 4, 7, 8])
print("}")
