package dev.kiln.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Several {@link Dataset}s one after another, as PyTorch's {@code torch.utils.data.ConcatDataset}: examples
 * {@code 0 .. size(0) - 1} are the first data set's, the next {@code size(1)} the second's, and so on. Nothing is
 * copied. Every part has the same example shape and the same number of classes, so that a batch can mix them.
 */
public final class ConcatDataset implements Dataset {
    private final List<Dataset> parts;
    /** ends[i]: the examples of parts 0..i together (PyTorch's {@code cumulative_sizes}). */
    private final int[] ends;
    private final int[] featureShape;
    private final int classes;

    /**
     * @param datasets at least one; each with the first one's {@link #featureShape()} and {@link #classes()}
     * @throws IllegalArgumentException naming the part and the first one, with both shapes or class counts, when
     *     they differ, or when there is no part or the examples do not fit an int
     */
    public ConcatDataset(List<? extends Dataset> datasets) {
        this.parts = List.copyOf(datasets);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("ConcatDataset: needs at least one data set, got none");
        }
        Dataset first = parts.get(0);
        this.featureShape = first.featureShape();
        this.classes = first.classes();
        this.ends = new int[parts.size()];
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            check(i, parts.get(i));
            total += parts.get(i).size();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("ConcatDataset: the data sets hold more than " + Integer.MAX_VALUE
                        + " examples together");
            }
            ends[i] = (int) total;
        }
    }

    /** The data sets in order. */
    public ConcatDataset(Dataset... datasets) {
        this(List.of(datasets));
    }

    /** Throws unless part {@code i} has the first part's example shape and class count. */
    private void check(int i, Dataset part) {
        if (!Arrays.equals(part.featureShape(), featureShape)) {
            throw new IllegalArgumentException("ConcatDataset: data set " + i + " has examples of shape "
                    + Arrays.toString(part.featureShape()) + ", data set 0 of shape " + Arrays.toString(featureShape));
        }
        if (part.classes() != classes) {
            throw new IllegalArgumentException("ConcatDataset: data set " + i + " has " + part.classes()
                    + " classes, data set 0 has " + classes);
        }
    }

    /** The data sets in order. */
    public List<Dataset> datasets() {
        return parts;
    }

    /** Element i: the examples of data sets 0..i together (PyTorch's {@code cumulative_sizes}); a copy. */
    public int[] cumulativeSizes() {
        return ends.clone();
    }

    @Override
    public int size() {
        return ends[ends.length - 1];
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    @Override
    public void copyFeatures(int index, float[] dst, int offset) {
        int part = part(index);
        parts.get(part).copyFeatures(index - start(part), dst, offset);
    }

    @Override
    public long label(int index) {
        int part = part(index);
        return parts.get(part).label(index - start(part));
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The part holding example {@code index}: the first whose end is past it (PyTorch's {@code bisect_right}). */
    private int part(int index) {
        Objects.checkIndex(index, size());
        int lo = 0;
        int hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] > index) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The index in the whole of part {@code part}'s first example. */
    private int start(int part) {
        return part == 0 ? 0 : ends[part - 1];
    }
}
