package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.full;
import static dev.kiln.tests.cuda.ParityBackends.random;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPI section 2 (GEMM and strided batched GEMM) on the backend under test against the CPU backend (OpenBLAS),
 * from identical inputs in [-1, 1).
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}): each output element is a dot product of k terms summed in
 * a different order (and blocking) by each library, so F32 results differ by about {@code sqrt(k)} rounding
 * errors of the partial sums; for k = 300 that is around 1e-5 on results of magnitude 10, and we allow 1e-4
 * absolute and relative. The CUDA backend must not use TF32 tensor cores, whose 10-bit mantissa would miss
 * this by two orders of magnitude. F64: 1e-10.
 */
class CudaParityGemmTest extends ParityTest {
    private static final Tolerance GEMM_F32 = Tolerance.of(1e-4);
    private static final Tolerance GEMM_F64 = Tolerance.of(1e-10);

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.F64 ? GEMM_F64 : GEMM_F32;
    }

    static Stream<Arguments> dtypesAndTransposes() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    cases.add(Arguments.of(dtype, transA, transB));
                }
            }
        }
        return cases.stream();
    }

    /** An operand of op(X) [rows, cols], stored transposed ([cols, rows]) when {@code transposed}. */
    private static int[] stored(boolean transposed, int rows, int cols) {
        return transposed ? new int[] {cols, rows} : new int[] {rows, cols};
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("dtypesAndTransposes")
    void gemmMatchesCpuForEveryTransposeCombinationWithAlphaAndBeta(DType dtype, boolean transA, boolean transB) {
        int m = 37;
        int n = 29;
        int k = 300;
        assertParity("gemm " + dtype + " transA=" + transA + " transB=" + transB + " alpha 0.5 beta 2",
                tolerance(dtype), b -> {
                    Tensor c = random(b, dtype, 7, m, n);
                    b.gemm(transA, transB, m, n, k, 0.5, random(b, dtype, 5, stored(transA, m, k)),
                            random(b, dtype, 6, stored(transB, k, n)), 2.0, c);
                    return c;
                });
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("dtypesAndTransposes")
    void gemmReadsAndWritesMatricesAtTheirOffsets(DType dtype, boolean transA, boolean transB) {
        int m = 5;
        int n = 8;
        int k = 16;
        assertParity("gemm " + dtype + " on narrowed views, transA=" + transA + " transB=" + transB, tolerance(dtype),
                b -> {
                    int[] aDims = stored(transA, m, k);
                    int[] bDims = stored(transB, k, n);
                    Tensor a = random(b, dtype, 8, aDims[0] + 6, aDims[1]).narrow(0, 3, aDims[0]);
                    Tensor bb = random(b, dtype, 9, bDims[0] + 4, bDims[1]).narrow(0, 4, bDims[0]);
                    Tensor whole = random(b, dtype, 10, m + 3, n);
                    b.gemm(transA, transB, m, n, k, -1.5, a, bb, 0.25, whole.narrow(0, 2, m));
                    return whole;
                });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gemmWithBetaZeroOverwritesWhateverCHeld(DType dtype) {
        assertParity("gemm " + dtype + " beta 0 into a C of NaN", tolerance(dtype), b -> {
            Tensor c = full(b, dtype, Double.NaN, 6, 7);
            b.gemm(false, false, 6, 7, 40, 1.5, random(b, dtype, 11, 6, 40), random(b, dtype, 12, 40, 7), 0, c);
            return c;
        });
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("dtypesAndTransposes")
    void gemmStridedBatchedMatchesCpuForEveryTransposeCombination(DType dtype, boolean transA, boolean transB) {
        int batch = 5;
        int m = 6;
        int n = 7;
        int k = 90;
        assertParity("gemmStridedBatched " + dtype + " transA=" + transA + " transB=" + transB + " alpha 0.7 beta -0.5",
                tolerance(dtype), b -> {
                    int[] aDims = stored(transA, m, k);
                    int[] bDims = stored(transB, k, n);
                    Tensor a = random(b, dtype, 13, batch, aDims[0], aDims[1]);
                    Tensor bb = random(b, dtype, 14, batch, bDims[0], bDims[1]);
                    Tensor c = random(b, dtype, 15, batch, m, n);
                    b.gemmStridedBatched(transA, transB, m, n, k, 0.7, a, (long) m * k, bb, (long) k * n, -0.5, c,
                            (long) m * n, batch);
                    return c;
                });
    }

    @Test
    void gemmStridedBatchedReusesAStrideZeroOperandForEveryBatchEntry() {
        int batch = 6;
        int m = 5;
        int n = 7;
        int k = 12;
        assertParity("gemmStridedBatched with B of stride 0", GEMM_F32, b -> {
            Tensor c = full(b, DType.F32, Double.NaN, batch, m, n);
            b.gemmStridedBatched(false, false, m, n, k, 1, random(b, DType.F32, 16, batch, m, k), m * k,
                    random(b, DType.F32, 17, k, n), 0, 0, c, m * n, batch);
            return c;
        });
        assertParity("gemmStridedBatched with A of stride 0, B transposed", GEMM_F32, b -> {
            Tensor c = full(b, DType.F32, Double.NaN, batch, m, n);
            b.gemmStridedBatched(false, true, m, n, k, 1, random(b, DType.F32, 18, m, k), 0,
                    random(b, DType.F32, 19, batch, n, k), n * k, 0, c, m * n, batch);
            return c;
        });
    }

    @Test
    void gemmStridedBatchedStartsAtTheOffsetsAndSkipsGapsBetweenMatrices() {
        int batch = 4;
        int m = 3;
        int n = 5;
        int k = 7;
        long strideA = m * k + 5;
        long strideB = k * n + 2;
        long strideC = m * n + 3;
        assertParity("gemmStridedBatched with gaps and offsets", GEMM_F32, b -> {
            Tensor a = random(b, DType.F32, 20, (int) (3 + (batch - 1) * strideA + m * k)).narrow(0, 3,
                    (int) ((batch - 1) * strideA + m * k));
            Tensor bb = random(b, DType.F32, 21, (int) (1 + (batch - 1) * strideB + k * n)).narrow(0, 1,
                    (int) ((batch - 1) * strideB + k * n));
            Tensor whole = random(b, DType.F32, 22, (int) (2 + (batch - 1) * strideC + m * n));
            Tensor c = whole.narrow(0, 2, (int) ((batch - 1) * strideC + m * n));
            b.gemmStridedBatched(false, false, m, n, k, 2, a, strideA, bb, strideB, 1, c, strideC, batch);
            return whole;
        });
    }

    @Test
    void gemmStridedBatchedWithOneSharedCAddsEveryProductInTurn() {
        int batch = 5;
        int m = 4;
        int n = 6;
        int k = 9;
        assertParity("gemmStridedBatched into one C (stride 0), beta 1", GEMM_F32, b -> {
            Tensor c = random(b, DType.F32, 23, m, n);
            b.gemmStridedBatched(true, false, m, n, k, 0.5, random(b, DType.F32, 24, batch, k, m), (long) k * m,
                    random(b, DType.F32, 25, batch, k, n), (long) k * n, 1, c, 0, batch);
            return c;
        });
    }
}
