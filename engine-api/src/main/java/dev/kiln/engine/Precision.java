package dev.kiln.engine;

/**
 * The arithmetic of F32 matrix products and convolutions (GEMM, strided batched GEMM, conv2d and its
 * gradients), chosen per thread with {@link Autocast}.
 */
public enum Precision {
    /** Full F32 operands (the default). */
    FP32,
    /**
     * Operands rounded to bfloat16 (8 significant bits, F32's exponent range; nearest, ties to even), products
     * accumulated in F32, results kept in F32: the arithmetic of bf16 tensor cores. Weights, activations,
     * gradients and optimizer state stay F32, so the F32 weights are the master copy that the optimizer updates.
     */
    BF16;

    /**
     * {@code value} rounded to the nearest bfloat16, ties to even, as an F32: the rule of {@link #BF16} and
     * of CUDA's {@code __float2bfloat16_rn}. NaN stays NaN (quiet), infinities stay, and values beyond
     * bfloat16's largest finite value (about 3.39e38) round to infinity.
     */
    public static float roundToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return Float.intBitsToFloat((bits | 0x0040_0000) & 0xFFFF_0000);
        }
        int lsb = (bits >>> 16) & 1;
        return Float.intBitsToFloat((bits + 0x7FFF + lsb) & 0xFFFF_0000);
    }
}
