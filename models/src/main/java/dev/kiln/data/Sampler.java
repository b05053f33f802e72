package dev.kiln.data;

/**
 * The example indices a {@link DataLoader} visits in an epoch, in place of its shuffle (PyTorch's {@code sampler=}
 * argument; {@link DataLoader#withSampler}). The indices depend only on the seed the loader passes, which it derives
 * from its own seed and the epoch: an epoch always gives the same indices, so a run resumed part-way sees the same
 * batches.
 */
public interface Sampler {
    /** Indices an epoch draws (PyTorch's {@code len(sampler)}): the loader's examples per epoch. */
    int size();

    /**
     * The indices of one epoch, in visiting order: [{@link #size()}], each an example of the loader's data set. The
     * same seed always gives the same indices.
     */
    int[] indices(long seed);
}
