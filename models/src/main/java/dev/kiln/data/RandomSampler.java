package dev.kiln.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * PyTorch's {@code RandomSampler(data_source, replacement=False, num_samples=None)}: an epoch draws {@code numSamples}
 * indices of a data set of {@code n} examples at random, from the seed alone.
 *
 * <p>Without replacement (the default) it visits a random permutation of the {@code n} examples, and for
 * {@code numSamples} above {@code n} another permutation after it, as many as needed, the last one cut short, as
 * PyTorch does; with {@code numSamples = n} (the default) the epoch visits the very order a loader with
 * {@code shuffle} would. With replacement every draw is uniform over the {@code n} examples, independently.
 */
public final class RandomSampler implements Sampler {
    private final int dataSize;
    private final boolean replacement;
    private final int numSamples;
    private final WeightedRandomSampler uniform;

    /** A permutation of the examples of {@code data} every epoch. */
    public RandomSampler(Dataset data) {
        this(Objects.requireNonNull(data, "data").size(), false, data.size());
    }

    /**
     * @param dataSize    the examples to draw from, {@code 0 ... dataSize - 1}: the loader's data set's size, at least 1
     * @param replacement whether an index may be drawn again within an epoch
     * @param numSamples  indices an epoch draws, at least 1 (above {@code dataSize} without replacement too)
     */
    public RandomSampler(int dataSize, boolean replacement, int numSamples) {
        if (dataSize < 1) {
            throw new IllegalArgumentException("RandomSampler: dataSize must be at least 1, got " + dataSize
                    + ": nothing to draw");
        }
        if (numSamples < 1) {
            throw new IllegalArgumentException("RandomSampler: numSamples must be at least 1, got " + numSamples);
        }
        this.dataSize = dataSize;
        this.replacement = replacement;
        this.numSamples = numSamples;
        this.uniform = replacement ? new WeightedRandomSampler(equalWeights(dataSize), numSamples) : null;
    }

    private static double[] equalWeights(int n) {
        double[] weights = new double[n];
        Arrays.fill(weights, 1);
        return weights;
    }

    /** The examples drawn from. */
    public int dataSize() {
        return dataSize;
    }

    /** Whether an index may be drawn again within an epoch. */
    public boolean replacement() {
        return replacement;
    }

    /** Indices an epoch draws. */
    public int numSamples() {
        return numSamples;
    }

    @Override
    public int size() {
        return numSamples;
    }

    @Override
    public int[] indices(long seed) {
        return replacement ? uniform.indices(seed) : permutations(seed);
    }

    /** Whole permutations of the examples one after another, the first from {@code seed} itself, until numSamples. */
    private int[] permutations(long seed) {
        int[] drawn = new int[numSamples];
        for (int k = 0, filled = 0; filled < numSamples; k++) {
            int[] permutation = Datasets.permutation(dataSize, k == 0 ? seed : Datasets.mix(seed + k));
            int take = Math.min(dataSize, numSamples - filled);
            System.arraycopy(permutation, 0, drawn, filled, take);
            filled += take;
        }
        return drawn;
    }
}
