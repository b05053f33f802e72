package dev.kiln.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A {@link Dataset} whose examples a function gives ({@link Dataset#of}): PyTorch's custom {@code Dataset} with
 * {@code __len__} and {@code __getitem__}. Each read checks what the function gave against the declared feature shape
 * and classes, naming the example.
 */
final class FunctionDataset implements Dataset {
    private final int size;
    private final int[] featureShape;
    private final int featureSize;
    private final int classes;
    private final IntFunction<Example> getItem;

    FunctionDataset(int size, int[] featureShape, int classes, IntFunction<Example> getItem) {
        if (size < 0) {
            throw new IllegalArgumentException("Dataset.of: size must be >= 0, got " + size);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("Dataset.of: classes must be at least 1, got " + classes);
        }
        this.size = size;
        this.featureShape = Objects.requireNonNull(featureShape, "featureShape").clone();
        this.featureSize = Datasets.product(this.featureShape);
        this.classes = classes;
        this.getItem = Objects.requireNonNull(getItem, "getItem");
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    @Override
    public int featureSize() {
        return featureSize;
    }

    @Override
    public void copyFeatures(int index, float[] dst, int offset) {
        float[] features = item(index).features();
        if (features.length != featureSize) {
            throw new IllegalArgumentException("Dataset.of: example " + index + " has " + features.length
                    + " feature values; the feature shape " + Arrays.toString(featureShape) + " holds " + featureSize);
        }
        System.arraycopy(features, 0, dst, offset, featureSize);
    }

    @Override
    public long label(int index) {
        long label = item(index).label();
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("Dataset.of: example " + index + " has label " + label
                    + ", outside [0, " + classes + ")");
        }
        return label;
    }

    @Override
    public int classes() {
        return classes;
    }

    private Example item(int index) {
        Example example = getItem.apply(Objects.checkIndex(index, size));
        if (example == null) {
            throw new IllegalArgumentException("Dataset.of: the function gave null for example " + index);
        }
        return example;
    }
}
