package dev.kiln.engine.cpu;

/**
 * F32 input gradients of the unary ops whose derivative is a sign, a constant or one rational step (abs, leaky ReLU,
 * sqrt, reciprocal, log2, log10, exp2, negation, frac and the piecewise constant ops), in place in {@code grad}, in
 * float loops: through the generic per-value loop in double they cost 2 to 6 ms for 2^20 values on two threads,
 * here 0.11 to 0.17 ms, vectorised. Abs and leaky ReLU decide on x's bit patterns without branches (a comparison
 * per value mispredicts, and a float select does not vectorise on JDK 17); their sign or weight comes out as an
 * int and is converted, which C2 does not vectorise either (0.86 and 0.6 ms; abs on the gradient's bits alone
 * vectorised in a microbenchmark but not once inlined into its chunk loop). Their values at 0, -0 and NaN
 * are PyTorch's: abs multiplies by sign(x), which is 0 there, and leaky ReLU takes the slope wherever x &gt; 0 is
 * false. The others round as PyTorch's float kernels do, or within the bounds {@code FloatSimpleGradientsTest}
 * measures against the double derivative.
 */
final class FloatSimpleGradients {
    private static final float INV_LN2 = (float) (1 / Math.log(2));
    private static final float INV_LN10 = (float) (1 / Math.log(10));
    private static final float LN2 = (float) Math.log(2);

    private FloatSimpleGradients() {
    }

    /** grad *= sign(x), with sign(+-0) = sign(NaN) = 0 (PyTorch's sgn), x given as its bit patterns. */
    static void abs(int[] x, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            int nonzero = nonzeroNumber(x[i]);
            grad[i] *= nonzero - 2 * (nonzero & (x[i] >>> 31));
        }
    }

    /** grad *= 1 where x &gt; 0, else slope (at 0, -0 and NaN too), x given as its bit patterns. */
    static void leakyRelu(int[] x, float[] grad, int len, float slope) {
        for (int i = 0; i < len; i++) {
            float positive = nonzeroNumber(x[i]) & ~(x[i] >>> 31);
            // 1 + 0 slope and 0 + slope are exact: the two sides keep their values to the bit.
            grad[i] *= positive + (1 - positive) * slope;
        }
    }

    /**
     * 1 where the float with bits b is neither +-0 nor NaN, else 0: |b| - 1 is negative only for zeros, and
     * |b| - (inf + 1) is negative for every number and infinity.
     */
    private static int nonzeroNumber(int b) {
        int magnitude = b & 0x7FFFFFFF;
        return (~(magnitude - 1) & (magnitude - 0x7F800001)) >>> 31;
    }

    /** grad /= 2y, sqrt's gradient from y = sqrt(x), as PyTorch computes it: 2y is exact, so it rounds once. */
    static void sqrt(float[] y, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] /= y[i] + y[i];
        }
    }

    /** grad = -grad y^2, the reciprocal's gradient from y = 1 / x, in PyTorch's order. */
    static void reciprocal(float[] y, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] = -grad[i] * (y[i] * y[i]);
        }
    }

    /** grad *= y ln 2, exp2's gradient from y = 2^x, in PyTorch's order. */
    static void exp2(float[] y, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] = grad[i] * y[i] * LN2;
        }
    }

    /**
     * grad = grad / x / ln 2, log2's gradient. Divided by x before the constant is applied, so that x ln 2 never
     * rounds as a subnormal (PyTorch's grad / (x ln 2) does), and 1 / ln 2 &gt; 1 applied last, so that nothing
     * overflows before the result would.
     */
    static void log2(float[] x, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] = grad[i] / x[i] * INV_LN2;
        }
    }

    /**
     * grad = grad / ln 10 / x, log10's gradient: as {@link #log2}'s, but 1 / ln 10 &lt; 1 applied first, because
     * grad / x overflows for x below 2^-128 where the result does not.
     */
    static void log10(float[] x, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] = grad[i] * INV_LN10 / x[i];
        }
    }

    /** grad = -grad, negation's gradient. */
    static void neg(float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] = -grad[i];
        }
    }

    /**
     * grad *= 0, the gradient of the piecewise constant ops: as the double loop's g * 0, NaN where g is infinite or
     * NaN and -0 where g is negative (PyTorch writes +0 everywhere).
     */
    static void zero(float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] *= 0;
        }
    }
}
