package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomAutocontrast(p)} on grey or RGB images [..., 1 or 3, height, width] with values in [0, 1]: with
 * probability {@code p}, stretches each plane linearly so that its least value is 0 and its greatest 1 (a constant plane is left alone).
 */
public final class RandomAutocontrast implements Augmentation {
    private final double p;

    /** Probability 0.5, torchvision's default. */
    public RandomAutocontrast() {
        this(0.5);
    }

    /** @param p probability that an image is changed, in [0, 1] */
    public RandomAutocontrast(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomAutocontrast: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("RandomAutocontrast", shape);
        int[] size = Datasets.imageSize("RandomAutocontrast", shape);
        if (random.nextDouble() < p) {
            // Plane by plane: every image's channels in turn.
            ImageOps.autocontrast(features, offset, size[0] * size[1], channels * ImageOps.images(shape));
        }
    }

    @Override
    public String toString() {
        return "RandomAutocontrast(" + p + ")";
    }
}
