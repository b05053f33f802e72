package dev.kiln.engine.cpu;

import java.nio.FloatBuffer;

/**
 * The F32 softmax routines' steps, shared by {@link CpuSoftmax}'s blocks of short rows, {@link SoftmaxLongRowsF32} and
 * {@link CrossEntropyF32}: on a row in an array (from {@code base}, {@code c} values), or on a row of a buffer read a
 * piece of at most {@link Chunks#SIZE} values at a time into the scratch array {@code v}.
 */
final class SoftmaxPieces {
    private SoftmaxPieces() {
    }

    /** v[base, base + c) -= its largest value (NaN throughout if one is NaN); returns that value. */
    static float subtractMax(float[] v, int base, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = base; j < base + c; j++) {
            max = Math.max(max, v[j]);
        }
        subtract(v, base, c, max);
        return max;
    }

    static void subtract(float[] v, int base, int c, float value) {
        for (int j = base; j < base + c; j++) {
            v[j] -= value;
        }
    }

    static void divide(float[] v, int base, int c, float divisor) {
        for (int j = base; j < base + c; j++) {
            v[j] /= divisor;
        }
    }

    /** The largest of xs[from, from + c), NaN if one is NaN. */
    static float max(FloatBuffer xs, int from, int c, float[] v) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j += Chunks.SIZE) {
            int n = Math.min(Chunks.SIZE, c - j);
            xs.get(from + j, v, 0, n);
            for (int i = 0; i < n; i++) {
                max = Math.max(max, v[i]);
            }
        }
        return max;
    }

    /**
     * The sum in double of exp(xs[x, x + c) - max), each exp by {@link FloatExp}; the exps are written to
     * os[o, o + c) unless {@code os} is null.
     */
    static double expSum(FloatBuffer xs, int x, int c, float max, FloatBuffer os, int o, float[] v) {
        double sum = 0;
        for (int j = 0; j < c; j += Chunks.SIZE) {
            int n = Math.min(Chunks.SIZE, c - j);
            xs.get(x + j, v, 0, n);
            subtract(v, 0, n, max);
            FloatExp.expBlock(v, n);
            sum += RunningSums.sum(v, 0, n);
            if (os != null) {
                os.put(o + j, v, 0, n);
            }
        }
        return sum;
    }

    /** os[o, o + c) /= divisor. */
    static void divideInPlace(FloatBuffer os, int o, int c, float divisor, float[] v) {
        for (int j = 0; j < c; j += Chunks.SIZE) {
            int n = Math.min(Chunks.SIZE, c - j);
            os.get(o + j, v, 0, n);
            divide(v, 0, n, divisor);
            os.put(o + j, v, 0, n);
        }
    }
}
