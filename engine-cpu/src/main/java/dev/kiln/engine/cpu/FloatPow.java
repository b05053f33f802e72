package dev.kiln.engine.cpu;

/**
 * F32 x^p for an exponent p of magnitude at most {@value #MAX_EXPONENT} over arrays, mostly in float arithmetic that
 * C2 vectorises ({@code Math.pow} is a call per value, 12 ns): x = 2^k m as {@link FloatLog} splits it, then
 * y = p log2(x) = p k + p log2(m) with p k exact as a float and its rounding error (and p in two floats), y = n + f
 * with n an integer and |f| about 1/2 at most, and x^p = 2^n exp(f ln2) through {@link FloatExp}'s polynomial and
 * scaling. p log2(m) is the only rounded part that 2^f magnifies, by |p|: within 2 ulps of the rounded true value for
 * |p| &lt;= 1 and 3 up to 4 (sweeps of the floats). Zero, negative, subnormal, infinite and NaN bases take
 * {@code Math.pow} in double, rounded. p = 1/2 and -1/2 are sqrt(x) and 1 / sqrt(x), as PyTorch computes them (not
 * C's pow: sqrt(-0) is -0, and -inf gives NaN).
 */
final class FloatPow {
    /** Beyond this exponent magnitude the error grows past 4 ulps: callers use Math.pow. */
    static final double MAX_EXPONENT = 4;
    private static final float LOG2E = 1.442695f;
    private static final float LN2 = 0.6931472f;
    /** 2^n is infinite beyond n = 128 and 0 below -150 whatever the rest: n is clamped there, within exp's range. */
    private static final float N_LOW = -160f;
    private static final float N_HIGH = 130f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(5);

    private FloatPow() {
    }

    /** Whether {@link #pow} serves exponent p: a fraction (integer powers keep Math.pow) within the limit. */
    static boolean serves(double p) {
        return p != Math.rint(p) && Math.abs(p) <= MAX_EXPONENT;
    }

    /** v[0, len) = v^p for p that this {@link #serves}. */
    static void pow(float[] v, int len, double p) {
        if (p == 0.5) {
            Chunks.inBlocks(v, len, FloatPow::squareRootBlock);
            return;
        }
        if (p == -0.5) {
            Chunks.inBlocks(v, len, FloatPow::reciprocalSquareRootBlock);
            return;
        }
        Chunks.inBlocks(v, len, (b, n) -> powBlock(b, n, p));
    }

    /**
     * x^0.5 as PyTorch takes it, sqrt(x): correctly rounded and 15 times faster than 2^(log2(x) / 2), and -0 for -0
     * and NaN for -inf, where Math.pow gives +0 and +inf.
     */
    private static void squareRootBlock(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = (float) Math.sqrt(v[i]);
        }
    }

    /** x^-0.5 as PyTorch takes it, 1 / sqrt(x) in float: -inf for -0 and NaN for -inf (Math.pow: +inf and +0). */
    private static void reciprocalSquareRootBlock(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = 1 / (float) Math.sqrt(v[i]);
        }
    }

    /**
     * In passes small enough for C2 to unroll and vectorise (one loop with all of it was not: 9 ns a value). p =
     * pHigh + pLow (as 1/3 is not a float): pLow k joins the reduced argument, where it is not lost.
     */
    private static void powBlock(float[] v, int len, double exactP) {
        float p = (float) exactP;
        float pLow = (float) (exactP - p);
        float[][] w = WORK.get();
        float[] x = w[0];
        float[] k = w[1];
        float[] n = w[2];
        float[] lowHalf = w[3];
        float[] highHalf = w[4];
        System.arraycopy(v, 0, x, 0, len);
        boolean special = false;
        for (int i = 0; i < len; i++) {
            special |= FloatLog.split(x[i], v, k, i);
        }
        float pLog2e = p * LOG2E;
        for (int i = 0; i < len; i++) {
            float f = v[i] - 1;
            v[i] = pLog2e * (f + FloatLog.smallTerms(f));
        }
        for (int i = 0; i < len; i++) {
            float fraction = v[i];
            float whole = p * k[i];
            float wholeError = Math.fma(p, k[i], -whole);
            n[i] = (whole + fraction + FloatTrig.ROUND) - FloatTrig.ROUND;
            v[i] = (((whole - n[i]) + fraction) + Math.fma(pLow, k[i], wholeError)) * LN2;
        }
        // Clamped apart: in the loop above, the clamp stopped C2 from vectorising it.
        for (int i = 0; i < len; i++) {
            FloatExp.splitExponent(Math.max(N_LOW, Math.min(N_HIGH, n[i])), lowHalf, highHalf, i);
        }
        for (int i = 0; i < len; i++) {
            v[i] = 1 + FloatExp.expm1Reduced(v[i]);
        }
        FloatExp.scale(v, lowHalf, highHalf, len);
        if (special) {
            for (int i = 0; i < len; i++) {
                if (FloatLog.isSpecial(x[i])) {
                    v[i] = (float) Math.pow(x[i], exactP);
                }
            }
        }
    }
}
