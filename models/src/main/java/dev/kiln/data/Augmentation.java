package dev.kiln.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A random change to one training example, applied by {@link DataLoader} on its worker threads before the
 * example joins its batch (torchvision's transforms, for images [channels, height, width]). With
 * {@link DataLoader#withWorkers} several threads apply it at once, so it must keep no state between calls.
 *
 * <p>Every random draw must come from the {@code random} given: the loader seeds it from the loader's seed,
 * the epoch and the example's position in the epoch, so a resumed run sees the same augmented batches as an
 * uninterrupted one.
 */
@FunctionalInterface
public interface Augmentation {
    /**
     * Changes {@code product(shape)} floats of {@code features} from {@code offset} on, in place.
     *
     * @param shape one example's shape, without the batch dimension
     */
    void apply(float[] features, int offset, int[] shape, SplittableRandom random);

    /** This augmentation, then {@code next}, with the same random stream. */
    default Augmentation andThen(Augmentation next) {
        Objects.requireNonNull(next, "next");
        return (features, offset, shape, random) -> {
            apply(features, offset, shape, random);
            next.apply(features, offset, shape, random);
        };
    }
}
