package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;

/**
 * GEMM with 16-bit operands on tensor cores, in {@link dev.kiln.engine.Precision#BF16} (bfloat16) or
 * {@link dev.kiln.engine.Precision#F16} (IEEE half): each F32 operand is converted into a 16-bit copy from the
 * caching allocator (one kernel, the rounding of the CPU's composite), then {@code cublasGemmStridedBatchedEx}
 * multiplies the copies with F32 accumulation into the F32 result. Row-major to column-major as in
 * {@link CudaGemm}: operands swapped, transpose flags kept.
 */
final class CudaHalfWidthGemm implements AutoCloseable {
    private static final long OPERAND_BYTES = 2;
    private static final long F32_BYTES = 4;

    private final CudaContext context;
    private final DeviceAllocator allocator;
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final FloatPointer alphaValue = new FloatPointer(1);
    private final FloatPointer betaValue = new FloatPointer(1);

    CudaHalfWidthGemm(CudaContext context, DeviceAllocator allocator, CudaKernels kernels, KernelLauncher launcher) {
        this.context = context;
        this.allocator = allocator;
        this.kernels = kernels;
        this.launcher = launcher;
    }

    /** {@code Backend.gemmStridedBatchedBf16}: bfloat16 operands ({@code CUDA_R_16BF}). */
    void bf16(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b,
              long strideB, double beta, Tensor c, long strideC, int batch) {
        gemmStridedBatched("gemmBf16", Kernel.TO_BF16, cudart.CUDA_R_16BF, transA, transB, m, n, k, alpha, a, strideA,
                b, strideB, beta, c, strideC, batch);
    }

    /** {@code Backend.gemmStridedBatchedF16}: IEEE half operands ({@code CUDA_R_16F}). */
    void f16(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b,
             long strideB, double beta, Tensor c, long strideC, int batch) {
        gemmStridedBatched("gemmF16", Kernel.TO_HALF, cudart.CUDA_R_16F, transA, transB, m, n, k, alpha, a, strideA,
                b, strideB, beta, c, strideC, batch);
    }

    /** The products with operands converted by {@code convert} into the cuBLAS data type {@code operandType}. */
    private void gemmStridedBatched(String op, Kernel convert, int operandType, boolean transA, boolean transB, int m,
                                    int n, int k, double alpha, Tensor a, long strideA, Tensor b, long strideB,
                                    double beta, Tensor c, long strideC, int batch) {
        for (Tensor operand : new Tensor[] {a, b, c}) {
            if (operand.dtype() != DType.F32) {
                throw new IllegalArgumentException(op + ": A, B and C must be F32, got " + a.dtype() + ", "
                        + b.dtype() + " and " + c.dtype());
            }
        }
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        DeviceAllocator.Block aBits = null;
        DeviceAllocator.Block bBits = null;
        try {
            aBits = converted(a, span(strideA, (long) m * k, batch), convert);
            bBits = converted(b, span(strideB, (long) k * n, batch), convert);
            context.bindThread();
            long a16 = address(aBits);
            long b16 = address(bBits);
            long c32 = DevicePointers.address(c);
            // Overlapping outputs (C's stride 0) one product at a time, in batch order, as CudaGemm's.
            if (batch > 1 && Math.abs(strideC) < (long) m * n) {
                for (int i = 0; i < batch; i++) {
                    products(operandType, transA, transB, m, n, k, alpha, a16 + i * strideA * OPERAND_BYTES, strideA,
                            b16 + i * strideB * OPERAND_BYTES, strideB, beta, c32 + i * strideC * F32_BYTES, strideC,
                            1);
                }
            } else {
                products(operandType, transA, transB, m, n, k, alpha, a16, strideA, b16, strideB, beta, c32, strideC,
                        batch);
            }
        } finally {
            free(aBits);
            free(bBits);
        }
    }

    /** Products of the 16-bit copies at device addresses {@code a} and {@code b} into F32 {@code c}. */
    private void products(int operandType, boolean transA, boolean transB, int m, int n, int k, double alpha, long a, long strideA,
                          long b, long strideB, double beta, long c, long strideC, int batch) {
        int opA = transA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int opB = transB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int lda = Math.max(1, transA ? m : k);
        int ldb = Math.max(1, transB ? k : n);
        alphaValue.put((float) alpha);
        betaValue.put((float) beta);
        Status.cublas(cublas.cublasGemmStridedBatchedEx(context.cublas(), opB, opA, n, m, k, alphaValue,
                DevicePointers.at(b), operandType, ldb, strideB, DevicePointers.at(a), operandType, lda, strideA,
                betaValue, DevicePointers.at(c), cudart.CUDA_R_32F, n, strideC, batch, cublas.CUBLAS_COMPUTE_32F,
                cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx (16-bit operands)");
    }

    /** Elements from a batched operand's first element to its last: {@code (batch - 1) * stride + matrix}. */
    private static long span(long stride, long matrix, int batch) {
        return (batch - 1) * stride + matrix;
    }

    /**
     * The first {@code elements} of F32 {@code t} converted by {@code convert} to 16 bits each in a fresh block (null
     * when there are none).
     */
    private DeviceAllocator.Block converted(Tensor t, long elements, Kernel convert) {
        if (elements == 0) {
            return null;
        }
        DeviceAllocator.Block block = allocator.allocate(elements * OPERAND_BYTES, "a 16-bit GEMM operand");
        try {
            launcher.begin().pointer(t).pointer(block.address()).int64(elements)
                    .launch(kernels.function(convert, t.dtype()), launcher.blocksFor(elements));
        } catch (RuntimeException e) {
            allocator.free(block);
            throw e;
        }
        return block;
    }

    private static long address(DeviceAllocator.Block block) {
        return block == null ? 0 : block.address();
    }

    private void free(DeviceAllocator.Block block) {
        if (block != null) {
            allocator.free(block);
        }
    }

    @Override
    public void close() {
        alphaValue.close();
        betaValue.close();
    }
}
