package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Row-major GEMM on cuBLAS, which is column-major: a row-major C = op(A) op(B) is, read column-major,
 * C^T = op(B)^T op(A)^T, so cuBLAS is called with the operands swapped and the same transpose flags.
 */
final class CudaGemm implements AutoCloseable {
    private final CudaContext context;
    private final FloatPointer floatAlpha = new FloatPointer(1);
    private final FloatPointer floatBeta = new FloatPointer(1);
    private final DoublePointer doubleAlpha = new DoublePointer(1);
    private final DoublePointer doubleBeta = new DoublePointer(1);

    CudaGemm(CudaContext context) {
        this.context = context;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, Tensor b, double beta,
              Tensor c) {
        gemmStridedBatched(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0, 1);
    }

    void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, long strideA,
                            Tensor b, long strideB, double beta, Tensor c, long strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        context.bindThread();
        long bytes = c.dtype().bytes();
        long pa = DevicePointers.address(a);
        long pb = DevicePointers.address(b);
        long pc = DevicePointers.address(c);
        // cuBLAS runs a batch's products concurrently: outputs that overlap (C's stride 0, one C for the whole batch)
        // would race, so they go one product at a time in batch order, each reading what the one before wrote.
        if (batch > 1 && Math.abs(strideC) < (long) m * n) {
            for (int i = 0; i < batch; i++) {
                products(transA, transB, m, n, k, alpha, pa + i * strideA * bytes, strideA, pb + i * strideB * bytes,
                        strideB, beta, c.dtype(), pc + i * strideC * bytes, strideC, 1);
            }
            return;
        }
        products(transA, transB, m, n, k, alpha, pa, strideA, pb, strideB, beta, c.dtype(), pc, strideC, batch);
    }

    /** {@link #gemmStridedBatched} on device addresses of the operands' first matrices. */
    private void products(boolean transA, boolean transB, int m, int n, int k, double alpha, long a, long strideA,
                          long b, long strideB, double beta, DType dtype, long c, long strideC, int batch) {
        int opA = transA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int opB = transB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int lda = Math.max(1, transA ? m : k);
        int ldb = Math.max(1, transB ? k : n);
        int ldc = n;
        // One product goes to plain GEMM, as torch.mm's does, so that a comparison with it compares the same entry
        // point: cuBLAS may choose other kernels for a batched call, even of one matrix.
        boolean single = batch == 1;
        if (dtype == DType.F32) {
            floatAlpha.put((float) alpha);
            floatBeta.put((float) beta);
            FloatPointer pa = new FloatPointer(DevicePointers.at(a));
            FloatPointer pb = new FloatPointer(DevicePointers.at(b));
            FloatPointer pc = new FloatPointer(DevicePointers.at(c));
            Status.cublas(single
                    ? cublas.cublasSgemm_v2(context.cublas(), opB, opA, n, m, k, floatAlpha, pb, ldb, pa, lda, floatBeta,
                            pc, ldc)
                    : cublas.cublasSgemmStridedBatched(context.cublas(), opB, opA, n, m, k, floatAlpha, pb, ldb, strideB,
                            pa, lda, strideA, floatBeta, pc, ldc, strideC, batch),
                    single ? "cublasSgemm" : "cublasSgemmStridedBatched");
        } else if (dtype == DType.F64) {
            doubleAlpha.put(alpha);
            doubleBeta.put(beta);
            DoublePointer pa = new DoublePointer(DevicePointers.at(a));
            DoublePointer pb = new DoublePointer(DevicePointers.at(b));
            DoublePointer pc = new DoublePointer(DevicePointers.at(c));
            Status.cublas(single
                    ? cublas.cublasDgemm_v2(context.cublas(), opB, opA, n, m, k, doubleAlpha, pb, ldb, pa, lda,
                            doubleBeta, pc, ldc)
                    : cublas.cublasDgemmStridedBatched(context.cublas(), opB, opA, n, m, k, doubleAlpha, pb, ldb,
                            strideB, pa, lda, strideA, doubleBeta, pc, ldc, strideC, batch),
                    single ? "cublasDgemm" : "cublasDgemmStridedBatched");
        } else {
            throw new IllegalArgumentException("gemm: the CUDA backend multiplies F32 or F64, got " + dtype);
        }
    }

    @Override
    public void close() {
        floatAlpha.close();
        floatBeta.close();
        doubleAlpha.close();
        doubleBeta.close();
    }
}
