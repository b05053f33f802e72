package dev.kiln.engine.cpu;

/**
 * F32 asinh, acosh and atanh over arrays through {@link FloatLog}'s log and log1p, in float arithmetic that C2
 * vectorises, where the double forms of {@link ElementaryFunctions} cost a call to Math per value. In fdlibm's forms:
 * near their zeros log1p of an argument that keeps a small x's digits; from 2 up log(x/2 + c) + ln4 for a small
 * correction c, which never overflows (2x would above 1.7e38; where x^2 overflows, c is 0). Both forms computed for
 * every value and one chosen by an exact 0/1 weight (a branch per value would not vectorise). Measured on sweeps of
 * the floats against the double forms: see {@code FloatInverseHyperbolicTest}.
 */
final class FloatInverseHyperbolic {
    /** ln4 = LN4 + LN4_LO. */
    private static final float LN4 = 1.3862944f;
    private static final float LN4_LO = -3.8093084e-09f;
    /** Where the forms change: below, log1p's; from here, log's. */
    private static final float SPLIT = 2f;
    /** Scales a distance from 2 so that the least nonzero one below it (2^-23) is far beyond the 0/1 clamp. */
    private static final float STEP_SCALE = 0x1p30f;
    /** 2^200 as two factors: the least positive float times both is beyond 1. */
    private static final float TWO_TO_100 = 0x1p100f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(3);

    private FloatInverseHyperbolic() {
    }

    /**
     * v[0, len) = asinh(v), odd: for a = |v| up to 2, log1p(a + a^2 / (1 + sqrt(1 + a^2))); above, log(a/2 +
     * 1/(4 (sqrt(a^2 + 1) + a))) + ln4.
     */
    static void asinh(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] x = w[0];
            float[] small = w[1];
            for (int i = 0; i < n; i++) {
                x[i] = b[i];
                float a = Math.abs(b[i]);
                float as = Math.min(a, SPLIT);
                small[i] = Math.fma(as, as / (1 + (float) Math.sqrt(Math.fma(as, as, 1))), as);
                float al = Math.max(a, SPLIT);
                b[i] = 0.5f * al + 0.25f / ((float) Math.sqrt(Math.fma(al, al, 1)) + al);
            }
            combine(x, small, b, n, true);
        });
    }

    /**
     * v[0, len) = acosh(v), NaN below 1: for t = v - 1 up to 1, log1p(t + sqrt(2t + t^2)); above, log(v/2 -
     * 1/(4 (v + sqrt(v^2 - 1)))) + ln4.
     */
    static void acosh(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] x = w[0];
            float[] small = w[1];
            for (int i = 0; i < n; i++) {
                x[i] = b[i];
                float t = Math.min(b[i], SPLIT) - 1;
                // The last term is NaN below 1, else 0: t + sqrt(2t + t^2) nears -1, not NaN, as t goes to -inf.
                small[i] = t + (float) Math.sqrt(Math.fma(t, t, 2 * t)) + 0 * (float) Math.sqrt(t);
                float xl = Math.max(b[i], SPLIT);
                b[i] = 0.5f * xl - 0.25f / (xl + (float) Math.sqrt(Math.fma(xl, xl, -1)));
            }
            combine(x, small, b, n, false);
        });
    }

    /**
     * v[0, len) = atanh(v), NaN beyond +-1: 0.5 log1p(2a + 2a a / (1 - a)) for a = |v|, signed (fdlibm's form
     * below 1/2, and the same value above, where 1 - a is exact).
     */
    static void atanh(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] x = WORK.get()[0];
            for (int i = 0; i < n; i++) {
                x[i] = b[i];
                float a = Math.abs(b[i]);
                // The last term is NaN beyond 1, else 0: there the sum cancels to 0 for a above 2^24.
                b[i] = Math.fma(a + a, a / (1 - a), a + a) + 0 * (float) Math.sqrt(1 - a);
            }
            FloatLog.log1p(b, n);
            for (int i = 0; i < n; i++) {
                b[i] *= 0.5f * sign(x[i]);
            }
        });
    }

    /**
     * out = log1p(small) below {@link #SPLIT} (|x| for an odd function, x else), log(out) + ln4 from it, signed as
     * x if odd.
     */
    private static void combine(float[] x, float[] small, float[] out, int n, boolean odd) {
        FloatLog.log1p(small, n);
        FloatLog.log(out, n);
        for (int i = 0; i < n; i++) {
            float a = odd ? Math.abs(x[i]) : x[i];
            float large = Math.min(1, Math.max(0, Math.fma(a - SPLIT, STEP_SCALE, 1)));
            float value = small[i] * (1 - large) + ((out[i] + LN4_LO) + LN4) * large;
            out[i] = odd ? value * sign(x[i]) : value;
        }
    }

    /** +-1 for x's sign, +-0 for a zero x (so that a product keeps its sign), NaN for NaN, in arithmetic. */
    private static float sign(float x) {
        return Math.max(-1, Math.min(1, x * TWO_TO_100 * TWO_TO_100));
    }
}
