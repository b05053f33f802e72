package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.assertParityWithNaN;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#sortLastAxis} (sort, argsort, top-k) on the backend under test against the CPU backend: rows of one
 * element to a tile (2,048, many short rows sorted by one block on CUDA), rows of one to three merge passes beyond it,
 * the first k of long rows, each with many ties, ascending and descending, in every dtype, and NaN above every
 * number. A sort moves values and must match exactly, ties included: values and indices alike.
 */
class CudaParitySortTest extends ParityTest {
    private static final String[] OUTPUTS = {"values", "indices"};

    static Stream<Arguments> dtypesAndRows() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (int[] rowsAndLength : new int[][] {{300, 1}, {300, 3}, {200, 17}, {50, 100}, {7, 2048},
                    {3, 2049}, {3, 5000}, {2, 9000}}) {
                cases.add(Arguments.of(dtype, rowsAndLength[0], rowsAndLength[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} [{1}, {2}]")
    @MethodSource("dtypesAndRows")
    void sortMatchesCpuWithTiesInBothDirections(DType dtype, int rows, int n) {
        double[] x = ties(60 + n, rows * n, -3, -1, 0, 1, 2, 5, 8);
        for (boolean descending : new boolean[] {false, true}) {
            assertParity("sortLastAxis " + dtype + " [" + rows + ", " + n + "] descending " + descending, OUTPUTS,
                    Tolerance.EXACT, b -> firstK(b, dtype, x, rows, n, n, descending));
        }
    }

    static Stream<Arguments> firstKOfLongRows() {
        return Stream.of(Arguments.of(DType.F32, 64, 10_000, 5), Arguments.of(DType.F64, 33, 3_000, 700),
                Arguments.of(DType.I32, 16, 4_100, 1), Arguments.of(DType.I64, 100, 1_000, 999));
    }

    @ParameterizedTest(name = "{0} [{1}, {2}] first {3}")
    @MethodSource("firstKOfLongRows")
    void firstKOfEachRowMatchesCpu(DType dtype, int rows, int n, int k) {
        double[] x = ties(61, rows * n, -3, -1, 0, 1, 2, 5, 8, 13, 21);
        for (boolean descending : new boolean[] {false, true}) {
            assertParity("first " + k + " of sortLastAxis " + dtype + " [" + rows + ", " + n + "] descending "
                    + descending, OUTPUTS, Tolerance.EXACT, b -> firstK(b, dtype, x, rows, n, k, descending));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nanSortsAboveEveryNumberAsOnTheCpu(DType dtype) {
        double inf = Double.POSITIVE_INFINITY;
        for (int n : new int[] {40, 3000}) {
            double[] x = ties(62 + n, 4 * n, Double.NaN, -inf, inf, -0.0, 0.0, 1, -1);
            for (boolean descending : new boolean[] {false, true}) {
                String what = "sortLastAxis " + dtype + " [4, " + n + "] with NaN, descending " + descending;
                assertParity(what + ": indices", Tolerance.EXACT, b -> firstK(b, dtype, x, 4, n, n, descending)[1]);
                assertParityWithNaN(what + ": values", Tolerance.EXACT,
                        b -> firstK(b, dtype, x, 4, n, n, descending)[0]);
            }
        }
    }

    /** The first k of each sorted row of x [rows, n] of dtype on b: values and indices. */
    private static Tensor[] firstK(Backend b, DType dtype, double[] x, int rows, int n, int k, boolean descending) {
        Tensor values = output(b, dtype, rows, k);
        Tensor indices = output(b, DType.I64, rows, k);
        b.sortLastAxis(tensor(b, dtype, x, rows, n), descending, values, indices);
        return new Tensor[] {values, indices};
    }
}
