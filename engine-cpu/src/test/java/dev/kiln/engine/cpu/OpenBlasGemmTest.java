package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenBlasGemm#gemm} against a plain double loop, on the shapes that take each of its paths: one row of A or
 * one column of B (a matrix-vector product), a few rows of A against a transposed B (the skinny product, in blocks of
 * B's rows), and the general GEMM; every transpose combination, F32 and F64, one thread and two, sizes that are no
 * multiple of 16, alpha 0.5 with beta 2 and beta 0, operands as {@link GemmReference} lays them out and checks them.
 */
class OpenBlasGemmTest {
    /** {m, n, k}. */
    private static final int[][] SHAPES = {
        {1, 37, 19}, {1, 600, 301}, {45, 1, 301}, {300, 1, 501}, {1, 1, 17},
        {2, 333, 1029}, {16, 333, 1029}, {5, 129, 4100}, {7, 1000, 70}, {3, 50, 20000}, {17, 40, 33}, {40, 17, 70},
        {33, 300, 2000}, {64, 129, 1029}, {80, 45, 33}};

    @Test
    void matchesADoubleLoopOnEveryPath() {
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend cpu = new CpuBackend(threads); Parallel parallel = new Parallel(threads)) {
                for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                    for (int[] shape : SHAPES) {
                        for (int transposes = 0; transposes < 4; transposes++) {
                            for (double beta : new double[] {2, 0}) {
                                check(cpu, parallel, dtype, shape[0], shape[1], shape[2], (transposes & 1) != 0,
                                        (transposes & 2) != 0, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void check(CpuBackend cpu, Parallel parallel, DType dtype, int m, int n, int k, boolean transA,
                              boolean transB, double beta) {
        String what = dtype + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
                + " beta=" + beta + " on " + parallel.threads() + " threads";
        GemmReference.check(cpu, (ta, tb, mm, nn, kk, alpha, a, b, bt, c) -> OpenBlasGemm.gemm(parallel, ta, tb, mm,
                nn, kk, alpha, a, b, bt, c), what, dtype, m, n, k, transA, transB, 0.5, beta);
    }
}
