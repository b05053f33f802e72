package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#pad(Tensor, int[], PaddingMode)}'s rules, as PyTorch 1.13's {@code F.pad(x, pads, mode=...)} has them, on
 * {@code arange(4).reshape(1, 1, 4)}: which ranks each mode takes, how large each amount may be, the errors that name
 * the padding, and the dtypes. Values and gradients against PyTorch's are in {@code PaddingPyTorchParityTest}, finite
 * differences in {@code GradientCheckTest}.
 */
class PaddingModeTest {
    private static final double[] A = {0, 1, 2, 3};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor row() {
        return Tensor.fromArray(A, 1, 1, 4);
    }

    private static String refusal(Tensor x, int[] pads, PaddingMode mode) {
        return assertThrows(IllegalArgumentException.class, () -> F.pad(x, pads, mode)).getMessage();
    }

    @Test
    void eachModeFillsTheBorderAsPyTorch() {
        // F.pad(x, (3, 3), mode=...) for reflect, replicate and circular (4, 2)
        assertArrayEquals(new double[] {3, 2, 1, 0, 1, 2, 3, 2, 1, 0},
                F.pad(row(), new int[] {3, 3}, PaddingMode.REFLECT).toDoubleArray());
        assertArrayEquals(new double[] {0, 0, 0, 0, 1, 2, 3, 3, 3, 3},
                F.pad(row(), new int[] {3, 3}, PaddingMode.REPLICATE).toDoubleArray());
        assertArrayEquals(new double[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1},
                F.pad(row(), new int[] {4, 2}, PaddingMode.CIRCULAR).toDoubleArray());
    }

    @Test
    void reflectAndReplicateReadBeyondACroppedEndAsPyTorch() {
        // F.pad(x, (-3, 3), mode='reflect') and mode='replicate'; F.pad(x, (-5, 3), mode='reflect')
        assertArrayEquals(new double[] {3, 2, 1, 0}, F.pad(row(), new int[] {-3, 3}, PaddingMode.REFLECT).toDoubleArray());
        assertArrayEquals(new double[] {3, 3, 3, 3},
                F.pad(row(), new int[] {-3, 3}, PaddingMode.REPLICATE).toDoubleArray());
        assertArrayEquals(new double[] {1, 0}, F.pad(row(), new int[] {-5, 3}, PaddingMode.REFLECT).toDoubleArray());
    }

    @Test
    void circularWrapsAroundWhatCroppingLeaves() {
        // F.pad(x, (-1, 2), mode='circular')
        assertArrayEquals(new double[] {1, 2, 3, 1, 2},
                F.pad(row(), new int[] {-1, 2}, PaddingMode.CIRCULAR).toDoubleArray());
    }

    @Test
    void circularCroppingAWholeAxisLeavesItEmptyAsPyTorch() {
        // F.pad(x, (-4, 0), mode='circular').shape is [1, 1, 0]
        assertArrayEquals(new int[] {1, 1, 0}, F.pad(row(), new int[] {-4, 0}, PaddingMode.CIRCULAR).shape().dims());
    }

    @Test
    void zerosIsConstantPaddingWithZeroOnAnyRank() {
        Tensor x = Tensor.fromArray(new double[] {1, 2}, 2);
        assertArrayEquals(new double[] {0, 1, 2, 0, 0}, F.pad(x, new int[] {1, 2}, PaddingMode.ZEROS).toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerTensorsArePaddedExactly(DType dtype) {
        Tensor x = tensor(dtype, new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 2, 4);
        // F.pad(torch.arange(8).reshape(1, 2, 4), (1, 1), mode='circular'); PyTorch 1.13 has no integer reflection
        assertArrayEquals(new long[] {3, 0, 1, 2, 3, 0, 7, 4, 5, 6, 7, 4},
                F.pad(x, new int[] {1, 1}, PaddingMode.CIRCULAR).toLongArray());
        assertArrayEquals(new long[] {1, 0, 1, 2, 3, 2, 5, 4, 5, 6, 7, 6},
                F.pad(x, new int[] {1, 1}, PaddingMode.REFLECT).toLongArray());
        assertEquals(dtype, F.pad(x, new int[] {1, 1}, PaddingMode.REPLICATE).dtype());
    }

    @Test
    void noPaddingGivesANewTensor() {
        Tensor x = row();
        Tensor y = F.pad(x, new int[] {0, 0}, PaddingMode.REFLECT);
        assertNotSame(x, y);
        y.close();
        assertArrayEquals(A, x.toDoubleArray());
    }

    @Test
    void aReflectionAsLargeAsItsAxisIsRefusedNamingIt() {
        // PyTorch: "Padding size should be less than the corresponding input dimension"
        assertEquals("pad: reflect padding (4, 0) of axis 2 of [1, 1, 4] must be less than the axis's size 4 on each"
                + " side", refusal(row(), new int[] {4, 0}, PaddingMode.REFLECT));
        assertEquals("pad: reflect padding (1, 3) of axis 1 of [1, 3, 4] must be less than the axis's size 3 on each"
                + " side", refusal(Tensor.zeros(1, 3, 4), new int[] {0, 0, 1, 3}, PaddingMode.REFLECT));
    }

    @Test
    void aCircularPaddingThatWrapsMoreThanOnceIsRefusedNamingIt() {
        // PyTorch: "Padding value causes wrapping around more than once."
        assertEquals("pad: circular padding (5, 0) of axis 2 of [1, 1, 4] wraps around more than once: at most 4"
                + " elements (what cropping leaves of the axis) on each side",
                refusal(row(), new int[] {5, 0}, PaddingMode.CIRCULAR));
        assertEquals("pad: circular padding (-1, 4) of axis 2 of [1, 1, 4] wraps around more than once: at most 3"
                + " elements (what cropping leaves of the axis) on each side",
                refusal(row(), new int[] {-1, 4}, PaddingMode.CIRCULAR));
        assertEquals("pad: circular padding (-5, 1) of axis 2 of [1, 1, 4] crops 5 of its 4 elements",
                refusal(row(), new int[] {-5, 1}, PaddingMode.CIRCULAR));
    }

    @Test
    void aReflectionOrReplicationThatLeavesNothingIsRefusedNamingIt() {
        // PyTorch: "input (W: 4) is too small. Calculated output W: 0"
        assertEquals("pad: replicate padding (-4, 0) of axis 2 of [1, 1, 4] would give the axis size 0; it must keep at"
                + " least 1 element",
                refusal(row(), new int[] {-4, 0}, PaddingMode.REPLICATE));
        assertEquals("pad: reflect padding (-2, -3) of axis 2 of [1, 1, 4] would give the axis size -1; it must keep at"
                + " least 1 element",
                refusal(row(), new int[] {-2, -3}, PaddingMode.REFLECT));
    }

    @Test
    void replicatingAnEmptyAxisIsRefusedNamingIt() {
        assertEquals("pad: replicate padding (1, 1) of axis 1 of [1, 0]: the axis is empty, with no edge to replicate",
                refusal(Tensor.zeros(1, 0), new int[] {1, 1}, PaddingMode.REPLICATE));
    }

    @Test
    void anOddNumberOfAmountsIsRefusedNamingIt() {
        assertEquals("pad: [1, 1, 1] has odd length 3; it holds (before, after) pairs, the last axis first",
                refusal(row(), new int[] {1, 1, 1}, PaddingMode.REPLICATE));
    }

    @Test
    void moreThanThreeOrNoPairsAreRefusedNamingTheAmounts() {
        assertEquals("pad: circular padding pads the last 1, 2 or 3 axes, but [1, 1, 1, 1, 1, 1, 1, 1] holds 4 pairs",
                refusal(Tensor.zeros(1, 1, 2, 2, 2, 2), new int[] {1, 1, 1, 1, 1, 1, 1, 1}, PaddingMode.CIRCULAR));
        assertEquals("pad: reflect padding pads the last 1, 2 or 3 axes, but [] holds 0 pairs",
                refusal(row(), new int[0], PaddingMode.REFLECT));
    }

    @Test
    void aRankTheModeDoesNotTakeIsRefusedNamingTheRanksItTakes() {
        // PyTorch: "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now"
        assertEquals("pad: reflect padding of 1 axis [1, 1] needs a 2-D [channels, ...] or 3-D [batch, channels, ...]"
                + " input, got [4]", refusal(Tensor.zeros(4), new int[] {1, 1}, PaddingMode.REFLECT));
        assertEquals("pad: replicate padding of 1 axis [1, 1] needs a 2-D [channels, ...] or 3-D [batch, channels,"
                + " ...] input, got [1, 1, 2, 4]", refusal(Tensor.zeros(1, 1, 2, 4), new int[] {1, 1},
                PaddingMode.REPLICATE));
    }

    @Test
    void aNullModeIsRefusedNamingTheModes() {
        assertEquals("pad: mode must be one of [ZEROS, REFLECT, REPLICATE, CIRCULAR], got null",
                refusal(row(), new int[] {1, 1}, null));
    }
}
