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
    BF16,
    /**
     * Operands rounded to IEEE half precision (float16: 11 significant bits, largest finite 65504, subnormals down
     * to 2^-24; {@link #roundToHalf}), products accumulated in F32, results kept in F32: the arithmetic of fp16
     * tensor cores and of PyTorch's {@code torch.autocast("cuda", torch.float16)} operands. Small gradients
     * underflow in half, so train with a loss scale (models' {@code GradScaler}).
     */
    F16;

    /** F32 bits of half's overflow threshold 65520: the midpoint of 65504 (its largest finite value) and 2^16. */
    private static final int HALF_OVERFLOW_BITS = 0x477F_F000;
    /** F32 bits of half's smallest normal value, 2^-14; below it the spacing is fixed at 2^-24 (subnormals). */
    private static final int HALF_MIN_NORMAL_BITS = 0x3880_0000;
    /** F32 drops 13 of its 24 significant bits to keep half's 11. */
    private static final int HALF_DROPPED_BITS = 13;
    private static final int SIGN_BIT = 0x8000_0000;

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

    /**
     * {@code value} rounded to the nearest IEEE half, ties to even, as an F32: the rule of {@link #F16}, of CUDA's
     * {@code __float2half_rn} and of PyTorch's {@code torch.tensor(x).half().float()}. Magnitudes from 65520 on
     * become infinities, those below 2^-14 round to a multiple of 2^-24 (half's subnormals, down to a signed zero),
     * infinities stay and NaN becomes the quiet NaN of its sign.
     */
    public static float roundToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int magnitude = bits & ~SIGN_BIT;
        if (magnitude >= HALF_OVERFLOW_BITS) {
            return Float.isNaN(value) ? Float.intBitsToFloat((bits & SIGN_BIT) | 0x7FC0_0000)
                    : Math.copySign(Float.POSITIVE_INFINITY, value);
        }
        // Both roundings, then a mask picks one: zeros and tiny values (a ReLU's) mix unpredictably with normal ones,
        // and a branch between them, mispredicted, made this 2-3 times slower.
        int normal = (magnitude + (1 << (HALF_DROPPED_BITS - 1)) - 1 + ((magnitude >>> HALF_DROPPED_BITS) & 1))
                & (-1 << HALF_DROPPED_BITS);
        // In [0.5, 1) F32's spacing is 2^-24, half's subnormal step: the addition rounds to a whole number of steps,
        // ties to even, and the subtraction is exact.
        int subnormal = Float.floatToRawIntBits((Float.intBitsToFloat(magnitude) + 0.5f) - 0.5f);
        int tiny = (magnitude - HALF_MIN_NORMAL_BITS) >> 31;
        return Float.intBitsToFloat((subnormal & tiny) | (normal & ~tiny) | (bits & SIGN_BIT));
    }
}
