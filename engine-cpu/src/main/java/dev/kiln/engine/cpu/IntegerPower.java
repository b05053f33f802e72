package dev.kiln.engine.cpu;

/**
 * F32 x^p for an integer exponent p of magnitude at most {@value #MAX_EXPONENT} (a cube, a fourth power, a
 * reciprocal square), rounded once from a value within a few 2^-45 of x^p, where {@code Math.pow} is a call per
 * value (12 ns).
 *
 * <p>p from 1 to {@value #MAX_IN_FLOAT} (a cube, a fourth power, and their derivatives) in float arithmetic that C2
 * vectorises, one loop for each p (a loop over the products inside the loop over the values would not vectorise, and
 * a pass per product over arrays cost 0.6 ns a value): factor x^(p-1) carried as an unevaluated sum hi + lo of two
 * floats, each product's rounding error recovered exactly by an FMA, then factor x^p = hi x + lo x in one last FMA.
 * |x| above 2^ceil(128/p) is clamped to it in the products, where hi stays finite and hi x overflows as x^p does.
 * Where |x| is below 2^(-100/p), a product's error could fall among the subnormals: a block holding such a value
 * (a zero among them: the test is one vectorised minimum) or a NaN is computed as the other exponents are.
 *
 * <p>Other p as repeated products in double: x^2 is exact in double and each further product rounds at 2^-53;
 * |x|^8 stays below 1.8e308, and where it falls below 1e-300 the float result is 0 or infinite. A scalar loop: C2 on
 * JDK 17 vectorises no float-double conversion.
 */
final class IntegerPower {
    static final int MAX_EXPONENT = 8;
    static final int MAX_IN_FLOAT = 4;

    private IntegerPower() {
    }

    /** Whether {@link #pow} serves exponent p: an integer within the limit. */
    static boolean serves(double p) {
        return p == Math.rint(p) && Math.abs(p) <= MAX_EXPONENT;
    }

    /**
     * v[0, len) = factor v^p for p that this {@link #serves} (x^0 is 1, NaN's too), rounded once; factor 1, or the
     * exponent of the power whose derivative this is.
     */
    static void pow(float[] v, int len, double p, double factor) {
        if (p >= 1 && p <= MAX_IN_FLOAT) {
            int n = (int) p;
            float f = (float) factor;
            float tiny = (float) Math.scalb(1.0, -100 / n);
            Chunks.inBlocks(v, len, (b, m) -> {
                if (holdsTinyOrNan(b, m, tiny)) {
                    inDouble(b, m, p, factor);
                } else {
                    inFloat(b, m, n, f);
                }
            });
        } else {
            inDouble(v, len, p, factor);
        }
    }

    /** Whether v[0, len) holds a NaN or a value (zeros too) of magnitude below tiny. */
    private static boolean holdsTinyOrNan(float[] v, int len, float tiny) {
        float least = Float.POSITIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            least = Math.min(least, Math.abs(v[i]));
        }
        return !(least >= tiny);
    }

    /** v = f v^n for 1 &lt;= n &lt;= {@value #MAX_IN_FLOAT}, in float (see the class comment). */
    private static void inFloat(float[] v, int len, int n, float f) {
        switch (n) {
            case 1 -> {
                for (int i = 0; i < len; i++) {
                    v[i] *= f;
                }
            }
            case 2 -> {
                for (int i = 0; i < len; i++) {
                    float c = Math.max(-0x1p64f, Math.min(0x1p64f, v[i]));
                    float hi = f * c;
                    float lo = Math.fma(f, c, -hi);
                    v[i] = Math.fma(hi, v[i], lo * c);
                }
            }
            case 3 -> {
                for (int i = 0; i < len; i++) {
                    float c = Math.max(-0x1p43f, Math.min(0x1p43f, v[i]));
                    float hi = f * c;
                    float lo = Math.fma(f, c, -hi);
                    float square = hi * c;
                    lo = Math.fma(hi, c, -square) + lo * c;
                    v[i] = Math.fma(square, v[i], lo * c);
                }
            }
            default -> {
                for (int i = 0; i < len; i++) {
                    float c = Math.max(-0x1p32f, Math.min(0x1p32f, v[i]));
                    float hi = f * c;
                    float lo = Math.fma(f, c, -hi);
                    float square = hi * c;
                    lo = Math.fma(hi, c, -square) + lo * c;
                    float cube = square * c;
                    lo = Math.fma(square, c, -cube) + lo * c;
                    v[i] = Math.fma(cube, v[i], lo * c);
                }
            }
        }
    }

    /** v = factor v^p as repeated products in double. */
    private static void inDouble(float[] v, int len, double p, double factor) {
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
