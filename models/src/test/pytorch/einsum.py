"""Prints EinsumPyTorchParityTest: torch.einsum's outputs and each operand's gradient, in F64."""
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#einsum} against PyTorch's {@code torch.einsum} (numbers printed by
 * {@code models/src/test/pytorch/einsum.py}): matrix and batched products, attention scores, a bilinear form of three
 * operands, outer products, traces and diagonals, transposes and sums, implicit outputs, and ellipses and indices of
 * size 1 that broadcast; the output, its shape, and each operand's gradient of a weighted sum of the output (see
 * {@link PyTorchParity}).
 */
class EinsumPyTorchParityTest {
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

NAMES = "xyzw"


def case(method, equation, *shapes):
    operands = [tensor(100 + i, *s) for i, s in enumerate(shapes)]
    y = torch.einsum(equation, *operands)
    backward([y], [200])
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print('        // torch.einsum("%s", %s) on %s, PyTorch 1.13' % (
        equation, ", ".join(NAMES[:len(shapes)]), ", ".join(str(list(s)) for s in shapes)))
    for i, s in enumerate(shapes):
        print("        Tensor %s = tensor(dtype, %d%s);" % (NAMES[i], 100 + i, "".join(", %d" % d for d in s)))
    print('        Tensor out = F.einsum("%s", %s);' % (equation, ", ".join(NAMES[:len(shapes)])))
    print("        backward(200, out);")
    print()
    print("        assertArrayEquals(new int[] {%s}, out.shape().dims());" % ", ".join(map(str, y.shape)))
    emit_values("output", "out", y)
    for i, o in enumerate(operands):
        emit_values("gradient of %s" % NAMES[i], "%s.grad()" % NAMES[i], o.grad)
    print("    }")


print(HEADER, end="")
case("matrixProduct", "ij,jk->ik", (3, 4), (4, 5))
case("batchedMatrixProduct", "bij,bjk->bik", (2, 3, 4), (2, 4, 5))
case("attentionScores", "bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4))
case("bilinearFormOfThreeOperands", "bn,anm,bm->ba", (2, 3), (4, 3, 5), (2, 5))
case("chainOfThreeMatrixProducts", "ij,jk,kl->il", (2, 3), (3, 4), (4, 2))
case("outerProduct", "i,j->ij", (3,), (4,))
case("dotProduct", "i,i->", (5,), (5,))
case("trace", "ii->", (4, 4))
case("diagonal", "ii->i", (4, 4))
case("diagonalOfTheLeadingAxesSummedOver", "iij->j", (3, 3, 4))
case("diagonalOfAxesApartKeptInPlace", "ijik->kji", (3, 2, 3, 2))
case("transpose", "ij->ji", (3, 4))
case("sumOverAnAxis", "ij->j", (3, 4))
case("sumOfEverything", "ij->", (3, 4))
case("implicitOutputHoldsTheIndicesThatAppearOnceInAlphabeticalOrder", "kj,ji", (3, 4), (4, 2))
case("implicitOutputPutsUpperCaseFirst", "bA", (3, 2))
case("ellipsisBroadcastsLeadingAxes", "...ij,...jk->...ik", (2, 1, 3, 4), (3, 4, 2))
case("implicitOutputStartsWithTheEllipsis", "i...,i...", (3, 2), (3, 1))
case("ellipsisMissingFromTheOutputIsSummed", "...ij->j", (2, 3, 4))
case("indexOfSizeOneBroadcastsAgainstAnotherOperand", "ij,ij->ij", (1, 3), (2, 3))
print("}")
