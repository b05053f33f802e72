package dev.kiln.data;

import java.util.Objects;

/**
 * One labelled example of an {@link IterableDataset} or of {@link Dataset#of}: its features, row-major in the data
 * set's feature shape, and its class index. The array is used as given, not copied.
 *
 * @param features [product(featureShape)] floats
 * @param label    class index in {@code [0, classes)}
 */
public record Example(float[] features, long label) {
    public Example {
        Objects.requireNonNull(features, "features");
    }
}
