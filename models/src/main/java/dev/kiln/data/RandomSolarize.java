package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomSolarize(threshold, p)} on grey or RGB images [..., 1 or 3, height, width] with values in
 * [0, 1]: with probability {@code p}, every value at or above {@code threshold} becomes {@code 1 - x}.
 */
public final class RandomSolarize implements Augmentation {
    private final double threshold;
    private final double p;

    /** Probability 0.5, torchvision's default. */
    public RandomSolarize(double threshold) {
        this(threshold, 0.5);
    }

    /**
     * @param threshold values at or above it are inverted; at most 1 (torchvision refuses thresholds above a float
     *                  image's bound)
     * @param p         probability that an image is solarized, in [0, 1]
     */
    public RandomSolarize(double threshold, double p) {
        if (!(threshold <= 1 && threshold > Double.NEGATIVE_INFINITY)) {
            throw new IllegalArgumentException("RandomSolarize: threshold must be finite and <= 1, got " + threshold);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomSolarize: p must be in [0, 1], got " + p);
        }
        this.threshold = threshold;
        this.p = p;
    }

    public double threshold() {
        return threshold;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        ImageOps.greyOrRgbChannels("RandomSolarize", shape);
        if (random.nextDouble() < p) {
            // torch compares an F32 image with the threshold rounded to F32.
            ImageOps.solarize(features, offset, Datasets.product(shape), (float) threshold);
        }
    }

    @Override
    public String toString() {
        return "RandomSolarize(threshold=" + threshold + ", p=" + p + ")";
    }
}
