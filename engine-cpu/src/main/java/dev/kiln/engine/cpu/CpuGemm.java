package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import java.util.function.Supplier;

/**
 * GEMM through OpenBLAS, or oneDNN where {@link OneDnnGemm#applies}, on the tensors' off-heap memory: no copy on the
 * way in or out.
 */
final class CpuGemm {
    private CpuGemm() {
    }

    /** {@code oneDnn} gives oneDNN's GEMMs, or null where oneDNN is off or did not load; asked only where it applies. */
    static void gemm(Parallel parallel, Supplier<OneDnnGemm> oneDnn, boolean transA, boolean transB, int m, int n,
                     int k, double alpha, Tensor a, long offsetA, Tensor b, long offsetB, double beta, Tensor c,
                     long offsetC) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(c, offsetC, (long) m * n, beta);
            return;
        }
        OpenBlasGemm.Matrix ma = new OpenBlasGemm.Matrix((CpuStorage) a.storage(), a.offset() + offsetA, transA ? m : k);
        OpenBlasGemm.Matrix mb = new OpenBlasGemm.Matrix((CpuStorage) b.storage(), b.offset() + offsetB, transB ? k : n);
        OpenBlasGemm.Matrix mc = new OpenBlasGemm.Matrix((CpuStorage) c.storage(), c.offset() + offsetC, n);
        if (OneDnnGemm.applies(c.dtype(), transA, transB, m, n, k, alpha, beta)) {
            OneDnnGemm kernel = oneDnn.get();
            if (kernel != null && kernel.gemm(transA, transB, m, n, k, ma, mb, b.version(), beta, mc)) {
                return;
            }
        }
        OpenBlasGemm.gemm(parallel, transA, transB, m, n, k, alpha, ma, mb, beta, mc);
    }

    /** C = beta C, the whole product when the inner dimension is empty. */
    private static void scale(Tensor c, long offset, long count, double beta) {
        Data d = Data.of(c);
        for (int i = (int) offset; i < offset + count; i++) {
            d.set(i, beta == 0 ? 0 : beta * d.get(i));
        }
    }
}
