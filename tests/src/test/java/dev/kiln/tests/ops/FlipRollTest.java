package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#flip} and {@link Tensor#roll} against PyTorch 1.13's {@code torch.flip} and {@code torch.roll} on
 * {@code arange(24).reshape(2, 3, 4)}, in every dtype; the gradient of a reordering is the reordering undone.
 */
class FlipRollTest {
    private static final double[] R = IntStream.range(0, 24).asDoubleStream().toArray();

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static void assertReorders(DType dtype, UnaryOperator<Tensor> op, double[] expected) {
        Tensor y = op.apply(tensor(dtype, R, 2, 3, 4));
        assertEquals(dtype, y.dtype());
        assertValues(dtype.toString(), expected, new int[] {2, 3, 4}, y, 0);
    }

    /** The gradient of {@code (op(x) * reordered).sum()}, where {@code reordered} is op of R, is R: op undone. */
    private static void assertGradientIsTheInverse(UnaryOperator<Tensor> op, double[] reordered) {
        Tensor x = leaf(DType.F64, R, 2, 3, 4);
        backward(op.apply(x), reordered);
        assertArrayEquals(R, x.grad().toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void flipReversesEachGivenAxisAsPyTorch(DType dtype) {
        // torch.flip(x, (0, 2)) and torch.flip(x, (-1,))
        double[] flipped = {15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8};
        assertReorders(dtype, x -> x.flip(0, 2), flipped);
        assertReorders(dtype, x -> x.flip(-1), new double[] {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
            19, 18, 17, 16, 23, 22, 21, 20});
        assertGradientIsTheInverse(x -> x.flip(0, 2), flipped);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void rollWithoutAxesMovesTheFlattenedElementsAsPyTorch(DType dtype) {
        // torch.roll(x, 5)
        double[] rolled = {19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        assertReorders(dtype, x -> x.roll(5), rolled);
        assertReorders(dtype, x -> x.roll(5 - 24 * 3), rolled);
        assertGradientIsTheInverse(x -> x.roll(5), rolled);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void rollAlongAxesWrapsNegativeAndLongShiftsAsPyTorch(DType dtype) {
        // torch.roll(x, (1, -5), (1, 2))
        double[] rolled = {9, 10, 11, 8, 1, 2, 3, 0, 5, 6, 7, 4, 21, 22, 23, 20, 13, 14, 15, 12, 17, 18, 19, 16};
        assertReorders(dtype, x -> x.roll(new int[] {1, -5}, new int[] {1, 2}), rolled);
        assertGradientIsTheInverse(x -> x.roll(new int[] {1, -5}, new int[] {1, 2}), rolled);
    }

    @Test
    void rollingOneAxisTwiceAddsTheShiftsAsPyTorch() {
        // torch.roll(x, (1, 1), (2, 2))
        assertReorders(DType.F64, x -> x.roll(new int[] {1, 1}, new int[] {2, -1}), new double[] {2, 3, 0, 1, 6, 7, 4,
            5, 10, 11, 8, 9, 14, 15, 12, 13, 18, 19, 16, 17, 22, 23, 20, 21});
    }

    @Test
    void theSmallestIntShiftRollsAndUnrollsLikeItsRemainder() {
        // Integer.MIN_VALUE mod 24 is 16, mod 3 is 1, mod 4 is 0.
        assertReorders(DType.F64, x -> x.roll(Integer.MIN_VALUE), IntStream.range(0, 24)
                .mapToDouble(i -> (i + 8) % 24).toArray());
        UnaryOperator<Tensor> roll = x -> x.roll(new int[] {Integer.MIN_VALUE, Integer.MIN_VALUE}, new int[] {1, 2});
        assertGradientIsTheInverse(roll, roll.apply(Tensor.fromArray(R, 2, 3, 4)).toDoubleArray());
    }

    @Test
    void flippingNoAxesOrAnAxisOfOneCopies() {
        Tensor x = Tensor.fromArray(new double[] {1, 2}, 2, 1);
        Tensor same = x.flip();
        Tensor alsoSame = x.flip(1);
        same.close();
        alsoSame.close();
        assertArrayEquals(new double[] {1, 2}, x.toDoubleArray());
    }

    @Test
    void rollingTheFlattenedTensorByAWholeTurnGivesATensorOfItsOwn() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = x.roll(6);
        assertNotSame(x.storage(), y.storage(), "torch.roll returns a new tensor, not a view of its input");
        y.addInPlace(Tensor.ones(DType.F64, 2, 3), 1);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, x.toDoubleArray());
    }

    @Test
    void aRepeatedFlipAxisOrMismatchedRollListsAreRefused() {
        Tensor x = Tensor.zeros(2, 3);
        assertEquals("flip: axis 0 appears more than once in [0, -2] for shape [2, 3]",
                assertThrows(IllegalArgumentException.class, () -> x.flip(0, -2)).getMessage());
        assertEquals("roll: 1 shifts [1] for 2 axes [0, 1] of [2, 3]; give one shift per axis, or one shift alone to"
                + " roll the flattened tensor", assertThrows(IllegalArgumentException.class,
                        () -> x.roll(new int[] {1}, new int[] {0, 1})).getMessage());
        assertEquals("roll: axis 2 is out of range for shape [2, 3] (rank 2: axes -2 to 1)", assertThrows(
                IllegalArgumentException.class, () -> x.roll(new int[] {1}, new int[] {2})).getMessage());
    }
}
