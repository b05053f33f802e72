package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#tril} and {@link Tensor#triu} against PyTorch 1.13's {@code torch.tril} and {@code torch.triu} on
 * {@code arange(1, 13).reshape(3, 4)} for diagonals on, above, below and beyond the matrix, on a batch of matrices,
 * in every dtype; the gradient is the same triangle of the output's gradient.
 */
class TrilTriuTest {
    private static final double[] T = IntStream.rangeClosed(1, 12).asDoubleStream().toArray();

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Stream<Arguments> diagonals() {
        // torch.tril(x, k) and torch.triu(x, k)
        return Stream.of(
                Arguments.of(0, new double[] {1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0},
                        new double[] {1, 2, 3, 4, 0, 6, 7, 8, 0, 0, 11, 12}),
                Arguments.of(1, new double[] {1, 2, 0, 0, 5, 6, 7, 0, 9, 10, 11, 12},
                        new double[] {0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12}),
                Arguments.of(-1, new double[] {0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0},
                        new double[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 10, 11, 12}),
                Arguments.of(5, T, new double[12]),
                Arguments.of(-5, new double[12], T),
                Arguments.of(Integer.MAX_VALUE, T, new double[12]),
                Arguments.of(Integer.MIN_VALUE, new double[12], T));
    }

    @ParameterizedTest(name = "k = {0}")
    @MethodSource("diagonals")
    void trilAndTriuKeepTheTrianglesOfEachDiagonalAsPyTorch(int k, double[] lower, double[] upper) {
        for (DType dtype : DType.values()) {
            Tensor x = tensor(dtype, T, 3, 4);
            assertEquals(dtype, x.tril(k).dtype());
            assertValues(dtype + " tril", lower, new int[] {3, 4}, x.tril(k), 0);
            assertValues(dtype + " triu", upper, new int[] {3, 4}, x.triu(k), 0);
        }
    }

    @Test
    void eachMatrixOfABatchIsMaskedAsPyTorch() {
        Tensor x = Tensor.fromArray(IntStream.rangeClosed(1, 24).asDoubleStream().toArray(), 2, 4, 3);
        // torch.tril(x, -1) and torch.triu(x, 1) of arange(1, 25).reshape(2, 4, 3)
        assertValues("tril", new double[] {0, 0, 0, 4, 0, 0, 7, 8, 0, 10, 11, 12, 0, 0, 0, 16, 0, 0, 19, 20, 0, 22, 23,
            24}, new int[] {2, 4, 3}, x.tril(-1), 0);
        assertValues("triu", new double[] {0, 2, 3, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 14, 15, 0, 0, 18, 0, 0, 0, 0, 0, 0},
                new int[] {2, 4, 3}, x.triu(1), 0);
    }

    @Test
    void aNaNOutsideTheTriangleBecomesZeroAsPyTorch() {
        // torch.tril(torch.tensor([[1., nan], [2., 3.]]))
        assertArrayEquals(new double[] {1, 0, 2, 3}, Tensor.fromArray(new double[] {1, NAN, 2, 3}, 2, 2).tril(0)
                .toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theGradientIsTheTriangleOfTheOutputsGradient(DType dtype) {
        Tensor x = leaf(dtype, T, 3, 4);
        backward(x.triu(1), T);
        assertValues("gradient", new double[] {0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12}, new int[] {3, 4}, x.grad(), 0);
    }

    @Test
    void aVectorIsRefused() {
        assertEquals("tril: needs a tensor of at least 2 dimensions (matrices in the last two), got shape [3]",
                assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).tril(0)).getMessage());
    }
}
