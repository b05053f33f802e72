package dev.kiln.engine.cpu;

/**
 * {@link ExpBlocks} in float loops that C2 vectorises but for the scaling by 2^n, a scalar pass of bit moves (C2 on
 * JDK 17 vectorises no float/int conversion): the path where the Vector API is not in the boot layer.
 */
final class ScalarExpBlocks implements ExpBlocks {
    static final ScalarExpBlocks INSTANCE = new ScalarExpBlocks();
    private static final ThreadLocal<float[][]> WORK = Chunks.workArrays(3);

    private ScalarExpBlocks() {
    }

    /** v = exp(v) for at most {@link Chunks#SIZE} values. */
    @Override
    public void exp(float[] v, int len) {
        float[][] w = WORK.get();
        for (int i = 0; i < len; i++) {
            float x = Math.max(FloatExp.EXP_LOW, Math.min(FloatExp.EXP_HIGH, v[i]));
            float n = FloatExp.nearestMultipleOfLn2(x);
            v[i] = 1 + FloatExp.expm1Reduced(FloatExp.reduce(x, n));
            FloatExp.splitExponent(n, w[0], w[1], i);
        }
        FloatExp.scale(v, w[0], w[1], len);
    }

    /**
     * v = exp(v) / 2 for at most {@link Chunks#SIZE} values: exp's scaling by 2^(n - 1), exact, so that it is finite
     * up to v = 89.41 (cosh's and sinh's overflow), where exp(v) is not.
     */
    @Override
    public void halfExp(float[] v, int len) {
        float[][] w = WORK.get();
        for (int i = 0; i < len; i++) {
            float x = Math.max(FloatExp.EXP_LOW, Math.min(FloatExp.HALF_EXP_HIGH, v[i]));
            float n = FloatExp.nearestMultipleOfLn2(x);
            v[i] = 1 + FloatExp.expm1Reduced(FloatExp.reduce(x, n));
            FloatExp.splitExponent(n - 1, w[0], w[1], i);
        }
        FloatExp.scale(v, w[0], w[1], len);
    }

    /**
     * v = exp(v) for at most {@link Chunks#SIZE} values at most 0 (a sigmoid's exp(-|x|)): as {@link #exp}, to
     * the bit, with one bit move a value instead of two (see {@link #scaleNonPositive}).
     */
    @Override
    public void nonPositiveExp(float[] v, int len) {
        float[] nPlusRound = WORK.get()[0];
        for (int i = 0; i < len; i++) {
            float x = Math.max(FloatExp.EXP_LOW, Math.min(0, v[i]));
            float n = FloatExp.nearestMultipleOfLn2(x);
            v[i] = 1 + FloatExp.expm1Reduced(FloatExp.reduce(x, n));
            nPlusRound[i] = n + (FloatExp.NON_POSITIVE_SHIFT + FloatTrig.ROUND);
        }
        scaleNonPositive(v, nPlusRound, len);
    }

    /**
     * v = exp(v + low) for at most {@link Chunks#SIZE} values v at most 0 (a Gaussian's exp(-x^2)), low a correction
     * far below v's ulp (the rounding error of a square): added to the reduced argument, where it is not lost.
     */
    @Override
    public void nonPositiveExp(float[] v, float[] low, int len) {
        float[] nPlusRound = WORK.get()[0];
        for (int i = 0; i < len; i++) {
            float x = Math.max(FloatExp.EXP_LOW, Math.min(0, v[i]));
            float n = FloatExp.nearestMultipleOfLn2(x);
            v[i] = 1 + FloatExp.expm1Reduced(FloatExp.reduce(x, n) + low[i]);
            nPlusRound[i] = n + (FloatExp.NON_POSITIVE_SHIFT + FloatTrig.ROUND);
        }
        scaleNonPositive(v, nPlusRound, len);
    }

    /** v = exp(v) - 1, accurate near 0: 2^n expm1(r) + (2^n - 1) in one FMA. */
    @Override
    public void expm1(float[] v, int len) {
        float[][] w = WORK.get();
        float[] x = w[0];
        float[] nPlusRound = w[1];
        System.arraycopy(v, 0, x, 0, len);
        for (int i = 0; i < len; i++) {
            float clamped = Math.max(FloatExp.EXPM1_LOW, Math.min(FloatExp.EXPM1_HIGH, v[i]));
            nPlusRound[i] = Math.fma(clamped, FloatExp.LOG2E, FloatTrig.ROUND);
            v[i] = FloatExp.expm1Reduced(FloatExp.reduce(clamped, nPlusRound[i] - FloatTrig.ROUND));
        }
        for (int i = 0; i < len; i++) {
            float e = FloatExp.powerOfTwo(nPlusRound[i]);
            v[i] = Math.fma(e, v[i], e - 1);
            // Math's in double above the clamp, and at zeros, whose sign the sum with e - 1 = +0 loses.
            if (!(x[i] <= FloatExp.EXPM1_HIGH) || x[i] == 0) {
                v[i] = (float) Math.expm1(x[i]);
            }
        }
    }

    /** v = sigmoid(v) as exp(min(v, 0)) / (1 + exp(-|v|)). */
    @Override
    public void sigmoid(float[] v, int len) {
        float[] x = WORK.get()[2];
        System.arraycopy(v, 0, x, 0, len);
        sigmoidBlock(v, x, len);
    }

    /** v = v sigmoid(v). */
    @Override
    public void silu(float[] v, int len) {
        float[] x = WORK.get()[2];
        System.arraycopy(v, 0, x, 0, len);
        sigmoidBlock(v, x, len);
        for (int i = 0; i < len; i++) {
            v[i] *= x[i];
        }
    }

    /** v = s (1 + v sigmoid(-v)) for s = sigmoid(v), both from one exp(-|v|). */
    @Override
    public void siluDerivative(float[] v, int len) {
        float[] x = WORK.get()[2];
        for (int i = 0; i < len; i++) {
            x[i] = v[i];
            v[i] = -Math.abs(v[i]);
        }
        nonPositiveExp(v, len);
        for (int i = 0; i < len; i++) {
            float negative = FloatExp.negative(x[i]);
            float denominator = 1 + v[i];
            float s = Math.max(v[i], 1 - negative) / denominator;
            float complement = Math.max(v[i], negative) / denominator;
            v[i] = s * Math.fma(x[i], complement, 1);
        }
    }

    /** v = sigmoid(x) from x (v's values on entry, kept in x). */
    private void sigmoidBlock(float[] v, float[] x, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = -Math.abs(v[i]);
        }
        nonPositiveExp(v, len);
        for (int i = 0; i < len; i++) {
            // exp(min(x, 0)) is the exp just taken where x < 0, else 1: the larger of it and 1 - negative.
            v[i] = Math.max(v[i], 1 - FloatExp.negative(x[i])) / (1 + v[i]);
        }
    }

    /**
     * v *= 2^(n + {@value FloatExp#NON_POSITIVE_SHIFT}) 2^-{@value FloatExp#NON_POSITIVE_SHIFT} for an n in
     * [-159, 0] given plus the shift and {@link FloatTrig#ROUND}: the first factor is a normal float and v within
     * [0.7, 1.5], so the first product is exact and normal and the second rounds once, as {@link FloatExp#scale}'s
     * halves do.
     */
    private static void scaleNonPositive(float[] v, float[] nPlusRound, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = v[i] * FloatExp.powerOfTwo(nPlusRound[i]) * FloatExp.UNSHIFT;
        }
    }
}
