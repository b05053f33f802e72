package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * A random change to a whole training batch that mixes its examples and so turns its labels into soft targets
 * (torchvision v2's {@code MixUp} and {@code CutMix}), applied by a {@link DataLoader} built
 * {@link DataLoader#withBatchAugmentation} on its worker threads, after the batch is assembled and each example
 * {@link Augmentation augmented}. Several threads may apply it at once, so it must keep no state between calls.
 *
 * <p>Every random draw must come from the {@code random} given: the loader seeds it from the loader's seed, the epoch
 * and the batch's position in the epoch, so a resumed run sees the same mixed batches as an uninterrupted one.
 */
public interface BatchAugmentation {
    /**
     * Changes the batch's features in place and gives its targets.
     *
     * @param features [batch * product(shape)] row-major, changed in place
     * @param labels   [batch] class indices in [0, {@link #classes()}), read only
     * @param shape    one example's shape, without the batch dimension
     * @return the targets [batch * classes] row-major: row i holds example i's class probabilities
     * @throws IllegalArgumentException naming the label or the shape when they do not fit
     */
    float[] apply(float[] features, long[] labels, int[] shape, SplittableRandom random);

    /** The classes of a target row (torchvision's {@code num_classes}). */
    int classes();
}
