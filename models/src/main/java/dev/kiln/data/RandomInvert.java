package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * Replaces each image's values x by {@code 1 - x} with probability {@code p}, as torchvision's {@code RandomInvert}
 * on float images (values in [0, 1]); any shape.
 */
public final class RandomInvert implements Augmentation {
    private final double p;

    /** @param p probability that an image is inverted, in [0, 1] */
    public RandomInvert(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomInvert: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int end = offset + Datasets.product(shape);
        if (random.nextDouble() < p) {
            for (int i = offset; i < end; i++) {
                features[i] = 1f - features[i];
            }
        }
    }

    @Override
    public String toString() {
        return "RandomInvert(" + p + ")";
    }
}
