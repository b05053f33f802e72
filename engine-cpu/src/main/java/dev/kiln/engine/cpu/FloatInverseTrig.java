package dev.kiln.engine.cpu;

/**
 * F32 atan, asin and acos over arrays, in float arithmetic that C2 vectorises ({@code Math.atan} is a call per value):
 * Cephes' atanf, its reductions chosen by exact 0/1 weights rather than branches. For a = |x| above 1, atan(a) =
 * pi/2 - atan(1/a); for b = min(a, 1/a) above tan(pi/8), atan(b) = pi/4 + atan((b - 1)/(b + 1)); the odd polynomial of
 * degree 9 on what is left, within tan(pi/8). asin(x) = atan(x / sqrt((1 - x)(1 + x))) and acos(x) =
 * 2 atan(sqrt((1 - x)/(1 + x))), both without a difference that cancels (pi/2 - asin(x) would, near x = 1). Measured
 * on sweeps of the floats against Math in double: see {@code FloatInverseTrigTest}.
 */
final class FloatInverseTrig {
    /** pi/2 = HALF_PI + HALF_PI_LO and pi/4 = QUARTER_PI + QUARTER_PI_LO. */
    private static final float HALF_PI = 1.5707964f;
    private static final float HALF_PI_LO = -4.371139e-08f;
    private static final float QUARTER_PI = 0.7853982f;
    private static final float QUARTER_PI_LO = -2.1855694e-08f;
    private static final float TAN_PI_8 = 0.41421357f;
    /** Scales a distance from 1 or tan(pi/8) so that the least nonzero one (2^-25) is beyond the 0/1 clamp. */
    private static final float STEP_SCALE = 0x1p30f;
    /** 2^200 as two factors: the least positive float times both is beyond 1. */
    private static final float TWO_TO_100 = 0x1p100f;

    private FloatInverseTrig() {
    }

    /** v[0, len) = atan(v). */
    static void atan(float[] v, int len) {
        Chunks.inBlocks(v, len, FloatInverseTrig::atanBlock);
    }

    /** v[0, len) = asin(v), NaN beyond +-1. */
    static void asin(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            for (int i = 0; i < n; i++) {
                b[i] /= (float) Math.sqrt((1 - b[i]) * (1 + b[i]));
            }
            atanBlock(b, n);
        });
    }

    /** v[0, len) = acos(v), NaN beyond +-1. */
    static void acos(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            for (int i = 0; i < n; i++) {
                b[i] = (float) Math.sqrt((1 - b[i]) / (1 + b[i]));
            }
            atanBlock(b, n);
            for (int i = 0; i < n; i++) {
                b[i] *= 2;
            }
        });
    }

    /** v = atan(v) for at most {@link Chunks#SIZE} values; a zero keeps its sign (the result is a product with it). */
    private static void atanBlock(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            float x = v[i];
            float a = Math.abs(x);
            float flip = step(a - 1);
            float b = Math.min(a, 1 / a);
            float quarter = step(b - TAN_PI_8);
            float r = quarter * ((b - 1) / (b + 1)) + (1 - quarter) * b;
            float z = r * r;
            float p = Math.fma(Math.fma(Math.fma(8.05374449538e-2f, z, -1.38776856032E-1f), z, 1.99777106478E-1f), z,
                    -3.33329491539E-1f);
            float t = Math.fma(p * z, r, r);
            t = Math.fma(quarter, QUARTER_PI, Math.fma(quarter, QUARTER_PI_LO, t));
            // t where a <= 1; pi/2 - t above (t is atan(1/a)): (1 - 2 flip) t is +-t exactly.
            float angle = Math.fma(flip, HALF_PI, Math.fma(flip, HALF_PI_LO, (1 - 2 * flip) * t));
            v[i] = angle * sign(x);
        }
    }

    /** 1 where d &gt; 0, 0 where d &lt;= 0 (for the distances here, at least 2^-25 unless 0), NaN for NaN. */
    private static float step(float d) {
        return Math.min(1, Math.max(0, d * STEP_SCALE));
    }

    /** +-1 for x's sign, +-0 for a zero x (so that a product keeps its sign), NaN for NaN, in arithmetic. */
    private static float sign(float x) {
        return Math.max(-1, Math.min(1, x * TWO_TO_100 * TWO_TO_100));
    }
}
