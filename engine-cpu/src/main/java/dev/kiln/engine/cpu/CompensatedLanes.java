package dev.kiln.engine.cpu;

import java.util.Arrays;

/**
 * Long sums of floats in float arithmetic, nearly as accurate as in double: up to {@value #LANES} running sums (a
 * lane for each four values, at least 16), element i going to lane i % lanes, each with Kahan's compensation (the
 * rounding error of every addition carried into the next), and the lanes folded and added in double at the end
 * ({@link #total}). Each sum's loop is a plain counted loop over float arrays that
 * C2 vectorises on JDK 17, where a sum in double (a float widened per element) stays scalar: JDK 17's C2 vectorises
 * no float-to-double conversion. Kahan's error bound is about 2 ulps of the sum of the terms' magnitudes, whatever
 * the length, where a plain float lane would lose a bit every doubling of its length. The sums take a pivot to
 * subtract from each value (exact when the pivot lies within a factor of two of it): a sum of deviations from a
 * value near the mean errs relative to the spread, not to the mean. One instance per thread: it holds the lanes.
 */
final class CompensatedLanes {
    /**
     * Lanes: long enough that each block's loop runs vectorised (1024: a sum took 0.19 ns a value, 256: 0.30), short
     * enough that the four arrays stay in L1.
     */
    static final int LANES = 1024;
    /** Lanes left for {@link #total} to add in double. */
    private static final int FOLDED = 16;

    private final float[] sum = new float[LANES];
    private final float[] carry = new float[LANES];
    /**
     * The current block of the values (and of the second factor): JDK 17's C2 leaves a loop unvectorised that stores
     * into the lanes at j and reads another array at an offset b + j, as it cannot tell the two apart.
     */
    private final float[] block = new float[LANES];
    private final float[] block2 = new float[LANES];

    /** The sum of {@code v[i] - pivot} over {@code v[0, n)}, the differences rounded to float. */
    double sumOfDifferences(float[] v, int n, float pivot) {
        return sumOfDifferences(v, 0, n, pivot);
    }

    /** The sum of {@code v[i] - pivot} over {@code v[from, from + n)}, the differences rounded to float. */
    double sumOfDifferences(float[] v, int from, int n, float pivot) {
        int lanes = lanes(n);
        clear(lanes);
        for (int b = 0; b < n; b += lanes) {
            int len = Math.min(lanes, n - b);
            System.arraycopy(v, from + b, block, 0, len);
            for (int j = 0; j < len; j++) {
                float y = (block[j] - pivot) - carry[j];
                float t = sum[j] + y;
                carry[j] = (t - sum[j]) - y;
                sum[j] = t;
            }
        }
        return total(lanes);
    }

    /** The sum of {@code (v[i] - pivot)^2} over {@code v[0, n)}, each difference and square rounded to float. */
    double sumOfSquaredDifferences(float[] v, int n, float pivot) {
        int lanes = lanes(n);
        clear(lanes);
        for (int b = 0; b < n; b += lanes) {
            int len = Math.min(lanes, n - b);
            System.arraycopy(v, b, block, 0, len);
            for (int j = 0; j < len; j++) {
                float d = block[j] - pivot;
                float y = d * d - carry[j];
                float t = sum[j] + y;
                carry[j] = (t - sum[j]) - y;
                sum[j] = t;
            }
        }
        return total(lanes);
    }

    /** The sum of {@code g[i] * (x[i] - pivot)} over [0, n), each difference and product rounded to float. */
    double dotOfDifferences(float[] g, float[] x, int n, float pivot) {
        return dotOfDifferences(g, x, 0, n, pivot);
    }

    /** {@link #dotOfDifferences(float[], float[], int, float)} over [from, from + n). */
    double dotOfDifferences(float[] g, float[] x, int from, int n, float pivot) {
        int lanes = lanes(n);
        clear(lanes);
        for (int b = 0; b < n; b += lanes) {
            int len = Math.min(lanes, n - b);
            System.arraycopy(g, from + b, block, 0, len);
            System.arraycopy(x, from + b, block2, 0, len);
            for (int j = 0; j < len; j++) {
                float y = block[j] * (block2[j] - pivot) - carry[j];
                float t = sum[j] + y;
                carry[j] = (t - sum[j]) - y;
                sum[j] = t;
            }
        }
        return total(lanes);
    }

    /**
     * The lanes for a sum of n values: at least four values a lane, as the {@link #fold} costs about twice a lane's
     * additions (a quarter of the 1024 lanes took a sum of 1024 values from 620 to 410 ns, of 256 from 220 to 160).
     */
    private static int lanes(int n) {
        return Math.min(LANES, Math.max(FOLDED, n / 4));
    }

    private void clear(int lanes) {
        Arrays.fill(sum, 0, lanes, 0f);
        Arrays.fill(carry, 0, lanes, 0f);
    }

    /**
     * The lanes' sums less what each still owes (its carry is the excess it added), in double, after
     * {@link #fold}ing them to at most {@value #FOLDED} lanes: a scalar loop in double over all 1024 lanes, a chain of
     * dependent additions, took longer than the sum itself for channels of a few thousand values (GroupNorm's).
     */
    private double total(int lanes) {
        int used = fold(lanes);
        double total = 0;
        for (int j = 0; j < used; j++) {
            total += (double) sum[j] - carry[j];
        }
        return total;
    }

    /**
     * Halves the lanes in use until at most {@link #FOLDED} remain, each upper lane added into a lower one with no
     * loss: the float sum's rounding error (Knuth's TwoSum, exact) goes into the carry with both lanes' carries,
     * whose own rounding is a float ulp of a carry, itself about an ulp of the sum. The upper halves are copied into
     * the blocks first, for the loop to vectorise (as in the sums). Returns the lanes now in use.
     */
    private int fold(int used) {
        while (used > FOLDED) {
            int half = used >>> 1;
            int lower = used - half;
            System.arraycopy(sum, lower, block, 0, half);
            System.arraycopy(carry, lower, block2, 0, half);
            for (int j = 0; j < half; j++) {
                float a = sum[j];
                float b = block[j];
                float t = a + b;
                float bVirtual = t - a;
                float error = (a - (t - bVirtual)) + (b - bVirtual);
                carry[j] = (carry[j] + block2[j]) - error;
                sum[j] = t;
            }
            used = lower;
        }
        return used;
    }
}
