package dev.kiln.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Applies {@code augmentation} to each example with probability {@code p}, as torchvision's
 * {@code RandomApply([augmentation], p)} (several in turn: {@code a.andThen(b)}). The coin comes first from the random
 * stream, then the augmentation's own draws when it applies.
 */
public final class RandomApply implements Augmentation {
    private final double p;
    private final Augmentation augmentation;

    /**
     * @param p            probability that an example is augmented, in [0, 1]
     * @param augmentation what is applied
     */
    public RandomApply(double p, Augmentation augmentation) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomApply: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
    }

    public double p() {
        return p;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        if (random.nextDouble() < p) {
            augmentation.apply(features, offset, shape, random);
        }
    }

    @Override
    public String toString() {
        return "RandomApply(p=" + p + ", " + augmentation + ")";
    }
}
