package dev.kiln.data;

import java.util.Objects;

/**
 * A view of another {@link Dataset}: example {@code i} of the subset is example {@code indices[i]} of the
 * base. Nothing is copied but the index array; indices may repeat.
 */
public final class Subset implements Dataset {
    private final Dataset base;
    private final int[] indices;

    /**
     * @param base    the data set viewed
     * @param indices [n] indices into {@code base} (copied), each in {@code [0, base.size())}
     */
    public Subset(Dataset base, int[] indices) {
        this.base = Objects.requireNonNull(base, "base");
        this.indices = Objects.requireNonNull(indices, "indices").clone();
        int n = base.size();
        for (int i = 0; i < this.indices.length; i++) {
            if (this.indices[i] < 0 || this.indices[i] >= n) {
                throw new IllegalArgumentException("Subset: index " + this.indices[i] + " at position " + i
                        + " is outside the base data set's [0, " + n + ")");
            }
        }
    }

    /** The data set this subset views. */
    public Dataset base() {
        return base;
    }

    /** A copy of the indices into {@link #base()}. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] featureShape() {
        return base.featureShape();
    }

    @Override
    public int featureSize() {
        return base.featureSize();
    }

    @Override
    public void copyFeatures(int index, float[] dst, int offset) {
        base.copyFeatures(indices[Objects.checkIndex(index, indices.length)], dst, offset);
    }

    @Override
    public long label(int index) {
        return base.label(indices[Objects.checkIndex(index, indices.length)]);
    }

    @Override
    public int classes() {
        return base.classes();
    }
}
