package dev.kiln.data;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * PyTorch's {@code WeightedRandomSampler(weights, num_samples, replacement=True)}: an epoch draws
 * {@code numSamples} indices, index {@code i} with probability {@code weights[i] / sum(weights)}; with replacement
 * (the default) an index may come up again, without it each comes up at most once. The weights need not sum to 1.
 *
 * <p>For an imbalanced data set, {@link #balancingClasses} weighs every example by {@code 1 / (examples of its
 * class)}, so that every class is drawn equally often:
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 128, false, seed)
 *         .withSampler(WeightedRandomSampler.balancingClasses(train));
 * }</pre>
 */
public final class WeightedRandomSampler implements Sampler {
    private final double[] weights;
    private final double[] cumulative;
    private final int numSamples;
    private final boolean replacement;

    /** Draws {@code numSamples} indices with replacement. */
    public WeightedRandomSampler(double[] weights, int numSamples) {
        this(weights, numSamples, true);
    }

    /**
     * @param weights     [n] the examples' weights (copied): finite, at least 0, not all 0
     * @param numSamples  indices an epoch draws, at least 1; without replacement at most the weights above 0
     * @param replacement whether an index may be drawn again within an epoch
     */
    public WeightedRandomSampler(double[] weights, int numSamples, boolean replacement) {
        this.weights = Objects.requireNonNull(weights, "weights").clone();
        if (numSamples < 1) {
            throw new IllegalArgumentException("WeightedRandomSampler: numSamples must be at least 1, got " + numSamples);
        }
        this.cumulative = cumulative(this.weights);
        int positive = (int) Arrays.stream(this.weights).filter(w -> w > 0).count();
        if (!replacement && numSamples > positive) {
            throw new IllegalArgumentException("WeightedRandomSampler: without replacement numSamples " + numSamples
                    + " exceeds the " + positive + " weights above 0 (of " + this.weights.length + ")");
        }
        this.numSamples = numSamples;
        this.replacement = replacement;
    }

    /**
     * Draws with replacement as many indices as {@code data} has examples, each example weighted by
     * {@code 1 / (examples of its class)}: every class that occurs is drawn equally often on average, whatever its
     * size.
     */
    public static WeightedRandomSampler balancingClasses(Dataset data) {
        Objects.requireNonNull(data, "data");
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("WeightedRandomSampler.balancingClasses: the data set is empty");
        }
        long[] labels = new long[n];
        long[] counts = new long[data.classes()];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
            if (labels[i] < 0 || labels[i] >= counts.length) {
                throw new IllegalArgumentException("WeightedRandomSampler.balancingClasses: label " + labels[i]
                        + " of example " + i + " is outside [0, " + counts.length + ")");
            }
            counts[(int) labels[i]]++;
        }
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = 1.0 / counts[(int) labels[i]];
        }
        return new WeightedRandomSampler(weights, n);
    }

    /** Running sums of {@code weights}, after checking each and their total. */
    private static double[] cumulative(double[] weights) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("WeightedRandomSampler: weights is empty: nothing to draw");
        }
        double[] sums = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0 && weights[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("WeightedRandomSampler: weight " + i + " is " + weights[i]
                        + "; every weight must be finite and at least 0");
            }
            sum += weights[i];
            sums[i] = sum;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("WeightedRandomSampler: all " + weights.length
                    + " weights are 0: nothing to draw");
        }
        if (sum == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("WeightedRandomSampler: the weights sum to infinity; scale them down");
        }
        return sums;
    }

    /** A copy of the weights: [n]. */
    public double[] weights() {
        return weights.clone();
    }

    /** Indices an epoch draws. */
    public int numSamples() {
        return numSamples;
    }

    public boolean replacement() {
        return replacement;
    }

    @Override
    public int size() {
        return numSamples;
    }

    @Override
    public int[] indices(long seed) {
        return replacement ? withReplacement(seed) : withoutReplacement(seed);
    }

    private int[] withReplacement(long seed) {
        Uniform uniform = new Uniform(seed);
        double total = cumulative[cumulative.length - 1];
        int[] drawn = new int[numSamples];
        for (int k = 0; k < numSamples; k++) {
            drawn[k] = firstAbove(uniform.next() * total);
        }
        return drawn;
    }

    /** The first index whose running sum exceeds {@code u} (in [0, total)): never one of weight 0. */
    private int firstAbove(double u) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * An exponential race, as PyTorch's multinomial without replacement runs it: index {@code i} finishes at
     * {@code E_i / weights[i]} with {@code E_i ~ Exp(1)}, and the first {@code numSamples} to finish are drawn in
     * that order, which is the distribution of drawing one by one in proportion to the weights left.
     */
    private int[] withoutReplacement(long seed) {
        Uniform uniform = new Uniform(seed);
        double[] finish = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            finish[i] = -Math.log(1 - uniform.next()) / weights[i];
        }
        return IntStream.range(0, weights.length).filter(i -> weights[i] > 0).boxed()
                .sorted(Comparator.comparingDouble(i -> finish[i])).limit(numSamples).mapToInt(Integer::intValue)
                .toArray();
    }

    /** Uniform doubles in [0, 1) from SplitMix64, as {@link Datasets#permutation} draws: the same on every JVM. */
    private static final class Uniform {
        private long state;

        Uniform(long seed) {
            state = seed;
        }

        double next() {
            state += 0x9E3779B97F4A7C15L;
            return (Datasets.mix(state) >>> 11) * 0x1.0p-53;
        }
    }
}
