package dev.kiln.engine.cpu;

/**
 * The derivatives of the F32 inverse trigonometric and hyperbolic functions over arrays, in float arithmetic that C2
 * vectorises (0.3 to 0.45 ns a value; through {@link ElementaryFunctions} in double, 3.9 to 4.9 ns): reciprocals
 * of sqrt(1 - x^2), sqrt(x^2 + 1), sqrt(x^2 - 1), 1 + x^2 and 1 - x^2, each 1 +- x^2 rounded once in an FMA (x^2 is
 * exact inside it, so nothing cancels near |x| = 1). Where x^2 would overflow, |x| is clamped to 2^40 (there 1 +- x^2
 * is x^2 to 2^-80) and the result scaled by 2^40 / |x|, itself exactly 1 below the clamp. Measured on sweeps of the
 * floats against the double forms: see {@code FloatInverseDerivativesTest}.
 */
final class FloatInverseDerivatives {
    private static final float CLAMP = 0x1p40f;

    private FloatInverseDerivatives() {
    }

    /** v[0, len) = 1 / sqrt(1 - v^2), asin's derivative (NaN beyond +-1, infinite at +-1). */
    static void asin(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = 1 / (float) Math.sqrt(Math.fma(-v[i], v[i], 1));
        }
    }

    /** v[0, len) = -1 / sqrt(1 - v^2), acos's derivative. */
    static void acos(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = -1 / (float) Math.sqrt(Math.fma(-v[i], v[i], 1));
        }
    }

    /** v[0, len) = 1 / (1 + v^2), atan's derivative. */
    static void atan(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            float c = clamped(v[i]);
            float scale = scale(c, v[i]);
            v[i] = scale / Math.fma(c, c, 1) * scale;
        }
    }

    /** v[0, len) = 1 / sqrt(v^2 + 1), asinh's derivative. */
    static void asinh(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            float c = clamped(v[i]);
            v[i] = scale(c, v[i]) / (float) Math.sqrt(Math.fma(c, c, 1));
        }
    }

    /** v[0, len) = 1 / sqrt(v^2 - 1), acosh's derivative in PyTorch's form (NaN within +-1, and finite below -1). */
    static void acosh(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            float c = clamped(v[i]);
            v[i] = scale(c, v[i]) / (float) Math.sqrt(Math.fma(c, c, -1));
        }
    }

    /** v[0, len) = 1 / (1 - v^2), atanh's derivative (infinite at +-1, negative beyond). */
    static void atanh(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            float c = clamped(v[i]);
            float scale = scale(c, v[i]);
            v[i] = scale / Math.fma(-c, c, 1) * scale;
        }
    }

    /** |x| at most {@link #CLAMP}. */
    private static float clamped(float x) {
        return Math.min(Math.abs(x), CLAMP);
    }

    /** 2^40 / |x| where |x| was clamped to c = 2^40, else exactly 1 (NaN for NaN). */
    private static float scale(float c, float x) {
        return Math.max(c, 1) / Math.max(Math.abs(x), 1);
    }
}
