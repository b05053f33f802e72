package dev.kiln.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link Dataset} over arrays in memory: example {@code i} is {@code features[i * featureSize ...]}
 * (shape {@code featureShape}) with class {@code labels[i]}. The arrays are used as given, not copied;
 * do not change them afterwards.
 */
public final class ArrayDataset implements Dataset {
    private final float[] features;
    private final long[] labels;
    private final int[] featureShape;
    private final int featureSize;
    private final int classes;

    /**
     * @param features     [labels.length * product(featureShape)] row-major features
     * @param labels       [n] class indices, each in {@code [0, classes)}
     * @param featureShape shape of one example, e.g. {1, 28, 28}
     * @param classes      number of classes, at least 1
     * @throws IllegalArgumentException when the sizes disagree or a label is out of range
     */
    public ArrayDataset(float[] features, long[] labels, int[] featureShape, int classes) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(featureShape, "featureShape");
        if (classes < 1) {
            throw new IllegalArgumentException("ArrayDataset: classes must be at least 1, got " + classes);
        }
        this.featureShape = featureShape.clone();
        this.featureSize = Datasets.product(this.featureShape);
        if ((long) labels.length * featureSize != features.length) {
            throw new IllegalArgumentException("ArrayDataset: " + features.length + " feature values do not hold "
                    + labels.length + " examples of shape " + Arrays.toString(featureShape)
                    + " (" + (long) labels.length * featureSize + " values)");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("ArrayDataset: label " + labels[i] + " of example " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        this.features = features;
        this.labels = labels;
        this.classes = classes;
    }

    @Override
    public int size() {
        return labels.length;
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
        Objects.checkIndex(index, labels.length);
        System.arraycopy(features, index * featureSize, dst, offset, featureSize);
    }

    @Override
    public long label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    @Override
    public int classes() {
        return classes;
    }
}
