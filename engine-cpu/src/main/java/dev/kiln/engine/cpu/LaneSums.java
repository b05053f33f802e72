package dev.kiln.engine.cpu;

/**
 * Sums and dot products of a row of floats in double, in the order that 16 float lanes widened into two vectors of 8
 * double lanes take them ({@code VectorSoftmaxRows}), so that the scalar loops give the same bits: element
 * {@code from + i} of the row's whole sixteens goes to running sum {@code i mod 16}; sums k and k + 8 are added, the
 * eight results as ((t0 + t1) + (t2 + t3)) + ((t4 + t5) + (t6 + t7)), then the row's last n mod 16 terms one after
 * another. Sixteen independent running sums, where {@link RunningSums}' four left a vectorised row one addition's
 * latency per four values.
 */
final class LaneSums {
    /** Running sums: a vector of 16 floats. */
    static final int LANES = 16;
    private static final int HALF = LANES / 2;

    private LaneSums() {
    }

    /** The sum of v[from, from + n). */
    static double sum(float[] v, int from, int n) {
        if (n < LANES) {
            return tailSum(v, from, n);
        }
        int whole = from + (n & -LANES);
        double total = ((pair(v, from, whole) + pair(v, from + 1, whole))
                + (pair(v, from + 2, whole) + pair(v, from + 3, whole)))
                + ((pair(v, from + 4, whole) + pair(v, from + 5, whole))
                + (pair(v, from + 6, whole) + pair(v, from + 7, whole)));
        for (int i = whole; i < from + n; i++) {
            total += v[i];
        }
        return total;
    }

    /** The dot product of a[from, from + n) and b[from, from + n), each product in double. */
    static double dot(float[] a, float[] b, int from, int n) {
        if (n < LANES) {
            return tailDot(a, b, from, n);
        }
        int whole = from + (n & -LANES);
        double total = ((pair(a, b, from, whole) + pair(a, b, from + 1, whole))
                + (pair(a, b, from + 2, whole) + pair(a, b, from + 3, whole)))
                + ((pair(a, b, from + 4, whole) + pair(a, b, from + 5, whole))
                + (pair(a, b, from + 6, whole) + pair(a, b, from + 7, whole)));
        for (int i = whole; i < from + n; i++) {
            total += (double) a[i] * b[i];
        }
        return total;
    }

    /** Running sum k of v's whole sixteens plus running sum k + 8, k = first - the row's start. */
    private static double pair(float[] v, int first, int whole) {
        double low = 0;
        double high = 0;
        for (int i = first; i < whole; i += LANES) {
            low += v[i];
            high += v[i + HALF];
        }
        return low + high;
    }

    private static double pair(float[] a, float[] b, int first, int whole) {
        double low = 0;
        double high = 0;
        for (int i = first; i < whole; i += LANES) {
            low += (double) a[i] * b[i];
            high += (double) a[i + HALF] * b[i + HALF];
        }
        return low + high;
    }

    /**
     * A row shorter than the lanes: its terms one after another from 0, the same bits as after the fold of the empty
     * running sums, without eight empty loops a row (a classifier's logits, 10 a row).
     */
    private static double tailSum(float[] v, int from, int n) {
        double total = 0;
        for (int i = from; i < from + n; i++) {
            total += v[i];
        }
        return total;
    }

    private static double tailDot(float[] a, float[] b, int from, int n) {
        double total = 0;
        for (int i = from; i < from + n; i++) {
            total += (double) a[i] * b[i];
        }
        return total;
    }
}
