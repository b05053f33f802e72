package dev.kiln.data;

import java.util.Objects;

/**
 * PyTorch's {@code SequentialSampler(data_source)}: every epoch visits the data set's examples in index order,
 * {@code 0, 1, ..., n - 1}, whatever the seed (as a loader without shuffle does).
 */
public final class SequentialSampler implements Sampler {
    private final int size;

    /** Visits the {@code data.size()} examples of {@code data} in index order. */
    public SequentialSampler(Dataset data) {
        this(Objects.requireNonNull(data, "data").size());
    }

    /**
     * @param size the examples to visit, {@code 0 ... size - 1}: the loader's data set's size (at least 0)
     */
    public SequentialSampler(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("SequentialSampler: size must be at least 0, got " + size);
        }
        this.size = size;
    }

    @Override
    public int size() {
        return size;
    }

    /** {@code [0, 1, ..., size - 1]}: the seed is not used. */
    @Override
    public int[] indices(long seed) {
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = i;
        }
        return indices;
    }
}
