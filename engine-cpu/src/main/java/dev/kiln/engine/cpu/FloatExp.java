package dev.kiln.engine.cpu;

/**
 * F32 exp, expm1, sigmoid, SiLU and ELU (and their derivatives) over arrays, in float arithmetic that C2 vectorises
 * ({@code Math.exp} is a call per value, 14 ns): x = n ln2 + r with n = round(x / ln2) and |r| &lt;= ln2/2 (ln2 in
 * two parts, the first product exact in an FMA), Cephes' expf polynomial of r, then a multiplication by 2^n in two
 * halves (see {@link #scale}), in {@link ExpBlocks}: on the Vector API where it is present, else in scalar passes,
 * to the same bits. Measured on every float against Math in double: exp within 1.013 ulps of the rounded true value,
 * expm1 1.44, the sigmoid 2.40; SiLU 3.05 and its derivative 4.3 (of its larger term) on sweeps, where the sigmoid is
 * normal.
 */
final class FloatExp {
    static final float LOG2E = 1.442695f;
    /** ln2 = LN2_HI + LN2_LO + 3e-24. */
    static final float LN2_HI = 0.6931472f;
    static final float LN2_LO = -1.9046542e-09f;
    /** Cephes' expf polynomial P, exp(r) - 1 = r + r^2 (P0 + P1 r + ... + P5 r^5) for |r| &lt;= ln2/2. */
    static final float P0 = 5.0000001201E-1f;
    static final float P1 = 1.6666665459E-1f;
    static final float P2 = 4.1665795894E-2f;
    static final float P3 = 8.3334519073E-3f;
    static final float P4 = 1.3981999507E-3f;
    static final float P5 = 1.9875691500E-4f;
    /** exp is +inf in float above 88.73 and 0 below -103.98: clamped there, n stays within [-159, 128]. */
    static final float EXP_LOW = -110f;
    static final float EXP_HIGH = 89f;
    /** exp / 2 is +inf above 89.42: clamped at 90, n - 1 stays at most 129. */
    static final float HALF_EXP_HIGH = 90f;
    /** expm1 is -1 in float below -17.33; up to 88.37, n stays at most 127, so that 2^n is one float. */
    static final float EXPM1_LOW = -18f;
    static final float EXPM1_HIGH = 88.37f;
    /** exp of a value at most 0 has n in [-159, 0]: n + 34 in [-125, 34], where 2^(n + 34) times v stays normal. */
    static final float NON_POSITIVE_SHIFT = 34f;
    static final float UNSHIFT = 0x1p-34f;
    /** 2^200 as two factors: the least negative float (-2^-149) negated and times both is 2^51, beyond 1. */
    static final float TWO_TO_100 = 0x1p100f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(1);
    /** The exp blocks, on the Vector API where {@link VectorPath} has it. */
    private static final ExpBlocks BLOCKS = VectorPath.expBlocks();

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
        Chunks.inBlocks(v, len, BLOCKS::sigmoid);
    }

    /** v[0, len) = v sigmoid(v) (SiLU, swish). */
    static void silu(float[] v, int len) {
        Chunks.inBlocks(v, len, BLOCKS::silu);
    }

    /**
     * v[0, len) = s (1 + v (1 - s)) for s = sigmoid(v), SiLU's derivative (PyTorch's form), with 1 - s as
     * sigmoid(-v) from the same exp: 1 - s rounded loses its digits where s is near 1.
     */
    static void siluDerivative(float[] v, int len) {
        Chunks.inBlocks(v, len, BLOCKS::siluDerivative);
    }

    /**
     * v[0, len) = v where v &gt; 0, else alpha expm1(v) (ELU; CELU and SELU are scalings of it), alpha in two floats
     * so that its rounding costs nothing. The expm1 of min(v, 1), that positive values neither overflow nor take
     * expm1's exact path for zeros; the two sides weighted by an exact 0/1 (a branch per value mispredicts).
     */
    static void elu(float[] v, int len, double alpha) {
        float high = (float) alpha;
        float low = (float) (alpha - high);
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] x = WORK.get()[0];
            for (int i = 0; i < n; i++) {
                x[i] = b[i];
                b[i] = Math.min(b[i], 1);
            }
            expm1Block(b, n);
            for (int i = 0; i < n; i++) {
                float positive = negative(-x[i]);
                // 0 max(x, -1) is -0 for x <= 0 (so that -0 keeps its sign) and never 0 times an infinity.
                b[i] = positive * Math.max(x[i], -1) + (1 - positive) * Math.fma(high, b[i], low * b[i]);
            }
        });
    }

    /**
     * grad[0, len) *= 1 where x &gt; 0, else y + alpha, ELU's derivative from its input x and output y = ELU(x):
     * y clamped to +-|alpha| (where it is ELU's negative side already) so that a positive side's infinite y is
     * weighted by 0 without a NaN.
     */
    static void eluGradient(float[] x, float[] y, float[] grad, int len, float alpha) {
        float bound = Math.abs(alpha);
        for (int i = 0; i < len; i++) {
            float positive = negative(-x[i]);
            float below = Math.max(-bound, Math.min(bound, y[i])) + alpha;
            grad[i] *= positive + (1 - positive) * below;
        }
    }

    /** v = exp(v) for at most {@link Chunks#SIZE} values. */
    static void expBlock(float[] v, int len) {
        BLOCKS.exp(v, len);
    }

    /**
     * v = exp(v) / 2 for at most {@link Chunks#SIZE} values: exp's scaling by 2^(n - 1), exact, so that it is finite
     * up to v = 89.41 (cosh's and sinh's overflow), where exp(v) is not.
     */
    static void halfExpBlock(float[] v, int len) {
        BLOCKS.halfExp(v, len);
    }

    /** v = exp(v) for at most {@link Chunks#SIZE} values at most 0 (a sigmoid's exp(-|x|)). */
    static void nonPositiveExpBlock(float[] v, int len) {
        BLOCKS.nonPositiveExp(v, len);
    }

    /**
     * v = exp(v + low) for at most {@link Chunks#SIZE} values v at most 0 (a Gaussian's exp(-x^2)), low a correction
     * far below v's ulp (the rounding error of a square).
     */
    static void nonPositiveExpBlock(float[] v, float[] low, int len) {
        BLOCKS.nonPositiveExp(v, low, len);
    }

    private static void expm1Block(float[] v, int len) {
        BLOCKS.expm1(v, len);
    }

    /** 1 where x &lt; 0, 0 where x &gt;= 0 (NaN for NaN), in arithmetic. */
    static float negative(float x) {
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
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P5, r, P4), r, P3), r, P2), r, P1), r, P0);
        return Math.fma(p, r * r, r);
    }

    /**
     * Writes floor(n/2) and ceil(n/2) for an integer n in [-160, 130] (exp's range), each plus
     * {@link FloatTrig#ROUND} (the integer then sits in the float's low mantissa bits), for {@link #scale}.
     */
    static void splitExponent(float n, float[] low, float[] high, int i) {
        float floorHalf = Math.fma(n, 0.5f, -0.25f) + FloatTrig.ROUND;
        low[i] = floorHalf;
        high[i] = (n - (floorHalf - FloatTrig.ROUND)) + FloatTrig.ROUND;
    }

    /**
     * v *= 2^a 2^b for a and b from {@link #splitExponent}: the first product is exact (both halves lie within
     * [-80, 65]), so the result rounds once even where it is subnormal. A scalar loop: C2 on JDK 17 vectorises no
     * bit move (with the halves made here from n as an int, the loop took 0.5 ns a value more).
     */
    static void scale(float[] v, float[] a, float[] b, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = v[i] * powerOfTwo(a[i]) * powerOfTwo(b[i]);
        }
    }

    /**
     * 2^k from k + {@link FloatTrig#ROUND}, for an integer k in [-126, 127]: that float's bits end in k (two's
     * complement, above the bits of 1.5 * 2^23, which shift out), so shifting them into the exponent field gives k's.
     */
    static float powerOfTwo(float kPlusRound) {
        return Float.intBitsToFloat((Float.floatToRawIntBits(kPlusRound) << 23) + 0x3F800000);
    }
}
