package dev.kiln.engine.cpu;

import java.util.Arrays;

/**
 * Long sums of float terms in float arithmetic, nearly as accurate as in double and two to three times as fast as
 * {@link CompensatedLanes} (0.10 against 0.29 ns a term over 2,048, 0.26 against 0.73 over 256, one thread): each
 * block of about {@value #BLOCK} terms is summed in {@value #LANES} float lanes in a scratch array at the terms' own
 * indices (as long as the values' array), a block's first {@value #LANES} terms written as they are and each later
 * one added to the entry {@value #LANES} before it as it is worked out ({@code w[i + LANES] = term(i + LANES) +
 * w[i]}, one pass where writing the terms and then adding them in place took two, 0.08 against 0.12 ns a term), which
 * leaves the sum of every residue class in the block's last {@value #LANES} entries, the lanes added pairwise
 * in float down to {@value #FOLDED} and those into {@value #FOLDED} running sums in double. Each loop reads and writes
 * one array at offsets that differ by a constant, or several arrays at one index: the only shapes that JDK 17's C2
 * vectorises (a lane array apart from the values, {@code lane[j] += v[b + j]}, it leaves scalar, as it cannot tell
 * the two arrays apart). A term thus meets at most {@value #PER_LANE} plain float additions in its lane and four
 * pairwise ones before the double sum, whatever the sum's length, where one float accumulator loses a bit every
 * doubling of its length; on random terms the sums stayed within half an ulp of the sum of the terms' magnitudes.
 * Sums of fewer than {@value #LANES} terms are added in double outright. One instance per thread: it holds the
 * scratch.
 */
final class BlockSums {
    /** Lanes of a block: {@value #FOLDED} * 16, as the pairwise steps in {@link #add} halve it four times. */
    static final int LANES = 256;
    /** Terms a lane takes in a block, the last block of a sum taking up to {@value #LANES} more terms in all. */
    static final int PER_LANE = 8;
    static final int BLOCK = LANES * PER_LANE;
    private static final int FOLDED = 16;

    private float[] terms = new float[0];
    private float[] terms2 = new float[0];
    private final double[] totals = new double[FOLDED];
    private final double[] totals2 = new double[FOLDED];

    /** A sum of terms and a sum of products, from one pass. */
    record SumAndDot(double sum, double dot) {
    }

    /** The sum of {@code v[i] - pivot} over {@code v[from, from + n)}, the differences rounded to float. */
    double sumOfDifferences(float[] v, int from, int n, float pivot) {
        float[] w = scratch(from + n);
        clear(totals);
        for (int b = from; b < from + n; ) {
            int e = blockEnd(b, from + n);
            for (int i = b; i < lanesEnd(b, e); i++) {
                w[i] = v[i] - pivot;
            }
            for (int i = b; i < e - LANES; i++) {
                w[i + LANES] = (v[i + LANES] - pivot) + w[i];
            }
            add(w, b, e, totals);
            b = e;
        }
        return total(totals);
    }

    /**
     * The sum of {@code (v[i] - pivot)^2} over {@code v[from, from + n)}, each difference and square rounded to float.
     */
    double sumOfSquaredDifferences(float[] v, int from, int n, float pivot) {
        float[] w = scratch(from + n);
        clear(totals);
        for (int b = from; b < from + n; ) {
            int e = blockEnd(b, from + n);
            for (int i = b; i < lanesEnd(b, e); i++) {
                float d = v[i] - pivot;
                w[i] = d * d;
            }
            for (int i = b; i < e - LANES; i++) {
                float d = v[i + LANES] - pivot;
                w[i + LANES] = d * d + w[i];
            }
            add(w, b, e, totals);
            b = e;
        }
        return total(totals);
    }

    /**
     * The sum of {@code (v[i] - mean)^2} over {@code v[from, from + n)} from the squared deviations about the mean
     * rounded to float: their sum is theirs less {@code n * rest^2}, rest the mean's rounding error, as the deviations
     * about it sum to {@code n * rest}. At least 0, which a constant run could miss by a rounding.
     */
    double squaredDeviations(float[] v, int from, int n, double mean) {
        float meanHigh = (float) mean;
        double rest = mean - meanHigh;
        return Math.max(0, sumOfSquaredDifferences(v, from, n, meanHigh) - n * rest * rest);
    }

    /**
     * The sums of {@code g[i]} and of {@code g[i] * (x[i] - pivot)} over [from, from + n), each difference and product
     * rounded to float, in one pass over g and x.
     */
    SumAndDot sumAndDotOfDifferences(float[] g, float[] x, int from, int n, float pivot) {
        float[] w = scratch(from + n);
        float[] w2 = terms2;
        clear(totals);
        clear(totals2);
        for (int b = from; b < from + n; ) {
            int e = blockEnd(b, from + n);
            for (int i = b; i < lanesEnd(b, e); i++) {
                w[i] = g[i];
                w2[i] = g[i] * (x[i] - pivot);
            }
            for (int i = b; i < e - LANES; i++) {
                w[i + LANES] = g[i + LANES] + w[i];
                w2[i + LANES] = g[i + LANES] * (x[i + LANES] - pivot) + w2[i];
            }
            add(w, b, e, totals);
            add(w2, b, e, totals2);
            b = e;
        }
        return new SumAndDot(total(totals), total(totals2));
    }

    /** Both scratch arrays, at least {@code length} long. */
    private float[] scratch(int length) {
        if (terms.length < length) {
            terms = new float[Math.max(length, 2 * terms.length)];
            terms2 = new float[terms.length];
        }
        return terms;
    }

    /** The end of the block from b: {@value #BLOCK} on, or the sum's end where fewer than LANES terms would follow. */
    private static int blockEnd(int b, int end) {
        return end - b < BLOCK + LANES ? end : b + BLOCK;
    }

    /** The end of the first {@value #LANES} terms of the block [b, e), which start its lanes: e if it is shorter. */
    private static int lanesEnd(int b, int e) {
        return Math.min(e, b + LANES);
    }

    /**
     * totals += the block [b, e) of w: the terms where fewer than {@value #LANES}, else its lanes, the sums of the
     * terms' residue classes, which the sums' loops leave in its last {@value #LANES} entries (see the class comment).
     */
    private static void add(float[] w, int b, int e, double[] totals) {
        if (e - b < LANES) {
            totals[0] += RunningSums.sum(w, b, e - b);
            return;
        }
        int lanes = e - LANES;
        // Pairwise, each step's offset a constant for the loop to vectorise.
        for (int i = lanes; i < lanes + LANES / 2; i++) {
            w[i] += w[i + LANES / 2];
        }
        for (int i = lanes; i < lanes + LANES / 4; i++) {
            w[i] += w[i + LANES / 4];
        }
        for (int i = lanes; i < lanes + LANES / 8; i++) {
            w[i] += w[i + LANES / 8];
        }
        for (int i = lanes; i < lanes + FOLDED; i++) {
            w[i] += w[i + FOLDED];
        }
        for (int j = 0; j < FOLDED; j++) {
            totals[j] += w[lanes + j];
        }
    }

    private static void clear(double[] totals) {
        Arrays.fill(totals, 0);
    }

    private static double total(double[] totals) {
        double total = 0;
        for (double t : totals) {
            total += t;
        }
        return total;
    }
}
