package dev.kiln.engine.cpu;

/**
 * F32 x^p for an integer exponent p of magnitude at most {@value #MAX_EXPONENT} (a cube, a fourth power, a
 * reciprocal square) as repeated products in double, where {@code Math.pow} is a call per value (12 ns): x^2 is
 * exact in double and each further product rounds at 2^-53, so the float rounded from it is Math.pow's but where the
 * value lies within a few 2^-53 of a tie between two floats. Neither overflows nor loses digits to the subnormals of
 * double where the float result is finite and normal: |x|^8 stays below 1.8e308, and where it falls below 1e-300 the
 * float result is 0 or, for a negative p, infinite. A scalar loop: C2 on JDK 17 vectorises no float-double conversion.
 */
final class IntegerPower {
    static final int MAX_EXPONENT = 8;

    private IntegerPower() {
    }

    /** Whether {@link #pow} serves exponent p: an integer within the limit. */
    static boolean serves(double p) {
        return p == Math.rint(p) && Math.abs(p) <= MAX_EXPONENT;
    }

    /** v[0, len) = factor v^p, rounded once from double, for p that this {@link #serves}; x^0 is 1, NaN's too. */
    static void pow(float[] v, int len, double p, double factor) {
        int times = (int) Math.abs(p);
        boolean reciprocal = p < 0;
        for (int i = 0; i < len; i++) {
            double x = v[i];
            double power = 1;
            for (int k = 0; k < times; k++) {
                power *= x;
            }
            v[i] = (float) (factor * (reciprocal ? 1 / power : power));
        }
    }
}
