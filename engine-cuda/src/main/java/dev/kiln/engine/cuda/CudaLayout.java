package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import org.bytedeco.cuda.global.cudart;

/** Fills, dtype conversions and layout copies: Backend SPI section 1 on the device. */
final class CudaLayout {
    private final CudaContext context;
    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaLayout(CudaContext context, CudaKernels kernels, KernelLauncher launcher) {
        this.context = context;
        this.kernels = kernels;
        this.launcher = launcher;
    }

    void fill(Tensor out, double value) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(out).int64(n).float64(value)
                .launch(kernels.function(Kernel.FILL, out.dtype()), launcher.blocksFor(n));
    }

    /** Same dtype: a device-to-device memcpy on the stream; otherwise the conversion kernel. */
    void copy(Tensor src, Tensor dst) {
        long n = src.size();
        if (n == 0) {
            return;
        }
        if (src.dtype() == dst.dtype()) {
            context.bindThread();
            Status.runtime(cudart.cudaMemcpyAsync(DevicePointers.of(dst), DevicePointers.of(src),
                    n * src.dtype().bytes(), cudart.cudaMemcpyDeviceToDevice, context.stream()),
                    "cudaMemcpyAsync(device to device)");
            return;
        }
        launcher.begin().pointer(src).pointer(dst).int64(n)
                .launch(kernels.conversion(src.dtype(), dst.dtype()), launcher.blocksFor(n));
    }

    void copySlices(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        long outer = src.shape().outer(axis);
        long inner = src.shape().inner(axis);
        long n = outer * length * inner;
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(src).pointer(dst).int64(outer).int64(src.dim(axis)).int64(dst.dim(axis))
                .int64(inner).int64(srcStart).int64(dstStart).int64(length)
                .launch(kernels.function(Kernel.COPY_SLICES, src.dtype()), launcher.blocksFor(n));
    }

    /** out[i] = src at the permuted position: out's dimension d walks src's dimension perm[d]. */
    void permute(Tensor src, int[] perm, Tensor out) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        int rank = out.rank();
        if (rank > BroadcastPlan.MAX_RANK) {
            throw new IllegalArgumentException("permute: the CUDA backend permutes at most " + BroadcastPlan.MAX_RANK
                    + " dimensions, got " + out.shape());
        }
        long[] srcStrides = src.shape().strides();
        long[] dims = new long[BroadcastPlan.MAX_RANK];
        long[] strides = new long[BroadcastPlan.MAX_RANK];
        for (int d = 0; d < rank; d++) {
            dims[d] = out.dim(d);
            strides[d] = srcStrides[perm[d]];
        }
        launcher.begin().pointer(src).pointer(out).int64(n).int32(rank).struct(dims).struct(strides)
                .launch(kernels.function(Kernel.STRIDED_COPY, src.dtype()), launcher.blocksFor(n));
    }

    /** I64 indices as they are, other index types widened into a temporary (close it with {@link #closeIfCopy}). */
    Tensor asInt64(Tensor index) {
        if (index.dtype() == DType.I64) {
            return index;
        }
        Tensor wide = Tensor.empty(index.shape(), DType.I64, index.backend());
        copy(index, wide);
        return wide;
    }

    static void closeIfCopy(Tensor used, Tensor original) {
        if (used != original) {
            used.close();
        }
    }
}
