package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;

/** Index selection, gather and their scatter-add mirrors: Backend SPI section 7 on the device. */
final class CudaIndexing {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final CudaLayout layout;

    CudaIndexing(CudaKernels kernels, KernelLauncher launcher, CudaLayout layout) {
        this.kernels = kernels;
        this.launcher = launcher;
        this.layout = layout;
    }

    void indexSelect(Tensor src, int axis, Tensor index, Tensor out) {
        run(Kernel.INDEX_SELECT, src, out, src, axis, index, index.size());
    }

    void indexAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        run(Kernel.INDEX_ADD, dst, src, dst, axis, index, index.size());
    }

    void gather(Tensor src, int axis, Tensor index, Tensor out) {
        run(Kernel.GATHER, src, out, src, axis, index, index.dim(axis));
    }

    void scatterAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        run(Kernel.SCATTER_ADD, dst, src, dst, axis, index, index.dim(axis));
    }

    /**
     * Launches {@code kernel(first, index, second, outer, n, inner, m)} with {@code indexed} viewed as
     * [outer, n, inner] around {@code axis} and m the number of indices along it.
     */
    private void run(Kernel kernel, Tensor first, Tensor second, Tensor indexed, int axis, Tensor index, long m) {
        long outer = indexed.shape().outer(axis);
        long inner = indexed.shape().inner(axis);
        long total = outer * m * inner;
        if (total == 0) {
            return;
        }
        Tensor wide = layout.asInt64(index);
        try {
            launcher.begin().pointer(first).pointer(wide).pointer(second).int64(outer).int64(indexed.dim(axis))
                    .int64(inner).int64(m).launch(kernels.function(kernel, indexed.dtype()), launcher.blocksFor(total));
        } finally {
            CudaLayout.closeIfCopy(wide, index);
        }
    }
}
