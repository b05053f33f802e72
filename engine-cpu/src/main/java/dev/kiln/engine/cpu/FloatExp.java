package dev.kiln.engine.cpu;

/**
 * F32 exp, expm1, sigmoid and SiLU (and its derivative) over arrays, in float arithmetic that C2 vectorises
 * ({@code Math.exp} is a call per value, 14 ns): x = n ln2 + r with n = round(x / ln2) and |r| &lt;= ln2/2 (ln2 in
 * two parts, the first product exact in an FMA), Cephes' expf polynomial of r, then a scalar pass that multiplies by
 * 2^n (see {@link #scale}). Measured on sweeps of the floats: exp within 1.01 ulps of the rounded true value, expm1
 * 2, the sigmoid 3, SiLU 3.5 where the sigmoid is normal.
 */
final class FloatExp {
    private static final float LOG2E = 1.442695f;
    /** ln2 = LN2_HI + LN2_LO + 3e-24. */
    private static final float LN2_HI = 0.6931472f;
    private static final float LN2_LO = -1.9046542e-09f;
    /** exp is +inf in float above 88.73 and 0 below -103.98: clamped there, n stays within [-159, 128]. */
    private static final float EXP_LOW = -110f;
    private static final float EXP_HIGH = 89f;
    /** expm1 is -1 in float below -17.33; up to 88.37, n stays at most 127, so that 2^n is one float. */
    private static final float EXPM1_LOW = -18f;
    private static final float EXPM1_HIGH = 88.37f;
    /** 2^200 as two factors: the least negative float (-2^-149) negated and times both is 2^51, beyond 1. */
    private static final float TWO_TO_100 = 0x1p100f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(3);

    private FloatExp() {
    }

    /** v[0, len) = exp(v). */
    static void exp(float[] v, int len) {
        Chunks.inBlocks(v, len, FloatExp::expBlock);
    }

    /** v[0, len) = exp(v) - 1, accurate near 0: 2^n expm1(r) + (2^n - 1) in one FMA. */
    static void expm1(float[] v, int len) {
        Chunks.inBlocks(v, len, FloatExp::expm1Block);
    }

    /**
     * v[0, len) = 1 / (1 + exp(-v)), as exp(min(v, 0)) / (1 + exp(-|v|)): one exp, of a value never above 0, so
     * that nothing overflows and tiny values for very negative v keep their digits.
     */
    static void sigmoid(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] x = WORK.get()[2];
            System.arraycopy(b, 0, x, 0, n);
            sigmoidBlock(b, x, n);
        });
    }

    /** v[0, len) = v sigmoid(v) (SiLU, swish). */
    static void silu(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] x = WORK.get()[2];
            System.arraycopy(b, 0, x, 0, n);
            sigmoidBlock(b, x, n);
            for (int i = 0; i < n; i++) {
                b[i] *= x[i];
            }
        });
    }

    /**
     * v[0, len) = s (1 + v (1 - s)) for s = sigmoid(v), SiLU's derivative (PyTorch's form), with 1 - s as
     * sigmoid(-v) from the same exp: 1 - s rounded loses its digits where s is near 1.
     */
    static void siluDerivative(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] x = WORK.get()[2];
            for (int i = 0; i < n; i++) {
                x[i] = b[i];
                b[i] = -Math.abs(b[i]);
            }
            expBlock(b, n);
            for (int i = 0; i < n; i++) {
                float negative = negative(x[i]);
                float denominator = 1 + b[i];
                float s = Math.max(b[i], 1 - negative) / denominator;
                float complement = Math.max(b[i], negative) / denominator;
                b[i] = s * Math.fma(x[i], complement, 1);
            }
        });
    }

    /** v = exp(v) for at most {@link Chunks#SIZE} values. */
    static void expBlock(float[] v, int len) {
        float[] n = WORK.get()[0];
        for (int i = 0; i < len; i++) {
            float x = Math.max(EXP_LOW, Math.min(EXP_HIGH, v[i]));
            n[i] = nearestMultipleOfLn2(x);
            v[i] = 1 + expm1Reduced(reduce(x, n[i]));
        }
        scale(v, n, len);
    }

    /**
     * v = exp(v + low) for at most {@link Chunks#SIZE} values, low a correction far below v's ulp (the rounding
     * error of a square, for exp(-x^2)): added to the reduced argument, where it is not lost.
     */
    static void expBlock(float[] v, float[] low, int len) {
        float[] n = WORK.get()[0];
        for (int i = 0; i < len; i++) {
            float x = Math.max(EXP_LOW, Math.min(EXP_HIGH, v[i]));
            n[i] = nearestMultipleOfLn2(x);
            v[i] = 1 + expm1Reduced(reduce(x, n[i]) + low[i]);
        }
        scale(v, n, len);
    }

    private static void expm1Block(float[] v, int len) {
        float[][] w = WORK.get();
        float[] x = w[0];
        float[] n = w[1];
        System.arraycopy(v, 0, x, 0, len);
        for (int i = 0; i < len; i++) {
            float clamped = Math.max(EXPM1_LOW, Math.min(EXPM1_HIGH, v[i]));
            n[i] = nearestMultipleOfLn2(clamped);
            v[i] = expm1Reduced(reduce(clamped, n[i]));
        }
        for (int i = 0; i < len; i++) {
            float e = powerOfTwo((int) n[i]);
            v[i] = Math.fma(e, v[i], e - 1);
            // Math's in double above the clamp, and at zeros, whose sign the sum with e - 1 = +0 loses.
            if (!(x[i] <= EXPM1_HIGH) || x[i] == 0) {
                v[i] = (float) Math.expm1(x[i]);
            }
        }
    }

    /** v = sigmoid(x) from x (v's values on entry, kept in x). */
    private static void sigmoidBlock(float[] v, float[] x, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = -Math.abs(v[i]);
        }
        expBlock(v, len);
        for (int i = 0; i < len; i++) {
            // exp(min(x, 0)) is the exp just taken where x < 0, else 1: the larger of it and 1 - negative.
            v[i] = Math.max(v[i], 1 - negative(x[i])) / (1 + v[i]);
        }
    }

    /** 1 where x &lt; 0, 0 where x &gt;= 0 (NaN for NaN), in arithmetic. */
    private static float negative(float x) {
        return Math.min(1, Math.max(0, -x * TWO_TO_100 * TWO_TO_100));
    }

    /** round(x / ln2), as a float. */
    static float nearestMultipleOfLn2(float x) {
        return Math.fma(x, LOG2E, FloatTrig.ROUND) - FloatTrig.ROUND;
    }

    /** x - n ln2 for n = {@link #nearestMultipleOfLn2}(x): the first product and difference are exact. */
    static float reduce(float x, float n) {
        return Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
    }

    /** exp(r) - 1 for |r| &lt;= ln2/2: Cephes' expf polynomial, r + r^2 P(r). */
    static float expm1Reduced(float r) {
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(1.9875691500E-4f, r, 1.3981999507E-3f), r,
                8.3334519073E-3f), r, 4.1665795894E-2f), r, 1.6666665459E-1f), r, 5.0000001201E-1f);
        return Math.fma(p, r * r, r);
    }

    /**
     * v *= 2^n for integer-valued n, clamped to [-160, 130] (beyond, the product is 0 or infinite anyway), as
     * 2^floor(n/2) 2^ceil(n/2): the first product is exact (both halves lie within [-80, 65]), so the result rounds
     * once even where it is subnormal. A scalar loop: C2 on JDK 17 vectorises no float-to-int conversion or bit move.
     */
    static void scale(float[] v, float[] n, int len) {
        for (int i = 0; i < len; i++) {
            int k = Math.max(-160, Math.min(130, (int) n[i]));
            int low = k >> 1;
            v[i] = v[i] * powerOfTwo(low) * powerOfTwo(k - low);
        }
    }

    /** 2^k for an integer k in [-126, 127], from its exponent field. */
    static float powerOfTwo(int k) {
        return Float.intBitsToFloat((k + 127) << 23);
    }
}
