package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static dev.kiln.tests.ops.PyTorchValues.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#clamp}, {@link Tensor#clampMin} and {@link Tensor#clampMax} against PyTorch 1.13's
 * {@code torch.clamp}, {@code clamp_min} and {@code clamp_max} on values below, at, between and above the bounds
 * and NaN, with the gradient of {@code y.sum()}: 1 where {@code min <= x <= max}, bounds included, 0 elsewhere
 * and at NaN ({@code clamp_backward}).
 */
class ClampTest {
    private static final double[] X = {-2, -1, -0.5, 0, 0.5, 1, 2, NAN};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static void assertClampsAsPyTorch(DType dtype, UnaryOperator<Tensor> op, double[] values,
                                              double[] gradient) {
        Tensor x = leaf(dtype, X, 8);
        Tensor y = op.apply(x);
        assertEquals(dtype, y.dtype());
        assertValues("values", values, new int[] {8}, y, tolerance(dtype));
        y.sum().backward();
        assertValues("gradient", gradient, new int[] {8}, x.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void clampKeepsNaNAndPassesTheGradientAtBothBoundsAsPyTorch(DType dtype) {
        // torch.clamp(x, -1, 1)
        assertClampsAsPyTorch(dtype, x -> x.clamp(-1, 1), new double[] {-1, -1, -0.5, 0, 0.5, 1, 1, NAN},
                new double[] {0, 1, 1, 1, 1, 1, 0, 0});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aMinimumAboveTheMaximumGivesTheMaximumEverywhereButNaNAsPyTorch(DType dtype) {
        // torch.clamp(x, 1, -1)
        assertClampsAsPyTorch(dtype, x -> x.clamp(1, -1), new double[] {-1, -1, -1, -1, -1, -1, -1, NAN},
                new double[] {0, 0, 0, 0, 0, 0, 0, 0});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void clampMinRaisesToTheBoundAndPassesTheGradientFromItOnAsPyTorch(DType dtype) {
        // torch.clamp_min(x, 0.)
        assertClampsAsPyTorch(dtype, x -> x.clampMin(0), new double[] {0, 0, 0, 0, 0.5, 1, 2, NAN},
                new double[] {0, 0, 0, 1, 1, 1, 1, 0});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void clampMaxLowersToTheBoundAndPassesTheGradientUpToItAsPyTorch(DType dtype) {
        // torch.clamp_max(x, 0.5)
        assertClampsAsPyTorch(dtype, x -> x.clampMax(0.5), new double[] {-2, -1, -0.5, 0, 0.5, 0.5, 0.5, NAN},
                new double[] {1, 1, 1, 1, 1, 0, 0, 0});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void anIntegerTensorIsClampedByWholeBoundsInItsOwnDtype(DType dtype) {
        Tensor x = tensor(dtype, new double[] {1, 5, 9, -4}, 4);
        // torch.clamp(torch.tensor([1, 5, 9, -4]), 2, 7) and torch.clamp(..., min=0)
        assertEquals(dtype, x.clamp(2, 7).dtype());
        assertArrayEquals(new long[] {2, 5, 7, 2}, x.clamp(2, 7).toLongArray());
        assertArrayEquals(new long[] {1, 5, 9, 0}, x.clampMin(0).toLongArray());
        assertArrayEquals(new long[] {1, 5, 6, -4}, x.clampMax(6).toLongArray());
    }

    @Test
    void clampingAnIntegerTensorByAFractionIsRefusedNamingTheBoundAndTheWayOut() {
        Tensor x = tensor(DType.I64, new double[] {1, 5}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.clamp(0.5, 3));
        assertTrue(e.getMessage().contains("clamp: min 0.5 is not a whole number, for I64 tensor [2]"), e.getMessage());
        assertTrue(e.getMessage().contains("to(DType.F32)"), e.getMessage());
    }

    @Test
    void aNaNBoundIsRefusedNamingIt() {
        Tensor x = Tensor.zeros(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.clampMax(NAN));
        assertEquals("clampMax: max is NaN, for tensor [3] F32", e.getMessage());
    }

    @Test
    void theResultIsANewTensorEvenWhereNothingIsClamped() {
        Tensor x = Tensor.fromArray(new double[] {0.5, 1}, 2);
        Tensor y = x.clamp(-5, 5);
        y.close();
        assertArrayEquals(new double[] {0.5, 1}, x.toDoubleArray());
    }
}
