package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import org.junit.jupiter.api.Test;

/**
 * The comparison the parity suites rely on, checked on the engine's own backend so that it runs everywhere,
 * GPU or not: a parity test that cannot fail would pass on any backend.
 */
class ParityHarnessTest {

    @Test
    void aMismatchNamesTheOpTheElementAndBothValues() {
        try (Scope s = Scope.open()) {
            Tensor expected = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor actual = Tensor.fromArray(new float[] {1, 2, 3.5f, 4}, 2, 2);
            AssertionError e = assertThrows(AssertionError.class,
                    () -> assertClose("someOp", expected, actual, Tolerance.of(0.1)));
            String m = e.getMessage();
            assertTrue(m.contains("someOp") && m.contains("element 2 [1, 0]") && m.contains("3.5") && m.contains("3.0"), m);
        }
    }

    @Test
    void differencesWithinAbsolutePlusRelativeTolerancePass() {
        try (Scope s = Scope.open()) {
            Tensor expected = Tensor.fromArray(new double[] {0, 1000}, 2);
            Tensor actual = Tensor.fromArray(new double[] {0.5e-3, 1000.9}, 2);
            assertDoesNotThrow(() -> assertClose("op", expected, actual, new Tolerance(1e-3, 1e-3)));
            assertThrows(AssertionError.class, () -> assertClose("op", expected, actual, new Tolerance(1e-3, 1e-4)));
        }
    }

    @Test
    void anInfinityMatchesOnlyTheSameInfinity() {
        try (Scope s = Scope.open()) {
            Tensor expected = Tensor.fromArray(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2);
            assertDoesNotThrow(() -> assertClose("op", expected, expected, Tolerance.of(1e-3)));
            for (float[] actual : new float[][] {{Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                {Float.MAX_VALUE, Float.NEGATIVE_INFINITY}, {Float.POSITIVE_INFINITY, -Float.MAX_VALUE}}) {
                assertThrows(AssertionError.class,
                        () -> assertClose("op", expected, Tensor.fromArray(actual, 2), Tolerance.of(1e-3)));
            }
        }
    }

    @Test
    void aNaNInTheReferenceFailsSoThatAnUnwrittenOutputIsNeverAMatch() {
        try (Scope s = Scope.open()) {
            Tensor unwritten = Tensor.fromArray(new float[] {Float.NaN}, 1);
            assertThrows(AssertionError.class, () -> assertClose("op", unwritten, unwritten, Tolerance.of(1)));
        }
    }

    @Test
    void integerTensorsMustMatchExactlyWhateverTheTolerance() {
        try (Scope s = Scope.open()) {
            Tensor expected = Tensor.fromArray(new long[] {1L << 60, 7}, 2);
            Tensor actual = Tensor.fromArray(new long[] {(1L << 60) + 1, 7}, 2);
            assertThrows(AssertionError.class, () -> assertClose("op", expected, actual, Tolerance.of(10)));
        }
    }

    @Test
    void shapesAndDtypesMustAgree() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
            assertThrows(AssertionError.class, () -> assertClose("op", a, a.reshape(4), Tolerance.of(1)));
            assertThrows(AssertionError.class, () -> assertClose("op", a, a.to(DType.F64), Tolerance.of(1)));
        }
    }

    @Test
    void unravelGivesTheRowMajorMultiIndex() {
        assertArrayEquals(new int[] {1, 2, 3}, ParityBackends.unravel(Shape.of(2, 3, 4), 1 * 12 + 2 * 4 + 3));
    }
}
