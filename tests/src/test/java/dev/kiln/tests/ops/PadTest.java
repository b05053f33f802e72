package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#pad} against PyTorch 1.13's {@code F.pad(x, pads, value=...)} (constant mode) on
 * {@code arange(6).reshape(2, 3)}: pairs for the last axis first, negative amounts crop, every dtype, and the gradient,
 * which crops what was added and is 0 where the input was cropped.
 */
class PadTest {
    private static final double[] A = {0, 1, 2, 3, 4, 5};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void padsTheLastAxisFirstAndCropsWithNegativeAmountsAsPyTorch(DType dtype) {
        Tensor x = tensor(dtype, A, 2, 3);
        // F.pad(x, (1, 2)); F.pad(x, (-1, 1, 1, 0), value=9.); F.pad(x, (0, 0, -2, 1), value=-1.)
        assertValues("(1, 2)", new double[] {0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0, 0}, new int[] {2, 6}, F.pad(x, 1, 2), 0);
        assertValues("(-1, 1, 1, 0)", new double[] {9, 9, 9, 1, 2, 9, 4, 5, 9}, new int[] {3, 3},
                F.pad(x, new int[] {-1, 1, 1, 0}, 9), 0);
        assertValues("(0, 0, -2, 1)", new double[] {-1, -1, -1}, new int[] {1, 3},
                F.pad(x, new int[] {0, 0, -2, 1}, -1), 0);
        assertEquals(dtype, F.pad(x, 1, 1).dtype());
    }

    @Test
    void anAxisCroppedToNothingIsEmptyAsInPyTorch() {
        // F.pad(x, (-2, -1)).shape is [2, 0]
        assertArrayEquals(new int[] {2, 0}, F.pad(Tensor.zeros(2, 3), -2, -1).shape().dims());
    }

    @Test
    void padsLeadingAxesOfA3DTensorAsPyTorch() {
        // F.pad(x.reshape(1, 2, 3), (0, 0, 0, 0, 1, 0))
        assertValues("leading axis", new double[] {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5}, new int[] {2, 2, 3},
                F.pad(Tensor.fromArray(A, 1, 2, 3), 0, 0, 0, 0, 1, 0), 0);
    }

    @Test
    void theGradientCropsThePaddingAndIsZeroWhereTheInputWasCroppedAsPyTorch() {
        Tensor x = leaf(DType.F64, A, 2, 3);
        Tensor y = F.pad(x, new int[] {-1, 2, 1, -1}, 7);
        // y = F.pad(x, (-1, 2, 1, -1), value=7.); (y * arange(8).reshape(2, 4)).sum().backward()
        assertValues("values", new double[] {7, 7, 7, 7, 1, 2, 7, 7}, new int[] {2, 4}, y, 0);
        backward(y, new double[] {0, 1, 2, 3, 4, 5, 6, 7});
        assertArrayEquals(new double[] {0, 4, 5, 0, 0, 0}, x.grad().toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void anIntegerTensorTakesTheValueTruncatedAsPyTorchs(DType dtype) {
        Tensor x = tensor(dtype, new double[] {1, 2}, 2);
        // F.pad(torch.tensor([1, 2]), (1, 1), value=2.7) and value=-2.7
        assertArrayEquals(new long[] {2, 1, 2, 2}, F.pad(x, new int[] {1, 1}, 2.7).toLongArray());
        assertArrayEquals(new long[] {-2, 1, 2, -2}, F.pad(x, new int[] {1, 1}, -2.7).toLongArray());
    }

    @Test
    void anOddLongOrOverCroppingListIsRefusedNamingIt() {
        Tensor x = Tensor.zeros(2, 3);
        assertEquals("pad: [1] has odd length 1; it holds (before, after) pairs, the last axis first",
                assertThrows(IllegalArgumentException.class, () -> F.pad(x, 1)).getMessage());
        assertEquals("pad: [0, 0, 0, 0, 0, 0] pads 3 axes, but the tensor [2, 3] has 2",
                assertThrows(IllegalArgumentException.class, () -> F.pad(x, 0, 0, 0, 0, 0, 0)).getMessage());
        assertEquals("pad: axis 1 of [2, 3] padded by (-4, 0) would have size -1",
                assertThrows(IllegalArgumentException.class, () -> F.pad(x, -4, 0)).getMessage());
    }

    @Test
    void croppingMoreThanAnAxisHoldsIsRefusedNamingThePaddingEvenWherePaddingTheOtherEndMakesUpTheSize() {
        // torch.nn.functional.pad(torch.zeros(2, 3), (-4, 2)) fails too
        Tensor x = Tensor.zeros(2, 3);
        assertEquals("pad: axis 1 of [2, 3] padded by (-4, 2) crops 4 of its 3 elements",
                assertThrows(IllegalArgumentException.class, () -> F.pad(x, -4, 2)).getMessage());
        assertEquals("pad: axis 0 of [2, 3] padded by (5, -3) crops 3 of its 2 elements",
                assertThrows(IllegalArgumentException.class, () -> F.pad(x, 0, 0, 5, -3)).getMessage());
    }

    @Test
    void noPaddingGivesANewTensor() {
        Tensor x = Tensor.fromArray(A, 2, 3);
        F.pad(x, 0, 0).close();
        assertArrayEquals(A, x.toDoubleArray());
    }
}
