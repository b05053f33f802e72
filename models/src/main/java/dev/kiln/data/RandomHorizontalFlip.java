package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * Mirrors each image left to right with probability {@code p} (all channels alike), as torchvision's
 * {@code RandomHorizontalFlip}. Suits clothing (Fashion-MNIST), not digits or letters.
 */
public final class RandomHorizontalFlip implements Augmentation {
    private final double p;

    /** @param p probability of a flip, in [0, 1] */
    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int width = Datasets.imageSize("RandomHorizontalFlip", shape)[1];
        if (random.nextDouble() >= p) {
            return;
        }
        int end = offset + Datasets.product(shape);
        for (int row = offset; row < end; row += width) {
            for (int left = row, right = row + width - 1; left < right; left++, right--) {
                float t = features[left];
                features[left] = features[right];
                features[right] = t;
            }
        }
    }

    @Override
    public String toString() {
        return "RandomHorizontalFlip(" + p + ")";
    }
}
