package dev.kiln.engine.cpu;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * F32 sin, cos and tan over arrays in float arithmetic that C2 vectorises (no calls, branches or bit moves in the
 * loop; {@code Math.sin} is a call per value, 15 ns): x = q pi/2 + r with q = round(2x / pi) and r in [-pi/4, pi/4]
 * from pi/2 in three parts (each product q p exact in an FMA), then Cephes' sinf and cosf polynomials of r, chosen
 * and signed by q mod 4 in arithmetic, and tanf's polynomial, inverted for odd q. Every float up to
 * {@value #REDUCTION_LIMIT} in magnitude measured against Math in double: sin within 2.02 ulps of the rounded true
 * value, cos 2.00, tan 3.04. Beyond that limit, and at infinities and NaN, the value is Math's in double, rounded.
 */
final class FloatTrig {
    /** Up to 2^16 the three-part reduction keeps r's digits (2^17 measured 2.9 ulps for tan; 2^21, 5 for sin). */
    static final float REDUCTION_LIMIT = 65536f;
    /** Adding then subtracting 1.5 * 2^23 rounds a float below 2^22 in magnitude to an integer. */
    static final float ROUND = 0x1.8p23f;
    private static final float TWO_OVER_PI = 0.63661975f;
    /**
     * pi/2 = P1 + P2 + P3 + 3e-22, each part rounded down: with three positive parts a zero x keeps its sign through
     * x - q P1 - q P2 - q P3 (each product -0 for q = +0), so that sin(-0) and tan(-0) are -0.
     */
    private static final float P1 = 1.5707963f;
    private static final float P2 = 7.5497894e-08f;
    private static final float P3 = 5.3903025e-15f;
    /** Floats beyond the limit lie 2^-7 apart: scaled by this, any distance beyond it is at least 1. */
    private static final float BEYOND_SCALE = 256f;
    private static final float[] ZEROS = new float[Chunks.SIZE];
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(1);

    private FloatTrig() {
    }

    /** v[0, len) = sin(v). */
    static void sin(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> sinOrCos(b, n, 0, Math::sin));
    }

    /** v[0, len) = cos(v), as sin(v + pi/2): a quarter turn more. */
    static void cos(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> sinOrCos(b, n, 1, Math::cos));
    }

    /** v[0, len) = tan(v). */
    static void tan(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] beyond = WORK.get()[0];
            markBeyondLimit(b, beyond, n);
            tanInRange(b, n);
            beyondLimit(beyond, b, n, Math::tan);
        });
    }

    private static void sinOrCos(float[] v, int len, float quarterTurns, DoubleUnaryOperator exact) {
        float[] beyond = WORK.get()[0];
        markBeyondLimit(v, beyond, len);
        sinInRange(v, len, quarterTurns);
        beyondLimit(beyond, v, len, exact);
    }

    /**
     * beyond = x where |x| is beyond the reduction's limit, infinite or NaN, else +0 (also for a negative x: x 0 + 0
     * is +0): what {@link #beyondLimit} looks for with Arrays.mismatch, which the JVM vectorises, where a scalar
     * check of each x cost a third of the whole.
     */
    private static void markBeyondLimit(float[] x, float[] beyond, int len) {
        for (int i = 0; i < len; i++) {
            float outside = Math.min(1, Math.max(0, (Math.abs(x[i]) - REDUCTION_LIMIT) * BEYOND_SCALE));
            beyond[i] = Math.fma(x[i], outside, 0);
        }
    }

    /** out = exact(x) in double, rounded, for each x that {@link #markBeyondLimit} marked. */
    private static void beyondLimit(float[] beyond, float[] out, int len, DoubleUnaryOperator exact) {
        int first = Arrays.mismatch(beyond, 0, len, ZEROS, 0, len);
        if (first < 0) {
            return;
        }
        for (int i = first; i < len; i++) {
            if (!(beyond[i] == 0)) {
                out[i] = (float) exact.applyAsDouble(beyond[i]);
            }
        }
    }

    /** v = sin(v + quarterTurns pi/2) for |v| up to the limit. */
    private static void sinInRange(float[] v, int len, float quarterTurns) {
        for (int i = 0; i < len; i++) {
            float x = v[i];
            float q = quadrant(x);
            float r = reduce(x, q);
            float z = r * r;
            // sin r as r (1 + z P(z)) rather than r + r z P(z): a product keeps the sign of a zero r, a sum loses it.
            float s = r * Math.fma(Math.fma(Math.fma(-1.9515295891E-4f, z, 8.3321608736E-3f), z, -1.6666654611E-1f),
                    z, 1);
            float c = Math.fma(Math.fma(Math.fma(Math.fma(2.443315711809948E-5f, z, -1.388731625493765E-3f), z,
                    4.166664568298827E-2f), z, -0.5f), z, 1);
            float k = q + quarterTurns;
            float half = floorHalf(k);
            float odd = k - 2 * half;
            float negate = half - 2 * floorHalf(half);
            // s for even k, c for odd, each product with 0 or 1 exact; (-s) - (+0) is -s even for s = -0, so the
            // negated difference is s with the sign of its zero.
            float chosen = -((-s) * (1 - odd) - c * odd);
            v[i] = (1 - 2 * negate) * chosen;
        }
    }

    /** v = tan(v) for |v| up to the limit: t = tan r, and tan(x) = t for even q, -1/t for odd, as one quotient. */
    private static void tanInRange(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            float x = v[i];
            float q = quadrant(x);
            float r = reduce(x, q);
            float z = r * r;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(9.38540185543E-3f, z, 3.11992232697E-3f), z,
                    2.44301354525E-2f), z, 5.34112807005E-2f), z, 1.33387994085E-1f), z, 3.33331568548E-1f);
            float t = Math.fma(p, z * r, r);
            float odd = q - 2 * floorHalf(q);
            float even = 1 - odd;
            v[i] = (t * even - odd) / (even + t * odd);
        }
    }

    /** round(2x / pi), as a float. */
    private static float quadrant(float x) {
        return Math.fma(x, TWO_OVER_PI, ROUND) - ROUND;
    }

    /** x - q pi/2: the first product is exact, and so is its difference (it needs no more bits than r has). */
    private static float reduce(float x, float q) {
        float r = Math.fma(q, -P1, x);
        r = Math.fma(q, -P2, r);
        return Math.fma(q, -P3, r);
    }

    /** floor(k / 2) of an integer k below 2^21: k/2 - 1/4 is exact and never a tie, so rounding it floors. */
    private static float floorHalf(float k) {
        return (Math.fma(k, 0.5f, -0.25f) + ROUND) - ROUND;
    }
}
