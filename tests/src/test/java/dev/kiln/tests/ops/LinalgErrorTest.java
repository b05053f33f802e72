package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.spd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link Linalg}'s refusals: shapes named in full before any work, and PyTorch 1.13's words for a matrix that is not
 * positive-definite or is singular, with the first such batch element (flattened) and its failing minor or pivot.
 */
class LinalgErrorTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void aNonSquareMatrixIsRefusedWithItsShape() {
        Tensor a = Tensor.zeros(2, 3);
        assertMessage("linalg.cholesky: A [2, 3] must be a batch of square matrices [..., n, n]",
                () -> Linalg.cholesky(a));
        assertMessage("linalg.inv: A [2, 3] must be a batch of square matrices [..., n, n]", () -> Linalg.inv(a));
        assertMessage("linalg.det: A [2, 3] must be a batch of square matrices [..., n, n]", () -> Linalg.det(a));
    }

    @Test
    void aVectorIsRefusedAsNoMatrix() {
        assertMessage("linalg.solveTriangular: A [3] must have at least 2 dimensions, matrices in the last two",
                () -> Linalg.solveTriangular(Tensor.zeros(3), Tensor.zeros(3, 1), false));
    }

    @Test
    void rightHandSidesOfTheWrongSizeAreRefusedNamingBothShapes() {
        assertMessage("linalg.solve: A [2, 3, 3] and B [2, 4, 1]: B's rows must number 3, as A's",
                () -> Linalg.solve(Tensor.zeros(2, 3, 3), Tensor.zeros(2, 4, 1)));
        assertMessage("linalg.solveTriangular: A [3, 3] and B [2, 4]: B's columns must number 3, as A's",
                () -> Linalg.solveTriangular(Tensor.zeros(3, 3), Tensor.zeros(2, 4), true, false, false));
    }

    @Test
    void batchAxesThatDoNotBroadcastAreRefusedNamingBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Linalg.choleskySolve(Tensor.zeros(3, 3, 1), Tensor.zeros(2, 3, 3)));
        assertTrue(e.getMessage().startsWith("linalg.choleskySolve: batch axes of L [2, 3, 3] and B [3, 3, 1]"),
                e.getMessage());
    }

    @Test
    void choleskyOfAMatrixThatIsNotPositiveDefiniteNamesTheBatchElementAndTheMinorAsPyTorch() {
        Tensor a = Tensor.stack(List.of(Tensor.fromArray(spd(1, 1, 3), 3, 3),
                Tensor.fromArray(new double[] {1, 2, 0, 2, 1, 0, 0, 0, 1}, 3, 3)), 0);
        assertMessage("linalg.cholesky: (Batch element 1): The factorization could not be completed because the input"
                + " is not positive-definite (the leading minor of order 2 is not positive-definite). (input [2, 3, 3])",
                () -> Linalg.cholesky(a));
    }

    @Test
    void choleskyExReportsTheFailingMinorOfEachMatrixInsteadOfRefusing() {
        Tensor a = Tensor.stack(List.of(Tensor.fromArray(spd(1, 1, 3), 3, 3),
                Tensor.fromArray(new double[] {1, 2, 0, 2, 1, 0, 0, 0, 1}, 3, 3)), 0);
        Linalg.FactorAndInfo result = Linalg.choleskyEx(a, false);
        assertEquals(DType.I32, result.info().dtype());
        assertArrayEquals(new long[] {0, 2}, result.info().toLongArray());
    }

    @Test
    void upperCholeskyExReportsTheMinorsOfTheUpperTriangleAsPyTorch() {
        // Positive-definite by its lower triangle (the identity), not by its upper one: 1 - 2 * 2 < 0.
        Tensor a = Tensor.fromArray(new double[] {1, 2, 0, 1}, 2, 2);
        assertEquals(0, Linalg.choleskyEx(a, false).info().item());
        assertEquals(2, Linalg.choleskyEx(a, true).info().item());
    }

    @Test
    void solveWithASingularMatrixNamesTheBatchElementAndTheZeroPivot() {
        Tensor a = Tensor.fromArray(new double[] {1, 0, 0, 1, 1, 2, 2, 4}, 2, 2, 2);
        assertMessage("linalg.solve: (Batch element 1): The diagonal element 2 is zero, the solve could not be"
                + " completed because the input matrix is singular. (input [2, 2, 2])",
                () -> Linalg.solve(a, Tensor.fromArray(new double[] {1, 1, 1, 1}, 2, 2, 1)));
    }

    @Test
    void solveNamesASingularMatrixByItsIndexInTheBatchOfAAsPyTorchWhereBBroadcastsIt() {
        // A [2, 1, 2, 2] against B [3, 2, 1]: the broadcast batch [2, 3] holds A's second matrix at 3, 4 and 5.
        Tensor a = Tensor.fromArray(new double[] {1, 0, 0, 1, 1, 2, 2, 4}, 2, 1, 2, 2);
        String singular = "linalg.solve: (Batch element 1): The diagonal element 2 is zero, the solve could not be"
                + " completed because the input matrix is singular. (input [2, 1, 2, 2])";
        assertMessage(singular, () -> Linalg.solve(a, Tensor.ones(DType.F64, 3, 2, 1)));
        assertMessage(singular, () -> Linalg.solve(a, Tensor.ones(DType.F64, 3, 1, 2), false));
    }

    @Test
    void inverseOfASingularMatrixIsRefusedAsPyTorch() {
        Tensor singular = Tensor.fromArray(new double[] {1, 2, 3, 2, 4, 6, 1, 0, 1}, 3, 3);
        assertMessage("linalg.inv: The diagonal element 3 is zero, the inversion could not be completed because the"
                + " input matrix is singular. (input [3, 3])", () -> Linalg.inv(singular));
    }

    @Test
    void integerMatricesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Linalg.det(Tensor.fromArray(new int[] {1, 0, 0, 1}, 2, 2)));
        assertTrue(e.getMessage().startsWith("linalg.det: needs F32 or F64"), e.getMessage());
    }
}
