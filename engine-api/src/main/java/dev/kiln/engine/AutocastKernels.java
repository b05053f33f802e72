package dev.kiln.engine;

/**
 * The backend entry point of each autocast op for a {@link Precision}: the plain F32 kernel for FP32, its
 * {@code Bf16} or {@code F16} counterpart otherwise, so that the ops choose by precision in one place.
 */
final class AutocastKernels {
    private AutocastKernels() {
    }

    /** {@link Backend#gemm} in {@code precision}. */
    static void gemm(Backend backend, Precision precision, boolean transA, boolean transB, int m, int n, int k,
                     Tensor a, Tensor b, double beta, Tensor c) {
        switch (precision) {
            case FP32 -> backend.gemm(transA, transB, m, n, k, 1, a, b, beta, c);
            case BF16 -> backend.gemmBf16(transA, transB, m, n, k, 1, a, b, beta, c);
            case F16 -> backend.gemmF16(transA, transB, m, n, k, 1, a, b, beta, c);
        }
    }

    /** {@link Backend#gemmStridedBatched} with alpha 1 and beta 0 in {@code precision}. */
    static void gemmStridedBatched(Backend backend, Precision precision, boolean transA, boolean transB, int m, int n,
                                   int k, Tensor a, long strideA, Tensor b, long strideB, Tensor c, long strideC,
                                   int batch) {
        switch (precision) {
            case FP32 -> backend.gemmStridedBatched(transA, transB, m, n, k, 1, a, strideA, b, strideB, 0, c, strideC,
                    batch);
            case BF16 -> backend.gemmStridedBatchedBf16(transA, transB, m, n, k, 1, a, strideA, b, strideB, 0, c,
                    strideC, batch);
            case F16 -> backend.gemmStridedBatchedF16(transA, transB, m, n, k, 1, a, strideA, b, strideB, 0, c,
                    strideC, batch);
        }
    }

    /** {@link Backend#conv2dForward} in {@code precision}. */
    static void conv2dForward(Backend backend, Precision precision, Tensor input, Tensor weight, Tensor bias,
                              Conv2dGeometry g, Tensor out) {
        switch (precision) {
            case FP32 -> backend.conv2dForward(input, weight, bias, g, out);
            case BF16 -> backend.conv2dForwardBf16(input, weight, bias, g, out);
            case F16 -> backend.conv2dForwardF16(input, weight, bias, g, out);
        }
    }

    /** {@link Backend#conv2dBackward} in {@code precision}. */
    static void conv2dBackward(Backend backend, Precision precision, Tensor input, Tensor gradOut, Tensor weight,
                               Conv2dGeometry g, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        switch (precision) {
            case FP32 -> backend.conv2dBackward(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
            case BF16 -> backend.conv2dBackwardBf16(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
            case F16 -> backend.conv2dBackwardF16(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
        }
    }

    /** {@code t} itself under FP32, otherwise a new F32 copy rounded to the precision's operand format. */
    static Tensor rounded(Tensor t, Precision precision) {
        return precision == Precision.FP32 ? t : roundedCopy(t.backend(), t, precision);
    }

    /**
     * A new tensor on {@code backend} holding {@code t} rounded by it to {@code precision}'s operand format (BF16 or
     * F16): what the ops above and the SPI's rounded-copy defaults multiply.
     */
    static Tensor roundedCopy(Backend backend, Tensor t, Precision precision) {
        Tensor copy = Tensor.empty(t.shape(), t.dtype(), backend);
        if (precision == Precision.F16) {
            backend.roundToHalf(t, copy);
        } else {
            backend.roundToBfloat16(t, copy);
        }
        return copy;
    }
}
