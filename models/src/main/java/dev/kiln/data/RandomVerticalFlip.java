package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * Mirrors each image [channels, height, width] top to bottom with probability {@code p} (all channels alike), as
 * torchvision's {@code RandomVerticalFlip}.
 */
public final class RandomVerticalFlip implements Augmentation {
    private final double p;

    /** @param p probability of a flip, in [0, 1] */
    public RandomVerticalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomVerticalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomVerticalFlip", shape);
        if (random.nextDouble() < p) {
            flip(features, offset, Datasets.product(shape), size[0], size[1]);
        }
    }

    /** Swaps rows y and height - 1 - y of every [height, width] plane of {@code features[offset, offset + length)}. */
    static void flip(float[] features, int offset, int length, int height, int width) {
        float[] row = new float[width];
        for (int start = offset; start < offset + length; start += height * width) {
            for (int top = start, bottom = start + (height - 1) * width; top < bottom; top += width, bottom -= width) {
                System.arraycopy(features, top, row, 0, width);
                System.arraycopy(features, bottom, features, top, width);
                System.arraycopy(row, 0, features, bottom, width);
            }
        }
    }

    @Override
    public String toString() {
        return "RandomVerticalFlip(" + p + ")";
    }
}
