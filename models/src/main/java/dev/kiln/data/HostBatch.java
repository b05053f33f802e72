package dev.kiln.data;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One mini-batch in Java arrays, as {@link DataLoader} assembles it off the training thread. Turn it into
 * tensors on the training thread with {@link #features()} and {@link #labels()}; they belong to the caller's
 * current {@link dev.kiln.engine.Scope}.
 *
 * <p>The record's components are named {@code featureData}/{@code labelData} because {@code features()} and
 * {@code labels()} are the tensor accessors. The arrays are used as given, not copied.
 *
 * @param featureData  [size * product(featureShape)] row-major features
 * @param labelData    [size] class indices
 * @param size         examples in this batch (the last batch of an epoch may be smaller than the rest)
 * @param featureShape shape of one example, e.g. {1, 28, 28}
 */
public record HostBatch(float[] featureData, long[] labelData, int size, int[] featureShape) {
    public HostBatch {
        Objects.requireNonNull(featureData, "featureData");
        Objects.requireNonNull(labelData, "labelData");
        Objects.requireNonNull(featureShape, "featureShape");
        featureShape = featureShape.clone();
        if (size < 0 || labelData.length != size) {
            throw new IllegalArgumentException("HostBatch: size " + size + " but " + labelData.length + " labels");
        }
        long perExample = Datasets.product(featureShape);
        if (featureData.length != size * perExample) {
            throw new IllegalArgumentException("HostBatch: " + featureData.length + " feature values for " + size
                    + " examples of shape " + Arrays.toString(featureShape));
        }
    }

    /** The features as an F32 tensor [size, ...featureShape], created in the caller's scope. */
    public Tensor features() {
        int[] dims = new int[featureShape.length + 1];
        dims[0] = size;
        System.arraycopy(featureShape, 0, dims, 1, featureShape.length);
        return Tensor.fromArray(featureData, dims);
    }

    /** The labels as an I64 tensor [size], created in the caller's scope. */
    public Tensor labels() {
        return Tensor.fromArray(labelData, size);
    }

    /** A copy of the shape of one example. */
    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }
}
