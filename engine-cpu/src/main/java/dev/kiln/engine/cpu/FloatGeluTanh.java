package dev.kiln.engine.cpu;

/**
 * F32 GELU in its tanh approximation, 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3), and its
 * derivative over arrays, in float arithmetic that C2 vectorises ({@code Math.tanh} is a call per value): written as
 * x sigmoid(t) for t = 2u, the sigmoid as {@link FloatExp}'s, from one exp of -|t|. t reaches 110 before the exp
 * vanishes, so its rounding error (t's ulp there is 2^-17) would cost that exp up to 60 ulps: t is carried as a
 * float and its error (double-float arithmetic with FMA), which the exp adds to its reduced argument. Measured on
 * sweeps of the floats against the same form in double: see {@code FloatGeluTanhTest}.
 */
final class FloatGeluTanh {
    /** 2 sqrt(2/pi) = A + A_LO and 2 sqrt(2/pi) 0.044715 = B + B_LO: t = x (A + B x^2). */
    private static final float A = 1.5957692f;
    private static final float A_LO = -4.534068e-08f;
    private static final float B = 0.071354814f;
    private static final float B_LO = 2.3988325e-09f;
    /** 3 B, for t' = A + 3B x^2. */
    private static final float THREE_B = 0.21406445f;
    /**
     * Beyond +-12, t is beyond +-140: the exp of -|t| is 0 in float, the sigmoid exactly 0 or 1 and the
     * derivative's second term 0. x is clamped there, so that x^3's error terms stay finite.
     */
    private static final float LIMIT = 12f;
    /** 2^200 as two factors: the least positive float times both is beyond 1. */
    private static final float TWO_TO_100 = 0x1p100f;
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(3);

    private FloatGeluTanh() {
    }

    /** v[0, len) = 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))). */
    static void gelu(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] e = w[0];
            float[] positive = w[1];
            expOfMinusAbsT(b, e, positive, w[2], n);
            for (int i = 0; i < n; i++) {
                // exp(min(t, 0)) is e where t < 0, else 1: the larger of e and positive.
                b[i] *= Math.max(e[i], positive[i]) / (1 + e[i]);
            }
        });
    }

    /**
     * v[0, len) = sigmoid(t) + x sigmoid(t) (1 - sigmoid(t)) t' for t' = A + 3B x^2, the derivative (PyTorch's
     * 0.5 (1 + tanh) + 0.5 x (1 - tanh^2) u' in other terms): sigmoid(t) (1 - sigmoid(t)) is e / (1 + e)^2 for
     * either sign of t, never the difference 1 - sigmoid that loses its digits. At +-inf NaN, as PyTorch 1.13, the F64 path and CUDA give.
     */
    static void geluDerivative(float[] v, int len) {
        Chunks.inBlocks(v, len, (b, n) -> {
            float[][] w = WORK.get();
            float[] e = w[0];
            float[] positive = w[1];
            expOfMinusAbsT(b, e, positive, w[2], n);
            // positive becomes the sigmoid and e the product; apart from the last loop, so that both vectorise.
            for (int i = 0; i < n; i++) {
                float denominator = 1 + e[i];
                positive[i] = Math.max(e[i], positive[i]) / denominator;
                e[i] /= denominator * denominator;
            }
            for (int i = 0; i < n; i++) {
                float raw = b[i];
                float x = clamp(raw);
                float slope = Math.fma(THREE_B, x * x, A);
                // raw - raw is NaN at the infinities only: there PyTorch's form multiplies an infinity by 0.
                b[i] = Math.fma(x * slope, e[i], positive[i]) + (raw - raw);
            }
        });
    }

    /**
     * e = exp(-|t|) and positive = 1 where t &gt; 0 (else 0) for t = 2u of x clamped; low is a work array. t =
     * x p for p = A + B x^2, each product and sum with its rounding error (x^2 = s + sLow exactly, B s = bs + bsLow,
     * A + bs = p + pLow by two-sum), the errors and the constants' low parts summed in float: second-order terms,
     * 2^-48 of t, are left out.
     */
    private static void expOfMinusAbsT(float[] x, float[] e, float[] positive, float[] low, int n) {
        // In two loops: as one, it was too long for C2 to vectorise (9 ns a value against 2.4).
        for (int i = 0; i < n; i++) {
            float xc = clamp(x[i]);
            float s = xc * xc;
            float sLow = Math.fma(xc, xc, -s);
            float bs = B * s;
            float bsLow = Math.fma(B, s, -bs);
            float p = A + bs;
            float bsPart = p - A;
            float pLow = (A - (p - bsPart)) + (bs - bsPart);
            e[i] = p;
            low[i] = pLow + bsLow + Math.fma(B, sLow, Math.fma(B_LO, s, A_LO));
        }
        for (int i = 0; i < n; i++) {
            float xc = clamp(x[i]);
            float t = xc * e[i];
            float tLow = Math.fma(xc, e[i], -t) + xc * low[i];
            // t has x's sign: -|t| = -(sign t) (t + tLow).
            float sign = 1 - 2 * negative(xc);
            e[i] = -sign * t;
            low[i] = -sign * tLow;
            positive[i] = negative(-xc);
        }
        FloatExp.nonPositiveExpBlock(e, low, n);
    }

    private static float clamp(float x) {
        return Math.max(-LIMIT, Math.min(LIMIT, x));
    }

    /** 1 where x &lt; 0, 0 where x &gt;= 0 (NaN for NaN), in arithmetic. */
    private static float negative(float x) {
        return Math.min(1, Math.max(0, -x * TWO_TO_100 * TWO_TO_100));
    }
}
