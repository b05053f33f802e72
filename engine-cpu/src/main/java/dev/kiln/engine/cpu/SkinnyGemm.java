package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;

/**
 * An F32 GEMM of a few rows of A against a transposed B ({@code x W^T}, a dense layer's forward at a small batch), as
 * OpenBLAS calls on blocks of B's rows, each block small enough for OpenBLAS's small-matrix kernel, which reads the
 * operands in place. OpenBLAS 0.3.31 (its Cooperlake kernels here) takes that kernel for products of up to about 10^6
 * multiply-adds and otherwise its blocked path, which first copies the operands into packed panels, a copy that a
 * skinny A never repays. Measured (helper, 2026-12-06, 2 cores, AVX-512, split over two threads): 8 rows through a
 * [4096, 4096] weight 13.6 ms as one call per thread, 3.3-4.1 ms in blocks of 8 rows of B; 16 rows 15.5 against
 * 5.2-6.0 ms; 32 rows 25-28 ms either way, so the blocks are kept to {@link #MAX_ROWS} rows of A.
 */
final class SkinnyGemm {
    /** The most rows of A taken this way. */
    static final int MAX_ROWS = 16;
    /** Multiply-adds per call, well inside OpenBLAS's small-matrix kernel. */
    private static final long PER_CALL = 1 << 19;
    /** Fewer rows of B per call would spend more on the calls than the packing they save. */
    private static final int MIN_BLOCK = 8;

    private SkinnyGemm() {
    }

    /** Whether {@link #gemm} takes the product: F32, A not transposed, B transposed, m at most {@link #MAX_ROWS}. */
    static boolean applies(boolean transA, boolean transB, int m, int k, DType dtype) {
        return dtype == DType.F32 && !transA && transB && m <= MAX_ROWS && (long) m * k * MIN_BLOCK <= PER_CALL;
    }

    /**
     * C = alpha A B^T + beta C, A [m, k], B [n, k], C [m, n]; split over threads by blocks of C's columns, at least
     * one block per thread when the product is worth splitting.
     */
    static void gemm(Parallel parallel, int m, int n, int k, double alpha, OpenBlasGemm.Matrix a,
                     OpenBlasGemm.Matrix b, double beta, OpenBlasGemm.Matrix c) {
        int parts = (long) m * n * k < OpenBlasGemm.SPLIT_MIN ? 1 : parallel.threads();
        int block = (int) Math.min((n + parts - 1) / parts, PER_CALL / ((long) m * k));
        int blocks = (n + block - 1) / block;
        parallel.forRange(blocks, (long) m * block * k, (start, end) -> {
            for (int i = start; i < end; i++) {
                int from = i * block;
                int columns = Math.min(block, n - from);
                OpenBlasGemm.call(false, true, m, columns, k, alpha, a, OpenBlasGemm.shift(b, from, b.ld()), beta,
                        OpenBlasGemm.shift(c, from, 1));
            }
        });
    }
}
