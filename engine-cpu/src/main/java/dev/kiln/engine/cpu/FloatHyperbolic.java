package dev.kiln.engine.cpu;

/**
 * F32 sinh and cosh over arrays, in float arithmetic that C2 vectorises ({@code Math.sinh} is a call per value),
 * from {@link FloatExp}'s routines: with h = exp(|x|) / 2 (finite up to their overflow at 89.42, where exp(|x|) is
 * not), cosh = h + 1/(4h), and sinh = h - 1/(4h) from |x| = 1 up (the difference cancels at most a quarter of h's
 * digits there); below, sinh = (m + m / (m + 1)) / 2 for m = expm1(x), which keeps a small x's digits. Measured on
 * sweeps of the floats against Math in double: see {@code FloatHyperbolicTest}.
 */
final class FloatHyperbolic {
    /** Scales a distance from 1 so that the least nonzero one below 1 (2^-24) is far beyond the 0/1 clamp. */
    private static final float STEP_SCALE = 0x1p30f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(2);

    private FloatHyperbolic() {
    }

    /** v[0, len) = cosh(v). */
    static void cosh(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            for (int i = 0; i < n; i++) {
                b[i] = Math.abs(b[i]);
            }
            FloatExp.halfExpBlock(b, n);
            for (int i = 0; i < n; i++) {
                b[i] += 0.25f / b[i];
            }
        });
    }

    /**
     * v[0, len) = sinh(v): both forms computed for every value (the expm1 one of v clamped to +-1) and one chosen by
     * an exact 0/1 weight, as a branch per value would not vectorise.
     */
    static void sinh(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] x = w[0];
            float[] small = w[1];
            for (int i = 0; i < n; i++) {
                x[i] = b[i];
                small[i] = Math.max(-1, Math.min(1, b[i]));
                b[i] = Math.abs(b[i]);
            }
            FloatExp.halfExpBlock(b, n);
            FloatExp.expm1(small, n);
            for (int i = 0; i < n; i++) {
                float ax = Math.abs(x[i]);
                float large = Math.min(1, Math.max(0, Math.fma(ax - 1, STEP_SCALE, 1)));
                // The sign of x where |x| >= 1, and a finite value (weighted by 0) below.
                float sign = Math.max(-1, Math.min(1, x[i]));
                float m = small[i];
                float below = 0.5f * (m + m / (m + 1));
                b[i] = below * (1 - large) + sign * (b[i] - 0.25f / b[i]) * large;
            }
        });
    }
}
