package dev.kiln.engine.cpu;

/**
 * F32 erf, erfc, exact GELU and their derivatives over arrays, in float arithmetic that C2 vectorises: both forms
 * computed for every value and one chosen by an exact 0/1 weight (a branch per value would not vectorise). Below
 * |z| = 1/2, erf(z) = z P(z^2); above, erfc(|z|) = exp(-z^2) R(|z|) with R = t S(t), t = 1 / (1 + |z|), and z^2
 * split into a float and its rounding error so that exp(-z^2) keeps its digits far into the tail. P and S are
 * minimax fits of relative error (Remez, models/src/test/pytorch/float_polynomials.py): 1.4e-9 on [0, 1/2] and
 * 1.7e-9 on [1/2, 10.1]. Measured on sweeps of the floats, where the true value is a normal float: erf within 3
 * ulps of it rounded, erfc 5.05 (exp, R and their product each round), GELU 5.2 from x = -11 up (below, Phi(x) nears
 * the subnormals), erf' 2.4, and GELU' 4.8 ulps of the larger of its terms (it crosses 0 near x = -0.75).
 */
final class FloatErf {
    /** erf is +-1 in float beyond 3.92, erfc 2 below -3.92 and 0 beyond 10.06: arguments are clamped there. */
    private static final float ERF_LIMIT = 4f;
    private static final float ERFC_HIGH = 10.1f;
    /**
     * GELU's x for which -x/sqrt(2), erfc's argument in Phi(x) = erfc(-x/sqrt(2)) / 2, reaches +-10.1: beyond, Phi
     * is 0 or 1 in float, and x phi(x) (its derivative's second term) 0.
     */
    private static final float GELU_LIMIT = 14.283557f;
    /** exp(-x^2) is 0 in float beyond |x| = 10.2; clamped at 11, x^2 stays finite. */
    private static final float GAUSSIAN_LIMIT = 11f;
    private static final float SQRT_HALF = 0.70710677f;
    private static final float TWO_OVER_SQRT_PI = 1.1283792f;
    private static final float INV_SQRT_2PI = 0.3989423f;
    /** Scales a distance from 1/2 so that the least nonzero one (2^-25) is far beyond the 0/1 clamp. */
    private static final float STEP_SCALE = 0x1p30f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(4);

    private FloatErf() {
    }

    /** v[0, len) = erf(v). */
    static void erf(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] z = w[0];
            float[] e = w[1];
            float[] low = w[2];
            for (int i = 0; i < n; i++) {
                z[i] = Math.max(-ERF_LIMIT, Math.min(ERF_LIMIT, b[i]));
                squareNegated(z[i], 1, e, low, i);
            }
            FloatExp.nonPositiveExpBlock(e, low, n);
            tailProduct(z, e, e, n);
            for (int i = 0; i < n; i++) {
                float az = Math.abs(z[i]);
                float tail = step(az);
                float erfAbove = sign(z[i], az) * (1 - e[i]);
                b[i] = smallErf(z[i]) * (1 - tail) + erfAbove * tail;
            }
        });
    }

    /** v[0, len) = erfc(v) = 1 - erf(v), keeping its digits where it is far below 1. */
    static void erfc(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] z = w[0];
            for (int i = 0; i < n; i++) {
                z[i] = Math.max(-ERF_LIMIT, Math.min(ERFC_HIGH, b[i]));
                squareNegated(z[i], 1, w[1], w[2], i);
            }
            erfcOf(z, w[1], w[2], b, n);
        });
    }

    /** v[0, len) = v Phi(v), Phi the standard normal distribution function: exact GELU. */
    static void gelu(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] cdf = w[0];
            normalCdf(b, cdf, w[1], w[2], w[3], n);
            for (int i = 0; i < n; i++) {
                b[i] *= cdf[i];
            }
        });
    }

    /** v[0, len) = Phi(v) + v phi(v), GELU's derivative (phi the standard normal density). */
    static void geluDerivative(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] cdf = w[0];
            float[] gaussian = w[1];
            normalCdf(b, cdf, gaussian, w[2], w[3], n);
            for (int i = 0; i < n; i++) {
                // x - x is 0, but NaN at the infinities, where Phi(x) + x phi(x) is NaN in F64 and PyTorch too.
                b[i] = Math.fma(geluClamp(b[i]) + (b[i] - b[i]), gaussian[i] * INV_SQRT_2PI, cdf[i]);
            }
        });
    }

    /** v[0, len) = 2/sqrt(pi) exp(-v^2), erf's derivative. */
    static void erfDerivative(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[] low = WORK.get()[2];
            for (int i = 0; i < n; i++) {
                squareNegated(Math.max(-GAUSSIAN_LIMIT, Math.min(GAUSSIAN_LIMIT, b[i])), 1, b, low, i);
            }
            FloatExp.nonPositiveExpBlock(b, low, n);
            for (int i = 0; i < n; i++) {
                b[i] *= TWO_OVER_SQRT_PI;
            }
        });
    }

    /**
     * cdf = Phi(x) = erfc(-x/sqrt(2)) / 2 and gaussian = exp(-x^2/2), x left as it is: the exponent from x's exact
     * square, not from the rounded -x/sqrt(2). {@code low} and {@code z} are work arrays.
     */
    private static void normalCdf(float[] x, float[] cdf, float[] gaussian, float[] low, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            float clamped = geluClamp(x[i]);
            z[i] = -clamped * SQRT_HALF;
            squareNegated(clamped, 0.5f, gaussian, low, i);
        }
        erfcOf(z, gaussian, low, cdf, n);
        for (int i = 0; i < n; i++) {
            cdf[i] *= 0.5f;
        }
    }

    /**
     * out = erfc(z) for z within [-10.1, 10.1], given -z^2 as hi + low (hi in {@code e}, which this turns into
     * exp(-z^2); out is neither z nor e): below |z| = 1/2, 1 - erf(z); above, exp(-z^2) R(|z|), or 2 minus that for negative z.
     */
    private static void erfcOf(float[] z, float[] e, float[] low, float[] out, int n) {
        FloatExp.nonPositiveExpBlock(e, low, n);
        tailProduct(z, e, out, n);
        for (int i = 0; i < n; i++) {
            float az = Math.abs(z[i]);
            float tail = step(az);
            float s = sign(z[i], az);
            // s = 1: 0 + eR exactly; s = -1: 2 - eR, rounded once.
            float erfcAbove = Math.fma(s, out[i], 1 - s);
            out[i] = (1 - smallErf(z[i])) * (1 - tail) + erfcAbove * tail;
        }
    }

    /**
     * product = e R(max(|z|, 1/2)) (product may be e): apart from the loop that uses it, as one loop with both was
     * too long for C2 to unroll and vectorise. R at 1/2 at least (its fit's range), so that 1 - eR stays positive and
     * a zero z keeps its sign.
     */
    private static void tailProduct(float[] z, float[] e, float[] product, int n) {
        for (int i = 0; i < n; i++) {
            product[i] = e[i] * tailFactor(Math.max(Math.abs(z[i]), 0.5f));
        }
    }

    private static float geluClamp(float x) {
        return Math.max(-GELU_LIMIT, Math.min(GELU_LIMIT, x));
    }

    /** hi[i] + low[i] = -(scale z^2) exactly (scale 1 or 1/2): the square rounded, and its error from an FMA. */
    private static void squareNegated(float z, float scale, float[] hi, float[] low, int i) {
        float square = z * z;
        hi[i] = -square * scale;
        low[i] = -Math.fma(z, z, -square) * scale;
    }

    /** 0 below 1/2, 1 from 1/2 on (NaN for NaN), in arithmetic: a weight that chooses between two exact forms. */
    private static float step(float az) {
        return Math.min(1, Math.max(0, Math.fma(az - 0.5f, STEP_SCALE, 1)));
    }

    /** The sign of z where |z| &gt;= 1/2, and a finite value (weighted by 0) below. */
    private static float sign(float z, float az) {
        return z / Math.max(az, 0.5f);
    }

    /** erf(z) = z P(z^2) for |z| &lt;= 1/2; a product keeps the sign of a zero z. */
    private static float smallErf(float z) {
        float s = z * z;
        return z * Math.fma(Math.fma(Math.fma(Math.fma(0.0047179903f, s, -0.026757184f), s, 0.112828225f), s,
                -0.37612608f), s, 1.1283791f);
    }

    /**
     * R(a) = erfc(a) exp(a^2) for a in [1/2, 10.1], as t S(t) with t = 1 / (1 + a): in t, R's relative change is
     * at most 1.3 times t's, so that the rounding of t costs little (with 1 + a/2 it was twice, 4 ulps in all).
     */
    private static float tailFactor(float a) {
        float t = 1 / (1 + a);
        float s = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                1.8576251f, t, -8.7607f), t, 17.821896f), t, -19.872534f), t, 12.329776f), t, -3.3542256f), t,
                -0.07327412f), t, -0.3638695f), t, 0.2887887f), t, 0.5638764f), t, 0.56419593f);
        return t * s;
    }
}
