package dev.kiln.data;

import java.util.Objects;

/**
 * PyTorch's {@code SubsetRandomSampler(indices)}: every epoch visits the given indices, each once (a repeated index
 * as often as it is given), in a random order drawn from the seed alone. For example a validation split that keeps
 * one data set: the training loader samples the training indices, the validation loader the others.
 */
public final class SubsetRandomSampler implements Sampler {
    private final int[] indices;

    /**
     * @param indices the example indices to visit (copied), each at least 0; every one must be an example of the
     *                loader's data set, which the loader checks every epoch
     */
    public SubsetRandomSampler(int[] indices) {
        this.indices = Objects.requireNonNull(indices, "indices").clone();
        for (int i = 0; i < this.indices.length; i++) {
            if (this.indices[i] < 0) {
                throw new IllegalArgumentException("SubsetRandomSampler: index " + this.indices[i] + " at position " + i
                        + " is negative; every index must be an example of the data set, at least 0");
            }
        }
    }

    /** A copy of the indices, in the order given. */
    public int[] subset() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] indices(long seed) {
        int[] permutation = Datasets.permutation(indices.length, seed);
        int[] drawn = new int[indices.length];
        for (int i = 0; i < drawn.length; i++) {
            drawn[i] = indices[permutation[i]];
        }
        return drawn;
    }
}
